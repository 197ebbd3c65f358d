import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import plugin, { LINKEDIN_VERSION } from '../src/index.js';

const skill = readFileSync(new URL('../SKILL.md', import.meta.url), 'utf8');

/** Every `oxygen integrations run linkedin <slug> ... --input '<json>'` in the file, continuations joined. */
function examples(): { slug: string; input: string; line: string }[] {
  const joined = skill.replace(/\\\n\s*/g, ' ');
  const out: { slug: string; input: string; line: string }[] = [];
  for (const line of joined.split('\n')) {
    const match = /oxygen integrations run linkedin (\S+) .*?--input '([^']*)'/.exec(line);
    if (match) out.push({ slug: match[1] as string, input: match[2] as string, line });
  }
  return out;
}

describe('SKILL.md', () => {
  it('is an Agent Skill named linkedin with a description', () => {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(skill)?.[1] ?? '';
    expect(front).toMatch(/^name: linkedin$/m);
    expect(/^description: (.+)$/m.exec(front)?.[1]?.length).toBeGreaterThan(80);
  });

  it('documents every action under its own heading with a runnable example', () => {
    const found = new Set(examples().map((e) => e.slug));
    for (const action of plugin.actions) {
      expect(skill, `a "### ${action.slug}" heading`).toMatch(
        new RegExp(`^### ${action.slug.replace('.', '\\.')}\\b`, 'm'),
      );
      expect(found.has(action.slug), `an example running ${action.slug}`).toBe(true);
    }
  });

  it("every example's --input is JSON that the action's input schema accepts", () => {
    const all = examples();
    expect(all.length).toBeGreaterThanOrEqual(plugin.actions.length);
    for (const example of all) {
      const action = plugin.actions.find((a) => a.slug === example.slug);
      expect(action, `unknown action in: ${example.line}`).toBeDefined();
      const parsed = action!.input.safeParse(JSON.parse(example.input));
      expect(parsed.success, `${example.line}\n${parsed.error?.message ?? ''}`).toBe(true);
    }
  });

  it('states the facts an agent needs: token lifetime, limits, mention syntax, version header', () => {
    expect(skill).toMatch(/60 days/);
    expect(skill).toMatch(/no refresh\s+token/);
    expect(skill).toMatch(/3000 characters/);
    expect(skill).toMatch(/1250 characters/);
    expect(skill).toContain('@[Display Name](urn:li:person:<id>)');
    expect(skill).toContain('LinkedIn-Version: YYYYMM');
    expect(skill).toContain('X-Restli-Protocol-Version: 2.0.0');
    expect(skill).toContain(`pins \`LinkedIn-Version: ${LINKEDIN_VERSION}\``);
  });
});
