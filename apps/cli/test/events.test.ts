/**
 * Provider events and workflow triggers as a user runs them: the built `oxygen` binary, once on
 * the local embedded store and once through a shared server (OXYGEN_API_URL), against the
 * Instantly and HubSpot sandboxes. Instantly's sandbox registers the webhook `events enable`
 * creates and delivers to it through the real ingress (the runtime's `receiveWebhook` on the same
 * store locally, the server's `/webhooks` route remotely); a receiver in this process stands in
 * for the workflow and checks each trigger delivery's Standard Webhooks signature.
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '@oxygen/core';
import attio from '@oxygen/provider-attio';
import hubspot from '@oxygen/provider-hubspot';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import instantly from '@oxygen/provider-instantly';
import { type InstantlySandbox, startInstantlySandbox } from '@oxygen/provider-instantly/sandbox';
import { createRuntime, type DeliveryWorker, type Runtime } from '@oxygen/runtime';
import { createServer } from '@oxygen/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, oxygen, tempHome } from './helpers.js';

const cliDir = dirname(dirname(fileURLToPath(import.meta.url)));
const nodePath = process.env.NODE_PATH ? { NODE_PATH: process.env.NODE_PATH } : {};
const pgUrl = process.env.OXYGEN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SECRET_HEADER = 'x-oxygen-webhook-secret';
/** Short retries, the same in the CLI processes, the local ingress and the server. */
const DELIVERY = { maxAttempts: 3, backoffMs: 100, timeoutMs: 5_000 };
const DELIVERY_ENV = {
  OXYGEN_DELIVERY_MAX_ATTEMPTS: String(DELIVERY.maxAttempts),
  OXYGEN_DELIVERY_BACKOFF_MS: String(DELIVERY.backoffMs),
  OXYGEN_DELIVERY_TIMEOUT_MS: String(DELIVERY.timeoutMs),
};

async function pgAvailable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function pgQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

