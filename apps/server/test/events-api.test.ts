/**
 * The events and triggers routes through Fastify's injector, on the embedded store: every route
 * needs a token and acts for its organization only (another organization's ids are "not found"),
 * bodies are validated with the server's error shape, answers are exactly the runtime's values,
 * and the OpenAPI document describes them. The webhook ingress needs no token, keeps the body
 * byte for byte whatever its content type, rebuilds the signed URL from the public URL, caps the
 * body at 1 MiB, and answers refusals with their reason.
 */

import { signHubSpotRequest } from '@oxygen/provider-hubspot';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { createRuntime, type DeliveryRecord, type Runtime } from '@oxygen/runtime';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import {
  logSink,
  packageDir,
  startTriggerReceiver,
  type TriggerReceiver,
  tempHome,
  until,
} from './helpers.js';

const PUBLIC_URL = 'https://oxygen.example.test';

let sandbox: HubSpotSandbox;
let receiver: TriggerReceiver;
let runtime: Runtime;
let app: FastifyInstance;
let orgA: string;
let orgB: string;
let tokenA: string;
let tokenB: string;
let connectionA: string;
let nextEventId = 1000;

type Method = 'GET' | 'POST' | 'DELETE';

async function api(token: string | undefined, method: Method, url: string, body?: unknown) {
  return app.inject({
    method,
    url,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    ...(body === undefined ? {} : { payload: body as Record<string, unknown> }),
  });
}

function expectError(res: LightMyRequestResponse, status: number, code: string, message?: RegExp) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json() as { error: Record<string, unknown> };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(res.body).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  if (message) expect(String(body.error.message)).toMatch(message);
  return body.error;
}

/** A HubSpot delivery of one event, v3-signed over `signedUrl` (what HubSpot would call). */
function hubspotDelivery(
  connectionId: string,
  options: {
    type?: string;
    eventId?: number;
    body?: string;
    secret?: string;
    timestamp?: number;
    query?: string;
  } = {},
) {
  const path = `/webhooks/hubspot/${connectionId}${options.query ?? ''}`;
  const body =
    options.body ??
    JSON.stringify([
      {
        eventId: options.eventId ?? nextEventId++,
        subscriptionId: 1,
        portalId: sandbox.portalId,
        appId: 54321,
        occurredAt: Date.now(),
        subscriptionType: options.type ?? 'contact.creation',
        attemptNumber: 0,
        objectId: 501,
        changeSource: 'CRM',
      },
    ]);
  const timestamp = options.timestamp ?? Date.now();
  const signature = signHubSpotRequest('v3', options.secret ?? sandbox.oauth.clientSecret, {
    method: 'POST',
    url: `${PUBLIC_URL}${path}`,
    body,
    timestamp,
  });
  return {
    path,
    body,
    headers: {
      'x-hubspot-signature-v3': signature,
      'x-hubspot-request-timestamp': String(timestamp),
    } as Record<string, string>,
  };
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox();
  receiver = await startTriggerReceiver();
  const home = tempHome();
  runtime = await createRuntime({
    home,
    env: {
      OXYGEN_HOME: home,
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
      OXYGEN_HUBSPOT_CLIENT_ID: sandbox.oauth.clientId,
      OXYGEN_HUBSPOT_CLIENT_SECRET: sandbox.oauth.clientSecret,
    },
    resolveFrom: [packageDir],
    retry: { limit: 0 },
    publicUrl: PUBLIC_URL,
    delivery: { backoffMs: 100, maxAttempts: 3, timeoutMs: 2_000 },
  });
  app = await createServer({ runtime, publicUrl: PUBLIC_URL });
  orgA = (await runtime.orgs.create('Org A')).id;
  orgB = (await runtime.orgs.create('Org B')).id;
  tokenA = (await runtime.tokens.create(orgA, { name: 'a' })).token;
  tokenB = (await runtime.tokens.create(orgB, { name: 'b' })).token;
  connectionA = (await runtime.org(orgA).connect('hubspot', { apiKey: sandbox.token })).id;
});

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await sandbox?.close();
  await receiver?.close();
});

