import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type InstantlySandbox, SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';
import { call } from './helpers.js';

const { campaigns, leads, emails } = SANDBOX_SEED;
let sandbox: InstantlySandbox;
beforeAll(async () => {
  sandbox = await startInstantlySandbox({
    tokens: [
      'key-all',
      { token: 'key-campaigns-read', scopes: ['campaigns:read'] },
      { token: 'key-leads', scopes: ['leads:all'] },
    ],
  });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  sandbox.enforceRateLimits = false;
});

describe('sandbox: auth and scopes', () => {
  it('answers 401 in Instantly shape without a key or with a wrong one', async () => {
    expect(sandbox.token).toBe('key-all');
    const missing = await call(sandbox, 'GET', '/api/v2/workspaces/current', undefined, null);
    expect(missing).toMatchObject({
      status: 401,
      json: { statusCode: 401, error: 'Unauthorized', message: 'Missing Authorization header' },
    });
    const wrong = await call(sandbox, 'GET', '/api/v2/workspaces/current', undefined, 'nope');
    expect(wrong).toMatchObject({ status: 401, json: { message: 'Invalid API key' } });
    expect((await call(sandbox, 'GET', '/api/v2/workspaces/current')).json).toMatchObject({
      id: SANDBOX_SEED.workspace,
      name: 'Acme Outbound',
    });
  });

  it("checks each key's scopes as Instantly's reference lists them", async () => {
    expect((await call(sandbox, 'GET', '/api/v2/campaigns', undefined, 'key-campaigns-read')).status).toBe(
      200,
    );
    const denied = await call(
      sandbox,
      'POST',
      `/api/v2/campaigns/${campaigns.draft}/activate`,
      undefined,
      'key-campaigns-read',
    );
    expect(denied).toMatchObject({ status: 403, json: { statusCode: 403, error: 'Forbidden' } });
    expect(denied.json.message).toMatch(/campaigns:update, campaigns:all, all:update, all:all$/);
    expect(
      (await call(sandbox, 'DELETE', `/api/v2/leads/${leads.alan}`, undefined, 'key-leads')).status,
    ).toBe(200);
    expect((await call(sandbox, 'GET', '/api/v2/accounts', undefined, 'key-leads')).status).toBe(403);
  });
});

