import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, type Runtime } from '@oxygen/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LinkedInSandbox } from '../src/sandbox/index.js';
import { GRACE_POST, startSandbox } from './helpers.js';

// The whole path a user takes, through the runtime (its OAuth engine, vault and store) and the
// built plugin (dist/, as the runtime loads it): connect by OAuth, post, then a revoked token.
const REDIRECT = 'http://127.0.0.1:53682/callback';
let sandbox: LinkedInSandbox;
let runtime: Runtime;
let home: string;

beforeAll(async () => {
  sandbox = await startSandbox({ redirectUris: [REDIRECT] });
  home = mkdtempSync(join(tmpdir(), 'oxygen-linkedin-'));
  runtime = await createRuntime({
    home,
    plugins: [fileURLToPath(new URL('..', import.meta.url))],
    env: {
      OXYGEN_PROVIDER_LINKEDIN_BASE_URL: sandbox.url,
      OXYGEN_LINKEDIN_CLIENT_ID: sandbox.clientId,
      OXYGEN_LINKEDIN_CLIENT_SECRET: sandbox.clientSecret,
      OXYGEN_MANAGED_LINKEDIN_KEY: sandbox.managedKey,
    },
    retry: { baseDelayMs: 5 },
  });
});
afterAll(async () => {
  await runtime?.close();
  await sandbox?.close();
  rmSync(home, { recursive: true, force: true });
});

describe('a full LinkedIn connect through the runtime', () => {
  it('connects with OAuth, posts, and a revoked token turns the connection expired', async () => {
    const org = runtime.org('default');
    const start = await org.startOAuth('linkedin', { redirectUri: REDIRECT });
    const approval = new URL(start.url);
    expect(`${approval.origin}${approval.pathname}`).toBe(`${sandbox.url}/oauth/v2/authorization`);
    expect(approval.searchParams.get('scope')).toBe('openid profile email w_member_social');
    expect(approval.searchParams.has('code_challenge')).toBe(false); // pkce: false

    const answer = await fetch(start.url, { redirect: 'manual' });
    expect(answer.status).toBe(302);
    const back = new URL(answer.headers.get('location') ?? '');
    const connection = await runtime.completeOAuth({
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? undefined,
    });
    expect(connection).toMatchObject({
      provider: 'linkedin',
      auth_mode: 'byok',
      status: 'connected',
      account_label: 'ada@example.com',
    });
    expect([...connection.scopes].sort()).toEqual(['email', 'openid', 'profile', 'w_member_social']);
    expect(sandbox.tokenRequests).toHaveLength(1);
    expect(sandbox.tokenRequests[0]?.form).toMatchObject({
      grant_type: 'authorization_code',
      client_id: sandbox.clientId,
    });
    expect(sandbox.tokenRequests[0]?.query).toEqual({});

    const posted = await org.run(connection.id, 'post.create', { commentary: 'Hello from a full connect' });
    const urn = (posted.output as { urn: string }).urn;
    expect(sandbox.posts.get(urn)?.text).toBe('Hello from a full connect');
    await org.run(connection.id, 'comment.create', { post_urn: GRACE_POST, text: 'Nice' });

    for (const token of sandbox.tokens.keys()) sandbox.revokeToken(token);
    const error = await org.run(connection.id, 'profile.me', {}).catch((e: unknown) => e);
    // LinkedIn issued no refresh token, so the runtime cannot refresh: the connection expires
    // and the error says to reconnect.
    expect(error).toMatchObject({ code: 'auth', hint: expect.stringMatching(/connect linkedin/) });
    const after = await org.get(connection.id);
    expect(after.status).toBe('expired');
    expect(after.last_error).toBeTruthy();
    const requests = sandbox.requests.filter((r) => r.path === '/v2/userinfo');
    expect(requests.at(-1)?.headers.authorization).toMatch(/^Bearer AQ/); // LinkedIn was asked, and said 401
    const stored = JSON.stringify(await runtime.store.connections.get('default', connection.id));
    for (const token of sandbox.tokens.keys()) expect(stored).not.toContain(token);
  });

  it('profile.enrich charges its credits on a managed connection and is refused on the byok one', async () => {
    const org = runtime.org('acme');
    const managed = await org.connect('linkedin', { authMode: 'managed' });
    expect(managed).toMatchObject({ auth_mode: 'managed', status: 'connected' });
    expect(managed.account_label).toMatch(/\(managed\)$/);
    await org.credits.grant(10, 'test');
    const report = await org.run(managed.id, 'profile.enrich', {
      linkedin_url: 'https://www.linkedin.com/in/grace-hopper',
    });
    expect(report).toMatchObject({
      credits: 2,
      output: { found: true, profile: { full_name: 'Grace Hopper' } },
    });
    expect((await org.credits.balance()).balance).toBe(8);
    const sent = sandbox.requests.filter((r) => r.path === '/enrichment/v1/person').at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${sandbox.managedKey}`);

    // a byok connection of the same provider cannot run it, and says which would
    sandbox.signIn('gR4ceH0pp3r');
    const start = await org.startOAuth('linkedin', { redirectUri: REDIRECT });
    const back = new URL((await fetch(start.url, { redirect: 'manual' })).headers.get('location') ?? '');
    const byok = await runtime.completeOAuth({
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? undefined,
    });
    const before = sandbox.requests.length;
    const refused = await org
      .run(byok.id, 'profile.enrich', { email: 'grace@navy.example' })
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'validation' });
    expect((refused as Error).message).toMatch(/managed/);
    expect(sandbox.requests.length).toBe(before);
    expect((await org.credits.balance()).balance).toBe(8);
  });
});
