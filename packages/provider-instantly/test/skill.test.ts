/**
 * The agent skill documents every action, and every example in it is an input the action accepts
 * (the shared checks of `describeSkill`), plus Instantly's events and quirks, and every example
 * run against the sandbox.
 */
import type { ActionDefinition } from '@oxygen/core';
import { describeSkill, readSkill, skillExamples } from '@oxygen/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { type InstantlySandbox, startInstantlySandbox } from '../src/sandbox/index.js';
import { run } from './helpers.js';

const skillFile = new URL('../SKILL.md', import.meta.url);
describeSkill({ plugin, skill: skillFile, minDescriptionLength: 100 });

describe('SKILL.md for Instantly', () => {
  const skill = readSkill(skillFile);

  it('names every event with its subscription and delivered payload names, and the quirks', () => {
    for (const event of plugin.events ?? []) {
      const e = event as typeof event & { payloadType: string };
      expect(skill).toMatch(
        new RegExp(`\\| \`${e.type}\` +\\| \`${e.providerType}\` +\\| \\**\`${e.payloadType}\``),
      );
    }
    expect(skill).toContain('20 requests a\n  minute');
    expect(skill).toMatch(/Instantly signs nothing/);
  });

  describe('against the sandbox', () => {
    let sandbox: InstantlySandbox;
    beforeAll(async () => {
      sandbox = await startInstantlySandbox();
    });
    afterAll(() => sandbox.close());

    it('every example runs green, in the order the skill gives them', async () => {
      const examples = skillExamples(skill, plugin.id);
      expect(examples.length).toBeGreaterThanOrEqual(plugin.actions.length);
      for (const { slug, input } of examples) {
        const action = plugin.actions.find((a) => a.slug === slug);
        if (!action) throw new Error(`unknown action ${slug}`);
        await expect(
          run(sandbox, action as ActionDefinition, JSON.parse(input)),
          `${slug} ${input}`,
        ).resolves.toBeDefined();
      }
    });
  });
});
