/**
 * Provider events, run against each store dialect with a third-party fixture plugin (Hookly):
 * enabling registers a webhook at the provider and seals its secret; the ingress verifies,
 * de-duplicates, records refusals and ignores; triggers get Standard Webhooks signed POSTs,
 * retried with backoff; a runtime that stopped with deliveries pending delivers them when the
 * next one starts; replays; organizations never see each other's events.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ConfigError, NotFoundError, ValidationError, type WebhookRequest } from '@oxygen/core';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeliveryRecord, Runtime, RuntimeOptions } from '../src/index.js';
// @ts-expect-error the fixture plugin is plain JavaScript
import { signHookly } from './fixtures/hookly/index.js';
import { type HooklyServer, type Receiver, startHookly, startReceiver } from './fixtures/hookly-server.js';
import { fixture } from './runtime.suite.js';

/** Opens a runtime on the store under test (the same store every time). */
export type OpenEventsRuntime = (
  options: Pick<RuntimeOptions, 'env' | 'plugins' | 'publicUrl' | 'delivery'>,
) => Promise<Runtime>;

const PUBLIC_URL = 'https://oxygen.test';
const uniqueOrg = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

async function until<T>(read: () => Promise<T> | T, done: (value: T) => boolean, ms = 5_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string; hint?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: Error) => e,
  );
}

