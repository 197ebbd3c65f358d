import { AuthError, NotFoundError, RateLimitError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DATA_PROVIDER_URL, LINKEDIN_VERSION } from '../src/index.js';
import type { LinkedInSandbox } from '../src/sandbox/index.js';
import {
  ADA,
  ADA_POST,
  failure,
  GRACE,
  GRACE_POST,
  oauthCredential,
  output,
  run,
  startSandbox,
} from './helpers.js';

let sandbox: LinkedInSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const posts = () => sandbox.requests.filter((r) => r.path === '/rest/posts');

describe('profile.me', () => {
  it("reads the member's userinfo", async () => {
    expect(await output(sandbox, 'profile.me', {})).toEqual({
      sub: ADA,
      person_urn: `urn:li:person:${ADA}`,
      name: 'Ada Lovelace',
      given_name: 'Ada',
      family_name: 'Lovelace',
      email: 'ada@example.com',
      email_verified: true,
      picture: expect.stringMatching(/^https:\/\//),
      locale: 'en_US',
    });
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/userinfo']);
    expect(sandbox.requests[0]?.headers.authorization).toMatch(/^Bearer AQ/);
  });

  it('has null email fields when the token lacks the email scope', async () => {
    const credential = oauthCredential(sandbox, ADA, ['openid', 'profile']);
    const me = await output(sandbox, 'profile.me', {}, { credential });
    expect(me).toMatchObject({ sub: ADA, name: 'Ada Lovelace', email: null, email_verified: null });
  });
});

describe('post.create', () => {
  it('sends the documented body and headers to /rest/posts and returns the URN from x-restli-id', async () => {
    const out = await output<{ urn: string; url: string }>(sandbox, 'post.create', {
      commentary: 'Hello from Oxygen',
    });
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v2/userinfo',
      'POST /rest/posts',
    ]);
    const sent = posts()[0]!;
    expect(sent.headers).toMatchObject({
      'linkedin-version': LINKEDIN_VERSION,
      'x-restli-protocol-version': '2.0.0',
      'content-type': 'application/json',
      authorization: expect.stringMatching(/^Bearer AQ/),
    });
    expect(sent.body).toEqual({
      author: `urn:li:person:${ADA}`,
      commentary: 'Hello from Oxygen',
      visibility: 'PUBLIC',
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    });
    expect(out.urn).toMatch(/^urn:li:share:\d{19}$/);
    expect(out.url).toBe(`https://www.linkedin.com/feed/update/${out.urn}/`);
    expect(sandbox.posts.get(out.urn)).toMatchObject({
      author: `urn:li:person:${ADA}`,
      text: 'Hello from Oxygen',
    });
  });

  it('adds a link as an article, skips userinfo when author is given, honours visibility', async () => {
    const out = await output<{ urn: string }>(sandbox, 'post.create', {
      commentary: 'Worth a read',
      link: { url: 'https://example.com/engine', title: 'The Engine', description: 'Notes' },
      visibility: 'CONNECTIONS',
      author: `urn:li:person:${ADA}`,
    });
    expect(sandbox.requests.map((r) => r.path)).toEqual(['/rest/posts']);
    expect(posts()[0]?.body).toMatchObject({
      visibility: 'CONNECTIONS',
      content: {
        article: { source: 'https://example.com/engine', title: 'The Engine', description: 'Notes' },
      },
    });
    expect(sandbox.posts.get(out.urn)?.article?.title).toBe('The Engine');
  });

  it('escapes reserved characters and keeps mentions, so LinkedIn shows the whole text', async () => {
    const commentary = 'Thanks @[Grace Hopper](urn:li:person:gR4ceH0pp3r) (and team) for [COBOL] *v1*!';
    const out = await output<{ urn: string }>(sandbox, 'post.create', { commentary });
    expect(posts()[0]?.body).toMatchObject({
      commentary:
        'Thanks @[Grace Hopper](urn:li:person:gR4ceH0pp3r) \\(and team\\) for \\[COBOL\\] \\*v1\\*!',
    });
    expect(sandbox.posts.get(out.urn)).toMatchObject({
      text: 'Thanks Grace Hopper (and team) for [COBOL] *v1*!',
      mentions: [`urn:li:person:${GRACE}`],
    });
  });

  it('sends little_text as is (an unescaped parenthesis cuts the post, as on LinkedIn)', async () => {
    const out = await output<{ urn: string }>(sandbox, 'post.create', {
      commentary: 'Cut here (not shown)',
      format: 'little_text',
    });
    expect(posts()[0]?.body).toMatchObject({ commentary: 'Cut here (not shown)' });
    expect(sandbox.posts.get(out.urn)?.text).toBe('Cut here ');
  });

  it('refuses commentary over 3000 characters before sending anything', async () => {
    const error = await failure(run(sandbox, 'post.create', { commentary: 'x'.repeat(3001) }));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.field).toBe('commentary');
    expect(error.message).toMatch(/LinkedIn posts are limited to 3000 characters; shorten the commentary/);
    expect(sandbox.requests).toHaveLength(0);
    // exactly 3000 goes through
    await output(sandbox, 'post.create', { commentary: 'x'.repeat(3000) });
    expect(posts()).toHaveLength(1);
  });

  it('a dry run shows the userinfo lookup, or the exact post when the author is given', async () => {
    const dry = await run(sandbox, 'post.create', { commentary: 'Hi' }, { dryRun: true });
    if (!dry.dryRun) throw new Error('expected a dry run');
    expect(dry.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${sandbox.url}/v2/userinfo`]);
    const exact = await run(
      sandbox,
      'post.create',
      { commentary: 'Hi', author: `urn:li:person:${ADA}` },
      { dryRun: true },
    );
    if (!exact.dryRun) throw new Error('expected a dry run');
    expect(exact.requests[0]).toMatchObject({
      method: 'POST',
      url: `${sandbox.url}/rest/posts`,
      headers: {
        'linkedin-version': LINKEDIN_VERSION,
        'x-restli-protocol-version': '2.0.0',
        authorization: 'Bearer [REDACTED]',
      },
      body: { author: `urn:li:person:${ADA}`, commentary: 'Hi' },
    });
    expect(sandbox.requests).toHaveLength(0);
  });

  it('posting as another member is refused by LinkedIn with 403 (an auth error naming the scope problem)', async () => {
    const error = await failure(
      run(sandbox, 'post.create', { commentary: 'Hi', author: `urn:li:person:${GRACE}` }),
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error.status).toBe(403);
    expect(error.providerMessage).toMatch(/^Not enough permissions to access: posts\.CREATE/);
    expect(error.requestId).toBeTruthy();
  });

  it('a token without w_member_social cannot post', async () => {
    const credential = oauthCredential(sandbox, ADA, ['openid', 'profile', 'email']);
    const error = await failure(run(sandbox, 'post.create', { commentary: 'Hi' }, { credential }));
    expect(error).toMatchObject({ code: 'auth', status: 403 });
    expect(sandbox.posts.size).toBe(2);
  });
});

describe('post.delete', () => {
  it('deletes with DELETE /rest/posts/{encoded urn} and the versioned headers', async () => {
    expect(await output(sandbox, 'post.delete', { urn: ADA_POST })).toEqual({ urn: ADA_POST, deleted: true });
    const sent = sandbox.requests[0]!;
    expect(sent.method).toBe('DELETE');
    expect(sent.rawPath).toBe(`/rest/posts/${encodeURIComponent(ADA_POST)}`);
    expect(sent.headers).toMatchObject({
      'linkedin-version': LINKEDIN_VERSION,
      'x-restli-protocol-version': '2.0.0',
      'x-restli-method': 'DELETE',
    });
    expect(sandbox.posts.has(ADA_POST)).toBe(false);
  });

  it('deleting twice succeeds twice (idempotent), and a lost answer is retried', async () => {
    await output(sandbox, 'post.delete', { urn: ADA_POST });
    sandbox.failNext({ status: 500 });
    expect(await output(sandbox, 'post.delete', { urn: ADA_POST })).toEqual({ urn: ADA_POST, deleted: true });
    expect(sandbox.requests.filter((r) => r.method === 'DELETE')).toHaveLength(3);
  });

  it("a post that never existed is not_found; someone else's post is refused", async () => {
    const gone = await failure(run(sandbox, 'post.delete', { urn: 'urn:li:share:1' }));
    expect(NotFoundError.isInstance(gone)).toBe(true);
    const theirs = await failure(run(sandbox, 'post.delete', { urn: GRACE_POST }));
    expect(theirs).toMatchObject({ code: 'auth', status: 403 });
    expect(sandbox.posts.has(GRACE_POST)).toBe(true);
  });
});

describe('comment.create', () => {
  it('comments on a post through socialActions, then replies to the comment', async () => {
    const first = await output<{ urn: string; id: string; post_urn: string }>(sandbox, 'comment.create', {
      post_urn: GRACE_POST,
      text: 'Great read',
    });
    const activity = sandbox.posts.get(GRACE_POST)?.activityUrn;
    expect(first).toEqual({
      urn: `urn:li:comment:(${activity},${first.id})`,
      id: expect.stringMatching(/^\d{19}$/),
      post_urn: GRACE_POST,
    });
    const sent = sandbox.requests.find((r) => r.method === 'POST')!;
    expect(sent.rawPath).toBe(`/rest/socialActions/${encodeURIComponent(GRACE_POST)}/comments`);
    expect(sent.headers).toMatchObject({
      'linkedin-version': LINKEDIN_VERSION,
      'x-restli-protocol-version': '2.0.0',
    });
    expect(sent.body).toEqual({
      actor: `urn:li:person:${ADA}`,
      object: GRACE_POST,
      message: { text: 'Great read' },
    });

    sandbox.requests.length = 0;
    const reply = await output<{ urn: string }>(sandbox, 'comment.create', {
      post_urn: GRACE_POST,
      text: 'Agreed',
      parent_comment_urn: first.urn,
      actor: `urn:li:person:${ADA}`,
    });
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]?.rawPath).toBe(
      `/rest/socialActions/${encodeURIComponent(first.urn)}/comments`,
    );
    expect(sandbox.requests[0]?.body).toMatchObject({ object: GRACE_POST, parentComment: first.urn });
    expect(sandbox.comments.size).toBe(2);
    expect(reply.urn).not.toBe(first.urn);
  });

  it('refuses text over 1250 characters before sending, and an unknown post is not_found', async () => {
    const long = await failure(
      run(sandbox, 'comment.create', { post_urn: GRACE_POST, text: 'y'.repeat(1251) }),
    );
    expect(long).toMatchObject({ code: 'validation', field: 'text' });
    expect(sandbox.requests).toHaveLength(0);
    const missing = await failure(
      run(sandbox, 'comment.create', { post_urn: 'urn:li:share:42', text: 'Hi' }),
    );
    expect(missing.code).toBe('not_found');
  });
});

describe('reaction.create', () => {
  it('reacts with POST /rest/reactions?actor=<encoded member> and { root, reactionType }', async () => {
    const out = await output(sandbox, 'reaction.create', { target_urn: GRACE_POST, type: 'PRAISE' });
    const activity = sandbox.posts.get(GRACE_POST)?.activityUrn;
    expect(out).toEqual({
      urn: `urn:li:reaction:(urn:li:person:${ADA},${activity})`,
      target_urn: GRACE_POST,
      type: 'PRAISE',
    });
    const sent = sandbox.requests.find((r) => r.method === 'POST')!;
    expect(sent.rawPath).toBe(`/rest/reactions?actor=${encodeURIComponent(`urn:li:person:${ADA}`)}`);
    expect(sent.body).toEqual({ root: GRACE_POST, reactionType: 'PRAISE' });
    expect(sent.headers).toMatchObject({
      'linkedin-version': LINKEDIN_VERSION,
      'x-restli-protocol-version': '2.0.0',
    });
  });

  it('defaults to LIKE, reacts to comments, and rejects an unknown type before sending', async () => {
    const comment = await output<{ urn: string }>(sandbox, 'comment.create', {
      post_urn: GRACE_POST,
      text: 'Hi',
    });
    const out = await output(sandbox, 'reaction.create', { target_urn: comment.urn });
    expect(out).toMatchObject({ type: 'LIKE', target_urn: comment.urn });
    sandbox.requests.length = 0;
    const bad = await failure(run(sandbox, 'reaction.create', { target_urn: GRACE_POST, type: 'MAYBE' }));
    expect(bad).toMatchObject({ code: 'validation', field: 'type' });
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('profile.enrich (managed only)', () => {
  it('looks up a profile by URL with the managed key on the data provider endpoint', async () => {
    const result = await run(
      sandbox,
      'profile.enrich',
      { linkedin_url: 'https://uk.linkedin.com/in/ada-lovelace/?trk=x' },
      { mode: 'managed' },
    );
    if (result.dryRun) throw new Error('expected a real run');
    expect(result.output).toEqual({
      found: true,
      profile: {
        linkedin_url: 'https://www.linkedin.com/in/ada-lovelace',
        full_name: 'Ada Lovelace',
        first_name: 'Ada',
        last_name: 'Lovelace',
        headline: 'First programmer · Analyst of the Analytical Engine',
        title: 'Mathematician',
        company: { name: 'Analytical Engines Ltd', domain: 'analytical.example' },
        location: 'London, United Kingdom',
        updated_at: '2026-11-01T00:00:00.000Z',
      },
    });
    const sent = sandbox.requests[0]!;
    expect(sent.path).toBe('/enrichment/v1/person');
    expect(sent.query).toEqual({ linkedin_url: 'https://www.linkedin.com/in/ada-lovelace' });
    expect(sent.headers.authorization).toBe(`Bearer ${sandbox.managedKey}`);
  });

  it('looks up by email; an unknown person is found: false, not an error', async () => {
    expect(
      await output(sandbox, 'profile.enrich', { email: 'grace@navy.example' }, { mode: 'managed' }),
    ).toMatchObject({
      found: true,
      profile: { full_name: 'Grace Hopper' },
    });
    expect(
      await output(sandbox, 'profile.enrich', { email: 'nobody@example.com' }, { mode: 'managed' }),
    ).toEqual({
      found: false,
      profile: null,
    });
  });

  it('needs exactly one of linkedin_url or email', async () => {
    for (const input of [{}, { email: 'a@b.co', linkedin_url: 'https://www.linkedin.com/in/x' }]) {
      const error = await failure(run(sandbox, 'profile.enrich', input, { mode: 'managed' }));
      expect(error.message).toMatch(/exactly one of "linkedin_url" or "email"/);
    }
    const bad = await failure(
      run(sandbox, 'profile.enrich', { linkedin_url: 'https://example.com/in/x' }, { mode: 'managed' }),
    );
    expect(bad).toMatchObject({ code: 'validation', field: 'linkedin_url' });
    expect(sandbox.requests).toHaveLength(0);
  });

  it('on a byok connection it refuses without sending the member token anywhere', async () => {
    const error = await failure(run(sandbox, 'profile.enrich', { email: 'grace@navy.example' }));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/runs only in managed mode/);
    expect(error.hint).toMatch(/--auth-mode managed/);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('the data provider refuses a LinkedIn member token (401, an auth error)', async () => {
    const token = sandbox.issueToken(ADA).access_token;
    const error = await failure(
      run(
        sandbox,
        'profile.enrich',
        { email: 'grace@navy.example' },
        { mode: 'managed', credential: { type: 'api_key', key: token } },
      ),
    );
    expect(error).toMatchObject({ code: 'auth', status: 401, data: { provider_code: 'INVALID_API_KEY' } });
    expect(error.providerMessage).toMatch(/member tokens are not accepted/);
    expect(JSON.stringify(error.toJSON())).not.toContain(token);
  });

  it("goes to the platform data provider's host when LinkedIn's base URL is not overridden", async () => {
    const dry = await run(
      sandbox,
      'profile.enrich',
      { email: 'grace@navy.example' },
      { mode: 'managed', dryRun: true, baseUrl: null },
    );
    if (!dry.dryRun) throw new Error('expected a dry run');
    expect(dry.requests).toEqual([
      {
        method: 'GET',
        url: `${DATA_PROVIDER_URL}/enrichment/v1/person?email=grace%40navy.example`,
        headers: expect.objectContaining({ authorization: 'Bearer [REDACTED]' }),
      },
    ]);
    const byok = await run(sandbox, 'profile.me', {}, { dryRun: true, baseUrl: null });
    if (!byok.dryRun) throw new Error('expected a dry run');
    expect(byok.requests[0]?.url).toBe('https://api.linkedin.com/v2/userinfo');
  });
});

describe('failures', () => {
  it('a revoked token is an AuthError (401) whose message carries LinkedIn’s reason', async () => {
    const credential = oauthCredential(sandbox);
    await output(sandbox, 'profile.me', {}, { credential });
    sandbox.revokeToken((credential as { access_token: string }).access_token);
    const error = await failure(run(sandbox, 'post.create', { commentary: 'Hi' }, { credential }));
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error.status).toBe(401);
    expect(error.message).toBe(
      'LinkedIn answered 401 Unauthorized: The token used in the request has been revoked by the user',
    );
    expect(error.data).toEqual({ provider_code: 'REVOKED_ACCESS_TOKEN' });
    expect(error.hint).toMatch(/Reconnect with `oxygen integrations connect linkedin`/);
    expect(error.requestId).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(JSON.stringify(error.toJSON())).not.toContain(
      (credential as { access_token: string }).access_token,
    );
    expect(posts()).toHaveLength(0);
  });

  it('an expired token (past 60 days) is an AuthError with EXPIRED_ACCESS_TOKEN', async () => {
    const credential = oauthCredential(sandbox);
    sandbox.expireTokens();
    const error = await failure(run(sandbox, 'profile.me', {}, { credential }));
    expect(error).toMatchObject({
      code: 'auth',
      status: 401,
      data: { provider_code: 'EXPIRED_ACCESS_TOKEN' },
    });
    expect(error.message).toMatch(/has expired/);
  });

  it('a 429 is retried with backoff; the daily limit holding is a RateLimitError', async () => {
    sandbox.failNext({ status: 429, path: '/rest/reactions' });
    await output(sandbox, 'reaction.create', { target_urn: GRACE_POST, actor: `urn:li:person:${ADA}` });
    expect(sandbox.requests.filter((r) => r.path === '/rest/reactions')).toHaveLength(2);

    sandbox.failNext({ status: 429, count: 10 });
    const error = await failure(run(sandbox, 'profile.me', {}));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe(
      'Resource level throttle APPLICATION DAY limit for calls to this resource is reached.',
    );
    expect(sandbox.requests.filter((r) => r.path === '/v2/userinfo')).toHaveLength(4);
  });

  it('a 500 on post.create is not retried (a second POST could publish twice)', async () => {
    sandbox.failNext({ status: 500, path: '/rest/posts' });
    const error = await failure(
      run(sandbox, 'post.create', { commentary: 'Once', author: `urn:li:person:${ADA}` }),
    );
    expect(error.code).toBe('provider');
    expect(posts()).toHaveLength(1);
  });
});