describe('authentication', () => {
  const routes: [Method, string, unknown?][] = [
    ['GET', '/v1/events'],
    ['POST', '/v1/events/enable', { source: 'hubspot', event: 'contact.created' }],
    ['POST', '/v1/events/disable', { source: 'hubspot', event: 'contact.created' }],
    ['GET', '/v1/events/deliveries'],
    ['POST', '/v1/events/deliveries/dlv_x/replay'],
    ['GET', '/v1/triggers'],
    ['POST', '/v1/triggers', { source: 'hubspot', event: 'contact.created', url: 'https://example.com/h' }],
    ['DELETE', '/v1/triggers/trg_x'],
  ];

  it('every events and triggers route needs a valid token', async () => {
    for (const [method, url, body] of routes) {
      expectError(await api(undefined, method, url, body), 401, 'auth', /token/);
      expectError(await api('oxy_not_a_token', method, url, body), 401, 'auth');
    }
    // Nothing was enabled or added by the refused requests.
    expect((await runtime.org(orgA).events.list()).some((e) => e.enabled)).toBe(false);
    expect(await runtime.org(orgA).triggers.list()).toEqual([]);
  });
});

describe('events', () => {
  it('GET /v1/events answers the catalog exactly as the runtime lists it', async () => {
    const res = await api(tokenA, 'GET', '/v1/events');
    expect(res.statusCode, res.body).toBe(200);
    const { events } = res.json() as { events: { source: string; event: string; enabled: boolean }[] };
    expect(events).toEqual(JSON.parse(JSON.stringify(await runtime.org(orgA).events.list())));
    expect(events.map((e) => `${e.source} ${e.event}`)).toEqual(
      expect.arrayContaining([
        'hubspot contact.created',
        'instantly email.reply_received',
        'attio record.created',
      ]),
    );
  });

  it('enable: HubSpot answers the setup steps without calling HubSpot, and twice is idempotent', async () => {
    const before = sandbox.requests.length;
    const res = await api(tokenA, 'POST', '/v1/events/enable', {
      source: 'hubspot',
      event: 'contact.created',
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as {
      created: boolean;
      subscription: { url: string; registration: string; setup: string[]; connection_id: string };
    };
    expect(body.created).toBe(true);
    expect(body.subscription).toMatchObject({
      registration: 'manual',
      connection_id: connectionA,
      url: `${PUBLIC_URL}/webhooks/hubspot/${connectionA}`,
    });
    expect(body.subscription.setup.join('\n')).toContain(body.subscription.url);
    expect(sandbox.requests.length).toBe(before);
    const again = await api(tokenA, 'POST', '/v1/events/enable', {
      source: 'hubspot',
      event: 'contact.created',
    });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...body, created: false });
  });

  it('enable refuses a missing field, an unknown source and an unknown event, listing the valid ones', async () => {
    const missing = expectError(
      await api(tokenA, 'POST', '/v1/events/enable', { source: 'hubspot' }),
      400,
      'validation',
    );
    expect(missing.field).toBe('event');
    const source = expectError(
      await api(tokenA, 'POST', '/v1/events/enable', { source: 'salesforce', event: 'x' }),
      400,
      'validation',
      /salesforce/,
    );
    expect(source.hint).toMatch(/hubspot/);
    const event = expectError(
      await api(tokenA, 'POST', '/v1/events/enable', { source: 'hubspot', event: 'contact.exploded' }),
      400,
      'validation',
      /contact\.exploded/,
    );
    expect(event.hint).toMatch(/contact\.created/);
    const notJson = await app.inject({
      method: 'POST',
      url: '/v1/events/enable',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/json' },
      payload: '{"source": "hubspot",',
    });
    expectError(notJson, 400, 'validation');
  });

  it('deliveries validates its query', async () => {
    expectError(await api(tokenA, 'GET', '/v1/events/deliveries?status=lost'), 400, 'validation', /status/);
    expectError(await api(tokenA, 'GET', '/v1/events/deliveries?limit=0'), 400, 'validation', /limit/);
    expectError(await api(tokenA, 'GET', '/v1/events/deliveries?limit=ten'), 400, 'validation', /limit/);
    expectError(
      await api(tokenA, 'GET', '/v1/events/deliveries?since=yesterday'),
      400,
      'validation',
      /since/,
    );
  });
});

