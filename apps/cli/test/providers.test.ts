/**
 * `oxygen providers list|show`: the full provider catalog, from the first-party plugins the CLI
 * loads by package name, as a new user sees it (the built binary, a fresh `$OXYGEN_HOME`).
 */

import { describe, expect, it } from 'vitest';
import { oxygen, tempHome } from './helpers.js';

interface Provider {
  id: string;
  name: string;
  version: string | null;
  api_version: number;
  auth_modes: string[];
  auth: { byok: { type: string; label: string; scopes: string[] }[]; managed: boolean };
  scopes: string[];
  actions: {
    slug: string;
    auth_modes: string[];
    credits: number;
    effect: string;
    scopes: string[];
    input_schema: object;
  }[];
  events: { type: string; provider_type: string | null; payload_type: string | null; data_schema: object }[];
}

const env = { OXYGEN_HOME: tempHome() };

describe('oxygen providers', () => {
  it('list --json: the four first-party providers load without a warning, with their auth modes', async () => {
    const r = await oxygen(['providers', 'list', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(''); // no plugin skipped, nothing else said
    const providers = r.json() as Provider[];
    expect(providers.map((p) => p.id).sort()).toEqual(['attio', 'hubspot', 'instantly', 'linkedin']);
    const modes = Object.fromEntries(providers.map((p) => [p.id, [...p.auth_modes].sort()]));
    expect(modes).toEqual({
      hubspot: ['byok'],
      attio: ['byok'],
      instantly: ['byok'],
      linkedin: ['byok', 'managed'],
    });
    for (const p of providers) {
      expect(p.api_version).toBe(1);
      expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(p.actions.length).toBeGreaterThan(0);
      for (const a of p.actions) {
        expect(a.auth_modes.length).toBeGreaterThan(0);
        expect(a.credits).toBeGreaterThanOrEqual(0);
        expect(['read', 'write']).toContain(a.effect);
        expect(a.input_schema).toMatchObject({ type: 'object' });
        // Every scope an action needs is in the provider's scopes.
        for (const s of a.scopes) expect(p.scopes, `${p.id} ${a.slug}`).toContain(s);
      }
      // ... and so is every scope its OAuth scheme asks for.
      for (const scheme of p.auth.byok) for (const s of scheme.scopes) expect(p.scopes).toContain(s);
      expect(new Set(p.scopes).size).toBe(p.scopes.length);
    }
  });

  it('list --json: per action modes, credits and effect; per provider scopes and events', async () => {
    const providers = (await oxygen(['providers', 'list', '--json'], { env })).json() as Provider[];
    const byId = Object.fromEntries(providers.map((p) => [p.id, p]));
    const linkedin = byId.linkedin!;
    expect(linkedin.auth.managed).toBe(true);
    expect(linkedin.scopes).toEqual(
      expect.arrayContaining(['openid', 'profile', 'email', 'w_member_social']),
    );
    const action = (p: Provider, slug: string) => p.actions.find((a) => a.slug === slug);
    expect(action(linkedin, 'profile.enrich')).toMatchObject({
      auth_modes: ['managed'],
      credits: 2,
      effect: 'read',
    });
    expect(action(linkedin, 'post.create')).toMatchObject({
      auth_modes: ['byok'],
      credits: 0,
      effect: 'write',
    });
    expect(action(byId.hubspot!, 'contact.upsert')).toMatchObject({ auth_modes: ['byok'], effect: 'write' });
    expect(byId.attio!.auth.byok.map((s) => s.type)).toEqual(['api_key', 'oauth2']);
    expect(byId.attio!.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['record.created', 'record.updated', 'record.deleted']),
    );
    const instantly = byId.instantly!;
    expect(instantly.events.map((e) => e.type)).toContain('email.reply_received');
    // The provider's subscription name and the name its payloads carry, where they differ.
    expect(instantly.events.find((e) => e.type === 'email.link_clicked')).toMatchObject({
      provider_type: 'email_link_clicked',
      payload_type: 'link_clicked',
      data_schema: { type: 'object' },
    });
  });

  it('show <id> --json is one provider, the same as in the list', async () => {
    const list = (await oxygen(['providers', 'list', '--json'], { env })).json() as Provider[];
    const r = await oxygen(['providers', 'show', 'linkedin', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual(list.find((p) => p.id === 'linkedin'));
  });

  it('human output: each provider with its auth, scopes, actions (modes, credits, effect) and events', async () => {
    const r = await oxygen(['providers', 'list'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    for (const heading of [
      'HubSpot (hubspot)',
      'Attio (attio)',
      'Instantly (instantly)',
      'LinkedIn (linkedin)',
    ]) {
      expect(r.stdout).toContain(heading);
    }
    expect(r.stdout).toContain('auth:    byok: OAuth 2.0 · managed: the platform key, paid in credits');
    expect(r.stdout).toContain('scopes:  openid profile email w_member_social');
    expect(r.stdout).toMatch(/ACTION\s+EFFECT\s+MODES\s+CREDITS\s+TITLE/);
    expect(r.stdout).toMatch(/profile\.enrich\s+read\s+managed\s+2\s+Look up a public profile/);
    expect(r.stdout).toMatch(
      /events:\s+email\.sent, email\.opened, email\.link_clicked, email\.reply_received/,
    );
    const show = await oxygen(['providers', 'show', 'instantly'], { env });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/lead\.list\s+read\s+byok\s+0\s+leads:read\s+List leads/);
    expect(show.stdout).toMatch(/email\.link_clicked\s+email_link_clicked \(delivered as link_clicked\)/);
  });

  it('show of an unknown provider is one line naming the known ones (exit 4)', async () => {
    const r = await oxygen(['providers', 'show', 'salesforce'], { env });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/salesforce/);
    expect(r.stderr).toMatch(/hubspot/);
  });
});
