/**
 * The HTTP API through Fastify's injector: authentication, organization isolation on every
 * route, the error shape and statuses, the OpenAPI document, and no secret anywhere.
 */

import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { createRuntime, type Runtime } from '@oxygen/runtime';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, PAGE_CSP } from '../src/index.js';
import { allBytes, logSink, packageDir, sandboxRuntime, tempHome } from './helpers.js';

const PUBLIC_URL = 'https://oxygen.example.test';

let sandbox: HubSpotSandbox;
let home: string;
let runtime: Runtime;
let app: FastifyInstance;
const logs = logSink();
const seen: string[] = [];
/** Never in a response, a log line or the database. */
const secrets: string[] = [];
/** Shown once to whoever asked (a link in its API answer, a CSRF token in its page); never logged or stored. */
const linkSecrets: string[] = [];

let orgA: string;
let orgB: string;
let tokenA: string;
let tokenB: string;
let adminA: string;
let connectionId: string;

type Method = 'GET' | 'POST';

async function api(token: string | undefined, method: Method, url: string, body?: unknown) {
  const res = await app.inject({
    method,
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
  seen.push(JSON.stringify(res.headers), res.body);
  return res;
}

function expectError(res: LightMyRequestResponse, status: number, code: string, message?: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  expect(body.error).not.toHaveProperty('stack');
  expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  if (message) expect(String(body.error.message)).toMatch(message);
  return body.error;
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ rejectEmails: ['rejected@example.com'] });
  home = tempHome();
  runtime = await sandboxRuntime(home, sandbox);
  app = await createServer({
    runtime,
    publicUrl: PUBLIC_URL,
    logger: { stream: logs.stream, level: 'info' },
  });
  orgA = (await runtime.orgs.create('Org A')).id;
  orgB = (await runtime.orgs.create('Org B')).id;
  tokenA = (await runtime.tokens.create(orgA, { name: 'a' })).token;
  tokenB = (await runtime.tokens.create(orgB, { name: 'b' })).token;
  adminA = (await runtime.tokens.create(orgA, { name: 'admin', admin: true })).token;
  secrets.push(sandbox.token, tokenA, tokenB, adminA);
});

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await sandbox?.close();
});

