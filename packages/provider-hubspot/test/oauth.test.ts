/**
 * HubSpot's OAuth in the sandbox (authorize, v3 token and revoke endpoints), and the runtime's
 * whole OAuth lifecycle against it with the real plugin: connect, refresh after HubSpot ends the
 * token, a refused refresh, verification, revocation on disconnect. Every form the runtime sends
 * to the token endpoints is checked against HubSpot's published `auth-oauth-v3.json` (read from
 * the shared spec folder at test time, never copied; skipped without it).
 */

import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthError } from '@oxygen/core';
import { createRuntime, type OAuthCredential, type Runtime } from '@oxygen/runtime';
import { Ajv, type ValidateFunction } from 'ajv';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { call } from './helpers.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const specFile = resolve(packageDir, '../../../shared/provider-specs/hubspot/auth-oauth-v3.json');
const haveSpec = existsSync(specFile);
if (!haveSpec)
  console.log('skipped: auth-oauth-v3.json not found; OAuth forms are not checked against the spec');

type Json = Record<string, unknown>;

/** Validators from HubSpot's OAuth v3 spec: request forms closed (no undocumented field). */
function specValidators() {
  const spec = JSON.parse(readFileSync(specFile, 'utf8')) as Json;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('int32', { type: 'number', validate: Number.isInteger });
  ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
  ajv.addFormat('uuid', /^[0-9a-f-]{36}$/i);
  const paths = spec.paths as Record<string, { post: Json }>;
  const form = (path: string): ValidateFunction => {
    const body = paths[path]?.post.requestBody as { content: Record<string, { schema: Json }> };
    const schema = body.content['application/x-www-form-urlencoded']?.schema as Json;
    return ajv.compile({ ...schema, additionalProperties: false });
  };
  const schemas = (spec.components as { schemas: Record<string, Json> }).schemas;
  return {
    token: form('/oauth/v3/token'),
    revoke: form('/oauth/v3/token/revoke'),
    tokenResponse: ajv.compile({ ...schemas.AccessTokenResponse, additionalProperties: false }),
    error: ajv.compile({ ...schemas.Error, components: { schemas } }),
  };
}

const REDIRECT = 'http://127.0.0.1:9/callback';
const CLIENT = { clientId: 'hubspot-test-app', clientSecret: `secret-${randomBytes(8).toString('hex')}` };

async function form(sandbox: HubSpotSandbox, path: string, fields: Record<string, string>, type?: string) {
  const res = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': type ?? 'application/x-www-form-urlencoded' },
    body: type === 'application/json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : undefined) as Json };
}

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

async function authorize(sandbox: HubSpotSandbox, params: Record<string, string>) {
  const res = await fetch(`${sandbox.url}/oauth/authorize?${new URLSearchParams(params)}`, {
    redirect: 'manual',
  });
  return {
    status: res.status,
    location: res.headers.get('location'),
    json: res.status === 302 ? {} : await res.json(),
  };
}

