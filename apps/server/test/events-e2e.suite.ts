/**
 * Provider events end to end, against the real provider sandboxes and a listening server on the
 * store under test: an event enabled through the API (Instantly and Attio register a webhook
 * with the sandbox's API; HubSpot answers setup steps), fired by the sandbox the way the provider
 * signs it, verified by the plugin's own code at the ingress, reaches a trigger URL once, signed
 * with Standard Webhooks, within a second. Provider retries are delivered once; tampered bodies,
 * wrong secrets and stale timestamps are rejected with the reason; events that are not enabled
 * are ignored; a trigger URL failing twice gets its event on the third attempt.
 */

import { randomBytes } from 'node:crypto';
import { type AttioSandbox, startAttioSandbox } from '@oxygen/provider-attio/sandbox';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { type InstantlySandbox, startInstantlySandbox } from '@oxygen/provider-instantly/sandbox';
import type { DeliveryRecord } from '@oxygen/runtime';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, type StartServerOptions, startServer } from '../src/index.js';
import { freePort, packageDir, startTriggerReceiver, type TriggerReceiver, until } from './helpers.js';

/** Where the store under test is: startServer options (home, or databaseUrl and schema) and env. */
export type StoreOptions = () => Pick<StartServerOptions, 'home' | 'databaseUrl' | 'schema'> & {
  env: NodeJS.ProcessEnv;
};

/** A normalized event as a trigger URL receives it. */
interface Delivered {
  id: string;
  source: string;
  type: string;
  occurred_at: string;
  organization_id: string;
  connection_id: string;
  data: Record<string, unknown>;
}

/** A JSON answer, read field by field in the assertions. */
// biome-ignore lint/suspicious/noExplicitAny: assertions check the shape
type Json = any;

interface Stack {
  server: RunningServer;
  org: string;
  token: string;
  api(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Json }>;
  deliveries(query?: Record<string, string>): Promise<DeliveryRecord[]>;
  close(): Promise<void>;
}