describe('authentication', () => {
  it.each([
    ['no header', undefined],
    ['an empty token', ''],
    ['a malformed token', 'not-a-token'],
    ['an unknown token', `oxy_${'x'.repeat(43)}`],
  ])('refuses %s with 401 and the one error shape', async (_what, token) => {
    const res = await app.inject({
      method: 'GET',
      url: '/v1/integrations',
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    expectError(res, 401, 'auth', /API token/);
  });

  it('refuses a revoked token', async () => {
    const t = await runtime.tokens.create(orgA, { name: 'short-lived' });
    expect((await api(t.token, 'GET', '/v1/integrations')).statusCode).toBe(200);
    await runtime.tokens.revoke(t.id);
    expectError(await api(t.token, 'GET', '/v1/integrations'), 401, 'auth', /revoked/);
  });

  it('answers every response with a request id, and names the token organization', async () => {
    const res = await api(tokenA, 'GET', '/v1/integrations');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    expect(res.headers['oxygen-organization']).toBe(orgA);
    const me = await api(adminA, 'GET', '/v1/me');
    expect(me.json()).toEqual({
      organization_id: orgA,
      organization_name: 'Org A',
      token_id: expect.stringMatching(/^tok_/),
      admin: true,
    });
    expect((await api(tokenB, 'GET', '/v1/me')).json()).toMatchObject({
      organization_id: orgB,
      admin: false,
    });
  });
});

describe('integrations of one organization', () => {
  it('refuses a wrong provider key with the provider reason and stores nothing', async () => {
    const res = await api(tokenA, 'POST', '/v1/integrations/connect', {
      provider: 'hubspot',
      api_key: 'pat-na1-wrong-key-000000',
    });
    expectError(res, 401, 'auth');
    expect(res.body).not.toContain('pat-na1-wrong-key-000000');
    expect((await api(tokenA, 'GET', '/v1/integrations')).json()).toEqual([]);
  });

  it('connects with an API key in the body, answering the connection without the key', async () => {
    const res = await api(tokenA, 'POST', '/v1/integrations/connect', {
      provider: 'hubspot',
      api_key: sandbox.token,
    });
    expect(res.statusCode, res.body).toBe(201);
    const connection = res.json() as Record<string, unknown>;
    expect(connection).toMatchObject({
      provider: 'hubspot',
      organization_id: orgA,
      status: 'connected',
      auth_mode: 'byok',
    });
    expect(Object.keys(connection).sort()).toEqual(
      Object.keys(await runtime.org(orgA).get(String(connection.id))).sort(),
    );
    connectionId = String(connection.id);
  });

  it('answers exactly what the runtime (and so the CLI with --json) gives', async () => {
    const org = runtime.org(orgA);
    expect((await api(tokenA, 'GET', '/v1/integrations')).json()).toEqual(await org.list());
    expect((await api(tokenA, 'GET', '/v1/integrations?provider=hubspot')).json()).toEqual(
      await org.list({ provider: 'hubspot' }),
    );
    expect((await api(tokenA, 'GET', `/v1/integrations/${connectionId}`)).json()).toEqual(
      await org.get(connectionId),
    );
    expect((await api(tokenA, 'GET', '/v1/integrations/hubspot/actions')).json()).toEqual(
      (await org.actions('hubspot')).actions,
    );
    expect((await api(tokenA, 'GET', '/v1/providers')).json()).toEqual((await runtime.providers()).providers);
    expect((await api(tokenA, 'GET', '/v1/providers/hubspot')).json()).toEqual(
      await runtime.provider('hubspot'),
    );
  });

  it('dry-runs without sending anything', async () => {
    const before = sandbox.requests.length;
    const res = await api(tokenA, 'POST', `/v1/integrations/${connectionId}/run`, {
      action: 'contact.upsert',
      input: { email: 'ada@example.com', firstname: 'Ada' },
      dry_run: true,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(sandbox.requests.length).toBe(before);
    expect(res.json()).toMatchObject({
      dry_run: true,
      action: 'contact.upsert',
      integration: { id: connectionId },
      requests: [{ method: 'POST', headers: { authorization: 'Bearer [REDACTED]' } }],
    });
  });

  it('runs an action, answering its output with the report in headers', async () => {
    const res = await api(tokenA, 'POST', '/v1/integrations/hubspot/run', {
      action: 'contact.upsert',
      input: { email: 'ada@example.com', firstname: 'Ada' },
    });
    expect(res.statusCode, res.body).toBe(200);
    const out = res.json() as { id: string; properties: Record<string, string> };
    expect(out.properties.email).toBe('ada@example.com');
    expect(sandbox.contacts.has(out.id)).toBe(true);
    expect(res.headers['oxygen-credits']).toBe('0');
    expect(res.headers['oxygen-integration']).toBe(`${connectionId} hubspot byok`);
    expect(Number(res.headers['oxygen-duration-ms'])).toBeGreaterThanOrEqual(0);
    expect(String(res.headers['oxygen-request-ids'])).not.toBe('');
  });

  it('maps errors to one shape with a status per code', async () => {
    const invalid = expectError(
      await api(tokenA, 'POST', '/v1/integrations/hubspot/run', { action: 'contact.upsert', input: {} }),
      400,
      'validation',
    );
    expect(invalid.field).toBe('email');
    const rejected = expectError(
      await api(tokenA, 'POST', '/v1/integrations/hubspot/run', {
        action: 'contact.upsert',
        input: { email: 'rejected@example.com' },
      }),
      400,
      'validation',
      /HubSpot rejected the contact/,
    );
    expect(rejected.request_id).toBeDefined();
    expectError(
      await api(tokenA, 'POST', '/v1/integrations/hubspot/run', { action: 'contact.explode' }),
      404,
      'not_found',
      /Unknown action "contact.explode"/,
    );
    expectError(await api(tokenA, 'GET', '/v1/providers/salesforge'), 404, 'not_found', /Unknown provider/);
    expectError(
      await api(tokenA, 'GET', '/v1/nothing-here'),
      404,
      'not_found',
      /No route GET \/v1\/nothing-here/,
    );
    const schema = expectError(
      await api(tokenA, 'POST', '/v1/integrations/hubspot/run', { input: {} }),
      400,
      'validation',
    );
    expect(schema.message).toMatch(/action/);
    const json = await app.inject({
      method: 'POST',
      url: '/v1/integrations/connect',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/json' },
      payload: '{"provider":',
    });
    expectError(json, 400, 'validation');
    sandbox.failNext({ status: 500 });
    expectError(
      await api(tokenA, 'POST', '/v1/integrations/hubspot/run', {
        action: 'contact.get',
        input: { id: '1' },
      }),
      502,
      'provider',
    );
    sandbox.failNext({ status: 429, retryAfterSeconds: 0 });
    expectError(
      await api(tokenA, 'POST', '/v1/integrations/hubspot/run', {
        action: 'contact.get',
        input: { id: '1' },
      }),
      429,
      'rate_limit',
    );
  });
});

describe('verification and OAuth', () => {
  it('verifies a connection again, recording when', async () => {
    const before = await runtime.org(orgA).get(connectionId);
    await new Promise((r) => setTimeout(r, 5));
    const res = await api(tokenA, 'POST', `/v1/integrations/${connectionId}/verify`);
    expect(res.statusCode, res.body).toBe(200);
    const after = res.json() as { status: string; last_verified_at: string };
    expect(after.status).toBe('connected');
    expect(Date.parse(after.last_verified_at)).toBeGreaterThan(Date.parse(before.last_verified_at!));
    expect(after).toEqual(await runtime.org(orgA).get(connectionId));
  });

  it('starts an OAuth connection whose callback completes it for the token organization, once', async () => {
    const orgC = (await runtime.orgs.create('Org C')).id;
    const tokenC = (await runtime.tokens.create(orgC)).token;
    secrets.push(tokenC);
    const start = await api(tokenC, 'POST', '/v1/integrations/oauth/start', { provider: 'hubspot' });
    expect(start.statusCode, start.body).toBe(201);
    const { url, redirect_uri } = start.json() as { url: string; redirect_uri: string };
    expect(redirect_uri).toBe(`${PUBLIC_URL}/oauth/callback`);
    const approval = new URL(url);
    expect(approval.origin).toBe(sandbox.url);
    expect(approval.searchParams.get('redirect_uri')).toBe(redirect_uri);
    expect(approval.searchParams.get('code_challenge_method')).toBe('S256');
    // The sandbox approves at once and sends the browser back to the callback.
    const approved = await fetch(url, { redirect: 'manual' });
    expect(approved.status).toBe(302);
    const back = new URL(approved.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(redirect_uri);
    linkSecrets.push(back.searchParams.get('code')!, back.searchParams.get('state')!);

    const callback = await app.inject({ method: 'GET', url: `/oauth/callback${back.search}` });
    seen.push(callback.body);
    expect(callback.statusCode, callback.body).toBe(200);
    expect(callback.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(callback.body).toContain('HubSpot connected');
    const connections = await runtime.org(orgC).list();
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ provider: 'hubspot', status: 'connected', organization_id: orgC });
    expect(connections[0]!.scopes.length).toBeGreaterThan(0);
    expect(callback.body).toContain(connections[0]!.id);
    expect(await runtime.org(orgB).list()).toEqual([]);
    // It works through the API, and only for C.
    const run = await api(tokenC, 'POST', '/v1/integrations/hubspot/run', {
      action: 'contact.get',
      input: { id: '999999' },
    });
    expectError(run, 404, 'not_found');
    expectError(await api(tokenA, 'GET', `/v1/integrations/${connections[0]!.id}`), 404, 'not_found');

    // The state is single use: replaying the redirect stores nothing.
    const replay = await app.inject({ method: 'GET', url: `/oauth/callback${back.search}` });
    expect(replay.statusCode).toBe(401);
    expect(replay.body).toContain('The connection was not made');
    expect(await runtime.org(orgC).list()).toHaveLength(1);
  });

  it('answers how an OAuth flow ended to its organization only, waiting for it (long poll)', async () => {
    const orgD = (await runtime.orgs.create('Org D')).id;
    const tokenD = (await runtime.tokens.create(orgD)).token;
    secrets.push(tokenD);
    const flowSecrets: string[] = [];
    const start = async () => {
      const res = await api(tokenD, 'POST', '/v1/integrations/oauth/start', { provider: 'hubspot' });
      expect(res.statusCode, res.body).toBe(201);
      const body = res.json() as { id: string; url: string; expires_at: string };
      flowSecrets.push(new URL(body.url).searchParams.get('state')!);
      return body;
    };
    /** The browser: the sandbox approves at once; its redirect goes to the server's callback. */
    const approve = async (url: string) => {
      const approved = await fetch(url, { redirect: 'manual' });
      const back = new URL(approved.headers.get('location')!);
      flowSecrets.push(back.searchParams.get('code')!);
      return app.inject({ method: 'GET', url: `/oauth/callback${back.search}` });
    };

    const flow = await start();
    expect(flow.id).toMatch(/^oauth_[0-9A-Z]{26}$/);
    const pending = await api(tokenD, 'GET', `/v1/integrations/oauth/${flow.id}`);
    expect(pending.statusCode, pending.body).toBe(200);
    expect(pending.json()).toEqual({
      id: flow.id,
      provider: 'hubspot',
      status: 'pending',
      expires_at: flow.expires_at,
    });
    // Another organization's token, no token, an unknown id, a wait too long.
    expectError(await api(tokenB, 'GET', `/v1/integrations/oauth/${flow.id}`), 404, 'not_found');
    expectError(await api(tokenB, 'POST', `/v1/integrations/oauth/${flow.id}/cancel`), 404, 'not_found');
    expectError(await api(undefined, 'GET', `/v1/integrations/oauth/${flow.id}`), 401, 'auth');
    expectError(await api(tokenD, 'GET', `/v1/integrations/oauth/oauth_${'0'.repeat(26)}`), 404, 'not_found');
    expectError(
      await api(tokenD, 'GET', `/v1/integrations/oauth/${flow.id}?wait=26`),
      400,
      'validation',
      /wait/,
    );

    // A long poll is answered as soon as the callback completes the flow.
    const waiting = api(tokenD, 'GET', `/v1/integrations/oauth/${flow.id}?wait=10`);
    await new Promise((r) => setTimeout(r, 200));
    const callback = await approve(flow.url);
    expect(callback.statusCode, callback.body).toBe(200);
    const doneAt = Date.now();
    const connected = await waiting;
    expect(Date.now() - doneAt).toBeLessThan(400);
    expect(connected.statusCode, connected.body).toBe(200);
    const [connection] = await runtime.org(orgD).list();
    expect(connected.json()).toEqual({
      id: flow.id,
      provider: 'hubspot',
      status: 'connected',
      expires_at: flow.expires_at,
      connection,
    });
    expect(connected.body).not.toMatch(/access_token|refresh_token|credential/);
    // B still gets 404 on the finished flow.
    expectError(await api(tokenB, 'GET', `/v1/integrations/oauth/${flow.id}`), 404, 'not_found');

    // HubSpot's token endpoint fails: failed, with the error the callback page showed.
    const failing = await start();
    sandbox.failNext({ status: 503, path: '/oauth/v3/token' });
    const failedPage = await approve(failing.url);
    expect(failedPage.statusCode).toBe(502);
    const failed = (await api(tokenD, 'GET', `/v1/integrations/oauth/${failing.id}?wait=5`)).json() as {
      status: string;
      error: { code: string; message: string };
    };
    expect(failed).toMatchObject({
      status: 'failed',
      error: {
        code: 'provider',
        message: 'HubSpot refused the authorization code (HTTP 503 INTERNAL_ERROR): internal error',
        provider_message: 'internal error',
      },
    });
    expect(failedPage.body).toContain(failed.error.message);

    // Cancelled while nobody approved: failed; the approval arriving later stores nothing.
    const cancelled = await start();
    const cancel = await api(tokenD, 'POST', `/v1/integrations/oauth/${cancelled.id}/cancel`);
    expect(cancel.statusCode, cancel.body).toBe(200);
    expect(cancel.json()).toMatchObject({
      status: 'failed',
      error: { code: 'auth', message: expect.stringMatching(/cancelled/) },
    });
    const late = await approve(cancelled.url);
    expect(late.statusCode).toBe(401);
    expect(late.body).toContain('cancelled');
    expect(await runtime.org(orgD).list()).toHaveLength(1);

    // The flows' states and codes reach no log line and no stored byte.
    const logText = logs.lines.join('');
    expect(logText).toContain(`/v1/integrations/oauth/${flow.id}`);
    const db = allBytes(home);
    for (const secret of flowSecrets) {
      expect(logText).not.toContain(secret);
      expect(db).not.toContain(secret);
    }
  });

  it('ends a waiting long poll when the server closes', async () => {
    const server = await createServer({ runtime, publicUrl: PUBLIC_URL });
    const flow = await runtime
      .org(orgB)
      .startOAuth('hubspot', { redirectUri: `${PUBLIC_URL}/oauth/callback` });
    const waiting = server.inject({
      method: 'GET',
      url: `/v1/integrations/oauth/${flow.id}?wait=20`,
      headers: { authorization: `Bearer ${tokenB}` },
    });
    await new Promise((r) => setTimeout(r, 300));
    const at = Date.now();
    await server.close();
    const res = await waiting;
    expect(Date.now() - at).toBeLessThan(2000);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: flow.id, status: 'pending' });
  });

  it('shows a refusal at the provider and an unknown state as a page, storing nothing', async () => {
    const before = (await runtime.org(orgA).list()).length;
    const countAll = async () =>
      (await runtime.store.db.selectFrom('connections').select('id').execute()).length;
    const all = await countAll();
    const denied = await app.inject({ method: 'GET', url: '/oauth/callback?error=access_denied&state=abc' });
    expect(denied.statusCode).toBeGreaterThanOrEqual(400);
    expect(denied.body).toContain('The connection was not made');
    const unknown = await app.inject({
      method: 'GET',
      url: `/oauth/callback?code=x&state=${'s'.repeat(43)}`,
    });
    expect(unknown.statusCode).toBe(401);
    expect(await runtime.org(orgA).list()).toHaveLength(before);
    expect(await countAll()).toBe(all);
  });

  it('refuses to start OAuth for a provider without it, naming how it connects', async () => {
    expectError(
      await api(tokenA, 'POST', '/v1/integrations/oauth/start', { provider: 'salesforge' }),
      404,
      'not_found',
    );
  });
});

describe('another organization', () => {
  const routes = (ref: string): [Method, string, unknown?][] => [
    ['GET', `/v1/integrations/${ref}`],
    ['GET', `/v1/integrations/${ref}/actions`],
    ['POST', `/v1/integrations/${ref}/run`, { action: 'contact.get', input: { id: '1' } }],
    ['POST', `/v1/integrations/${ref}/run`, { action: 'contact.get', input: { id: '1' }, dry_run: true }],
    ['POST', `/v1/integrations/${ref}/verify`],
    ['POST', `/v1/integrations/${ref}/disconnect`],
  ];

  it("never sees organization A's connection", async () => {
    expect((await api(tokenB, 'GET', '/v1/integrations')).json()).toEqual([]);
  });

  it("gets 404 (not 403) on every route for A's connection, by id and by provider", async () => {
    const requestsBefore = sandbox.requests.length;
    for (const ref of [connectionId, 'hubspot']) {
      for (const [method, url, body] of routes(ref)) {
        const res = await api(tokenB, method, url, body);
        const error = expectError(res, 404, 'not_found');
        expect(JSON.stringify(error)).not.toContain(orgA);
      }
    }
    expect(sandbox.requests.length).toBe(requestsBefore);
    // A's connection is untouched.
    expect(await runtime.org(orgA).get(connectionId)).toMatchObject({ status: 'connected' });
  });

  it('keeps credits apart and needs an admin token to grant', async () => {
    expect((await api(tokenA, 'GET', '/v1/credits')).json()).toEqual({ organization_id: orgA, balance: 0 });
    expectError(await api(tokenA, 'POST', '/v1/credits/grant', { amount: 10 }), 403, 'auth', /admin/);
    const granted = await api(adminA, 'POST', '/v1/credits/grant', { amount: 25, note: 'trial' });
    expect(granted.statusCode, granted.body).toBe(200);
    expect(granted.json()).toMatchObject({
      organization_id: orgA,
      balance: 25,
      entry: { delta: 25, kind: 'grant' },
    });
    expect((await api(tokenA, 'GET', '/v1/credits')).json()).toEqual({ organization_id: orgA, balance: 25 });
    expect((await api(tokenA, 'GET', '/v1/credits/history')).json()).toHaveLength(1);
    expect((await api(tokenB, 'GET', '/v1/credits')).json()).toEqual({ organization_id: orgB, balance: 0 });
    expect((await api(tokenB, 'GET', '/v1/credits/history')).json()).toEqual([]);
    expectError(await api(adminA, 'POST', '/v1/credits/grant', { amount: -5 }), 400, 'validation');
  });

  it('disconnects only its own connection', async () => {
    const res = await api(tokenA, 'POST', `/v1/integrations/${connectionId}/disconnect`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: connectionId, status: 'disconnected' });
    expectError(
      await api(tokenA, 'POST', `/v1/integrations/${connectionId}/run`, {
        action: 'contact.get',
        input: { id: '1' },
      }),
      401,
      'auth',
      /is disconnected/,
    );
  });
});

describe('connect links and the page (headers, CSRF)', () => {
  let url: string;
  let path: string;

  it('mints a link under the public URL, for the token organization', async () => {
    const res = await api(tokenA, 'POST', '/v1/connect-links', { provider: 'hubspot' });
    expect(res.statusCode, res.body).toBe(201);
    const link = res.json() as { id: string; url: string; expires_at: string; organization_id: string };
    expect(link.url).toMatch(new RegExp(`^${PUBLIC_URL}/connect/[A-Za-z0-9_-]{43}$`));
    expect(link.organization_id).toBe(orgA);
    expect(Date.parse(link.expires_at) - Date.now()).toBeGreaterThan(14 * 60_000);
    url = link.url;
    path = new URL(url).pathname;
    linkSecrets.push(path.split('/').pop()!);
  });

  it('serves the page with a strict CSP, no-store, no referrer and a link-scoped SameSite cookie', async () => {
    const res = await app.inject({ method: 'GET', url: path });
    seen.push(res.body);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
    expect(PAGE_CSP).toContain("default-src 'none'");
    expect(PAGE_CSP).toContain("form-action 'self'");
    expect(PAGE_CSP).not.toContain('unsafe-inline');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['x-frame-options']).toBe('DENY');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toContain(`Path=${path}`);
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict; Secure/);
    expect(res.body).toContain('type="password"');
    expect(res.body).not.toContain('<script');
    const csrf = /name="csrf" value="([^"]+)"/.exec(res.body)?.[1];
    expect(cookie).toContain(`oxygen_connect_csrf=${csrf}`);
  });

  it('refuses a cross-site post, a post without the cookie, and a forged CSRF token (403)', async () => {
    const page = await app.inject({ method: 'GET', url: path });
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)![1]!;
    linkSecrets.push(csrf);
    const cookie = `oxygen_connect_csrf=${csrf}`;
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const post = (headers: Record<string, string>, fields: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: path,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: form(fields),
      });
    const attempts = [
      await post({ origin: 'https://evil.example', cookie }, { csrf, api_key: sandbox.token }),
      await post({ 'sec-fetch-site': 'cross-site', cookie }, { csrf, api_key: sandbox.token }),
      await post({ origin: PUBLIC_URL }, { csrf, api_key: sandbox.token }),
      await post(
        { origin: PUBLIC_URL, cookie: 'oxygen_connect_csrf=forged' },
        { csrf: 'forged', api_key: sandbox.token },
      ),
    ];
    for (const res of attempts) {
      seen.push(res.body);
      expect(res.statusCode).toBe(403);
      expect(res.headers['content-security-policy']).toBe(PAGE_CSP);
    }
    const live = async () => (await runtime.org(orgA).list()).filter((c) => c.status === 'connected');
    expect(await live()).toEqual([]);
    // The link is still good for its real page.
    const ok = await post({ origin: PUBLIC_URL, cookie }, { csrf, api_key: sandbox.token });
    seen.push(ok.body);
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.body).toContain(String(sandbox.portalId));
    expect(ok.body).not.toContain(sandbox.token);
    expect(await live()).toHaveLength(1);
    const again = await app.inject({ method: 'GET', url: path });
    expect(again.statusCode).toBe(410);
    expect(again.body).toContain('already used');
  });

  it('answers 404 for an unknown link and refuses a provider without API keys', async () => {
    const res = await app.inject({ method: 'GET', url: `/connect/${'A'.repeat(43)}` });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expectError(await api(tokenA, 'POST', '/v1/connect-links', { provider: 'salesforge' }), 404, 'not_found');
  });
});