function listen(server: Server, port = 0): Promise<string> {
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function closeServer(server: Server | undefined): Promise<void> {
  return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
}

async function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A free local port (for a server whose public URL must be known before it starts). */
async function freePort(): Promise<number> {
  const probe = createHttpServer();
  const url = await listen(probe);
  await closeServer(probe);
  return Number(new URL(url).port);
}

/** The workflow end of a trigger: records each POST. */
interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** Checks a Standard Webhooks signature (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`). */
function signedWith(secret: string, r: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`)
    .digest();
  return (r.headers['webhook-signature'] ?? '').split(' ').some((sig) => {
    const [version, value] = sig.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Where the scenario runs: the CLI's environment and what receives Instantly's deliveries. */
interface Mode {
  name: 'local' | 'client';
  env: NodeJS.ProcessEnv;
  /** The URL Instantly's webhooks are registered at (`<publicUrl>/webhooks/instantly/sub_…`). */
  publicUrl: string;
  organizationId: string;
  /** Starts trigger deliveries in this process (the server's worker, or the local one). */
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
}

interface Step {
  name: string;
  args: string[];
  result: CliResult;
}

/** Runs the scenario in one mode and returns every step, by name. */
async function scenario(
  mode: Mode,
  ist: InstantlySandbox,
  hs: HubSpotSandbox,
  received: Received[],
  receiverUrl: string,
  seen: string[],
): Promise<{
  steps: Map<string, Step>;
  order: Step[];
  secret: string;
  subscriptionSecret: string;
  webhookId: string;
}> {
  const steps = new Map<string, Step>();
  const order: Step[] = [];
  const run = async (name: string, args: string[], stdin?: string) => {
    const result = await oxygen(args, { env: mode.env, stdin });
    seen.push(result.stdout, result.stderr);
    const step = { name, args, result };
    steps.set(name, step);
    order.push(step);
    return result;
  };
  const ok = async <T>(name: string, args: string[], stdin?: string): Promise<T> => {
    const r = await run(name, args, stdin);
    expect(r.code, `${mode.name} ${name}: ${r.stderr}`).toBe(0);
    return (args.includes('--json') ? r.json() : r.stdout) as T;
  };
  /** A refusal: the exit status, nothing on stdout, one line on stderr. */
  const refused = async (name: string, args: string[], exit: number) => {
    const r = await run(name, args);
    expect(r.code, `${mode.name} ${name}: ${r.stderr}`).toBe(exit);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    return r.stderr;
  };

  // The catalog, before anything is enabled.
  await ok('list', ['integrations', 'events', 'list', '--json']);
  await ok('list human', ['integrations', 'events', 'list', '--source', 'instantly']);
  await refused('list unknown source', ['integrations', 'events', 'list', '--source', 'salesforge'], 2);

  await ok(
    'connect instantly',
    ['integrations', 'connect', 'instantly', '--api-key-stdin', '--json'],
    ist.token,
  );
  const hubspotConn = await ok<{ id: string }>(
    'connect hubspot',
    ['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'],
    hs.token,
  );

  // Enabling: Instantly through its API (once), HubSpot by hand.
  const reply = ['--source', 'instantly', '--event', 'email.reply_received'];
  await ok('enable instantly', ['integrations', 'events', 'enable', ...reply, '--json']);
  await ok('enable instantly again', ['integrations', 'events', 'enable', ...reply]);
  await ok('enable instantly again json', ['integrations', 'events', 'enable', ...reply, '--json']);
  const contact = ['--source', 'hubspot', '--event', 'contact.created'];
  await ok('enable hubspot', ['integrations', 'events', 'enable', ...contact]);
  await ok('enable hubspot json', ['integrations', 'events', 'enable', ...contact, '--json']);
  await refused(
    'enable unknown source',
    ['integrations', 'events', 'enable', '--source', 'salesforge', '--event', 'x', '--json'],
    2,
  );
  await refused(
    'enable unknown event',
    ['integrations', 'events', 'enable', '--source', 'instantly', '--event', 'email.exploded', '--json'],
    2,
  );
  await refused(
    'enable no source',
    ['integrations', 'events', 'enable', '--event', 'email.reply_received'],
    2,
  );
  await refused(
    'enable no event',
    ['integrations', 'events', 'enable', '--source', 'instantly', '--json'],
    2,
  );
  await refused(
    'enable on another provider',
    [
      'integrations',
      'events',
      'enable',
      ...reply.slice(0, 2),
      '--event',
      'email.opened',
      '--connection',
      hubspotConn.id,
      '--json',
    ],
    2,
  );
  await ok('list enabled', ['integrations', 'events', 'list', '--json']);
  await ok('list enabled human', ['integrations', 'events', 'list']);

  // Triggers: the secret once, never again.
  const url = `${receiverUrl}/replies`;
  await refused('add no url', ['workflows', 'triggers', 'add', ...reply], 2);
  await refused(
    'add unknown event',
    ['workflows', 'triggers', 'add', '--source', 'instantly', '--event', 'email.exploded', '--url', url],
    2,
  );
  const added = await ok<string>('add', ['workflows', 'triggers', 'add', ...reply, '--url', url]);
  const secret = /Signing secret: (whsec_\S+)/.exec(added)?.[1] ?? '';
  await ok('add again', ['workflows', 'triggers', 'add', ...reply, '--url', url, '--json']);
  await ok('add opened', [
    'workflows',
    'triggers',
    'add',
    '--source',
    'instantly',
    '--event',
    'email.opened',
    '--url',
    `${receiverUrl}/opened`,
    '--json',
  ]);
  await ok('triggers list', ['workflows', 'triggers', 'list', '--json']);
  await ok('triggers list human', ['workflows', 'triggers', 'list']);
  const opened = await ok<{ id: string }[]>('triggers list opened', [
    'workflows',
    'triggers',
    'list',
    '--event',
    'email.opened',
    '--json',
  ]);
  await ok('remove', ['workflows', 'triggers', 'remove', opened[0]?.id ?? '', '--json']);
  await refused('remove again', ['workflows', 'triggers', 'remove', opened[0]?.id ?? '', '--json'], 4);
  await ok('triggers list after remove', ['workflows', 'triggers', 'list', '--json']);

  // Events arrive: a reply (delivered to the trigger), the same delivery again (a duplicate), a
  // wrong secret (rejected) and an event nobody enabled (ignored).
  await mode.startWorker();
  const lead =
    [...ist.leads.values()].find((l) => l.email === 'ada@example.com') ?? [...ist.leads.values()][0]!;
  ist.receiveReply(lead.id, { text: 'Yes, let us talk on Tuesday.' });
  const [delivery] = await ist.emitWebhook({ event: 'reply_received' });
  expect(delivery?.status, `${mode.name}: ${delivery?.response}`).toBe(200);
  await until('the trigger delivery', () => received.length === 1);
  expect((await ist.redeliverWebhook(delivery!)).status).toBe(200);
  const [wrong] = await ist.emitWebhook({ event: 'reply_received', secret: 'not-the-secret' });
  expect(wrong?.status).toBe(401);
  const webhook = [...ist.webhooks.values()][0]!;
  const subscriptionSecret = webhook.headers?.[SECRET_HEADER] ?? '';
  const webhookId = webhook.id;
  const ignored = await ist.sendWebhook({
    url: webhook.target_hook_url,
    event: 'email_opened',
    headers: webhook.headers ?? {},
  });
  expect(ignored.status).toBe(200);
  await new Promise((r) => setTimeout(r, 300)); // nothing more goes out
  await mode.stopWorker();
  expect(received).toHaveLength(1);

  // The deliveries log and its filters.
  await ok('deliveries', ['integrations', 'events', 'deliveries', '--json']);
  await ok('deliveries human', ['integrations', 'events', 'deliveries']);
  await ok('deliveries delivered', [
    'integrations',
    'events',
    'deliveries',
    '--status',
    'delivered',
    '--json',
  ]);
  await ok('deliveries reply', ['integrations', 'events', 'deliveries', ...reply, '--json']);
  await ok('deliveries opened', [
    'integrations',
    'events',
    'deliveries',
    '--event',
    'email.opened',
    '--json',
  ]);
  await ok('deliveries limit', ['integrations', 'events', 'deliveries', '--limit', '1', '--json']);
  await ok('deliveries since', ['integrations', 'events', 'deliveries', '--since', '1h', '--json']);
  await ok('deliveries future', [
    'integrations',
    'events',
    'deliveries',
    '--since',
    '2099-01-01T00:00:00Z',
    '--json',
  ]);
  await ok('deliveries future human', [
    'integrations',
    'events',
    'deliveries',
    '--since',
    '2099-01-01T00:00:00Z',
  ]);
  await refused('deliveries bad status', ['integrations', 'events', 'deliveries', '--status', 'lost'], 2);
  await refused('deliveries limit 0', ['integrations', 'events', 'deliveries', '--limit', '0', '--json'], 2);
  await refused('deliveries limit 1001', ['integrations', 'events', 'deliveries', '--limit', '1001'], 2);
  await refused('deliveries bad since', ['integrations', 'events', 'deliveries', '--since', 'yesterday'], 2);

  // Replays: attempted once before the command returns, with no worker running.
  const log = steps.get('deliveries')!.result.json() as { id: string; status: string }[];
  const deliveredId = log.find((d) => d.status === 'delivered')?.id ?? '';
  const rejectedId = log.find((d) => d.status === 'rejected')?.id ?? '';
  await ok('replay', ['integrations', 'events', 'replay', deliveredId, '--json']);
  await ok('replay human', ['integrations', 'events', 'replay', deliveredId]);
  await refused('replay rejected', ['integrations', 'events', 'replay', rejectedId, '--json'], 2);
  await refused('replay unknown', ['integrations', 'events', 'replay', 'dlv_00000000000000000000000000'], 4);
  await ok('deliveries after replay', [
    'integrations',
    'events',
    'deliveries',
    '--status',
    'delivered',
    '--json',
  ]);

  // Disabling: the webhook goes at Instantly; HubSpot's must be removed by hand.
  await ok('disable instantly', ['integrations', 'events', 'disable', ...reply, '--json']);
  await ok('disable instantly again', ['integrations', 'events', 'disable', ...reply]);
  await ok('disable hubspot', ['integrations', 'events', 'disable', ...contact]);
  await refused('disable no event', ['integrations', 'events', 'disable', '--source', 'hubspot'], 2);
  await ok('list disabled', ['integrations', 'events', 'list', '--json']);
  return { steps, order, secret, subscriptionSecret, webhookId };
}

/** Replaces what differs by nature between two runs, keeping which id is which. */
function normaliser(mode: Mode): (text: string) => string {
  const seen = new Map<string, string>();
  const counters = new Map<string, number>();
  const ordinal = (prefix: string, value: string) => {
    let name = seen.get(value);
    if (!name) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      name = `${prefix}#${n}`;
      seen.set(value, name);
    }
    return name;
  };
  return (text) =>
    text
      .replaceAll(mode.publicUrl, 'PUBLIC')
      .replace(/\b(conn|sub|trg|dlv|evt)_[0-9A-Z]{26}\b/g, (id, prefix: string) =>
        id.endsWith('00000000000000000000000000') ? id : ordinal(prefix, id),
      )
      .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => ordinal('uuid', id))
      .replace(/whsec_[A-Za-z0-9+/=]+/g, 'whsec_SECRET')
      .replace(/\b[0-9a-f]{64}\b/g, 'SHA256')
      .replaceAll(mode.organizationId, 'ORG')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME')
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)? UTC/g, 'TIME')
      .replace(/"duration_ms": \d+/g, '"duration_ms": N')
      .replace(/\d+ ms\b/g, 'N ms')
      .replace(/ {2,}/g, '  ');
}

