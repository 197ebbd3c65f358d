import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LINKEDIN_VERSION } from '../src/index.js';
import type { LinkedInSandbox } from '../src/sandbox/index.js';
import { ADA, ADA_POST, GRACE, GRACE_POST, startSandbox } from './helpers.js';

let sandbox: LinkedInSandbox;
let token: string;
beforeAll(async () => {
  sandbox = await startSandbox({ activeVersions: { oldest: '202512', newest: '202611' } });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  token = sandbox.issueToken(ADA).access_token;
});

const VERSIONED = { 'linkedin-version': '202609', 'x-restli-protocol-version': '2.0.0' };

async function call(
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string>; bearer?: string | null } = {},
) {
  const bearer = options.bearer === undefined ? token : options.bearer;
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    },
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const post = (extra: Record<string, unknown> = {}) => ({
  author: `urn:li:person:${ADA}`,
  commentary: 'Hello',
  visibility: 'PUBLIC',
  distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
  lifecycleState: 'PUBLISHED',
  isReshareDisabledByAuthor: false,
  ...extra,
});

describe('sandbox: authentication', () => {
  it('answers LinkedIn’s documented 401 sample without a token, and 65600 for an unknown one', async () => {
    expect(await call('GET', '/v2/userinfo', { bearer: null })).toMatchObject({
      status: 401,
      json: { message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 },
    });
    expect((await call('GET', '/v2/userinfo', { bearer: 'AQnope' })).json).toEqual({
      status: 401,
      serviceErrorCode: 65600,
      code: 'INVALID_ACCESS_TOKEN',
      message: 'Invalid access token',
    });
  });

  it('revokeToken and expireTokens turn a working token into 65601 / 65602', async () => {
    expect((await call('GET', '/v2/userinfo')).status).toBe(200);
    sandbox.revokeToken(token);
    expect((await call('GET', '/v2/userinfo')).json).toMatchObject({
      serviceErrorCode: 65601,
      code: 'REVOKED_ACCESS_TOKEN',
    });
    const other = sandbox.issueToken(GRACE).access_token;
    sandbox.expireTokens();
    expect((await call('GET', '/v2/userinfo', { bearer: other })).json).toMatchObject({
      serviceErrorCode: 65602,
      code: 'EXPIRED_ACCESS_TOKEN',
    });
    // tokens issued after expireTokens work
    expect(
      (await call('GET', '/v2/userinfo', { bearer: sandbox.issueToken(GRACE).access_token })).status,
    ).toBe(200);
  });

  it('sends x-li-uuid on every answer and records every request', async () => {
    const a = await call('GET', '/v2/userinfo');
    const b = await call('GET', '/nowhere');
    expect(a.headers.get('x-li-uuid')).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(b.headers.get('x-li-uuid')).not.toBe(a.headers.get('x-li-uuid'));
    expect(b.status).toBe(404);
    expect(sandbox.requests.map((r) => r.path)).toEqual(['/v2/userinfo', '/nowhere']);
    expect((await call('PUT', '/rest/posts', { headers: VERSIONED })).status).toBe(405);
  });
});