export function describeEndToEnd(name: string, store: StoreOptions): void {
  describe(name, () => {
    let hubspot: HubSpotSandbox;
    let instantly: InstantlySandbox;
    let attio: AttioSandbox;
    let receiver: TriggerReceiver;
    /** The Attio sandbox delivers to https URLs only: this stands for the TLS proxy in front. */
    const ATTIO_PUBLIC = `https://oxygen-${randomBytes(3).toString('hex')}.example.test`;
    let attioLocal = '';

    beforeAll(async () => {
      receiver = await startTriggerReceiver();
      hubspot = await startHubSpotSandbox({ webhookRetryDelaysMs: [] });
      instantly = await startInstantlySandbox({ webhookRetryDelaysMs: [] });
      attio = await startAttioSandbox({
        webhookRetryDelaysMs: [],
        deliveryUrl: (target) => target.replace(ATTIO_PUBLIC, attioLocal),
      });
    });
    afterAll(async () => {
      await Promise.all([hubspot?.close(), instantly?.close(), attio?.close(), receiver?.close()]);
    });

    /**
     * A server on the store under test with its delivery worker, an organization with a token,
     * and the sandboxes as the providers' APIs. `publicUrl` defaults to where it listens.
     */
    async function stack(publicUrl?: (local: string) => string): Promise<Stack> {
      const port = await freePort();
      const local = `http://127.0.0.1:${port}`;
      const where = store();
      const server = await startServer({
        ...where,
        port,
        host: '127.0.0.1',
        publicUrl: publicUrl ? publicUrl(local) : local,
        env: {
          ...where.env,
          OXYGEN_PROVIDER_HUBSPOT_BASE_URL: hubspot.url,
          OXYGEN_HUBSPOT_CLIENT_ID: hubspot.oauth.clientId,
          OXYGEN_HUBSPOT_CLIENT_SECRET: hubspot.oauth.clientSecret,
          OXYGEN_PROVIDER_INSTANTLY_BASE_URL: instantly.url,
          OXYGEN_PROVIDER_ATTIO_BASE_URL: attio.url,
        },
        resolveFrom: [packageDir],
        logger: false,
        delivery: { backoffMs: 100, maxAttempts: 4, timeoutMs: 2_000 },
      });
      const org = (await server.runtime.orgs.create(`E2E ${randomBytes(3).toString('hex')}`)).id;
      const { token } = await server.runtime.tokens.create(org, { name: 'e2e' });
      const api: Stack['api'] = async (method, path, body) => {
        const res = await fetch(`${server.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        return { status: res.status, json: await res.json() };
      };
      return {
        server,
        org,
        token,
        api,
        deliveries: async (query = {}) => {
          const res = await api(
            'GET',
            `/v1/events/deliveries?${new URLSearchParams({ limit: '1000', ...query })}`,
          );
          expect(res.status, JSON.stringify(res.json)).toBe(200);
          return res.json.deliveries as DeliveryRecord[];
        },
        close: () => server.close(),
      };
    }

    /** Adds a trigger to a fresh receiver path; answers the path, the trigger id and its secret. */
    async function trigger(s: Stack, source: string, event: string, answers: number[] = []) {
      const path = `/${source}-${event}-${randomBytes(3).toString('hex')}`;
      receiver.script(path, answers);
      const res = await s.api('POST', '/v1/triggers', { source, event, url: `${receiver.url}${path}` });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      return { path, id: res.json.trigger.id as string, secret: res.json.secret as string };
    }

    /** Waits for `n` hits on `path`, checks each is Standard-Webhooks signed, answers the events. */
    async function received(path: string, secret: string, n = 1) {
      const hits = await until(
        () => receiver.on(path),
        (h) => h.length >= n,
      );
      expect(hits.length).toBeGreaterThanOrEqual(n);
      return hits.map((hit) => ({
        hit,
        event: new Webhook(secret).verify(hit.body, hit.headers) as Delivered,
      }));
    }

    /** The log rows of one provider event, by status. */
    async function rowsOf(s: Stack, providerEventId: string) {
      const rows = (await s.deliveries()).filter((d) => d.provider_event_id === providerEventId);
      const by: Record<string, DeliveryRecord[]> = {};
      for (const row of rows) by[row.status] = [...(by[row.status] ?? []), row];
      return by;
    }

    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    describe('Instantly', () => {
      let s: Stack;
      let subscription: { id: string; url: string };
      let target: Awaited<ReturnType<typeof trigger>>;
      const ada = () => [...instantly.leads.values()].find((l) => l.email === 'ada@example.com')!;

      beforeAll(async () => {
        s = await stack();
        const connected = await s.api('POST', '/v1/integrations/connect', {
          provider: 'instantly',
          api_key: instantly.token,
        });
        expect(connected.status, JSON.stringify(connected.json)).toBe(201);
      });
      afterAll(() => s?.close());

      it("enable registers a webhook through Instantly's API, its secret in the echoed headers", async () => {
        const res = await s.api('POST', '/v1/events/enable', {
          source: 'instantly',
          event: 'email.reply_received',
        });
        expect(res.status, JSON.stringify(res.json)).toBe(200);
        subscription = res.json.subscription;
        expect(res.json.subscription).toMatchObject({
          registration: 'registered',
          url: `${s.server.url}/webhooks/instantly/${subscription.id}`,
        });
        const hooks = [...instantly.webhooks.values()].filter((w) => w.target_hook_url === subscription.url);
        expect(hooks).toHaveLength(1);
        expect(hooks[0]).toMatchObject({ event_type: 'reply_received' });
        expect(Object.keys(hooks[0]!.headers ?? {})).toEqual(['x-oxygen-webhook-secret']);
        const again = await s.api('POST', '/v1/events/enable', {
          source: 'instantly',
          event: 'email.reply_received',
        });
        expect(again.json.created).toBe(false);
        expect(instantly.webhooks.size).toBe(1);
        target = await trigger(s, 'instantly', 'email.reply_received');
      });

      it('a reply fired by the sandbox reaches the trigger URL once, signed, within a second', async () => {
        instantly.receiveReply(ada().id, { text: 'Sounds good, call me Tuesday.' });
        const sent = Date.now();
        const [delivery] = await instantly.emitWebhook({ event: 'reply_received' });
        expect(delivery?.status).toBe(200);
        const { hit, event } = (await received(target.path, target.secret))[0]!;
        expect(hit.at - sent).toBeLessThan(1_000);
        expect(event).toMatchObject({
          source: 'instantly',
          type: 'email.reply_received',
          organization_id: s.org,
          data: { lead_email: 'ada@example.com', reply_text: 'Sounds good, call me Tuesday.' },
        });
        expect(hit.headers['webhook-id']).toBe(event.id);

        // Instantly sends the same bytes twice more (its retries): delivered once.
        await instantly.redeliverWebhook(delivery!);
        await instantly.redeliverWebhook(delivery!);
        expect(delivery!.attempts.map((a) => a.status)).toEqual([200, 200, 200]);
        const [row] = (await s.deliveries({ status: 'delivered' })).filter((d) => d.event_id === event.id);
        const rows = await rowsOf(s, row!.provider_event_id!);
        expect(rows.delivered).toHaveLength(1);
        expect(rows.duplicate).toHaveLength(2);
        expect(rows.duplicate!.map((d) => d.reason)).toEqual(['duplicate', 'duplicate']);
        await pause(300);
        expect(receiver.on(target.path)).toHaveLength(1);
      });

      it('a wrong secret is rejected with the reason, and nothing is delivered', async () => {
        const [delivery] = await instantly.emitWebhook({ event: 'reply_received', secret: 'not-the-secret' });
        expect(delivery?.status).toBe(401);
        const [rejected] = await s.deliveries({ status: 'rejected' });
        expect(rejected).toMatchObject({ source: 'instantly', status: 'rejected', reason: 'bad_signature' });
        expect(rejected!.detail).toMatch(/x-oxygen-webhook-secret/);
        await pause(200);
        expect(receiver.on(target.path)).toHaveLength(1);
      });

      it('an event the plugin does not declare (an auto-reply) is ignored, saying why', async () => {
        instantly.receiveReply(ada().id, { text: 'I am out of office.', autoReply: true });
        const [delivery] = await instantly.emitWebhook({ event: 'auto_reply_received' });
        expect(delivery?.status).toBe(200);
        const [ignored] = await s.deliveries({ status: 'ignored' });
        expect(ignored).toMatchObject({ event: 'auto_reply_received', reason: 'undeclared_event' });
      });

      it('disable deletes the webhook at Instantly; its URL is then unknown', async () => {
        const res = await s.api('POST', '/v1/events/disable', {
          source: 'instantly',
          event: 'email.reply_received',
        });
        expect(res.json).toMatchObject({ removed_at_provider: true, subscription: { id: subscription.id } });
        expect(instantly.webhooks.size).toBe(0);
        const gone = await fetch(subscription.url, { method: 'POST', body: '{}' });
        expect(gone.status).toBe(404);
      });
    });

    describe('Attio', () => {
      let s: Stack;
      let target: Awaited<ReturnType<typeof trigger>>;
      const recordCreated = () => ({
        event_type: 'record.created',
        id: {
          workspace_id: attio.workspace.workspace_id,
          object_id: 'people',
          record_id: randomBytes(8).toString('hex'),
        },
        actor: { type: 'workspace-member', id: 'member-1' },
      });

      beforeAll(async () => {
        s = await stack(() => ATTIO_PUBLIC);
        attioLocal = s.server.url;
        const connected = await s.api('POST', '/v1/integrations/connect', {
          provider: 'attio',
          api_key: attio.token,
        });
        expect(connected.status, JSON.stringify(connected.json)).toBe(201);
      });
      afterAll(() => s?.close());

      it("enable registers a webhook through Attio's API and keeps the secret Attio returned", async () => {
        const res = await s.api('POST', '/v1/events/enable', { source: 'attio', event: 'record.created' });
        expect(res.status, JSON.stringify(res.json)).toBe(200);
        const url = res.json.subscription.url as string;
        expect(url).toBe(`${ATTIO_PUBLIC}/webhooks/attio/${res.json.subscription.id}`);
        const hooks = [...attio.webhooks.byId.values()].filter((w) => w.target_url === url);
        expect(hooks).toHaveLength(1);
        expect(hooks[0]!.subscriptions.map((x) => x.event_type)).toEqual(['record.created']);
        expect(JSON.stringify(res.json)).not.toContain(hooks[0]!.secret);
        target = await trigger(s, 'attio', 'record.created');
      });

      it('a record created fires a signed delivery that reaches the trigger once, within a second', async () => {
        const sent = Date.now();
        const [delivery] = await attio.emitWebhook({ event: recordCreated() });
        expect(delivery?.status).toBe(200);
        const { hit, event } = (await received(target.path, target.secret))[0]!;
        expect(hit.at - sent).toBeLessThan(1_000);
        expect(event).toMatchObject({ source: 'attio', type: 'record.created', organization_id: s.org });

        await attio.redeliverWebhook(delivery!);
        await attio.redeliverWebhook(delivery!);
        const rows = await rowsOf(s, delivery!.headers['idempotency-key']!);
        expect([rows.delivered?.length, rows.duplicate?.length]).toEqual([1, 2]);
        await pause(300);
        expect(receiver.on(target.path)).toHaveLength(1);
      });

      it('a tampered body and a wrong secret are rejected: bad_signature', async () => {
        const tampered = await attio.emitWebhook({
          event: recordCreated(),
          tamperBody: JSON.stringify({ webhook_id: 'w', events: [recordCreated()] }),
        });
        const wrong = await attio.emitWebhook({ event: recordCreated(), secret: 'not-the-secret' });
        expect([tampered[0]?.status, wrong[0]?.status]).toEqual([401, 401]);
        const rejected = (await s.deliveries({ status: 'rejected' })).map((d) => [d.source, d.reason]);
        expect(rejected).toEqual([
          ['attio', 'bad_signature'],
          ['attio', 'bad_signature'],
        ]);
        await pause(200);
        expect(receiver.on(target.path)).toHaveLength(1);
      });

      it('an event that is not enabled is ignored: not_enabled', async () => {
        const hook = [...attio.webhooks.byId.values()][0]!;
        // The webhook edited in Attio's settings to send deletions too.
        const delivery = await attio.sendWebhook({
          url: hook.target_url.replace(ATTIO_PUBLIC, attioLocal),
          secret: hook.secret,
          webhookId: hook.webhook_id,
          event: { ...recordCreated(), event_type: 'record.deleted' },
        });
        expect(delivery.status).toBe(200);
        const [ignored] = await s.deliveries({ status: 'ignored' });
        expect(ignored).toMatchObject({ source: 'attio', event: 'record.deleted', reason: 'not_enabled' });
        expect(ignored!.detail).toMatch(/events enable --source attio --event record\.deleted/);
      });
    });

    describe('HubSpot', () => {
      let s: Stack;
      let connection: string;
      let url: string;
      let target: Awaited<ReturnType<typeof trigger>>;

      beforeAll(async () => {
        s = await stack();
        const connected = await s.api('POST', '/v1/integrations/connect', {
          provider: 'hubspot',
          api_key: hubspot.token,
        });
        expect(connected.status, JSON.stringify(connected.json)).toBe(201);
        connection = connected.json.id;
      });
      afterAll(() => s?.close());

      it('enable answers the setup steps and calls nothing at HubSpot', async () => {
        const before = hubspot.requests.length;
        const res = await s.api('POST', '/v1/events/enable', { source: 'hubspot', event: 'contact.created' });
        expect(res.status, JSON.stringify(res.json)).toBe(200);
        url = res.json.subscription.url;
        expect(url).toBe(`${s.server.url}/webhooks/hubspot/${connection}`);
        expect(res.json.subscription).toMatchObject({
          registration: 'manual',
          provider_subscription_id: null,
        });
        const setup = (res.json.subscription.setup as string[]).join('\n');
        expect(setup).toContain(url);
        expect(setup).toMatch(/contact\.creation/);
        expect(hubspot.requests.length).toBe(before);
        // What the steps say to do, done in the app's Webhooks settings:
        hubspot.setWebhookTarget(url);
        target = await trigger(s, 'hubspot', 'contact.created');
      });

      it('a v3-signed delivery from HubSpot is accepted and reaches the trigger once, within a second', async () => {
        const sent = Date.now();
        const [delivery] = await hubspot.emitWebhook({
          event: { subscriptionType: 'contact.creation', objectId: 901 },
        });
        expect(delivery?.headers['x-hubspot-signature-v3']).toBeTruthy();
        expect([delivery?.status, delivery?.response]).toEqual([
          200,
          JSON.stringify({ accepted: 1, duplicate: 0, ignored: 0, rejected: 0 }),
        ]);
        const { hit, event } = (await received(target.path, target.secret))[0]!;
        expect(hit.at - sent).toBeLessThan(1_000);
        expect(event).toMatchObject({
          source: 'hubspot',
          type: 'contact.created',
          organization_id: s.org,
          connection_id: connection,
          data: { object_id: '901', subscription_type: 'contact.creation' },
        });

        // HubSpot retries the same eventIds (attemptNumber + 1, re-signed): delivered once.
        await hubspot.redeliverWebhook(delivery!);
        await hubspot.redeliverWebhook(delivery!);
        expect(delivery!.attempts.map((a) => a.status)).toEqual([200, 200, 200]);
        const rows = await rowsOf(s, String(delivery!.events[0]!.eventId));
        expect([rows.delivered?.length, rows.duplicate?.length]).toEqual([1, 2]);
        await pause(300);
        expect(receiver.on(target.path)).toHaveLength(1);
      });

      it('a tampered body, a wrong client secret and a timestamp over 5 minutes old are rejected, with the reason', async () => {
        const event = { subscriptionType: 'contact.creation', objectId: 902 };
        const [tampered] = await hubspot.emitWebhook({
          event,
          tamperBody: JSON.stringify([{ ...event, eventId: 1 }]),
        });
        const [wrong] = await hubspot.emitWebhook({ event, secret: 'not-the-client-secret' });
        const [stale] = await hubspot.emitWebhook({ event, timestamp: Date.now() - 5 * 60_000 - 5_000 });
        expect([tampered?.status, wrong?.status, stale?.status]).toEqual([401, 401, 401]);
        const rejected = await s.deliveries({ status: 'rejected' });
        expect(rejected.map((d) => d.reason).sort()).toEqual([
          'bad_signature',
          'bad_signature',
          'stale_timestamp',
        ]);
        expect(rejected.find((d) => d.reason === 'stale_timestamp')!.detail).toMatch(/HubSpot allows 300 s/);
        await pause(200);
        expect(receiver.on(target.path)).toHaveLength(1);
      });

      it('an event type that is not enabled is ignored: not_enabled', async () => {
        const [delivery] = await hubspot.emitWebhook({
          event: { subscriptionType: 'contact.deletion', objectId: 903 },
        });
        expect(delivery?.status).toBe(200);
        const [ignored] = await s.deliveries({ status: 'ignored' });
        expect(ignored).toMatchObject({
          event: 'contact.deleted',
          reason: 'not_enabled',
          provider_event_id: String(delivery!.events[0]!.eventId),
        });
      });

      it('a trigger URL answering 500 twice then 200 ends delivered after 3 attempts, with backoff', async () => {
        const res = await s.api('POST', '/v1/events/enable', { source: 'hubspot', event: 'deal.created' });
        expect(res.status).toBe(200);
        const flaky = await trigger(s, 'hubspot', 'deal.created', [500, 500]);
        const [delivery] = await hubspot.emitWebhook({
          event: { subscriptionType: 'deal.creation', objectId: 77 },
        });
        expect(delivery?.status).toBe(200);
        const hits = await received(flaky.path, flaky.secret, 3);
        expect(hits.map((h) => h.hit.status)).toEqual([500, 500, 200]);
        // One event, the same id on every attempt; backoff 100 ms then 400 ms (plus jitter).
        expect(new Set(hits.map((h) => h.event.id)).size).toBe(1);
        expect(hits[1]!.hit.at - hits[0]!.hit.at).toBeGreaterThanOrEqual(90);
        expect(hits[2]!.hit.at - hits[1]!.hit.at).toBeGreaterThanOrEqual(390);
        const [row] = await until(
          async () =>
            (await s.deliveries({ event: 'deal.created' })).filter((d) => d.trigger_id === flaky.id),
          (rows) => rows[0]?.status === 'delivered',
        );
        expect(row).toMatchObject({ status: 'delivered', attempts: 3, status_code: 200, last_error: null });
      });
    });
  });
}