let ist: InstantlySandbox;
let hs: HubSpotSandbox;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
const seen: string[] = [];
/** The server's log lines (client mode). */
const logs: string[] = [];

beforeAll(async () => {
  // No retries by the sandbox: a refused delivery is refused once.
  ist = await startInstantlySandbox({ webhookRetryDelaysMs: [] });
  hs = await startHubSpotSandbox();
  receiver = createHttpServer(async (req, res) => {
    const body = (await readBody(req)).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    received.push({ path: req.url ?? '', headers, body });
    res.writeHead(204).end();
  });
  receiverUrl = await listen(receiver);
});

afterAll(async () => {
  await closeServer(receiver);
  await ist?.close();
  await hs?.close();
});

const providerEnv = () => ({
  OXYGEN_PROVIDER_INSTANTLY_BASE_URL: ist.url,
  OXYGEN_PROVIDER_HUBSPOT_BASE_URL: hs.url,
});

describe('oxygen integrations events and workflows triggers', { timeout: 180_000 }, () => {
  let local: Awaited<ReturnType<typeof scenario>>;
  let localMode: Mode;
  /** Instantly subscription secrets and trigger secrets of both runs. */
  const secrets: string[] = [];
  const triggerSecrets: string[] = [];

  it('on the local store: enable, triggers, deliveries and replay', async () => {
    const home = tempHome();
    // The ingress Instantly delivers to: the runtime's own, on the CLI's store, in this process.
    let runtime: Runtime | undefined;
    let worker: DeliveryWorker | undefined;
    const open = () =>
      createRuntime({
        env: { OXYGEN_HOME: home, ...providerEnv() },
        resolveFrom: [cliDir],
        publicUrl: ingressUrl,
        delivery: DELIVERY,
      });
    const ingress = createHttpServer(async (req, res) => {
      const rawBody = await readBody(req);
      const [, , provider = '', endpoint = ''] = (req.url ?? '').split('?')[0]!.split('/');
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      try {
        runtime ??= await open();
        const outcome = await runtime.receiveWebhook(provider, endpoint, {
          method: req.method ?? 'POST',
          url: `${ingressUrl}${req.url}`,
          headers,
          rawBody,
        });
        res.writeHead(outcome.status, { 'content-type': 'application/json' }).end(JSON.stringify(outcome));
      } catch (error) {
        res.writeHead(NotFoundError.isInstance(error) ? 404 : 500).end(String(error));
      }
    });
    const ingressUrl = await listen(ingress);
    // An organization of its own (the same id shape as the server's), so clipped table cells
    // clip at the same place in both runs.
    const created = await oxygen(['orgs', 'create', 'Events Co', '--json'], { env: { OXYGEN_HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    const orgId = (created.json() as { id: string }).id;
    localMode = {
      name: 'local',
      env: {
        ...nodePath,
        OXYGEN_HOME: home,
        OXYGEN_ORG: orgId,
        OXYGEN_PUBLIC_URL: ingressUrl,
        ...providerEnv(),
        ...DELIVERY_ENV,
      },
      publicUrl: ingressUrl,
      organizationId: orgId,
      async startWorker() {
        runtime ??= await open();
        worker = await runtime.startDeliveryWorker();
      },
      async stopWorker() {
        await worker?.stop();
        // Closed, so the CLI's replay is the only thing that can deliver.
        await runtime?.close();
        runtime = undefined;
      },
    };
    received.length = 0;
    try {
      local = await scenario(localMode, ist, hs, received, receiverUrl, seen);
    } finally {
      await closeServer(ingress);
      await runtime?.close();
    }
    secrets.push(local.subscriptionSecret);
    triggerSecrets.push(local.secret);
    const { steps } = local;
    const json = <T = Record<string, unknown>>(name: string) => steps.get(name)!.result.json() as T;
    const out = (name: string) => steps.get(name)!.result.stdout;
    const err = (name: string) => steps.get(name)!.result.stderr;

    // Every declared event of the three providers, with its schema, none enabled.
    type Entry = {
      source: string;
      event: string;
      schema: Record<string, unknown>;
      enabled: boolean;
      connection_id: string | null;
      url: string | null;
    };
    const catalog = json<Entry[]>('list');
    const declared = [hubspot, attio, instantly].flatMap((p) =>
      (p.events ?? []).map((e) => `${p.id} ${e.type}`),
    );
    expect(declared.length).toBeGreaterThan(15);
    expect(catalog.map((e) => `${e.source} ${e.event}`).sort()).toEqual([...declared].sort());
    for (const e of catalog) {
      expect(e.enabled, `${e.source} ${e.event}`).toBe(false);
      expect(e.connection_id).toBeNull();
      expect(e.schema).toMatchObject({ type: 'object' });
    }
    expect(out('list human').split('\n')[0]).toMatch(/^SOURCE\s+EVENT\s+ENABLED\s+CONNECTION$/);
    expect(out('list human')).toMatch(/^instantly\s+email\.reply_received\s+no\s+-$/m);
    expect(out('list human')).not.toMatch(/^hubspot/m);
    expect(err('list unknown source')).toBe(
      'error: Unknown event source "salesforge". Sources with events: hubspot, attio, instantly.\n',
    );

    // Enabled at Instantly once: one POST /api/v2/webhooks with our URL; the second changed nothing.
    const conn = json<{ id: string }>('connect instantly').id;
    const enabled = json<{ created: boolean; subscription: Record<string, unknown> }>('enable instantly');
    expect(enabled.created).toBe(true);
    const sub = enabled.subscription;
    expect(sub).toMatchObject({
      source: 'instantly',
      event: 'email.reply_received',
      connection_id: conn,
      registration: 'registered',
      setup: null,
    });
    expect(String(sub.url)).toMatch(
      new RegExp(`^${localMode.publicUrl}/webhooks/instantly/sub_[0-9A-Z]{26}$`),
    );
    const creates = ist.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/webhooks');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.body).toMatchObject({ target_hook_url: sub.url, event_type: 'reply_received' });
    expect(sub.provider_subscription_id).toBe(local.webhookId);
    expect(out('enable instantly again')).toBe(
      `instantly email.reply_received was already enabled on integration ${conn}; nothing changed.\nDeliveries come to ${sub.url} (instantly webhook ${sub.provider_subscription_id}).\n`,
    );
    expect(json('enable instantly again json')).toEqual({ created: false, subscription: sub });

    // HubSpot: numbered steps to take in its settings.
    const hubspotSteps = out('enable hubspot').split('\n');
    expect(hubspotSteps[0]).toMatch(/^Enabled hubspot contact\.created on integration conn_[0-9A-Z]{26}\.$/);
    expect(hubspotSteps).toContain("To finish, in hubspot's settings (its API cannot subscribe to events):");
    const numbered = hubspotSteps.filter((l) => /^ {2}\d+\. /.test(l));
    expect(numbered.length).toBeGreaterThan(3);
    expect(numbered.map((l) => Number(/\d+/.exec(l)?.[0]))).toEqual(numbered.map((_, i) => i + 1));
    expect(out('enable hubspot')).toContain(`${localMode.publicUrl}/webhooks/hubspot/conn_`);
    expect(out('enable hubspot')).toContain('contact.creation');
    expect(json('enable hubspot json')).toMatchObject({
      created: false,
      subscription: { registration: 'manual', provider_subscription_id: null, setup: expect.any(Array) },
    });

    // Unknown source or event: the valid ones, from the runtime.
    const unknownSource = JSON.parse(err('enable unknown source')).error;
    expect(unknownSource).toMatchObject({ code: 'validation', field: 'source' });
    expect(unknownSource.hint).toBe('Sources with events: hubspot, attio, instantly.');
    const unknownEvent = JSON.parse(err('enable unknown event')).error;
    expect(unknownEvent.message).toBe('Instantly has no event "email.exploded".');
    expect(unknownEvent.hint).toContain('email.reply_received');
    expect(err('enable no source')).toMatch(/^error: Missing --source: /);
    expect(JSON.parse(err('enable no event')).error).toMatchObject({ code: 'validation', field: 'event' });
    expect(JSON.parse(err('enable no event')).error.message).toMatch(/^Missing --event: /);
    expect(JSON.parse(err('enable on another provider')).error).toMatchObject({
      code: 'validation',
      field: 'connection',
      message: `Integration ${json<{ id: string }>('connect hubspot').id} is hubspot, not instantly.`,
    });
    expect(ist.requests.filter((r) => r.method === 'POST' && r.path === '/api/v2/webhooks')).toHaveLength(1);
    expect(err('add unknown event')).toMatch(
      /^error: Instantly has no event "email\.exploded"\. instantly events: .*email\.reply_received/,
    );

    const enabledNow = json<Entry[]>('list enabled').filter((e) => e.enabled);
    expect(enabledNow.map((e) => [e.source, e.event, e.url])).toEqual([
      ['hubspot', 'contact.created', expect.stringContaining('/webhooks/hubspot/conn_')],
      ['instantly', 'email.reply_received', sub.url],
    ]);
    expect(out('list enabled human')).toMatch(
      new RegExp(`^instantly\\s+email\\.reply_received\\s+yes\\s+${conn}$`, 'm'),
    );

    // Triggers: the secret printed once, with the warning; never in the list.
    expect(err('add no url')).toMatch(/^error: Missing --url: /);
    expect(local.secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(out('add')).toContain('Store it now: it will not be shown again.');
    const again = json<{ created: boolean; secret: string | null; trigger: { id: string } }>('add again');
    expect(again).toMatchObject({ created: false, secret: null });
    expect(json<{ secret: string }>('add opened').secret).toMatch(/^whsec_/);
    const triggers = json<Record<string, unknown>[]>('triggers list');
    expect(triggers.map((t) => [t.event, t.url])).toEqual([
      ['email.reply_received', `${receiverUrl}/replies`],
      ['email.opened', `${receiverUrl}/opened`],
    ]);
    expect(Object.keys(triggers[0]!).sort()).toEqual([
      'created_at',
      'event',
      'id',
      'organization_id',
      'source',
      'url',
    ]);
    expect(out('triggers list human').split('\n')[0]).toMatch(/^ID\s+SOURCE\s+EVENT\s+URL\s+CREATED$/);
    for (const name of ['triggers list', 'triggers list human', 'add again', 'triggers list after remove']) {
      expect(out(name)).not.toContain('whsec_');
    }
    expect(json<{ event: string }>('remove')).toMatchObject({ event: 'email.opened' });
    expect(JSON.parse(err('remove again')).error.code).toBe('not_found');
    expect(json<{ id: string }[]>('triggers list after remove').map((t) => t.id)).toEqual([again.trigger.id]);

    // The event reached the trigger once, signed with the secret printed.
    expect(received[0]?.path).toBe('/replies');
    expect(signedWith(local.secret, received[0]!)).toBe(true);
    expect(JSON.parse(received[0]!.body)).toMatchObject({
      source: 'instantly',
      type: 'email.reply_received',
      connection_id: conn,
    });

    // The deliveries log: one row per event and target, newest first, with the reasons.
    type Delivery = {
      id: string;
      status: string;
      reason: string | null;
      event: string | null;
      attempts: number;
      status_code: number | null;
      replay_of: string | null;
      url: string | null;
      trigger_id: string | null;
    };
    const log = json<Delivery[]>('deliveries');
    expect(log.map((d) => [d.status, d.event, d.reason])).toEqual([
      ['ignored', 'email.opened', 'not_enabled'],
      ['rejected', null, 'bad_signature'],
      ['duplicate', 'email.reply_received', 'duplicate'],
      ['delivered', 'email.reply_received', null],
    ]);
    expect(log[3]).toMatchObject({ attempts: 1, status_code: 204, url: `${receiverUrl}/replies` });
    const human = out('deliveries human').split('\n');
    expect(human[0]).toMatch(/^ID\s+TIME\s+SOURCE\s+EVENT\s+STATUS\s+ATTEMPTS\s+CODE\s+REASON\/DETAIL$/);
    expect(human.find((l) => l.startsWith(log[3]!.id))).toMatch(
      /UTC\s+instantly\s+email\.reply_received\s+delivered\s+1\/3\s+204\s+\d+ ms to http:/,
    );
    expect(human.find((l) => l.startsWith(log[1]!.id))).toMatch(/\s+rejected\s+-\s+-\s+bad_signature: /);
    expect(human.find((l) => l.startsWith(log[0]!.id))).toMatch(/\s+ignored\s+-\s+-\s+not_enabled/);
    expect(json<Delivery[]>('deliveries delivered').map((d) => d.id)).toEqual([log[3]!.id]);
    expect(json<Delivery[]>('deliveries reply').map((d) => d.id)).toEqual([log[2]!.id, log[3]!.id]);
    expect(json<Delivery[]>('deliveries opened').map((d) => d.id)).toEqual([log[0]!.id]);
    expect(json<Delivery[]>('deliveries limit').map((d) => d.id)).toEqual([log[0]!.id]);
    expect(json<Delivery[]>('deliveries since')).toEqual(log);
    expect(json('deliveries future')).toEqual([]);
    expect(out('deliveries future human')).toBe(
      `No deliveries in organization ${localMode.organizationId} match these filters.\n`,
    );
    expect(err('deliveries bad status')).toBe(
      'error: Unknown delivery status "lost". --status takes one of: pending, delivered, retrying, failed, ignored, rejected, duplicate.\n',
    );
    expect(JSON.parse(err('deliveries limit 0')).error).toMatchObject({ code: 'validation', field: 'limit' });
    expect(err('deliveries limit 1001')).toMatch(
      /^error: --limit must be a whole number from 1 to 1000, not "1001"\./,
    );
    expect(err('deliveries bad since')).toMatch(
      /^error: --since "yesterday" is neither a time nor a duration\./,
    );

    // Replay, inline in the CLI process (no server, no worker): delivered again, the same event.
    const replayed = json<Delivery[]>('replay');
    expect(replayed).toHaveLength(1);
    expect(replayed[0]).toMatchObject({
      status: 'delivered',
      attempts: 1,
      status_code: 204,
      replay_of: log[3]!.id,
    });
    expect(out('replay human')).toMatch(
      new RegExp(
        `^Replayed ${log[3]!.id} as dlv_[0-9A-Z]{26} to ${receiverUrl}/replies: delivered \\(HTTP 204, \\d+ ms\\)\\.\\n$`,
      ),
    );
    expect(received).toHaveLength(3);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual(
      Array(3).fill(received[0]!.headers['webhook-id']),
    );
    expect(received.every((r) => signedWith(local.secret, r))).toBe(true);
    expect(JSON.parse(err('replay rejected')).error.code).toBe('validation');
    expect(json<Delivery[]>('deliveries after replay').map((d) => d.replay_of)).toEqual([
      log[3]!.id,
      log[3]!.id,
      null,
    ]);

    // Disabled: deleted at Instantly; HubSpot's left to the person, said so.
    expect(json('disable instantly')).toMatchObject({
      removed_at_provider: true,
      warnings: [],
      subscription: { id: sub.id },
    });
    expect(ist.requests.filter((r) => r.method === 'DELETE').map((r) => r.path)).toEqual([
      `/api/v2/webhooks/${sub.provider_subscription_id}`,
    ]);
    expect(ist.webhooks.size).toBe(0);
    expect(out('disable instantly again')).toBe(
      'instantly email.reply_received was not enabled; nothing changed.\n',
    );
    expect(out('disable hubspot')).toMatch(
      /^Disabled hubspot contact\.created; its deliveries are now ignored\.\nStill to do: Remove the HubSpot webhook/,
    );
    expect(json<Entry[]>('list disabled').filter((e) => e.enabled)).toEqual([]);
  });

  it('through a server (OXYGEN_API_URL): the same output, step by step', async () => {
    expect(local, 'the local run').toBeDefined();
    const onPg = await pgAvailable();
    const schema = `oxygen_cli_events_${randomBytes(6).toString('hex')}`;
    const port = await freePort();
    const apiUrl = `http://127.0.0.1:${port}`;
    const runtime = await createRuntime({
      ...(onPg ? { databaseUrl: pgUrl, schema } : {}),
      env: {
        OXYGEN_HOME: tempHome(),
        OXYGEN_MASTER_KEY: randomBytes(32).toString('base64'),
        ...providerEnv(),
      },
      resolveFrom: [cliDir],
      publicUrl: apiUrl,
      delivery: DELIVERY,
    });
    const app = await createServer({
      runtime,
      publicUrl: apiUrl,
      worker: false,
      logger: { stream: { write: (line: string) => void logs.push(line) } },
    });
    let worker: DeliveryWorker | undefined;
    try {
      await app.listen({ port, host: '127.0.0.1' });
      const orgId = (await runtime.orgs.create('Events Co')).id;
      const token = (await runtime.tokens.create(orgId, { name: 'cli' })).token;
      const clientMode: Mode = {
        name: 'client',
        env: { ...nodePath, OXYGEN_HOME: tempHome(), OXYGEN_API_URL: apiUrl, OXYGEN_API_TOKEN: token },
        publicUrl: apiUrl,
        organizationId: orgId,
        async startWorker() {
          worker = await runtime.startDeliveryWorker();
        },
        async stopWorker() {
          await worker?.stop();
          worker = undefined;
        },
      };
      ist.reset();
      hs.reset();
      received.length = 0;
      const remote = await scenario(clientMode, ist, hs, received, receiverUrl, seen).catch((error) => {
        // What the server said about it (its errors are logged, not answered).
        for (const line of logs) if (/"level":(50|60)/.test(line)) process.stderr.write(line);
        throw error;
      });
      secrets.push(remote.subscriptionSecret);
      triggerSecrets.push(remote.secret);
      // The server logged every request, and none of the secrets.
      expect(logs.length).toBeGreaterThan(50);
      const logged = logs.join('');
      for (const s of [token, ist.token, hs.token, remote.secret, remote.subscriptionSecret]) {
        expect(logged).not.toContain(s);
      }
      const a = normaliser(localMode);
      const b = normaliser(clientMode);
      const view = (steps: Step[], n: (t: string) => string) =>
        steps.map((s) => ({
          step: s.name,
          code: s.result.code,
          stdout: n(s.result.stdout),
          stderr: n(s.result.stderr),
        }));
      const left = view(local.order, a);
      const right = view(remote.order, b);
      expect(right.map((s) => s.step)).toEqual(left.map((s) => s.step));
      for (let i = 0; i < left.length; i++) expect(right[i], left[i]!.step).toEqual(left[i]);
      // Not the same thing twice by accident: the server's store has the subscription history.
      expect(received).toHaveLength(3);
      expect(received.every((r) => signedWith(remote.secret, r))).toBe(true);
      expect(await runtime.org(orgId).events.deliveries()).toHaveLength(6);
      expect(remote.subscriptionSecret.length).toBeGreaterThan(20);
    } finally {
      await worker?.stop();
      await app.close();
      await runtime.close();
      if (onPg)
        await pgQuery(
          `drop schema if exists "${schema}" cascade; drop schema if exists "${schema}_jobs" cascade`,
        ).catch(() => {});
    }
  });

  it('prints no key or subscription secret, and each trigger secret only once, on creation', () => {
    expect(secrets.length, 'the runs above recorded their secrets').toBeGreaterThan(0);
    const printed = seen.join('\n');
    for (const s of [ist.token, hs.token, ...secrets]) {
      expect(s.length).toBeGreaterThan(10);
      expect(printed).not.toContain(s);
    }
    for (const s of triggerSecrets) expect(printed.split(s)).toHaveLength(2);
  });
});
