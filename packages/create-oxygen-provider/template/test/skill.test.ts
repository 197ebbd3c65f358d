/**
 * SKILL.md is what a coding agent reads before it runs this provider's actions: it must be in
 * Agent Skills format, document every action, and every example in it must be a valid input.
 */

import { describeSkill, readSkill } from '@oxygen/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const skillFile = new URL('../SKILL.md', import.meta.url);
describeSkill({ plugin, skill: skillFile });

describe('SKILL.md for __NAME__', () => {
  it('names every event', () => {
    const skill = readSkill(skillFile);
    for (const event of plugin.events ?? []) expect(skill).toContain(`\`${event.type}\``);
  });
});