describe('the OpenAPI document', () => {
  it('is generated from the route schemas and lists every route', async () => {
    const res = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, unknown>; requestBody?: unknown }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toMatch(/^3\.1/);
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const routes = app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((line) => line.includes('/v1/'));
    expect(routes.length).toBeGreaterThan(0);
    expect(operations.sort()).toEqual(
      [
        'GET /v1/me',
        'GET /v1/integrations',
        'POST /v1/integrations/connect',
        'POST /v1/integrations/oauth/start',
        'GET /v1/integrations/oauth/{id}',
        'POST /v1/integrations/oauth/{id}/cancel',
        'POST /v1/integrations/{ref}/verify',
        'GET /v1/integrations/{ref}',
        'GET /v1/integrations/{ref}/actions',
        'POST /v1/integrations/{ref}/run',
        'POST /v1/integrations/{ref}/disconnect',
        'GET /v1/credits',
        'GET /v1/credits/history',
        'POST /v1/credits/grant',
        'GET /v1/providers',
        'GET /v1/providers/{id}',
        'POST /v1/connect-links',
        'GET /v1/events',
        'POST /v1/events/enable',
        'POST /v1/events/disable',
        'GET /v1/events/deliveries',
        'POST /v1/events/deliveries/{id}/replay',
        'GET /v1/triggers',
        'POST /v1/triggers',
        'DELETE /v1/triggers/{id}',
        'POST /webhooks/{provider}/{endpoint}',
      ].sort(),
    );
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        // The webhook ingress takes no token: the provider's signature authenticates each delivery.
        expect(op.security, path).toEqual(path.startsWith('/webhooks/') ? [] : [{ bearer: [] }]);
        expect(Object.keys(op.responses), path).toEqual(expect.arrayContaining(['4XX', '5XX']));
      }
    }
    // Request and response schemas come from the zod schemas, as named components.
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining([
        'Connection',
        'Action',
        'Provider',
        'DryRunReport',
        'Error',
        'ConnectRequest',
        'RunRequest',
      ]),
    );
    const connect = doc.paths['/v1/integrations/connect']!.post!;
    expect(JSON.stringify(connect.requestBody)).toContain('#/components/schemas/ConnectRequestInput');
    expect(JSON.stringify(doc.components.schemas.ConnectRequestInput)).toContain('api_key');
    expect(JSON.stringify(doc.components.schemas.Connection)).toContain('account_label');
  });
});

