/**
 * The agent-skill check every provider package runs on its `SKILL.md`: it is in Agent Skills format,
 * documents every action, and every example in it is an input the action accepts.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProviderDefinition } from '@oxygen/core';
import { describe, expect, it } from 'vitest';

/** One `oxygen integrations run <provider> <slug> ... --input '<json>' ...` command of a skill. */
export interface SkillExample {
  /** The action slug it runs. */
  slug: string;
  /** The `--input` JSON text, as written between the single quotes. */
  input: string;
  /** The whole command, continuation lines joined. */
  line: string;
}

/** Options for {@link describeSkill}. */
export interface DescribeSkillOptions {
  /** The provider plugin the skill documents. */
  plugin: ProviderDefinition;
  /**
   * The `SKILL.md` text, or its path (a file path or `file:` URL, e.g.
   * `new URL('../SKILL.md', import.meta.url)`). A string with a line break is read as the text.
   */
  skill: string | URL;
  /** The least length of the front matter's description. Default 50 (the format allows up to 1024). */
  minDescriptionLength?: number;
  /**
   * Allow text after the slug on an action's heading (`### profile.enrich (managed only)`). Default
   * false: the heading is exactly `### <slug>`.
   */
  headingNotes?: boolean;
  /** Allow `--input @file.json` commands in shell blocks (not validated: the file is not in the skill). Default false. */
  fileInputs?: boolean;
}

/** The skill text behind {@link DescribeSkillOptions.skill}. */
export function readSkill(skill: string | URL): string {
  if (skill instanceof URL) return readFileSync(fileURLToPath(skill), 'utf8');
  if (skill.includes('\n')) return skill;
  return readFileSync(skill.startsWith('file:') ? fileURLToPath(skill) : skill, 'utf8');
}

/** Joins shell continuation lines (`\` at the end of a line) into one line each. */
function joined(text: string): string[] {
  return text.replace(/\s*\\\n\s*/g, ' ').split('\n');
}

/**
 * Every `oxygen integrations run <provider> <slug> ... --input '<json>'` command in `skill` (text),
 * continuation lines joined, in the order the skill gives them.
 */
export function skillExamples(skill: string, provider: string): SkillExample[] {
  const out: SkillExample[] = [];
  for (const line of joined(skill)) {
    const m = new RegExp(`oxygen integrations run ${provider} (\\S+) .*?--input '([^']*)'`).exec(line);
    if (m) out.push({ slug: m[1] as string, input: m[2] as string, line });
  }
  return out;
}

/**
 * Registers a `SKILL.md` suite for `plugin`. It checks:
 * - Agent Skills format: front matter with `name: <provider id>` and a one-line description of
 *   `minDescriptionLength` to 1024 characters;
 * - every action has a `### <slug>` heading, is named as `` `<slug>` `` and has at least one example;
 * - every `oxygen integrations run` command in a `sh` block runs this provider with `--input` right
 *   after the slug and asks for `--json`;
 * - every example names a known action, ends with `--json`, and its `--input` parses as JSON and
 *   validates against the action's input schema; there are at least as many examples as actions.
 *
 * Provider-specific checks (rate limits, quirks, events) stay in the provider's own test file.
 *
 * @example
 * ```ts
 * import { describeSkill } from '@oxygen/testkit';
 * import plugin from '../src/index.js';
 * describeSkill({ plugin, skill: new URL('../SKILL.md', import.meta.url) });
 * ```
 */
export function describeSkill(options: DescribeSkillOptions): void {
  const { plugin } = options;
  const skill = readSkill(options.skill);
  const examples = skillExamples(skill, plugin.id);

  describe('SKILL.md', () => {
    it('is in Agent Skills format: front matter with name and description', () => {
      const front = /^---\n([\s\S]*?)\n---\n/.exec(skill)?.[1];
      expect(front, 'front matter between --- lines').toBeDefined();
      const fields = Object.fromEntries(
        (front ?? '')
          .split('\n')
          .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
      );
      expect(front).toMatch(new RegExp(`^name: ${plugin.id}$`, 'm'));
      expect(fields.name).toBe(plugin.id);
      const description = /^description: (.+)$/m.exec(front ?? '')?.[1];
      expect(description).toBe(fields.description);
      expect(description?.length).toBeGreaterThan(options.minDescriptionLength ?? 50);
      expect(description?.length).toBeLessThanOrEqual(1024);
    });

    it('documents every action with a section, its name and at least one runnable example', () => {
      const slugs = new Set(examples.map((e) => e.slug));
      for (const action of plugin.actions) {
        if (options.headingNotes) {
          expect(skill, `a "### ${action.slug}" heading`).toMatch(
            new RegExp(`^### ${action.slug.replaceAll('.', '\\.')}\\b`, 'm'),
          );
        } else expect(skill, `a "### ${action.slug}" heading`).toContain(`### ${action.slug}\n`);
        expect(skill, action.slug).toContain(`\`${action.slug}\``);
        expect(slugs.has(action.slug), `an example for ${action.slug}`).toBe(true);
      }
      for (const slug of slugs)
        expect(
          plugin.actions.some((a) => a.slug === slug),
          `unknown action ${slug}`,
        ).toBe(true);
    });

    it('every command in a shell block runs this provider with --input and --json', () => {
      const blocks = [...skill.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
      const commands = blocks.flatMap(joined).filter((l) => l.startsWith('oxygen integrations run '));
      expect(commands.length).toBeGreaterThanOrEqual(plugin.actions.length);
      const input = options.fileInputs ? `(?:'[^']*'|@\\S+)` : `'[^']*'`;
      for (const line of commands) {
        const m = new RegExp(`^oxygen integrations run (\\S+) (\\S+) --input ${input}(.*)$`).exec(line);
        expect(m?.[1], `a runnable ${plugin.id} example: ${line}`).toBe(plugin.id);
        expect(m?.[3], line).toContain('--json');
      }
    });

    it('every example --input parses as JSON and validates against the action input schema', () => {
      expect(examples.length).toBeGreaterThanOrEqual(plugin.actions.length);
      for (const { slug, input, line } of examples) {
        const action = plugin.actions.find((a) => a.slug === slug);
        expect(action, `unknown action in: ${line}`).toBeDefined();
        // the shell passes '\n' inside single quotes through, and JSON reads it as a newline escape
        const result = action?.input.safeParse(JSON.parse(input));
        expect(result?.success, `${line}\n${JSON.stringify(result?.error?.issues)}`).toBe(true);
        expect(line).toMatch(/--json$/);
      }
    });
  });
}