describe('sandbox: HubSpot OAuth endpoints', () => {
  let sandbox: HubSpotSandbox;
  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({ oauth: { ...CLIENT, accessTokenTtlSeconds: 1800 } });
  });
  afterAll(() => sandbox.close());
  beforeEach(() => sandbox.reset());

  const approved = async () => {
    const { verifier, challenge } = pkce();
    const { location } = await authorize(sandbox, {
      client_id: CLIENT.clientId,
      redirect_uri: REDIRECT,
      scope: 'oauth crm.objects.contacts.read',
      state: 'st-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const back = new URL(location ?? '');
    return { code: back.searchParams.get('code') ?? '', state: back.searchParams.get('state'), verifier };
  };
  const exchange = (code: string, verifier: string, extra: Record<string, string> = {}) =>
    form(sandbox, '/oauth/v3/token', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      code_verifier: verifier,
      ...extra,
    });

  it('authorize approves at once with a 302 back, and checks the query first', async () => {
    const { code, state } = await approved();
    expect(code).toMatch(/^[0-9a-f-]{36}$/);
    expect(state).toBe('st-1');
    const unknownClient = await authorize(sandbox, {
      client_id: 'other',
      redirect_uri: REDIRECT,
      scope: 'oauth',
      state: 's',
    });
    expect(unknownClient.status).toBe(400);
    expect(unknownClient.json).toMatchObject({
      category: 'VALIDATION_ERROR',
      message: expect.stringContaining('client_id'),
    });
    const noRedirect = await authorize(sandbox, { client_id: CLIENT.clientId, scope: 'oauth', state: 's' });
    expect(noRedirect.status).toBe(400);
    const errorOf = async (params: Record<string, string>) => {
      const r = await authorize(sandbox, { client_id: CLIENT.clientId, redirect_uri: REDIRECT, ...params });
      expect(r.status).toBe(302);
      return new URL(r.location ?? '').searchParams.get('error');
    };
    expect(await errorOf({ scope: 'oauth' })).toBe('invalid_request'); // no state
    expect(await errorOf({ state: 's' })).toBe('invalid_scope'); // no scope
    expect(
      await errorOf({
        scope: 'oauth',
        state: 's',
        code_challenge: pkce().challenge,
        code_challenge_method: 'plain',
      }),
    ).toBe('invalid_request');
    expect(
      await errorOf({ scope: 'oauth', state: 's', code_challenge: 'short', code_challenge_method: 'S256' }),
    ).toBe('invalid_request');
  });

  it('exchanges a code once, checking the client, redirect_uri and PKCE verifier', async () => {
    const validators = haveSpec ? specValidators() : undefined;
    const a = await approved();
    const wrongVerifier = await exchange(a.code, pkce().verifier);
    expect(wrongVerifier).toMatchObject({
      status: 400,
      json: { status: 'BAD_AUTH_CODE', category: 'VALIDATION_ERROR' },
    });
    if (validators) expect(validators.error(wrongVerifier.json)).toBe(true);
    // The code was spent by that attempt, as a code is single use.
    expect((await exchange(a.code, a.verifier)).json.status).toBe('BAD_AUTH_CODE');

    const b = await approved();
    expect((await exchange(b.code, b.verifier, { client_secret: 'nope' })).json).toMatchObject({
      status: 'BAD_CLIENT_SECRET',
      message: 'missing or invalid client secret',
      correlationId: expect.any(String),
    });
    const c = await approved();
    expect(
      (await exchange(c.code, c.verifier, { redirect_uri: 'http://127.0.0.1:9/other' })).json.status,
    ).toBe('BAD_REDIRECT_URI');
    const d = await approved();
    const asJson = await form(
      sandbox,
      '/oauth/v3/token',
      { grant_type: 'authorization_code', code: d.code, client_id: CLIENT.clientId },
      'application/json',
    );
    expect(asJson).toMatchObject({ status: 400, json: { status: 'BAD_REQUEST' } });

    const e = await approved();
    const ok = await exchange(e.code, e.verifier);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      token_type: 'bearer',
      expires_in: 1800,
      token_use: 'access_token',
      hub_id: sandbox.portalId,
      scopes: ['oauth', 'crm.objects.contacts.read'],
    });
    if (validators)
      expect(validators.tokenResponse(ok.json), JSON.stringify(validators.tokenResponse.errors)).toBe(true);
    expect((await exchange(e.code, e.verifier)).json.status).toBe('BAD_AUTH_CODE');
    // The JSON body carried no form grant_type.
    expect(sandbox.tokenRequests).toEqual({ authorization_code: 6, '(none)': 1 });
  });

  it('issued access tokens work on the CRM routes until they expire or are revoked; refresh keeps the refresh token', async () => {
    const a = await approved();
    const tokens = (await exchange(a.code, a.verifier)).json as {
      access_token: string;
      refresh_token: string;
    };
    expect(
      (await call(sandbox, 'GET', '/account-info/v3/details', undefined, tokens.access_token)).status,
    ).toBe(200);
    // Granted oauth and crm.objects.contacts.read only: a write is outside its scopes.
    const write = await call(
      sandbox,
      'POST',
      '/crm/v3/objects/contacts',
      { properties: {} },
      tokens.access_token,
    );
    expect(write).toMatchObject({ status: 403, json: { category: 'MISSING_SCOPES' } });
    sandbox.expireAccessTokens();
    const expired = await call(sandbox, 'GET', '/crm/v3/objects/contacts/1', undefined, tokens.access_token);
    expect(expired.status).toBe(401);
    expect(expired.json).toMatchObject({
      category: 'EXPIRED_AUTHENTICATION',
      message: expect.stringMatching(
        /^The OAuth token used to make this call expired \d+ minute\(s\) ago\.$/,
      ),
    });
    const refreshed = await form(sandbox, '/oauth/v3/token', {
      grant_type: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      refresh_token: tokens.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).toBe(tokens.refresh_token); // HubSpot does not rotate them
    expect(refreshed.json.access_token).not.toBe(tokens.access_token);
    const fresh = String(refreshed.json.access_token);
    expect((await call(sandbox, 'GET', '/account-info/v3/details', undefined, fresh)).status).toBe(200);

    const revoke = await form(sandbox, '/oauth/v3/token/revoke', {
      token: tokens.refresh_token,
      token_type_hint: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
    expect(revoke).toEqual({ status: 200, json: undefined });
    expect(sandbox.revokeRequests).toBe(1);
    expect((await call(sandbox, 'GET', '/account-info/v3/details', undefined, fresh)).json.category).toBe(
      'INVALID_AUTHENTICATION',
    );
    const dead = await form(sandbox, '/oauth/v3/token', {
      grant_type: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
      refresh_token: tokens.refresh_token,
    });
    expect(dead).toMatchObject({
      status: 400,
      json: { status: 'BAD_REFRESH_TOKEN', message: 'missing or invalid refresh token' },
    });
    expect(sandbox.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 2 });
  });
});