describe('sandbox: routing and validation, in Fastify/Instantly wording', () => {
  it('answers 404 for paths and methods it does not serve', async () => {
    for (const [method, path] of [
      ['GET', '/api/v2/nope'],
      ['PUT', `/api/v2/leads/${leads.ada}`],
      ['GET', '/api/v2/leads'],
      ['POST', '/api/v2/campaigns'],
    ] as const) {
      const res = await call(sandbox, method, path, method === 'POST' || method === 'PUT' ? {} : undefined);
      expect(res).toMatchObject({
        status: 404,
        json: { statusCode: 404, error: 'Not Found', message: `Route ${method}:${path} not found` },
      });
    }
  });

  it('refuses undocumented body fields, missing or mistyped fields, bad ids and queries', async () => {
    const cases: [string, string, unknown, string][] = [
      [
        'POST',
        '/api/v2/leads',
        { campaign: campaigns.active, email: 'a@example.com', tags: [] },
        'body must NOT have additional properties',
      ],
      [
        'POST',
        '/api/v2/emails/reply',
        { reply_to_uuid: emails.adaReply, subject: 'x', body: {} },
        "body must have required property 'eaccount'",
      ],
      ['POST', '/api/v2/leads/list', { limit: '10' }, 'body/limit must be number'],
      ['POST', '/api/v2/leads/list', { limit: 101 }, 'body/limit must be <= 100'],
      [
        'POST',
        '/api/v2/leads/list',
        { filter: 'FILTER_NOPE' },
        'body/filter must be equal to one of the allowed values',
      ],
      [
        'POST',
        '/api/v2/leads/add',
        { campaign_id: campaigns.active, leads: [] },
        'body/leads must NOT have fewer than 1 items',
      ],
      ['PATCH', `/api/v2/leads/${leads.ada}`, {}, 'body must NOT have fewer than 1 properties'],
      [
        'PATCH',
        `/api/v2/leads/${leads.ada}`,
        { email: 'x@example.com' },
        'body must NOT have additional properties',
      ],
      ['GET', '/api/v2/leads/not-a-uuid', undefined, 'params/id must match format "uuid"'],
      ['GET', '/api/v2/campaigns?cursor=x', undefined, 'querystring must NOT have additional properties'],
      ['GET', '/api/v2/emails?limit=0', undefined, 'querystring/limit must be >= 1'],
      [
        'GET',
        '/api/v2/emails?is_unread=yes',
        undefined,
        'querystring/is_unread must be equal to one of the allowed values',
      ],
      [
        'POST',
        '/api/v2/leads',
        { email: 'a@example.com' },
        "body must have required property 'campaign' or 'list_id'",
      ],
      ['POST', '/api/v2/leads', { campaign: campaigns.active }, "body must have required property 'email'"],
      ['POST', `/api/v2/campaigns/${campaigns.draft}/activate`, { now: true }, 'body must be null'],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await call(sandbox, method, path, body);
      expect({ status: res.status, message: res.json.message }, `${method} ${path}`).toEqual({
        status: 400,
        message,
      });
      expect(res.json.error).toBe('Bad Request');
    }
  });

  it('refuses an empty JSON body, a body that is not JSON, and broken JSON as Fastify does', async () => {
    const empty = await call(
      sandbox,
      'POST',
      `/api/v2/campaigns/${campaigns.draft}/activate`,
      undefined,
      'key-all',
      {
        'content-type': 'application/json',
      },
    );
    expect(empty).toMatchObject({ status: 400, json: { code: 'FST_ERR_CTP_EMPTY_JSON_BODY' } });
    const text = await call(sandbox, 'POST', '/api/v2/leads/list', undefined, 'key-all', {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(400);
    const res = await fetch(`${sandbox.url}/api/v2/leads/list`, {
      method: 'POST',
      headers: { authorization: 'Bearer key-all', 'content-type': 'text/plain' },
      body: 'limit=1',
    });
    expect(res.status).toBe(415);
    const broken = await call(sandbox, 'POST', '/api/v2/leads/list', '{"limit":');
    expect(broken).toMatchObject({ status: 400, json: { code: 'FST_ERR_CTP_INVALID_JSON_BODY' } });
  });

  it('records every request, failed ones included', async () => {
    await call(sandbox, 'GET', '/api/v2/campaigns?limit=1&search=q', undefined, null);
    await call(sandbox, 'POST', '/api/v2/leads/list', { limit: 1 });
    expect(sandbox.requests).toMatchObject([
      { method: 'GET', path: '/api/v2/campaigns', query: { limit: '1', search: 'q' }, body: undefined },
      {
        method: 'POST',
        path: '/api/v2/leads/list',
        body: { limit: 1 },
        headers: { authorization: 'Bearer key-all' },
      },
    ]);
  });
});

describe('sandbox: failure switches, rate limits, delays', () => {
  it('failNext answers each status with an Instantly body, count times, only on the path asked', async () => {
    const messages: Record<number, string> = {
      401: 'Invalid API key',
      402: 'Workspace does not have an active paid plan',
      403: 'API key does not have the required scopes',
      404: 'Resource not found',
      429: 'Rate limit exceeded',
      500: 'Internal Server Error',
    };
    for (const [status, message] of Object.entries(messages)) {
      sandbox.failNext({ status: Number(status) as 401, path: '/api/v2/workspaces/current', count: 2 });
      expect((await call(sandbox, 'GET', '/api/v2/campaigns')).status).toBe(200);
      for (let n = 0; n < 2; n++) {
        const res = await call(sandbox, 'GET', '/api/v2/workspaces/current');
        expect(res).toMatchObject({ status: Number(status), json: { statusCode: Number(status), message } });
      }
      expect((await call(sandbox, 'GET', '/api/v2/workspaces/current')).status).toBe(200);
    }
    sandbox.failNext({ status: 429, retryAfterSeconds: 3, path: /\/leads\// });
    const limited = await call(sandbox, 'GET', `/api/v2/leads/${leads.ada}`);
    expect(limited.headers.get('retry-after')).toBe('3');
  });

  it("enforces Instantly's workspace limits when asked, with its documented 429 body and no headers", async () => {
    const strict = await startInstantlySandbox({ enforceRateLimits: true, rateLimits: { perSecond: 3 } });
    try {
      const statuses: number[] = [];
      let last: Awaited<ReturnType<typeof call>> | undefined;
      for (let n = 0; n < 4; n++) {
        last = await call(strict, 'GET', '/api/v2/campaigns');
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect(last?.json).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: 'Rate limit exceeded',
      });
      expect(last?.headers.get('retry-after')).toBeNull();
      await new Promise((r) => setTimeout(r, 1_050));
      expect((await call(strict, 'GET', '/api/v2/campaigns')).status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('limits GET /api/v2/emails to 20 a minute, apart from the rest', async () => {
    sandbox.enforceRateLimits = true;
    const statuses: number[] = [];
    for (let n = 0; n < 21; n++) statuses.push((await call(sandbox, 'GET', '/api/v2/emails?limit=1')).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.at(-1)).toBe(429);
    expect(
      (
        await call(sandbox, 'POST', '/api/v2/emails/reply', {
          reply_to_uuid: emails.adaReply,
          eaccount: 'sam@send.example.com',
          subject: 'Re',
          body: { text: 'ok' },
        })
      ).status,
    ).toBe(200);
  });

  it('waits delayMs before answering', async () => {
    sandbox.delayMs = 60;
    const started = Date.now();
    await call(sandbox, 'GET', '/api/v2/workspaces/current');
    sandbox.delayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('sandbox: state', () => {
  it('reset restores the seeded workspace and forgets requests and failures', async () => {
    await call(sandbox, 'DELETE', `/api/v2/leads/${leads.ada}`);
    await call(sandbox, 'POST', `/api/v2/campaigns/${campaigns.draft}/activate`);
    sandbox.failNext({ status: 500 });
    sandbox.reset();
    expect(sandbox.leads.has(leads.ada)).toBe(true);
    expect(sandbox.campaigns.get(campaigns.draft)?.status).toBe(0);
    expect([sandbox.campaigns.size, sandbox.leads.size, sandbox.emails.size, sandbox.accounts.size]).toEqual([
      3, 4, 3, 3,
    ]);
    expect(sandbox.requests).toHaveLength(0);
    expect((await call(sandbox, 'GET', '/api/v2/workspaces/current')).status).toBe(200);
  });

  it('starts empty with seed: false; addCampaign and receiveReply add state', async () => {
    const empty = await startInstantlySandbox({ seed: false });
    try {
      expect((await call(empty, 'GET', '/api/v2/campaigns')).json).toEqual({ items: [] });
    } finally {
      await empty.close();
    }
    const campaign = sandbox.addCampaign({ name: 'Late', status: 1 });
    expect((await call(sandbox, 'GET', `/api/v2/campaigns/${campaign.id}`)).json).toMatchObject({
      name: 'Late',
      status: 1,
    });
    const reply = sandbox.receiveReply(leads.grace, { text: 'Not now, thanks.' });
    expect(reply).toMatchObject({
      ue_type: 2,
      from_address_email: 'grace@example.com',
      thread_id: SANDBOX_SEED.threads.grace,
    });
    expect(sandbox.leads.get(leads.grace)?.email_reply_count).toBe(1);
  });
});
