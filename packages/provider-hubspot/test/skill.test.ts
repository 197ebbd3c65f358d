/**
 * The agent skill documents every action, and every example in it is an input the action accepts.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const skill = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../SKILL.md'), 'utf8');

/** Every `oxygen integrations run hubspot <slug> ... --input '<json>'` in the skill. */
function examples(): { slug: string; input: string; line: string }[] {
  const out: { slug: string; input: string; line: string }[] = [];
  for (const line of skill.replace(/\\\n\s*/g, ' ').split('\n')) {
    const m = /oxygen integrations run hubspot (\S+) .*--input '([^']*)'/.exec(line);
    if (m) out.push({ slug: m[1] as string, input: m[2] as string, line });
  }
  return out;
}

describe('SKILL.md', () => {
  it('is in Agent Skills format: front matter with name and description', () => {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(skill)?.[1];
    expect(front).toBeDefined();
    const fields = Object.fromEntries(
      (front ?? '')
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
    );
    expect(fields.name).toBe('hubspot');
    expect(fields.description?.length).toBeGreaterThan(50);
    expect(fields.description?.length).toBeLessThanOrEqual(1024);
  });

  it('documents every action with a section and at least one runnable example', () => {
    const slugs = new Set(examples().map((e) => e.slug));
    for (const action of plugin.actions) {
      expect(skill, action.slug).toContain(`### ${action.slug}\n`);
      expect(slugs.has(action.slug), `an example for ${action.slug}`).toBe(true);
    }
    for (const slug of slugs)
      expect(
        plugin.actions.some((a) => a.slug === slug),
        `unknown action ${slug}`,
      ).toBe(true);
  });

  it('every example --input parses as JSON and validates against the action input schema', () => {
    const all = examples();
    expect(all.length).toBeGreaterThanOrEqual(plugin.actions.length);
    for (const { slug, input, line } of all) {
      const parsed = JSON.parse(input);
      const action = plugin.actions.find((a) => a.slug === slug);
      const result = action?.input.safeParse(parsed);
      expect(result?.success, `${line}\n${JSON.stringify(result?.error?.issues)}`).toBe(true);
      expect(line).toMatch(/--json$/);
    }
  });

  it('names the auth modes, every scope, the rate limits, the quirks and every event', () => {
    expect(skill).toContain('Private app access token');
    expect(skill).toContain('OAuth 2.0');
    const oauth = plugin.auth.byok.find((s) => s.type === 'oauth2');
    for (const scope of oauth?.type === 'oauth2' ? oauth.scopes : []) expect(skill).toContain(`\`${scope}\``);
    for (const action of plugin.actions) {
      for (const scope of action.scopes ?? []) expect(skill).toContain(`\`${scope}\``);
    }
    expect(skill).toMatch(/## Rate limits[\s\S]*100 requests per 10 seconds[\s\S]*4 requests per second/);
    for (const quirk of [
      'Email uniqueness',
      'Domain not unique',
      'Property values are strings',
      'Search limits',
    ])
      expect(skill).toContain(`**${quirk}.**`);
    expect(skill).toMatch(/## Mapping table columns to HubSpot properties\n[\s\S]*\| Email +\| `email`/);
    for (const event of plugin.events ?? []) {
      expect(skill).toContain(`\`${event.type}\``);
      expect(skill).toContain(`\`${event.providerType}\``);
    }
  });
});
