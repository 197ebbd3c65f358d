import {
  AuthError,
  createRateLimiter,
  ProviderError,
  type RateLimit,
  RateLimitError,
  ValidationError,
} from '@oxygen/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import plugin, {
  campaignGet,
  emailReply,
  INSTANTLY_EVENTS,
  leadAdd,
  leadGet,
  parseInstantlyError,
} from '../src/index.js';
import { type InstantlySandbox, SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';
import { rateLimitBody, unauthorizedBody, validationErrorBody } from './__fixtures__/errors.js';
import { contextFor, failure, run } from './helpers.js';

let sandbox: InstantlySandbox;
beforeAll(async () => {
  sandbox = await startInstantlySandbox({
    workspaceName: 'Northwind Outbound',
    tokens: ['instantly-test-key-all', { token: 'instantly-test-key-readonly', scopes: ['all:read'] }],
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('the plugin', () => {
  it('declares what the runtime needs: BYOK API key, thirteen actions, nine events', () => {
    expect(plugin).toMatchObject({
      apiVersion: 1,
      id: 'instantly',
      name: 'Instantly',
      baseUrl: 'https://api.instantly.ai',
    });
    expect(plugin.auth.byok).toEqual([
      {
        type: 'api_key',
        label: 'Instantly API key (v2)',
        header: 'authorization',
        scheme: 'Bearer',
        helpUrl: 'https://developer.instantly.ai/api-reference/introduction',
      },
    ]);
    expect('managed' in plugin.auth).toBe(false);
    expect(plugin.actions.map((a) => a.slug)).toEqual([
      'campaign.list',
      'campaign.get',
      'campaign.activate',
      'campaign.pause',
      'lead.add',
      'lead.add_bulk',
      'lead.get',
      'lead.list',
      'lead.update',
      'lead.delete',
      'email.list',
      'email.reply',
      'account.list',
    ]);
    const mirrors = Object.fromEntries(plugin.actions.map((a) => [a.slug, a.mirror?.label ?? null]));
    expect(mirrors).toMatchObject({
      'lead.add': 'instantly_lead_id',
      'lead.update': 'instantly_lead_id',
      'campaign.activate': 'instantly_campaign_id',
      'campaign.pause': 'instantly_campaign_id',
      'email.reply': 'instantly_email_id',
      'lead.add_bulk': null,
      'lead.delete': null,
    });
    for (const action of plugin.actions) {
      expect(action.authModes).toEqual(['byok']);
      expect(action.credits).toBe(0); // byok only: credits are charged in managed mode alone
      expect(action.scopes?.[0]).toMatch(/^[a-z_]+:(read|create|update|delete)$/);
      if (action.effect === 'read') expect(action.idempotent).toBe(true);
    }
    // Writes that would duplicate something when retried after a lost answer are not idempotent.
    expect(plugin.actions.filter((a) => a.effect === 'write' && !a.idempotent).map((a) => a.slug)).toEqual([
      'lead.add',
      'lead.add_bulk',
      'email.reply',
    ]);
    expect(plugin.events?.map((e) => e.type)).toEqual(INSTANTLY_EVENTS.map((e) => e.type));
  });

  it('names each event the seed way, with the subscription name and the delivered payload name', () => {
    expect(INSTANTLY_EVENTS.map((e) => [e.type, e.providerType, e.payloadType])).toEqual([
      ['email.sent', 'email_sent', 'email_sent'],
      ['email.opened', 'email_opened', 'email_opened'],
      ['email.link_clicked', 'email_link_clicked', 'link_clicked'],
      ['email.reply_received', 'reply_received', 'reply_received'],
      ['email.bounced', 'email_bounced', 'email_bounced'],
      ['lead.unsubscribed', 'lead_unsubscribed', 'lead_unsubscribed'],
      ['lead.interested', 'lead_interested', 'lead_interested'],
      ['lead.meeting_booked', 'lead_meeting_booked', 'lead_meeting_booked'],
      ['campaign.completed', 'campaign_completed', 'campaign_completed'],
    ]);
  });

  it('rate-limits the workspace globally and GET /api/v2/emails apart', () => {
    const limits: readonly RateLimit[] = plugin.rateLimits;
    expect(limits.map((l) => [l.limit, l.intervalMs, l.match?.source ?? null])).toEqual([
      [100, 1_000, null],
      [6_000, 60_000, null],
      [20, 60_000, '^api\\/v2\\/emails$'],
    ]);
    const emails = limits[2]?.match;
    expect(emails?.test('api/v2/emails')).toBe(true);
    expect(emails?.test('api/v2/emails/reply')).toBe(false);
    expect(emails?.test('api/v2/leads/list')).toBe(false);
  });

  describe('the client-side limiter built from those limits', () => {
    beforeEach(() => vi.useFakeTimers());
    afterEach(() => vi.useRealTimers());

    it('lets 20 Unibox listings through in a minute, holds the 21st, not other calls', async () => {
      const wait = createRateLimiter(plugin.rateLimits);
      for (let n = 0; n < 20; n++) await wait('api/v2/emails', 'GET');
      let released = false;
      const held = wait('api/v2/emails', 'GET').then(() => {
        released = true;
      });
      await wait('api/v2/leads/list', 'POST');
      await vi.advanceTimersByTimeAsync(30_000);
      expect(released).toBe(false);
      await vi.advanceTimersByTimeAsync(30_000);
      await held;
      expect(released).toBe(true);
    });
  });
});

describe('verify', () => {
  it('returns the workspace name as the account label', async () => {
    expect(await plugin.verify(contextFor(sandbox))).toEqual({ accountLabel: 'Northwind Outbound' });
    expect(sandbox.requests[0]).toMatchObject({ method: 'GET', path: '/api/v2/workspaces/current' });
  });

  it('a refused key is an AuthError with Instantly message, never the key', async () => {
    const token = 'instantly-not-a-real-key-000000';
    const error = await failure(plugin.verify(contextFor(sandbox, { token })));
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 401,
      providerMessage: 'Invalid API key',
      data: { provider_code: 'Unauthorized' },
    });
    expect(JSON.stringify(error.toJSON())).not.toContain(token);
    expect(error.message).not.toContain(token);
  });

  it('a workspace without a paid plan (402) is a provider error saying so', async () => {
    sandbox.failNext({ status: 402 });
    const error = await failure(plugin.verify(contextFor(sandbox)));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe('Workspace does not have an active paid plan');
  });
});

describe('errors, retries and rate limits through the HTTP context', () => {
  it('absorbs a 429 on a non-idempotent write with a retry: one lead, two requests', async () => {
    sandbox.failNext({ status: 429 });
    const lead = await run(sandbox, leadAdd, {
      campaign_id: SANDBOX_SEED.campaigns.active,
      email: 'retry@example.com',
    });
    expect(lead.email).toBe('retry@example.com');
    expect(sandbox.requests.map((r) => r.path)).toEqual(['/api/v2/leads', '/api/v2/leads']);
    expect([...sandbox.leads.values()].filter((l) => l.email === 'retry@example.com')).toHaveLength(1);
  });

  it('honours Retry-After when one is sent', async () => {
    sandbox.failNext({ status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await run(sandbox, campaignGet, { id: SANDBOX_SEED.campaigns.draft });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up with a RateLimitError carrying Instantly message when 429s outlast the retries', async () => {
    sandbox.failNext({ status: 429, count: 10 });
    const error = await failure(run(sandbox, leadGet, { id: SANDBOX_SEED.leads.ada }));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe('Rate limit exceeded');
    expect(sandbox.requests).toHaveLength(4);
  });

  it('retries a 500 on a read, never on a reply (a retry would send a second email)', async () => {
    sandbox.failNext({ status: 500 });
    const campaign = await run(sandbox, campaignGet, { id: SANDBOX_SEED.campaigns.draft });
    expect(campaign.status).toBe('draft');
    expect(sandbox.requests).toHaveLength(2);

    sandbox.reset();
    sandbox.failNext({ status: 500 });
    const error = await failure(
      run(sandbox, emailReply, {
        reply_to_uuid: SANDBOX_SEED.emails.adaReply,
        eaccount: 'sam@send.example.com',
        subject: 'Re: hi',
        text: 'hello',
      }),
    );
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(sandbox.requests).toHaveLength(1);
  });

  it('a key without the scope is an AuthError naming the scopes to grant', async () => {
    const error = await failure(
      run(
        sandbox,
        leadAdd,
        { campaign_id: SANDBOX_SEED.campaigns.active, email: 'x@example.com' },
        { token: 'instantly-test-key-readonly' },
      ),
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error.status).toBe(403);
    expect(error.providerMessage).toContain('leads:create, leads:all, all:create, all:all');
    expect(
      await run(sandbox, leadGet, { id: SANDBOX_SEED.leads.ada }, { token: 'instantly-test-key-readonly' }),
    ).toMatchObject({
      email: 'ada@example.com',
    });
  });

  it('a body Instantly refuses is a ValidationError naming the field', async () => {
    const error = await failure(
      run(sandbox, emailReply, {
        reply_to_uuid: SANDBOX_SEED.emails.adaReply,
        eaccount: 'nobody@send.example.com',
        subject: 'Re: hi',
        text: 'hello',
      }),
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe(
      'Email account nobody@send.example.com is not connected to this workspace',
    );
  });
});

describe('parseInstantlyError', () => {
  it('reads the documented error bodies', () => {
    expect(parseInstantlyError(validationErrorBody)).toEqual({
      message: "body must have required property 'name'",
      providerCode: 'Bad Request',
      field: 'name',
    });
    expect(parseInstantlyError(unauthorizedBody)).toEqual({
      message: 'Missing Authorization header',
      providerCode: 'Unauthorized',
    });
    expect(parseInstantlyError(rateLimitBody)).toMatchObject({ providerCode: 'Too Many Requests' });
  });

  it('prefers Fastify codes and finds nested fields', () => {
    expect(
      parseInstantlyError({
        statusCode: 400,
        code: 'FST_ERR_VALIDATION',
        error: 'Bad Request',
        message: 'body/leads/0/email must be string',
      }),
    ).toEqual({
      message: 'body/leads/0/email must be string',
      providerCode: 'FST_ERR_VALIDATION',
      field: 'leads.0.email',
    });
    expect(parseInstantlyError({ message: "body/body must have required property 'text'" }).field).toBe(
      'body.text',
    );
    expect(parseInstantlyError({ message: 'querystring/limit must be <= 100' }).field).toBe('limit');
  });

  it('survives bodies of any shape', () => {
    expect(parseInstantlyError(undefined)).toEqual({});
    expect(parseInstantlyError([1, 2])).toEqual({});
    expect(parseInstantlyError('<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' });
    expect(parseInstantlyError({ message: 42, statusCode: 'x' })).toEqual({});
  });
});