describe('triggers', () => {
  it('add answers 201 with the secret once, then 200 without it; list and remove', async () => {
    const body = { source: 'hubspot', event: 'contact.created', url: 'https://example.com/hooks/a' };
    const first = await api(tokenA, 'POST', '/v1/triggers', body);
    expect(first.statusCode, first.body).toBe(201);
    const created = first.json() as {
      trigger: { id: string; url: string };
      created: boolean;
      secret: string;
    };
    expect(created.created).toBe(true);
    expect(created.secret).toMatch(/^whsec_/);
    const second = await api(tokenA, 'POST', '/v1/triggers', body);
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ trigger: created.trigger, created: false, secret: null });

    const listed = await api(tokenA, 'GET', '/v1/triggers?source=hubspot&event=contact.created');
    expect(listed.json()).toEqual({ triggers: [created.trigger] });
    expect((await api(tokenA, 'GET', '/v1/triggers?source=attio')).json()).toEqual({ triggers: [] });
    expect(JSON.stringify(listed.json())).not.toContain(created.secret);

    const removed = await api(tokenA, 'DELETE', `/v1/triggers/${created.trigger.id}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ trigger: created.trigger });
    expectError(await api(tokenA, 'DELETE', `/v1/triggers/${created.trigger.id}`), 404, 'not_found');
  });

  it('add refuses a bad URL or an unknown event', async () => {
    const bad = expectError(
      await api(tokenA, 'POST', '/v1/triggers', {
        source: 'hubspot',
        event: 'contact.created',
        url: 'ftp://x',
      }),
      400,
      'validation',
    );
    expect(bad.field).toBe('url');
    expectError(
      await api(tokenA, 'POST', '/v1/triggers', { source: 'hubspot', event: 'nope', url: 'https://e.com' }),
      400,
      'validation',
    );
    expectError(await api(tokenA, 'POST', '/v1/triggers', { source: 'hubspot' }), 400, 'validation');
  });
});

describe('the webhook ingress', () => {
  const deliveriesA = async () =>
    (await api(tokenA, 'GET', '/v1/events/deliveries?source=hubspot&limit=1000')).json() as {
      deliveries: DeliveryRecord[];
    };

  it('takes no API token and keeps the body byte for byte, whatever its content type', async () => {
    // Spacing and escapes that any re-serialisation would change: the signature covers these bytes.
    const body = `[ {"eventId":${nextEventId++},  "portalId":${sandbox.portalId},"occurredAt":${Date.now()},"subscriptionType":"contact.creation","objectId":"\\u0035\\u0030\\u0031","changeSource":"CRM"} ]\n`;
    for (const contentType of [
      'application/json',
      'text/plain; charset=utf-8',
      'application/x-custom',
      undefined,
    ]) {
      const d = hubspotDelivery(connectionA, {
        body: body.replace(/"eventId":\d+/, `"eventId":${nextEventId++}`),
      });
      const res = await app.inject({
        method: 'POST',
        url: d.path,
        headers: { ...d.headers, ...(contentType ? { 'content-type': contentType } : {}) },
        payload: d.body,
      });
      expect(res.statusCode, `${contentType}: ${res.body}`).toBe(200);
      expect(res.json()).toEqual({ accepted: 1, duplicate: 0, ignored: 0, rejected: 0 });
    }
  });

  it('rebuilds the signed URL from the public URL, whatever Host the request came with', async () => {
    const d = hubspotDelivery(connectionA, { query: '?portal=1' });
    const res = await app.inject({
      method: 'POST',
      url: d.path,
      headers: { ...d.headers, host: 'internal-lb.local:8080', 'content-type': 'application/json' },
      payload: d.body,
    });
    expect(res.statusCode, res.body).toBe(200);
    // Signed without the query string it does not match the URL HubSpot called.
    const unsigned = hubspotDelivery(connectionA);
    const wrongUrl = await app.inject({
      method: 'POST',
      url: `${unsigned.path}?portal=1`,
      headers: { ...unsigned.headers, 'content-type': 'application/json' },
      payload: unsigned.body,
    });
    expect(wrongUrl.statusCode).toBe(401);
  });

  it('answers a refused delivery with its reason, and records it as rejected', async () => {
    const bad = hubspotDelivery(connectionA, { secret: 'not-the-client-secret' });
    const res = await app.inject({ method: 'POST', url: bad.path, headers: bad.headers, payload: bad.body });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: { code: 'bad_signature', message: expect.any(String) } });

    const stale = hubspotDelivery(connectionA, { timestamp: Date.now() - 6 * 60_000 });
    const staleRes = await app.inject({
      method: 'POST',
      url: stale.path,
      headers: stale.headers,
      payload: stale.body,
    });
    expect(staleRes.statusCode).toBe(401);
    expect((staleRes.json() as { error: { code: string } }).error.code).toBe('stale_timestamp');

    const malformed = hubspotDelivery(connectionA, { body: '{"not": "an array"' });
    const malformedRes = await app.inject({
      method: 'POST',
      url: malformed.path,
      headers: malformed.headers,
      payload: malformed.body,
    });
    expect(malformedRes.statusCode).toBe(400);
    expect((malformedRes.json() as { error: { code: string } }).error.code).toBe('malformed');

    const rejected = (await deliveriesA()).deliveries.filter((d) => d.status === 'rejected');
    expect(rejected.map((d) => d.reason)).toEqual(
      expect.arrayContaining(['bad_signature', 'stale_timestamp', 'malformed']),
    );
    expect(JSON.stringify(rejected)).not.toContain(sandbox.oauth.clientSecret);
  });

  it('answers 404 for an unknown provider or endpoint, storing nothing', async () => {
    const rows = async () =>
      (await runtime.store.db.selectFrom('event_deliveries').select('id').execute()).length;
    const before = await rows();
    const d = hubspotDelivery('conn_unknown');
    expectError(
      await app.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body }),
      404,
      'not_found',
      /conn_unknown/,
    );
    expectError(
      await app.inject({ method: 'POST', url: '/webhooks/salesforce/x', payload: '{}' }),
      404,
      'not_found',
    );
    expect(await rows()).toBe(before);
  });

  it('refuses a body over 1 MiB with 413 in the error shape', async () => {
    const d = hubspotDelivery(connectionA, { body: `[${' '.repeat(1024 * 1024)}]` });
    const res = await app.inject({
      method: 'POST',
      url: d.path,
      headers: { ...d.headers, 'content-type': 'application/json' },
      payload: d.body,
    });
    expectError(res, 413, 'validation', /too large/i);
    // Exactly 1 MiB is still read (and refused by the signature check, not the size).
    const limit = hubspotDelivery(connectionA, { body: `[${' '.repeat(1024 * 1024 - 2)}]` });
    const ok = await app.inject({
      method: 'POST',
      url: limit.path,
      headers: { ...limit.headers, 'x-hubspot-signature-v3': 'x' },
      payload: limit.body,
    });
    expect(ok.statusCode).toBe(401);
  });

  it('a token-authenticated route still refuses raw bodies: the raw parser is the ingress route only', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/triggers',
      headers: { authorization: `Bearer ${tokenA}`, 'content-type': 'application/octet-stream' },
      payload: Buffer.from('{"source":"hubspot"}'),
    });
    expectError(res, 415, 'validation');
  });
});

describe('ingress over HTTP', () => {
  it('answers real HTTP deliveries (taken before Fastify) exactly as the route answers them', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const viaHttp = async (d: { path: string; body: string; headers: Record<string, string> }) => {
      const res = await fetch(`${base}${d.path}`, { method: 'POST', headers: d.headers, body: d.body });
      return {
        status: res.status,
        type: res.headers.get('content-type'),
        id: res.headers.get('x-request-id'),
        body: (await res.json()) as unknown,
      };
    };
    const viaRoute = async (d: { path: string; body: string; headers: Record<string, string> }) => {
      const res = await app.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body });
      return {
        status: res.statusCode,
        type: res.headers['content-type'],
        id: res.headers['x-request-id'],
        body: res.json() as unknown,
      };
    };
    const before = await runtime.org(orgA).events.deliveries({ limit: 1000 });
    const cases = [
      () => hubspotDelivery(connectionA), // accepted (not enabled: ignored), a new event each time
      () => hubspotDelivery(connectionA, { secret: 'wrong' }),
      () => hubspotDelivery(connectionA, { timestamp: Date.now() - 60 * 60 * 1000 }),
      () => hubspotDelivery(connectionA, { body: '{not json' }),
      () => hubspotDelivery(connectionA, { query: '?from=hubspot' }),
      () => hubspotDelivery('conn_unknown'),
      () => hubspotDelivery(connectionA, { body: `[${' '.repeat(1024 * 1024)}]` }),
    ];
    for (const make of cases) {
      const [http, route] = [await viaHttp(make()), await viaRoute(make())];
      expect(http.id).toMatch(/^req_[0-9A-Z]{26}$/);
      expect(route.id).toMatch(/^req_[0-9A-Z]{26}$/);
      expect({ ...http, id: 'req' }).toEqual({ ...route, id: 'req' });
    }
    // Each accepted or refused delivery is in the log once per path: the first five cases, twice.
    const after = await runtime.org(orgA).events.deliveries({ limit: 1000 });
    expect(after.length - before.length).toBe(10);
  });
});

describe('organizations', () => {
  it("never see each other's events, deliveries or triggers: another organization's ids are not found", async () => {
    // Org A: a delivery that had no trigger, then a trigger and a replay of it.
    const d = hubspotDelivery(connectionA);
    expect(
      (await app.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body })).statusCode,
    ).toBe(200);
    const [ignored] = (await api(tokenA, 'GET', '/v1/events/deliveries?status=ignored&limit=1')).json()
      .deliveries as DeliveryRecord[];
    expect(ignored).toMatchObject({ status: 'ignored', reason: 'no_trigger', source: 'hubspot' });
    const add = await api(tokenA, 'POST', '/v1/triggers', {
      source: 'hubspot',
      event: 'contact.created',
      url: `${receiver.url}/org-a`,
    });
    const { trigger, secret } = add.json() as { trigger: { id: string }; secret: string };

    // Org B sees none of it.
    const eventsB = (await api(tokenB, 'GET', '/v1/events')).json() as { events: { enabled: boolean }[] };
    expect(eventsB.events.some((e) => e.enabled)).toBe(false);
    expect((await api(tokenB, 'GET', '/v1/events/deliveries')).json()).toEqual({ deliveries: [] });
    expect((await api(tokenB, 'GET', '/v1/triggers')).json()).toEqual({ triggers: [] });
    expectError(await api(tokenB, 'POST', `/v1/events/deliveries/${ignored!.id}/replay`), 404, 'not_found');
    expectError(await api(tokenB, 'DELETE', `/v1/triggers/${trigger.id}`), 404, 'not_found');
    expect(
      (
        await api(tokenB, 'POST', '/v1/events/disable', { source: 'hubspot', event: 'contact.created' })
      ).json(),
    ).toMatchObject({
      subscription: null,
    });
    expect(receiver.on('/org-a')).toHaveLength(0);

    // Org A replays it: one new delivery, attempted at once, signed with the trigger's secret.
    const replay = await api(tokenA, 'POST', `/v1/events/deliveries/${ignored!.id}/replay`);
    expect(replay.statusCode, replay.body).toBe(200);
    const { deliveries } = replay.json() as { deliveries: DeliveryRecord[] };
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      status: 'delivered',
      replay_of: ignored!.id,
      attempts: 1,
      status_code: 200,
    });
    const [hit] = await until(
      () => receiver.on('/org-a'),
      (h) => h.length > 0,
    );
    expect(new Webhook(secret).verify(hit!.body, hit!.headers)).toMatchObject({
      source: 'hubspot',
      type: 'contact.created',
      organization_id: orgA,
    });

    // Disabling answers what it removed; the endpoint then records later deliveries as ignored.
    const disabled = await api(tokenA, 'POST', '/v1/events/disable', {
      source: 'hubspot',
      event: 'contact.created',
    });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json()).toMatchObject({
      removed_at_provider: false,
      subscription: { source: 'hubspot' },
    });
    const later = hubspotDelivery(connectionA);
    const res = await app.inject({
      method: 'POST',
      url: later.path,
      headers: later.headers,
      payload: later.body,
    });
    expect(res.json()).toEqual({ accepted: 0, duplicate: 0, ignored: 1, rejected: 0 });
  });
});

describe('logs', () => {
  it('carry no trigger secret, webhook signature or API token, at any level', async () => {
    const logs = logSink();
    const logged = await createServer({
      runtime,
      publicUrl: PUBLIC_URL,
      logger: { stream: logs.stream, level: 'trace' },
      worker: false,
    });
    try {
      const add = await logged.inject({
        method: 'POST',
        url: '/v1/triggers',
        headers: { authorization: `Bearer ${tokenA}` },
        payload: { source: 'hubspot', event: 'deal.created', url: `${receiver.url}/logs` },
      });
      const { secret } = add.json() as { secret: string };
      expect(secret).toMatch(/^whsec_/);
      const bad = hubspotDelivery(connectionA, { secret: 'not-the-client-secret' });
      const good = hubspotDelivery(connectionA);
      for (const d of [bad, good]) {
        await logged.inject({ method: 'POST', url: d.path, headers: d.headers, payload: d.body });
      }
      const text = logs.lines.join('\n');
      expect(text).toContain('webhook delivery refused: bad_signature');
      for (const secretValue of [
        secret,
        tokenA,
        sandbox.oauth.clientSecret,
        good.headers['x-hubspot-signature-v3']!,
        bad.headers['x-hubspot-signature-v3']!,
      ]) {
        expect(text).not.toContain(secretValue);
      }
    } finally {
      await logged.close();
    }
  });
});