describe('sandbox: versioned API headers', () => {
  it('400 VERSION_MISSING without LinkedIn-Version', async () => {
    const res = await call('POST', '/rest/posts', {
      body: post(),
      headers: { 'x-restli-protocol-version': '2.0.0' },
    });
    expect(res).toMatchObject({ status: 400, json: { status: 400, code: 'VERSION_MISSING' } });
    expect(sandbox.posts.size).toBe(2);
  });

  it('426 NONEXISTENT_VERSION for a sunset, unreleased or malformed version', async () => {
    for (const version of ['202401', '202701', 'latest']) {
      const res = await call('POST', '/rest/posts', {
        body: post(),
        headers: { ...VERSIONED, 'linkedin-version': version },
      });
      expect(res).toMatchObject({
        status: 426,
        json: {
          status: 426,
          code: 'NONEXISTENT_VERSION',
          message: `Requested version ${version} is not active`,
        },
      });
    }
  });

  it('accepts the plugin’s version by default (the last 12 months, UTC)', async () => {
    const fresh = await startSandbox();
    try {
      const t = fresh.issueToken(ADA).access_token;
      const res = await fetch(`${fresh.url}/rest/posts`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${t}`,
          'content-type': 'application/json',
          'linkedin-version': LINKEDIN_VERSION,
          'x-restli-protocol-version': '2.0.0',
        },
        body: JSON.stringify(post()),
      });
      expect(res.status, 'LINKEDIN_VERSION is older than a year: move it forward in src/shared.ts').toBe(201);
    } finally {
      await fresh.close();
    }
  });

  it('400 without X-Restli-Protocol-Version: 2.0.0', async () => {
    const res = await call('POST', '/rest/posts', {
      body: post(),
      headers: { 'linkedin-version': '202609' },
    });
    expect(res).toMatchObject({ status: 400, json: { code: 'ILLEGAL_ARGUMENT' } });
  });
});

describe('sandbox: Posts API bodies', () => {
  it('201 with an empty body and x-restli-id', async () => {
    const res = await fetch(`${sandbox.url}/rest/posts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...VERSIONED },
      body: JSON.stringify(post()),
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('');
    expect(res.headers.get('x-restli-id')).toMatch(/^urn:li:share:\d{19}$/);
  });

  it('422 for a missing field, an unknown field, or commentary over 3000 characters', async () => {
    const { commentary: _, ...noCommentary } = post();
    expect((await call('POST', '/rest/posts', { body: noCommentary, headers: VERSIONED })).json).toEqual({
      message: 'ERROR :: /commentary :: field is required but not found and has no default value\n',
      status: 422,
    });
    expect(
      (await call('POST', '/rest/posts', { body: post({ text: 'x' }), headers: VERSIONED })).json,
    ).toEqual({
      message: 'ERROR :: /text :: unrecognized field found but not allowed\n',
      status: 422,
    });
    const nested = await call('POST', '/rest/posts', {
      body: post({ distribution: { feedDistribution: 'MAIN_FEED', extra: 1 } }),
      headers: VERSIONED,
    });
    expect(nested.json.message).toBe(
      'ERROR :: /distribution/extra :: unrecognized field found but not allowed\n',
    );
    const long = await call('POST', '/rest/posts', {
      body: post({ commentary: 'a'.repeat(3001) }),
      headers: VERSIONED,
    });
    expect(long.status).toBe(422);
    const escaped = await call('POST', '/rest/posts', {
      body: post({ commentary: '\\('.repeat(1500) }),
      headers: VERSIONED,
    });
    expect(escaped.status).toBe(201); // 3000 characters once the escapes are resolved
  });

  it('a member cannot post as someone else (403 ACCESS_DENIED)', async () => {
    const res = await call('POST', '/rest/posts', {
      body: post({ author: `urn:li:person:${GRACE}` }),
      headers: VERSIONED,
    });
    expect(res).toMatchObject({
      status: 403,
      json: {
        status: 403,
        serviceErrorCode: 100,
        code: 'ACCESS_DENIED',
        message: 'Not enough permissions to access: posts.CREATE.202609',
      },
    });
  });

  it('deletes the member’s own posts (204, again 204), not others’ (403); unknown ones are 404', async () => {
    const path = (urn: string) => `/rest/posts/${encodeURIComponent(urn)}`;
    expect((await call('DELETE', path(GRACE_POST), { headers: VERSIONED })).status).toBe(403);
    expect((await call('DELETE', path(ADA_POST), { headers: VERSIONED })).status).toBe(204);
    expect((await call('DELETE', path(ADA_POST), { headers: VERSIONED })).status).toBe(204);
    expect(sandbox.posts.has(ADA_POST)).toBe(false);
    expect((await call('DELETE', path('urn:li:share:1'), { headers: VERSIONED })).status).toBe(404);
  });
});

describe('sandbox: comments and reactions', () => {
  it('a reply must name its parent in the path and as parentComment', async () => {
    const created = await call('POST', `/rest/socialActions/${encodeURIComponent(GRACE_POST)}/comments`, {
      body: { actor: `urn:li:person:${ADA}`, object: GRACE_POST, message: { text: 'First' } },
      headers: VERSIONED,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('x-restli-id')).toBe(created.json.id);
    const parent = String(created.json.commentUrn);
    const wrong = await call('POST', `/rest/socialActions/${encodeURIComponent(GRACE_POST)}/comments`, {
      body: {
        actor: `urn:li:person:${ADA}`,
        object: GRACE_POST,
        message: { text: 'Reply' },
        parentComment: parent,
      },
      headers: VERSIONED,
    });
    expect(wrong.status).toBe(400);
    const right = await call('POST', `/rest/socialActions/${encodeURIComponent(parent)}/comments`, {
      body: {
        actor: `urn:li:person:${ADA}`,
        object: GRACE_POST,
        message: { text: 'Reply' },
        parentComment: parent,
      },
      headers: VERSIONED,
    });
    expect(right.status).toBe(201);
  });

  it('reactions need the actor query parameter; reacting again replaces the type', async () => {
    const body = { root: GRACE_POST, reactionType: 'LIKE' };
    expect((await call('POST', '/rest/reactions', { body, headers: VERSIONED })).status).toBe(400);
    const actor = encodeURIComponent(`urn:li:person:${ADA}`);
    expect((await call('POST', `/rest/reactions?actor=${actor}`, { body, headers: VERSIONED })).status).toBe(
      201,
    );
    await call('POST', `/rest/reactions?actor=${actor}`, {
      body: { ...body, reactionType: 'EMPATHY' },
      headers: VERSIONED,
    });
    expect([...sandbox.reactions.values()].map((r) => r.reactionType)).toEqual(['EMPATHY']);
    const bad = await call('POST', `/rest/reactions?actor=${actor}`, {
      body: { ...body, reactionType: 'MAYBE' },
      headers: VERSIONED,
    });
    expect(bad.status).toBe(422);
  });
});

describe('sandbox: the data provider endpoint', () => {
  it('accepts only the managed key', async () => {
    const path = '/enrichment/v1/person?email=grace%40navy.example';
    expect((await call('GET', path, { bearer: sandbox.managedKey })).status).toBe(200);
    expect((await call('GET', path)).json).toMatchObject({ status: 401, code: 'INVALID_API_KEY' });
    expect((await call('GET', path, { bearer: null })).status).toBe(401);
    // and the managed key is no LinkedIn member token
    expect((await call('GET', '/v2/userinfo', { bearer: sandbox.managedKey })).json).toMatchObject({
      serviceErrorCode: 65600,
    });
  });

  it('400 INVALID_QUERY unless exactly one of linkedin_url or email', async () => {
    for (const q of [
      '',
      '?email=a%40b.co&linkedin_url=https%3A%2F%2Fwww.linkedin.com%2Fin%2Fx',
      '?name=ada',
    ]) {
      const res = await call('GET', `/enrichment/v1/person${q}`, { bearer: sandbox.managedKey });
      expect(res).toMatchObject({ status: 400, json: { code: 'INVALID_QUERY' } });
    }
  });
});

describe('sandbox: rate limits and injected failures', () => {
  it('counts per resource per UTC day, per application and per member, then 429 without Retry-After', async () => {
    const limited = await startSandbox({ dailyLimits: { member: 2, application: 3 } });
    try {
      const ada = limited.issueToken(ADA).access_token;
      const grace = limited.issueToken(GRACE).access_token;
      const me = (t: string) =>
        fetch(`${limited.url}/v2/userinfo`, { headers: { authorization: `Bearer ${t}` } });
      expect((await me(ada)).status).toBe(200);
      expect((await me(ada)).status).toBe(200);
      const member = await me(ada);
      expect(member.status).toBe(429);
      expect(member.headers.get('retry-after')).toBeNull();
      expect(await member.json()).toEqual({
        message: 'Resource level throttle MEMBER DAY limit for calls to this resource is reached.',
        status: 429,
      });
      const app = await me(grace); // 4th call of the application to this resource
      expect(((await app.json()) as { message: string }).message).toMatch(/APPLICATION DAY limit/);
    } finally {
      await limited.close();
    }
  });

  it('failNext fails matching requests count times with LinkedIn-shaped bodies', async () => {
    sandbox.failNext({ status: 500, count: 2, path: /^\/rest\// });
    expect((await call('GET', '/v2/userinfo')).status).toBe(200);
    expect(await call('POST', '/rest/posts', { body: post(), headers: VERSIONED })).toMatchObject({
      status: 500,
      json: { message: 'Internal Server Error', status: 500 },
    });
    expect((await call('POST', '/rest/posts', { body: post(), headers: VERSIONED })).status).toBe(500);
    expect((await call('POST', '/rest/posts', { body: post(), headers: VERSIONED })).status).toBe(201);
    sandbox.failNext({ status: 403, message: 'Member is restricted' });
    expect((await call('GET', '/v2/userinfo')).json).toMatchObject({
      status: 403,
      message: 'Member is restricted',
    });
  });

  it('reset forgets everything and seeds the configured posts again', async () => {
    await call('DELETE', `/rest/posts/${encodeURIComponent(ADA_POST)}`, { headers: VERSIONED });
    sandbox.reset();
    expect([...sandbox.posts.keys()]).toEqual([GRACE_POST, ADA_POST]);
    expect(sandbox.requests).toHaveLength(0);
    expect(sandbox.tokens.size).toBe(0);
  });
});