export function describeEvents(
  name: string,
  open: OpenEventsRuntime,
  /** Everything the store holds, as text, to search for leaked secrets. */
  dumpStore: (runtime: Runtime) => Promise<string>,
  /** Deletes every queued job (a job queue only): what a crash between commit and queueing leaves. */
  loseQueuedJobs?: (runtime: Runtime) => Promise<void>,
): void {
  describe(name, () => {
    let hookly: HooklyServer;
    let receiver: Receiver;
    let runtime: Runtime;
    let env: NodeJS.ProcessEnv;
    const options = () => ({
      env,
      plugins: [fixture('hookly')],
      publicUrl: PUBLIC_URL,
      delivery: { backoffMs: 100, maxAttempts: 3, timeoutMs: 2_000 },
    });

    beforeAll(async () => {
      hookly = await startHookly();
      receiver = await startReceiver();
      env = { OXYGEN_PROVIDER_HOOKLY_BASE_URL: hookly.url };
      runtime = await open(options());
    });
    afterAll(async () => {
      await runtime?.close();
      await hookly?.close();
      await receiver?.close();
    });

    /** An organization with Hookly connected, ticket.created enabled and a trigger to the receiver. */
    async function setup(org = uniqueOrg('events')) {
      const o = runtime.org(org);
      const connection = await o.connect('hookly', { apiKey: hookly.apiKey });
      const { subscription } = await o.events.enable({ source: 'hookly', event: 'ticket.created' });
      const hook = [...hookly.webhooks.values()].find((w) => w.url === subscription.url)!;
      const target = `${receiver.url}/${org}`;
      const { trigger, secret } = await o.triggers.add({
        source: 'hookly',
        event: 'ticket.created',
        url: target,
      });
      /** Makes the trigger URL answer these statuses next. */
      const answer = (...statuses: number[]) => receiver.script.set(`/${org}`, statuses);
      return { org, o, connection, subscription, hook, trigger, target, answer, secret: secret! };
    }

    /** A delivery as Hookly sends it to the subscription's URL. */
    function delivery(
      hook: { url: string; secret: string },
      event: { id?: string; type?: string; data?: unknown } = {},
      tweak: { secret?: string; timestamp?: number; body?: string } = {},
    ): WebhookRequest {
      const body = JSON.stringify({
        id: event.id ?? `ev_${randomBytes(6).toString('hex')}`,
        type: event.type ?? 'ticket_created',
        created_at: '2026-11-25T10:00:00.000Z',
        data: event.data ?? { ticket_id: 't_1', subject: 'Help' },
      });
      const timestamp = String(tweak.timestamp ?? Math.floor(Date.now() / 1000));
      return {
        method: 'POST',
        url: hook.url,
        headers: {
          'content-type': 'application/json',
          'x-hookly-timestamp': timestamp,
          'x-hookly-signature': signHookly(tweak.secret ?? hook.secret, timestamp, body),
        },
        rawBody: Buffer.from(tweak.body ?? body),
      };
    }
    const endpointOf = (url: string) => url.split('/').at(-1)!;
    const receive = (request: WebhookRequest) =>
      runtime.receiveWebhook('hookly', endpointOf(request.url), request);
    const receivedFor = (eventId: string) =>
      receiver.received.filter((r) => r.headers['webhook-id'] === eventId);

    it("reads a plugin's SKILL.md from its package when the plugin sets no skill", async () => {
      const hookly = await runtime.plugins.get('hookly');
      expect(hookly.skill).toMatch(/^---\n+name: hookly\n/);
      expect(Object.keys(hookly)).toContain('skill');
    });

    it('lists every declared event with its schema, and which are enabled on which connection', async () => {
      const { o, connection, subscription } = await setup();
      const events = await o.events.list();
      expect(events.map((e) => `${e.source} ${e.event} ${e.enabled}`)).toEqual([
        'hookly ticket.created true',
        'hookly ticket.closed false',
      ]);
      const created = events[0]!;
      expect(created).toMatchObject({
        connection_id: connection.id,
        subscription_id: subscription.id,
        url: `${PUBLIC_URL}/webhooks/hookly/${subscription.id}`,
        signing: 'hmac-sha256-body',
        setup: null,
      });
      expect(created.schema).toMatchObject({ type: 'object', required: ['ticket_id', 'subject'] });
    });

    it('registers the webhook with the provider once, seals its secret, and is idempotent', async () => {
      const { o, subscription, hook } = await setup();
      expect(subscription).toMatchObject({ registration: 'registered', provider_subscription_id: hook.id });
      expect(hook).toMatchObject({ url: subscription.url, events: ['ticket_created'] });
      const before = hookly.webhooks.size;
      const again = await o.events.enable({ source: 'hookly', event: 'ticket.created' });
      expect(again).toEqual({ subscription, created: false });
      expect(hookly.webhooks.size).toBe(before);
      const dump = await dumpStore(runtime);
      expect(dump).not.toContain(hook.secret);
      expect(JSON.stringify(await o.events.list())).not.toContain(hook.secret);
    });

    it('refuses unknown sources and events, listing the valid ones, and needs a public URL', async () => {
      const o = runtime.org(uniqueOrg('bad'));
      const source = await failure(o.events.enable({ source: 'nope', event: 'x' }));
      expect(ValidationError.isInstance(source)).toBe(true);
      expect(source.message).toContain('"nope"');
      expect(source.hint).toContain('hookly');
      const event = await failure(o.events.enable({ source: 'hookly', event: 'ticket.opened' }));
      expect(event.hint).toBe('hookly events: ticket.created, ticket.closed.');
      const trigger = await failure(o.triggers.add({ source: 'hookly', event: 'x', url: receiver.url }));
      expect(trigger.hint).toContain('ticket.created');

      const noUrl = await open({ ...options(), publicUrl: undefined });
      try {
        const org = noUrl.org(uniqueOrg('nourl'));
        await org.connect('hookly', { apiKey: hookly.apiKey });
        const error = await failure(org.events.enable({ source: 'hookly', event: 'ticket.created' }));
        expect(ConfigError.isInstance(error)).toBe(true);
        expect(error.hint).toContain('OXYGEN_PUBLIC_URL');
      } finally {
        if (noUrl !== runtime) await noUrl.close();
      }
    });

    it('delivers an accepted event once to its trigger, signed with Standard Webhooks, within a second', async () => {
      const { o, hook, trigger, target, secret, connection, org } = await setup();
      const stop = await runtime.startDeliveryWorker();
      try {
        const inProcess: unknown[] = [];
        const unsubscribe = o.events.subscribe({ source: 'hookly' }, (e) => {
          inProcess.push(e);
        });
        const request = delivery(hook, { id: 'ev_once' });
        const started = Date.now();
        const outcome = await receive(request);
        expect(outcome).toMatchObject({ status: 200, accepted: 1, duplicate: 0, organization_id: org });
        // The same event sent twice more (the provider retrying) is recorded, not delivered again.
        expect(await receive(request)).toMatchObject({ status: 200, accepted: 0, duplicate: 1 });
        expect(await receive(request)).toMatchObject({ status: 200, duplicate: 1 });
        const [got] = await until(
          () => receiver.received.filter((r) => JSON.parse(r.body).organization_id === org),
          (r) => r.length > 0,
        );
        expect(got!.at - started).toBeLessThan(1_000);
        const body = new Webhook(secret).verify(got!.body, got!.headers) as Record<string, unknown>;
        expect(body).toEqual({
          id: got!.headers['webhook-id'],
          source: 'hookly',
          type: 'ticket.created',
          occurred_at: '2026-11-25T10:00:00.000Z',
          organization_id: org,
          connection_id: connection.id,
          data: { ticket_id: 't_1', subject: 'Help' },
        });
        expect(inProcess).toEqual([body]);
        unsubscribe();
        await new Promise((r) => setTimeout(r, 300));
        expect(receivedFor(String(body.id))).toHaveLength(1);
        const rows = await until(
          () => o.events.deliveries({ source: 'hookly' }),
          (r) => r.some((d) => d.status === 'delivered'),
        );
        expect(rows.map((d) => d.status).sort()).toEqual(['delivered', 'duplicate', 'duplicate']);
        const delivered = rows.find((d) => d.status === 'delivered')!;
        expect(delivered).toMatchObject({
          event_id: body.id,
          event: 'ticket.created',
          provider_event_id: 'ev_once',
          trigger_id: trigger.id,
          url: target,
          attempts: 1,
          status_code: 200,
        });
        expect(delivered.duration_ms).toBeGreaterThanOrEqual(0);
        expect(rows.filter((d) => d.status === 'duplicate').every((d) => d.event_id === body.id)).toBe(true);
      } finally {
        await stop.stop();
      }
    });

    it('accepts one copy of an event sent many times at once, and every distinct event of a burst', async () => {
      const { o, hook } = await setup();
      const copies = Array.from({ length: 5 }, () => delivery(hook, { id: 'ev_burst' }));
      const distinct = Array.from({ length: 40 }, (_, i) => delivery(hook, { id: `ev_burst_${i}` }));
      const outcomes = await Promise.all([...copies, ...distinct].map((r) => receive(r)));
      expect(outcomes.reduce((n, x) => n + x.accepted, 0)).toBe(41);
      expect(outcomes.reduce((n, x) => n + x.duplicate, 0)).toBe(4);
      const rows = await o.events.deliveries({ limit: 1000 });
      expect(rows.filter((r) => r.status === 'duplicate')).toHaveLength(4);
      expect(new Set(rows.filter((r) => r.status === 'pending').map((r) => r.provider_event_id)).size).toBe(
        41,
      );
    });

    it('stores each new event of a burst that mixes them with retries of stored ones, and points every retry at its first copy', async () => {
      const { o, hook } = await setup();
      const first = await Promise.all(
        Array.from({ length: 10 }, (_, i) => receive(delivery(hook, { id: `ev_mixed_${i}` }))),
      );
      expect(first.reduce((n, x) => n + x.accepted, 0)).toBe(10);
      const stored = new Map(
        (await o.events.deliveries({ limit: 1000 })).map((r) => [r.provider_event_id, r.event_id]),
      );
      // Retries of the ten and ten new events arrive together, so they share group commits.
      const burst = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          receive(delivery(hook, { id: i % 2 === 0 ? `ev_mixed_${i / 2}` : `ev_mixed_new_${i}` })),
        ),
      );
      expect(burst.reduce((n, x) => n + x.accepted, 0)).toBe(10);
      expect(burst.reduce((n, x) => n + x.duplicate, 0)).toBe(10);
      const rows = await o.events.deliveries({ limit: 1000 });
      const duplicates = rows.filter((r) => r.status === 'duplicate');
      expect(duplicates).toHaveLength(10);
      for (const row of duplicates) expect(row.event_id).toBe(stored.get(row.provider_event_id));
      const pending = rows.filter((r) => r.status === 'pending');
      expect(new Set(pending.map((r) => r.provider_event_id)).size).toBe(20);
      expect(pending.every((r) => r.event_id?.startsWith('evt_'))).toBe(true);
    });

    it('rejects a tampered body, a wrong secret, a stale timestamp and a malformed body, saying which', async () => {
      const { o, hook } = await setup();
      const signed = delivery(hook, { id: 'ev_tamper' });
      const tampered = { ...signed, rawBody: Buffer.from(signed.rawBody.toString().replace('Help', 'Hack')) };
      expect(await receive(tampered)).toMatchObject({ status: 401, rejected: 1, reason: 'bad_signature' });
      expect(await receive(delivery(hook, {}, { secret: 'not-the-secret' }))).toMatchObject({
        status: 401,
        reason: 'bad_signature',
      });
      expect(
        await receive(delivery(hook, {}, { timestamp: Math.floor(Date.now() / 1000) - 600 })),
      ).toMatchObject({ status: 401, reason: 'stale_timestamp' });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const garbage = '{"id": oops';
      expect(
        await receive({
          ...signed,
          headers: {
            ...signed.headers,
            'x-hookly-timestamp': timestamp,
            'x-hookly-signature': signHookly(hook.secret, timestamp, garbage),
          },
          rawBody: Buffer.from(garbage),
        }),
      ).toMatchObject({ status: 400, reason: 'malformed' });
      const rows = await o.events.deliveries({ status: 'rejected' });
      expect(rows.map((r) => r.reason).sort()).toEqual([
        'bad_signature',
        'bad_signature',
        'malformed',
        'stale_timestamp',
      ]);
      expect(rows.every((r) => r.event_id === null && r.detail)).toBe(true);
      expect(JSON.stringify(rows)).not.toContain(hook.secret);
      // Nothing was accepted: the tampered event's id is still new.
      expect(await receive(delivery(hook, { id: 'ev_tamper' }))).toMatchObject({ accepted: 1 });
    });

    it('ignores events that are not enabled, or that no trigger matches, and says which', async () => {
      const { o, hook } = await setup();
      const closed = await receive(delivery(hook, { type: 'ticket_closed', data: { ticket_id: 't_2' } }));
      expect(closed).toMatchObject({ status: 200, accepted: 0, ignored: 1 });
      const [notEnabled] = await o.events.deliveries({ event: 'ticket.closed' });
      expect(notEnabled).toMatchObject({ status: 'ignored', reason: 'not_enabled' });
      expect(notEnabled!.detail).toContain('events enable --source hookly --event ticket.closed');

      const other = await setup();
      await other.o.triggers.remove(other.trigger.id);
      expect(await receive(delivery(other.hook))).toMatchObject({ accepted: 1 });
      const [noTrigger] = await other.o.events.deliveries();
      expect(noTrigger).toMatchObject({ status: 'ignored', reason: 'no_trigger' });
      expect(noTrigger!.detail).toContain('workflows triggers add --source hookly --event ticket.created');

      const unknown = await receive(delivery(hook, { type: 'ticket_merged' }));
      expect(unknown).toMatchObject({ ignored: 1 });
      expect((await o.events.deliveries({ limit: 1 }))[0]).toMatchObject({
        status: 'ignored',
        reason: 'undeclared_event',
        event: 'ticket_merged',
      });
    });

    it('rejects data the event schema refuses, and 404s unknown endpoints without storing anything', async () => {
      const { o, hook } = await setup();
      expect(await receive(delivery(hook, { data: { ticket_id: 7 } }))).toMatchObject({ rejected: 1 });
      expect((await o.events.deliveries())[0]).toMatchObject({ status: 'rejected', reason: 'invalid_data' });
      const error = await failure(runtime.receiveWebhook('hookly', 'sub_unknown', delivery(hook)));
      expect(NotFoundError.isInstance(error)).toBe(true);
      expect(await failure(runtime.receiveWebhook('nope', 'x', delivery(hook)))).toBeInstanceOf(
        NotFoundError,
      );
    });

    it('retries a failing trigger with backoff: 500, 500, 200 ends delivered after 3 attempts', async () => {
      const { o, hook, answer } = await setup();
      const worker = await runtime.startDeliveryWorker();
      try {
        answer(500, 500);
        await receive(delivery(hook, { id: 'ev_retry' }));
        const [row] = await until(
          () => o.events.deliveries({ source: 'hookly', event: 'ticket.created' }),
          (r) => r[0]?.status === 'delivered',
        );
        expect(row).toMatchObject({ status: 'delivered', attempts: 3, status_code: 200, last_error: null });
        const got = receivedFor(row!.event_id!);
        expect(got).toHaveLength(3);
        // Same webhook-id on every attempt; later attempts waited (100 ms, then 400 ms).
        expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1);
        expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(90);
        expect(got[2]!.at - got[1]!.at).toBeGreaterThanOrEqual(390);
      } finally {
        await worker.stop();
      }
    });

    it('says why a trigger URL got no answer: a refused connection, or none within the timeout', async () => {
      const { o, hook, target } = await setup();
      const listen = async (server: Server) => {
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        return `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
      };
      const closed = createServer();
      const refusing = await listen(closed);
      await new Promise((resolve) => closed.close(resolve));
      const silent = createServer(() => {}); // reads the request, never answers
      const hanging = await listen(silent);
      await o.triggers.add({ source: 'hookly', event: 'ticket.created', url: refusing });
      await o.triggers.add({ source: 'hookly', event: 'ticket.created', url: hanging });
      const worker = await runtime.startDeliveryWorker();
      try {
        const started = Date.now();
        await receive(delivery(hook, { id: 'ev_unreachable' }));
        // The refused one is retried meanwhile (100 ms backoff) and may have given up already.
        const rows = await until(
          () => o.events.deliveries({ limit: 10 }),
          (r) => r.some((d) => d.url === hanging && d.last_error !== null),
          10_000,
        );
        const byUrl = new Map(rows.map((r) => [r.url, r]));
        expect(byUrl.get(target)).toMatchObject({ status: 'delivered', attempts: 1, status_code: 200 });
        const refused = byUrl.get(refusing)!;
        expect(['retrying', 'failed']).toContain(refused.status);
        expect(refused).toMatchObject({
          status_code: null,
          last_error: 'Could not reach the trigger URL: ECONNREFUSED.',
        });
        expect(byUrl.get(hanging)).toMatchObject({
          status: 'retrying',
          attempts: 1,
          status_code: null,
          last_error: 'No answer within 2000 ms.',
        });
        expect(byUrl.get(hanging)!.duration_ms).toBeGreaterThanOrEqual(1_900);
        expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      } finally {
        await worker.stop();
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });

    it('gives up after max attempts, and a replay sends it again', async () => {
      const { o, hook, answer } = await setup();
      const worker = await runtime.startDeliveryWorker();
      try {
        answer(503, 503, 503);
        await receive(delivery(hook, { id: 'ev_fail' }));
        const [failed] = await until(
          () => o.events.deliveries({ status: 'failed' }),
          (r) => r.length > 0,
        );
        expect(failed).toMatchObject({ attempts: 3, reason: 'max_attempts', status_code: 503 });
        expect(failed!.last_error).toContain('503');
        expect(failed!.detail).toContain(`events replay ${failed!.id}`);
        const [replayed] = await o.events.replay(failed!.id);
        expect(replayed).toMatchObject({ status: 'delivered', attempts: 1, replay_of: failed!.id });
        expect(replayed!.event_id).toBe(failed!.event_id);
        expect((await failure(o.events.replay('dlv_nope'))).code).toBe('not_found');
      } finally {
        await worker.stop();
      }
    });

    it('delivers what was pending when the previous process stopped', async () => {
      const first = await setup();
      // No worker runs: the event is stored with its delivery pending, then the runtime goes away.
      await receive(delivery(first.hook, { id: 'ev_crash' }));
      const [pending] = await first.o.events.deliveries();
      expect(pending).toMatchObject({ status: 'pending', attempts: 0 });
      await runtime.close();
      runtime = await open(options());
      const worker = await runtime.startDeliveryWorker();
      try {
        const [row] = await until(
          () => runtime.org(first.org).events.deliveries(),
          (r) => r[0]?.status === 'delivered',
        );
        expect(row).toMatchObject({ id: pending!.id, status: 'delivered', attempts: 1 });
        expect(receivedFor(row!.event_id!)).toHaveLength(1);
      } finally {
        await worker.stop();
      }
    });

    it.runIf(loseQueuedJobs)(
      'delivers what was committed but never queued (a crash between the two), when a worker starts',
      async () => {
        const first = await setup();
        await receive(delivery(first.hook, { id: 'ev_unqueued' }));
        await runtime.close(); // queues the first attempt ...
        runtime = await open(options());
        await loseQueuedJobs!(runtime); // ... which the crash loses
        const worker = await runtime.startDeliveryWorker();
        try {
          const [row] = await until(
            () => runtime.org(first.org).events.deliveries(),
            (r) => r[0]?.status === 'delivered',
          );
          expect(row).toMatchObject({ status: 'delivered', attempts: 1 });
          expect(receivedFor(row!.event_id!)).toHaveLength(1);
        } finally {
          await worker.stop();
        }
      },
    );

    it('keeps organizations apart: endpoints, deliveries, triggers and replays', async () => {
      const a = await setup();
      const b = await setup();
      await receive(delivery(a.hook, { id: 'ev_shared' }));
      await receive(delivery(b.hook, { id: 'ev_shared' })); // the same provider id in another org is not a duplicate
      const aRows = await a.o.events.deliveries();
      const bRows = await b.o.events.deliveries();
      expect(aRows.map((r) => r.status)).toEqual(['pending']);
      expect(bRows.map((r) => r.status)).toEqual(['pending']);
      expect(aRows[0]!.trigger_id).toBe(a.trigger.id);
      // b's secret does not open a's endpoint.
      expect(await receive(delivery({ url: a.hook.url, secret: b.hook.secret }))).toMatchObject({
        status: 401,
        organization_id: a.org,
      });
      for (const attempt of [
        () => b.o.events.replay(aRows[0]!.id),
        () => b.o.events.delivery(aRows[0]!.id),
        () => b.o.triggers.remove(a.trigger.id),
      ]) {
        expect((await failure(attempt())).code).toBe('not_found');
      }
      expect((await b.o.triggers.list()).map((t) => t.id)).toEqual([b.trigger.id]);
      expect((await b.o.events.list()).find((e) => e.enabled)?.subscription_id).toBe(b.subscription.id);
    });

    it('disables: deletes the webhook at the provider; later deliveries are refused or ignored', async () => {
      const { o, hook, subscription } = await setup();
      const result = await o.events.disable({ source: 'hookly', event: 'ticket.created' });
      expect(result).toMatchObject({
        subscription: { id: subscription.id },
        removed_at_provider: true,
        warnings: [],
      });
      expect(hookly.webhooks.has(hook.id)).toBe(false);
      expect(hookly.requests).toContain(`DELETE /v1/webhooks/${hook.id}`);
      expect((await o.events.list()).every((e) => !e.enabled)).toBe(true);
      // The subscription's endpoint is gone with it.
      expect(await failure(receive(delivery(hook)))).toBeInstanceOf(NotFoundError);
      expect(await o.events.disable({ source: 'hookly', event: 'ticket.created' })).toMatchObject({
        subscription: null,
        removed_at_provider: false,
      });
    });

    it('triggers: the secret is shown once, adding again is idempotent, list never shows secrets', async () => {
      const o = runtime.org(uniqueOrg('triggers'));
      const first = await o.triggers.add({ source: 'hookly', event: 'ticket.closed', url: receiver.url });
      expect(first.created).toBe(true);
      expect(first.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
      const again = await o.triggers.add({ source: 'hookly', event: 'ticket.closed', url: receiver.url });
      expect(again).toEqual({ trigger: first.trigger, created: false, secret: null });
      const listed = await o.triggers.list({ source: 'hookly' });
      expect(listed).toEqual([first.trigger]);
      expect(await dumpStore(runtime)).not.toContain(first.secret!.slice(6));
      expect(
        (await failure(o.triggers.add({ source: 'hookly', event: 'ticket.closed', url: 'ftp://x' }))).code,
      ).toBe('validation');
      expect(await o.triggers.remove(first.trigger.id)).toEqual(first.trigger);
      expect(await o.triggers.list()).toEqual([]);
    });

    it("records a provider event about a mirrored record in the table cell's provenance", async () => {
      const { o, connection, hook } = await setup();
      await o.events.enable({ source: 'hookly', event: 'ticket.closed' });
      await o.tables.create('support');
      await o.tables.addRows('support', [{ email: 'ada@example.com' }]);
      await o.columns.add('support', 'ticket', {
        integration: connection.id,
        action: 'ticket.upsert',
        map: { email: '{{row.email}}', subject: 'Welcome' },
      });
      await o.columns.run('support', 'ticket');
      const { cells } = await o.tables.cells('support', 'ticket');
      const recordId = cells[0]!.cell.value as string;
      expect(recordId).toMatch(/^tk_/);
      const outcome = await receive(
        delivery(hook, {
          id: 'ev_closed',
          type: 'ticket_closed',
          data: { ticket_id: 'x', record_id: recordId },
        }),
      );
      expect(outcome.accepted).toBe(1);
      const [after] = await until(
        async () => (await o.tables.cells('support', 'ticket')).cells,
        (c) => (c[0]?.cell.provenance?.events?.length ?? 0) > 0,
      );
      expect(after!.cell.provenance.events).toEqual([
        { type: 'ticket.closed', at: '2026-11-25T10:00:00.000Z', event_id: expect.stringMatching(/^evt_/) },
      ]);
      expect(after!.cell.provenance.outputs.sync_status).toBe('synced');
    });

    it('filters the deliveries log by source, event, status, since and limit', async () => {
      const { o, hook } = await setup();
      for (let i = 0; i < 3; i++) await receive(delivery(hook, { id: `ev_f${i}` }));
      await receive(delivery(hook, {}, { secret: 'wrong' }));
      const all = await o.events.deliveries();
      expect(all).toHaveLength(4);
      expect(all.map((d: DeliveryRecord) => d.created_at)).toEqual(
        [...all.map((d) => d.created_at)].sort().reverse(),
      );
      expect(await o.events.deliveries({ status: 'rejected' })).toHaveLength(1);
      expect(await o.events.deliveries({ event: 'ticket.created' })).toHaveLength(3);
      expect(await o.events.deliveries({ limit: 2 })).toHaveLength(2);
      expect(await o.events.deliveries({ since: '1h' })).toHaveLength(4);
      expect(await o.events.deliveries({ since: new Date(Date.now() + 60_000).toISOString() })).toHaveLength(
        0,
      );
      expect((await failure(o.events.deliveries({ status: 'lost' as never }))).hint).toContain('delivered');
      expect((await failure(o.events.deliveries({ since: 'yesterday' }))).hint).toContain('30m');
      expect((await failure(o.events.deliveries({ limit: 0 }))).code).toBe('validation');
    });
  });
}
