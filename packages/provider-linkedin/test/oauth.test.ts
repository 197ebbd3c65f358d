import { createHash, createPublicKey, createVerify, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import type { LinkedInSandbox } from '../src/sandbox/index.js';
import { ADA, GRACE, output, startSandbox, verify } from './helpers.js';

const REDIRECT = 'http://127.0.0.1:5173/oauth/callback';
let sandbox: LinkedInSandbox;
beforeAll(async () => {
  sandbox = await startSandbox({
    clientId: '86sandboxapp',
    clientSecret: 'WPL_AP1.sandbox-secret',
    redirectUris: [REDIRECT],
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const scheme = plugin.auth.byok[0]!;
if (scheme.type !== 'oauth2') throw new Error('expected an oauth2 scheme');

/** The authorize URL a client builds from the plugin's scheme, pointed at the sandbox. */
function authorizeUrl(params: Record<string, string> = {}): string {
  const url = new URL(new URL(scheme.authorizeUrl).pathname, sandbox.url);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: sandbox.clientId,
    redirect_uri: REDIRECT,
    state: 'st-1',
    scope: scheme.scopes.join(' '),
    ...params,
  }).toString();
  return url.toString();
}

async function authorize(params: Record<string, string> = {}): Promise<URL> {
  const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

async function token(form: Record<string, string>, init: { query?: string; json?: boolean } = {}) {
  const tokenPath = new URL(scheme.tokenUrl).pathname;
  const res = await fetch(`${sandbox.url}${tokenPath}${init.query ?? ''}`, {
    method: 'POST',
    headers: { 'content-type': init.json ? 'application/json' : 'application/x-www-form-urlencoded' },
    body: init.json ? JSON.stringify(form) : new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

function exchangeForm(code: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code,
    client_id: sandbox.clientId,
    client_secret: sandbox.clientSecret,
    redirect_uri: REDIRECT,
    ...extra,
  };
}

describe('the plugin declares LinkedIn’s OAuth', () => {
  it('authorization code, no PKCE, secret in the body, OIDC + posting scopes', () => {
    expect(scheme).toEqual({
      type: 'oauth2',
      authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
      tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      revokeUrl: undefined,
      scopes: ['openid', 'profile', 'email', 'w_member_social'],
      optionalScopes: undefined,
      pkce: false,
      clientAuth: 'body',
    });
  });
});

describe('the OAuth / OIDC dance over plain HTTP', () => {
  it('authorize → code → token → userinfo, and verify labels the connection with the email', async () => {
    const back = await authorize();
    expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
    expect(back.searchParams.get('state')).toBe('st-1');
    const code = back.searchParams.get('code') ?? '';
    expect(code.length).toBeGreaterThan(20);

    const granted = await token(exchangeForm(code));
    expect(granted.status).toBe(200);
    expect(granted.json).toMatchObject({
      access_token: expect.stringMatching(/^AQ/),
      expires_in: 5_184_000,
      scope: 'email,openid,profile,w_member_social',
      token_type: 'Bearer',
      id_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    expect(granted.json.refresh_token).toBeUndefined(); // most apps get none
    expect(sandbox.tokenRequests[0]).toMatchObject({
      contentType: 'application/x-www-form-urlencoded',
      form: { grant_type: 'authorization_code', client_secret: sandbox.clientSecret },
      query: {},
      status: 200,
    });

    const me = await fetch(`${sandbox.url}/v2/userinfo`, {
      headers: { authorization: `Bearer ${granted.json.access_token}` },
    });
    expect(await me.json()).toEqual({
      sub: ADA,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      picture: expect.any(String),
      locale: { country: 'US', language: 'en' },
      email: 'ada@example.com',
      email_verified: true,
    });

    const credential = { type: 'oauth2' as const, access_token: String(granted.json.access_token) };
    expect((await verify(sandbox, credential)).accountLabel).toBe('ada@example.com');
  });

  it('the ID token is RS256-signed by the key in the JWKS, for this client, about the member', async () => {
    const code = (await authorize({ nonce: 'n-42' })).searchParams.get('code') ?? '';
    const { json } = await token(exchangeForm(code));
    const [header, payload, signature] = String(json.id_token).split('.') as [string, string, string];
    const discovery = (await (
      await fetch(`${sandbox.url}/oauth/.well-known/openid-configuration`)
    ).json()) as Record<string, string>;
    expect(discovery).toMatchObject({
      issuer: 'https://www.linkedin.com/oauth',
      token_endpoint: `${sandbox.url}/oauth/v2/accessToken`,
      userinfo_endpoint: `${sandbox.url}/v2/userinfo`,
    });
    const jwks = (await (await fetch(discovery.jwks_uri as string)).json()) as { keys: JsonWebKey[] };
    const key = createPublicKey({ key: jwks.keys[0] as JsonWebKey, format: 'jwk' });
    const valid = createVerify('RSA-SHA256')
      .update(`${header}.${payload}`)
      .verify(key, Buffer.from(signature, 'base64url'));
    expect(valid).toBe(true);
    expect(JSON.parse(Buffer.from(payload, 'base64url').toString())).toMatchObject({
      iss: 'https://www.linkedin.com/oauth',
      aud: '86sandboxapp',
      sub: ADA,
      email: 'ada@example.com',
      nonce: 'n-42',
    });
  });

  it('approves as whichever member is signed in', async () => {
    sandbox.signIn(GRACE);
    const code = (await authorize()).searchParams.get('code') ?? '';
    const { json } = await token(exchangeForm(code));
    const credential = { type: 'oauth2' as const, access_token: String(json.access_token) };
    expect((await verify(sandbox, credential)).accountLabel).toBe('grace@example.com');
    expect(await output(sandbox, 'profile.me', {}, { credential })).toMatchObject({ sub: GRACE });
  });

  it('honours PKCE when a client sends a challenge anyway', async () => {
    const verifier = 'v'.repeat(64);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = (
      await authorize({ code_challenge: challenge, code_challenge_method: 'S256' })
    ).searchParams.get('code')!;
    expect((await token(exchangeForm(code, { code_verifier: 'w'.repeat(64) }))).status).toBe(400);
    const again = (
      await authorize({ code_challenge: challenge, code_challenge_method: 'S256' })
    ).searchParams.get('code')!;
    expect((await token(exchangeForm(again, { code_verifier: verifier }))).status).toBe(200);
  });
});

describe('authorization errors', () => {
  it('redirects back with LinkedIn’s errors for an unauthorized scope or a cancelled consent', async () => {
    const scoped = await authorize({ scope: 'openid w_organization_social' });
    expect(Object.fromEntries(scoped.searchParams)).toEqual({
      error: 'unauthorized_scope_error',
      error_description: 'Scope "w_organization_social" is not authorized for your application',
      state: 'st-1',
    });
    sandbox.consent = 'deny';
    const denied = await authorize();
    expect(denied.searchParams.get('error')).toBe('user_cancelled_authorize');
    expect(denied.searchParams.has('code')).toBe(false);
  });

  it('does not redirect to an unregistered redirect_uri or for an unknown client', async () => {
    const wrongRedirect = await fetch(authorizeUrl({ redirect_uri: 'http://127.0.0.1:9/evil' }), {
      redirect: 'manual',
    });
    expect(wrongRedirect.status).toBe(400);
    expect(await wrongRedirect.json()).toMatchObject({ error: 'invalid_request' });
    const wrongClient = await fetch(authorizeUrl({ client_id: 'nope' }), { redirect: 'manual' });
    expect(wrongClient.status).toBe(400);
  });
});

describe('token endpoint errors', () => {
  it('a code works once, with the same redirect_uri, for the right client secret', async () => {
    const code = (await authorize()).searchParams.get('code')!;
    const wrongSecret = await token(exchangeForm(code, { client_secret: 'wrong' }));
    expect(wrongSecret).toEqual({
      status: 401,
      json: { error: 'invalid_client', error_description: 'Client authentication failed' },
    });
    const fresh = (await authorize()).searchParams.get('code')!;
    const wrongRedirect = await token(exchangeForm(fresh, { redirect_uri: 'http://127.0.0.1:5173/other' }));
    expect(wrongRedirect.status).toBe(400);
    expect(wrongRedirect.json.error_description).toMatch(/^Unable to retrieve access token/);
    const third = (await authorize()).searchParams.get('code')!;
    expect((await token(exchangeForm(third))).status).toBe(200);
    expect((await token(exchangeForm(third))).status).toBe(400); // reused
  });

  it('wants a form body, never a secret in the URL, and every parameter', async () => {
    const code = (await authorize()).searchParams.get('code')!;
    expect(await token(exchangeForm(code), { json: true })).toEqual({
      status: 400,
      json: { error: 'invalid_request', error_description: 'A required parameter "grant_type" is missing' },
    });
    const inUrl = await token(exchangeForm(code), { query: `?client_secret=${sandbox.clientSecret}` });
    expect(inUrl.status).toBe(400);
    expect(inUrl.json.error_description).toMatch(/never in the URL/);
    const { redirect_uri: _, ...noRedirect } = exchangeForm(code);
    expect((await token(noRedirect)).json.error_description).toBe(
      'A required parameter "redirect_uri" is missing',
    );
  });

  it('refresh tokens exist only for partner apps (refreshTokens: true)', async () => {
    const code = (await authorize()).searchParams.get('code')!;
    const granted = await token(exchangeForm(code));
    const refresh = await token({
      grant_type: 'refresh_token',
      refresh_token: 'anything',
      client_id: sandbox.clientId,
      client_secret: sandbox.clientSecret,
    });
    expect(refresh.status).toBe(400);
    expect(granted.json.refresh_token).toBeUndefined();

    const partner = await startSandbox({ refreshTokens: true });
    try {
      const issued = partner.issueToken(ADA);
      expect(issued.refresh_token).toBeTruthy();
      expect(issued.refresh_token_expires_in).toBe(365 * 24 * 3600);
      const res = await fetch(`${partner.url}/oauth/v2/accessToken`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: issued.refresh_token!,
          client_id: partner.clientId,
          client_secret: partner.clientSecret,
        }),
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect(res.status).toBe(200);
      expect(body.access_token).not.toBe(issued.access_token);
      expect(body.refresh_token).toBe(issued.refresh_token); // same refresh token, TTL not reset
    } finally {
      await partner.close();
    }
  });
});
