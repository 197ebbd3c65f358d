import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionDefinition } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { type InstantlySandbox, startInstantlySandbox } from '../src/sandbox/index.js';
import { run } from './helpers.js';

const skill = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../SKILL.md'), 'utf8');

/** Every `oxygen integrations run instantly <slug> --input '<json>' ...` command in the skill's shell blocks. */
function examples(): { slug: string; input: string; line: string }[] {
  const blocks = [...skill.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const lines = blocks.flatMap((b) => b.replace(/\s*\\\n\s*/g, ' ').split('\n'));
  return lines
    .filter((l) => l.startsWith('oxygen integrations run '))
    .map((line) => {
      const m = /^oxygen integrations run (\S+) (\S+) --input '([^']*)'(.*)$/.exec(line);
      if (m?.[1] !== 'instantly') throw new Error(`not a runnable instantly example: ${line}`);
      expect(m[4]).toContain('--json');
      return { slug: m[2] ?? '', input: m[3] ?? '', line };
    });
}

describe('SKILL.md', () => {
  it('is in Agent Skills format: front matter with name and description', () => {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(skill)?.[1] ?? '';
    expect(front).toMatch(/^name: instantly$/m);
    expect(/^description: (.+)$/m.exec(front)?.[1]?.length).toBeGreaterThan(100);
  });

  it('names every action and gives each at least one runnable example', () => {
    const found = examples();
    for (const action of plugin.actions) {
      expect(skill, action.slug).toContain(`\`${action.slug}\``);
      expect(
        found.some((e) => e.slug === action.slug),
        `an example for ${action.slug}`,
      ).toBe(true);
    }
  });

  it("parses every example's --input and validates it against the action's input schema", () => {
    const found = examples();
    expect(found.length).toBeGreaterThanOrEqual(plugin.actions.length);
    for (const { slug, input, line } of found) {
      const action = plugin.actions.find((a) => a.slug === slug);
      expect(action, line).toBeDefined();
      const parsed = action?.input.safeParse(JSON.parse(input));
      expect(parsed?.success, `${line}\n${JSON.stringify(parsed?.error?.issues)}`).toBe(true);
    }
  });

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
      for (const { slug, input } of examples()) {
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
