/**
 * The sandbox's deliveries as Attio makes them, retries included: the same bytes, signature and
 * `Idempotency-Key` on every attempt, only 200 and 202 counted as received, the schedule
 * configurable (small delays here), every attempt reported; and the options that test a
 * receiver's checks (wrong secret, tampered body).
 */
import type { WebhookRequest } from '@oxygen/core';
import { type Receiver, startReceiver } from '@oxygen/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { ATTIO_WEBHOOK_RETRIES, type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { events } from './__fixtures__/webhooks.js';
import { call } from './helpers.js';

type Event = Record<string, unknown> & { event_type: string };
const PUBLIC = 'https://hooks.example.com';
const event = events['record.created'] as Event;

let sandbox: AttioSandbox;
let receiver: Receiver;
let secret: string;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startAttioSandbox({
    deliveryUrl: (target) => target.replace(PUBLIC, receiver.url),
    webhookRetryDelaysMs: [20, 20, 20],
  });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(async () => {
  sandbox.reset();
  sandbox.webhookRetryDelaysMs = [20, 20, 20];
  sandbox.webhookTimeoutMs = 5_000;
  receiver.reset();
  const created = await call(sandbox, 'POST', '/v2/webhooks', {
    data: {
      target_url: `${PUBLIC}/webhooks/attio/sub_1`,
      subscriptions: [{ event_type: 'record.created', filter: null }],
    },
  });
  secret = (created.json.data as { secret: string }).secret;
});

const ids = () => receiver.received.map((r) => plugin.webhooks?.parse(r)[0]?.providerEventId);
const verify = (request: WebhookRequest | undefined, key = secret) =>
  plugin.webhooks?.verify(request as WebhookRequest, key);

describe('sandbox retries', () => {
  it("defaults to Attio's: 10 retries over about 3 days, after anything but 200 or 202", async () => {
    const fresh = await startAttioSandbox();
    try {
      expect(fresh.webhookRetryDelaysMs).toHaveLength(10);
      expect(fresh.webhookRetryDelaysMs.reduce((a, b) => a + b)).toBe(3 * 24 * 60 * 60 * 1000);
      expect(fresh.webhookTimeoutMs).toBe(5_000);
    } finally {
      await fresh.close();
    }
    expect([200, 202, 201, 204].map(ATTIO_WEBHOOK_RETRIES.accepted)).toEqual([true, true, false, false]);
    expect([null, 204, 400, 500].map(ATTIO_WEBHOOK_RETRIES.retried)).toEqual([true, true, true, true]);
  });

  it('a receiver answering 500 then 200 gets 2 attempts with the same bytes, signature and Idempotency-Key', async () => {
    receiver.answers = [500, 200];
    const [delivery] = await sandbox.emitWebhook({ event, waitForRetries: true });
    expect(delivery?.outcome).toBe('delivered');
    expect(delivery?.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    const [first, retry] = receiver.received;
    expect(retry?.rawBody.equals(first?.rawBody as Buffer)).toBe(true);
    expect(retry?.headers['attio-signature']).toBe(first?.headers['attio-signature']);
    expect(retry?.headers['idempotency-key']).toBe(first?.headers['idempotency-key']);
    expect(ids()).toEqual([first?.headers['idempotency-key'], first?.headers['idempotency-key']]);
    expect([verify(first), verify(retry)]).toEqual([{ ok: true }, { ok: true }]);
  });

  it('a receiver answering 200 gets 1 attempt', async () => {
    const [delivery] = await sandbox.emitWebhook({ event, waitForRetries: true });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([200]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(receiver.received).toHaveLength(1);
  });

  it('a 204 is not a 200 or 202 to Attio: retried until one comes', async () => {
    receiver.answers = [204, 202];
    const [delivery] = await sandbox.emitWebhook({ event, waitForRetries: true });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([204, 202]);
    expect(delivery?.outcome).toBe('delivered');
  });

  it('resolves after the first attempt unless told to wait; settled resolves when the retries are done', async () => {
    receiver.answers = [503, 503, 200];
    const [delivery] = await sandbox.emitWebhook({ event });
    expect([delivery?.attempts.length, delivery?.outcome]).toEqual([1, 'retrying']);
    await delivery?.settled;
    expect(delivery?.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect([delivery?.status, delivery?.outcome]).toEqual([200, 'delivered']);
  });

  it('gives up when the schedule runs out: failed, with every attempt', async () => {
    receiver.fallback = 401;
    sandbox.webhookRetryDelaysMs = [5, 5];
    const [delivery] = await sandbox.emitWebhook({ event, waitForRetries: true });
    expect(delivery?.outcome).toBe('failed');
    expect(delivery?.attempts.map((a) => a.status)).toEqual([401, 401, 401]);
  });

  it('no answer in time is a failure without a status, retried', async () => {
    // Long enough for the answered retry on a loaded CI machine (100 ms was not, once); the hang
    // never answers, so it times out whatever the limit.
    sandbox.webhookTimeoutMs = 1_000;
    receiver.answers = ['hang', 200];
    const [delivery] = await sandbox.emitWebhook({ event, waitForRetries: true });
    expect(delivery?.attempts.map((a) => [a.status, a.error])).toEqual([
      [null, 'timed out after 1000 ms'],
      [200, undefined],
    ]);
  });

  it('reset cancels pending retries', async () => {
    receiver.fallback = 500;
    sandbox.webhookRetryDelaysMs = [60];
    const [delivery] = await sandbox.emitWebhook({ event });
    sandbox.reset();
    await delivery?.settled;
    expect(delivery?.outcome).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(receiver.received).toHaveLength(1);
  });

  it('redeliverWebhook sends the same delivery again, which the receiver sees as the same event', async () => {
    const [delivery] = await sandbox.emitWebhook({ event });
    if (!delivery) throw new Error('no delivery');
    expect(await sandbox.redeliverWebhook(delivery)).toMatchObject({ attempt: 2, status: 200 });
    await sandbox.redeliverWebhook(delivery);
    expect(delivery.attempts).toHaveLength(3);
    expect(new Set(ids()).size).toBe(1);
    expect(receiver.received.map((r) => verify(r).ok)).toEqual([true, true, true]);
  });
});

describe('emit options that test the receiver', () => {
  it('secret signs with another secret: verification fails', async () => {
    await sandbox.emitWebhook({ event, secret: 'not-the-webhook-secret' });
    expect(verify(receiver.received[0])).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verify(receiver.received[0], 'not-the-webhook-secret')).toEqual({ ok: true });
  });

  it('tamperBody changes the body after signing: verification fails', async () => {
    const [delivery] = await sandbox.emitWebhook({ event, tamperBody: '{"webhook_id":"x","events":[]}' });
    expect(receiver.received[0]?.rawBody.toString()).toBe(delivery?.body);
    expect(verify(receiver.received[0])).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('idempotencyKey pins the key: two emits are the same event to the receiver', async () => {
    await sandbox.emitWebhook({ event, idempotencyKey: 'evt-1' });
    await sandbox.emitWebhook({ event, idempotencyKey: 'evt-1' });
    expect(ids()).toEqual(['evt-1', 'evt-1']);
  });
});
