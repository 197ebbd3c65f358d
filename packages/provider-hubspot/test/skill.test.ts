/**
 * The agent skill documents every action, and every example in it is an input the action accepts
 * (the shared checks of `describeSkill`), plus what an agent needs to know about HubSpot.
 */
import { describeSkill, readSkill } from '@oxygen/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const skillFile = new URL('../SKILL.md', import.meta.url);
// `contact.batch_upsert --input @contacts.json` shows reading a big input from a file
describeSkill({ plugin, skill: skillFile, fileInputs: true });

describe('SKILL.md for HubSpot', () => {
  const skill = readSkill(skillFile);

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
