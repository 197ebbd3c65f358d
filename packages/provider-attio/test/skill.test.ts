/**
 * The agent skill documents every action, and every example in it is an input the action accepts
 * (the shared checks of `describeSkill`), plus what an agent needs to know about Attio.
 */
import { describeSkill, readSkill } from '@oxygen/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const skillFile = new URL('../SKILL.md', import.meta.url);
describeSkill({ plugin, skill: skillFile });

describe('SKILL.md for Attio', () => {
  const skill = readSkill(skillFile);

  it('names the rate limits, the quirks and every event', () => {
    expect(skill).toMatch(/## Rate limits[\s\S]*100 read requests and 25 write requests per second/);
    for (const quirk of ['Value shape', 'Unique attributes', 'Assert matching'])
      expect(skill).toContain(`**${quirk}.**`);
    for (const event of plugin.events) expect(skill).toContain(`\`${event.type}\``);
  });
});