describe('the runtime connects HubSpot with OAuth against the sandbox', () => {
  let sandbox: HubSpotSandbox;
  let runtime: Runtime;
  const home = mkdtempSync(join(tmpdir(), 'oxygen-hubspot-oauth-'));
  const org = () => runtime.org('default');

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({ oauth: CLIENT });
    runtime = await createRuntime({
      home,
      plugins: [packageDir],
      retry: { limit: 0 },
      env: {
        OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
        OXYGEN_HUBSPOT_CLIENT_ID: CLIENT.clientId,
        OXYGEN_HUBSPOT_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await sandbox?.close();
  });

  async function connect() {
    const start = await org().startOAuth('hubspot', { redirectUri: REDIRECT });
    const res = await fetch(start.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location') ?? '');
    return runtime.completeOAuth({
      state: back.searchParams.get('state') ?? '',
      code: back.searchParams.get('code') ?? undefined,
      organizationId: 'default',
    });
  }

  it('asks for the plugin’s scopes with PKCE, exchanges the code at /oauth/v3/token and verifies the portal', async () => {
    const start = await org().startOAuth('hubspot', { redirectUri: REDIRECT });
    const url = new URL(start.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${sandbox.url}/oauth/authorize`);
    expect([...url.searchParams.keys()]).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'state',
      'code_challenge',
      'code_challenge_method',
    ]);
    const scheme = plugin.auth.byok.find((s) => s.type === 'oauth2');
    expect(url.searchParams.get('scope')).toBe(scheme?.type === 'oauth2' ? scheme.scopes.join(' ') : '');

    const connection = await connect();
    expect(connection).toMatchObject({
      provider: 'hubspot',
      auth_mode: 'byok',
      status: 'connected',
      account_label: `portal ${sandbox.portalId}`,
      scopes: scheme?.type === 'oauth2' ? scheme.scopes : [],
    });
    const run = await org().run(connection.id, 'contact.upsert', {
      email: 'ada@example.com',
      firstname: 'Ada',
    });
    expect(run.output).toMatchObject({ created: true, properties: { email: 'ada@example.com' } });
    expect(sandbox.tokenRequests).toEqual({ authorization_code: 1 });
  });

  it('refreshes once when HubSpot ends the token under 20 concurrent calls', async () => {
    const [connection] = await org().list({ provider: 'hubspot' });
    sandbox.expireAccessTokens();
    const before = sandbox.tokenRequests.refresh_token ?? 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        org()
          .run(connection!.id, 'contact.get', { email: 'ada@example.com', properties: [`x${i}`] })
          .catch((e) => e),
      ),
    );
    expect(results.filter((r) => r instanceof Error)).toEqual([]);
    expect((sandbox.tokenRequests.refresh_token ?? 0) - before).toBe(1);
    expect((await org().get(connection!.id)).status).toBe('connected');
  });

  it('a refresh HubSpot refuses (BAD_REFRESH_TOKEN) expires the connection with HubSpot’s text', async () => {
    const [connection] = await org().list({ provider: 'hubspot' });
    sandbox.revokeRefreshTokens();
    sandbox.expireAccessTokens();
    const error = await org()
      .run(connection!.id, 'contact.get', { email: 'ada@example.com' })
      .catch((e: unknown) => e);
    expect(AuthError.isInstance(error)).toBe(true);
    expect((error as AuthError).hint).toBe('Reconnect with `oxygen integrations connect hubspot`.');
    expect(await org().get(connection!.id)).toMatchObject({
      status: 'expired',
      last_error: expect.stringContaining('BAD_REFRESH_TOKEN): missing or invalid refresh token'),
    });
    // Reconnecting the same portal updates the same connection.
    const again = await connect();
    expect(again).toMatchObject({ id: connection!.id, status: 'connected', last_error: null });
  });

  it('verifies, and on disconnect revokes the refresh token at /oauth/v3/token/revoke', async () => {
    const [connection] = await org().list({ provider: 'hubspot' });
    expect((await org().verify(connection!.id)).status).toBe('connected');
    const row = await runtime.store.connections.get('default', connection!.id);
    const { refresh_token } = runtime.open(row!) as OAuthCredential;
    const report = await org().disconnectReport(connection!.id);
    expect(report).toMatchObject({ revoke: { status: 'revoked' }, connection: { status: 'disconnected' } });
    expect(sandbox.revokeRequests).toBe(1);
    const revoke = sandbox.requests.find((r) => r.path === '/oauth/v3/token/revoke');
    expect(revoke?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(String(revoke?.body)))).toEqual({
      token: refresh_token,
      token_type_hint: 'refresh_token',
      client_id: CLIENT.clientId,
      client_secret: CLIENT.clientSecret,
    });
  });

  it.skipIf(!haveSpec)('sent only what auth-oauth-v3.json documents, form-encoded', () => {
    const validators = specValidators();
    const sent = sandbox.requests.filter((r) => r.path.startsWith('/oauth/v3/'));
    expect(sent.length).toBeGreaterThanOrEqual(4);
    const problems = sent.flatMap((r) => {
      const fields = Object.fromEntries(new URLSearchParams(String(r.body)));
      const validate = r.path === '/oauth/v3/token' ? validators.token : validators.revoke;
      const out: string[] = [];
      if (r.method !== 'POST') out.push(`${r.method} ${r.path}`);
      if (r.headers['content-type'] !== 'application/x-www-form-urlencoded')
        out.push(`${r.path}: ${r.headers['content-type']}`);
      if (!validate(fields)) out.push(`${r.path}: ${JSON.stringify(validate.errors)}`);
      return out;
    });
    expect(problems).toEqual([]);
    // The self-check: an undocumented field is caught.
    expect(validators.token({ grant_type: 'refresh_token', refresh_token: 'x', extra: '1' })).toBe(false);
  });
});