describe('plugins the server cannot load', () => {
  it('are left out of the catalog and listed in a header, as the CLI warns about them', async () => {
    const home = tempHome();
    const partial = await createRuntime({
      home,
      env: { OXYGEN_HOME: home },
      plugins: ['@oxygen/provider-hubspot', './no/such/plugin'],
      resolveFrom: [packageDir],
    });
    const server = await createServer({ runtime: partial, publicUrl: PUBLIC_URL });
    try {
      const token = (await partial.tokens.create((await partial.orgs.create('p')).id)).token;
      const res = await server.inject({
        method: 'GET',
        url: '/v1/providers',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(200);
      expect((res.json() as { id: string }[]).map((p) => p.id)).toEqual(['hubspot']);
      const failures = JSON.parse(decodeURIComponent(String(res.headers['oxygen-plugin-failures'])));
      expect(failures).toEqual([
        expect.objectContaining({ source: './no/such/plugin', error: expect.stringMatching(/not found/) }),
      ]);
    } finally {
      await server.close();
      await partial.close();
    }
  });
});

describe('internal failures', () => {
  it('answer 500 with the one shape and no detail, and log the cause', async () => {
    const broken = await sandboxRuntime(tempHome(), sandbox);
    const token = (await broken.tokens.create((await broken.orgs.create('x')).id)).token;
    const sink = logSink();
    const server = await createServer({
      runtime: broken,
      publicUrl: PUBLIC_URL,
      logger: { stream: sink.stream },
    });
    try {
      // Authenticate once, then pull the store away under the server.
      expect(
        (
          await server.inject({
            method: 'GET',
            url: '/v1/providers',
            headers: { authorization: `Bearer ${token}` },
          })
        ).statusCode,
      ).toBe(200);
      await broken.store.close();
      const res = await server.inject({
        method: 'GET',
        url: '/v1/integrations',
        headers: { authorization: `Bearer ${token}` },
      });
      const error = expectError(res, 500, 'internal', /failed unexpectedly \(request req_/);
      expect(Object.keys(error).sort()).toEqual(['code', 'hint', 'message']);
      expect(sink.lines.some((l) => l.includes('"level":50'))).toBe(true);
      expect(sink.lines.join('\n')).not.toContain(token);
    } finally {
      await server.close();
    }
  });
});

describe('secrets', () => {
  it('never appear in a response, a log line or the database', async () => {
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const responses = seen.join('\n');
    const logText = logs.lines.join('');
    expect(logs.lines.length).toBeGreaterThan(20);
    for (const secret of secrets) {
      expect(responses).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
    expect(logText).toContain('/connect/[REDACTED]');
    const db = allBytes(home);
    expect(linkSecrets).toHaveLength(4);
    for (const secret of [...secrets, ...linkSecrets]) {
      expect(db).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
  });
});
