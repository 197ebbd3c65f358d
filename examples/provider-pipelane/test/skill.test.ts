/**
 * SKILL.md is what a coding agent reads before it runs Pipelane's actions: Agent Skills format,
 * every action documented with a valid example, every event and stage named.
 */

import { describeSkill, readSkill } from '@oxygen/testkit';
import { describe, expect, it } from 'vitest';
import plugin, { STAGES } from '../src/index.js';

const skillFile = new URL('../SKILL.md', import.meta.url);
describeSkill({ plugin, skill: skillFile });

describe('SKILL.md for Pipelane', () => {
  const skill = readSkill(skillFile);

  it('names every event and every stage', () => {
    for (const event of plugin.events ?? []) expect(skill).toContain(`\`${event.type}\``);
    for (const stage of STAGES) expect(skill).toContain(`\`${stage}\``);
  });
});
