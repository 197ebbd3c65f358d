/**
 * The sandbox's deliveries as Instantly makes them, retries included: the same bytes and headers
 * on every attempt, the schedule configurable (small delays here), every attempt reported; and
 * the options that test a receiver's checks (wrong secret, tampered body).
 */
import { randomBytes } from 'node:crypto';
import { type Receiver, startReceiver } from '@oxygen/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, { INSTANTLY_WEBHOOK_SECRET_HEADER } from '../src/index.js';
import {
  INSTANTLY_WEBHOOK_RETRIES,
  type InstantlySandbox,
  startInstantlySandbox,
} from '../src/sandbox/index.js';
import { call } from './helpers.js';

let sandbox: InstantlySandbox;
let receiver: Receiver;
const secret = randomBytes(32).toString('base64url');

beforeAll(async () => {
  sandbox = await startInstantlySandbox({ webhookRetryDelaysMs: [20, 20, 20] });
  receiver = await startReceiver();
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
  const created = await call(sandbox, 'POST', '/api/v2/webhooks', {
    target_hook_url: `${receiver.url}/webhooks/instantly/sub_1`,
    event_type: 'email_sent',
    headers: { [INSTANTLY_WEBHOOK_SECRET_HEADER]: secret },
  });
  expect(created.status).toBe(200);
});

const ids = () => receiver.received.map((r) => plugin.webhooks?.parse(r)[0]?.providerEventId);

describe('sandbox retries', () => {
  it('defaults to what is known of Instantly: 3 retries within about 30 s, after a non-2xx or no answer', async () => {
    const fresh = await startInstantlySandbox();
    try {
      expect(fresh.webhookRetryDelaysMs).toHaveLength(3);
      expect(fresh.webhookRetryDelaysMs.reduce((a, b) => a + b)).toBe(30_000);
      expect(fresh.webhookTimeoutMs).toBe(5_000);
    } finally {
      await fresh.close();
    }
    expect([200, 204, 299].map(INSTANTLY_WEBHOOK_RETRIES.accepted)).toEqual([true, true, true]);
    expect([null, 301, 400, 410, 500].map(INSTANTLY_WEBHOOK_RETRIES.retried)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('a receiver answering 500 then 200 gets 2 attempts with the same bytes, headers and event id', async () => {
    receiver.answers = [500, 200];
    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent', waitForRetries: true });
    expect(delivery?.outcome).toBe('delivered');
    expect(delivery?.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    expect(delivery?.attempts[0]?.response).toBe('answered 500');
    expect(receiver.received).toHaveLength(2);
    const [first, retry] = receiver.received;
    expect(retry?.rawBody.equals(first?.rawBody as Buffer)).toBe(true);
    expect(retry?.headers[INSTANTLY_WEBHOOK_SECRET_HEADER]).toBe(secret);
    expect(new Set(ids()).size).toBe(1);
    for (const request of receiver.received)
      expect(plugin.webhooks?.verify(request, secret)).toEqual({ ok: true });
  });

  it('a receiver answering 200 gets 1 attempt', async () => {
    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent', waitForRetries: true });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([200]);
    expect(delivery?.outcome).toBe('delivered');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(receiver.received).toHaveLength(1);
  });

  it('resolves after the first attempt unless told to wait; settled resolves when the retries are done', async () => {
    receiver.answers = [503, 503, 200];
    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent' });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([503]);
    expect(delivery?.outcome).toBe('retrying');
    await delivery?.settled;
    expect(delivery?.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    expect([delivery?.status, delivery?.outcome]).toEqual([200, 'delivered']);
  });

  it('gives up when the schedule runs out: failed, with every attempt', async () => {
    receiver.fallback = 500;
    sandbox.webhookRetryDelaysMs = [5, 5];
    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent', waitForRetries: true });
    expect(delivery?.outcome).toBe('failed');
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
    expect(receiver.received).toHaveLength(3);
  });

  it('no answer in time is a failure without a status, retried', async () => {
    // Long enough for the answered retry on a loaded CI machine (100 ms was not, once); the hang
    // never answers, so it times out whatever the limit.
    sandbox.webhookTimeoutMs = 1_000;
    receiver.answers = ['hang', 200];
    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent', waitForRetries: true });
    expect(delivery?.attempts.map((a) => [a.status, a.error])).toEqual([
      [null, 'timed out after 1000 ms'],
      [200, undefined],
    ]);
    expect(delivery?.outcome).toBe('delivered');
  });

  it('a receiver that is down is retried (connection refused)', async () => {
    const down = await startReceiver();
    await down.close();
    const delivery = await sandbox.sendWebhook({
      url: `${down.url}/h`,
      event: 'email_sent',
      waitForRetries: true,
    });
    expect(delivery.outcome).toBe('failed');
    expect(delivery.attempts).toHaveLength(4);
    expect(delivery.attempts.every((a) => a.status === null && a.error === 'ECONNREFUSED')).toBe(true);
  });

  it('reset cancels pending retries', async () => {
    receiver.fallback = 500;
    sandbox.webhookRetryDelaysMs = [60];
    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent' });
    sandbox.reset();
    await delivery?.settled;
    expect(delivery?.outcome).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(receiver.received).toHaveLength(1);
  });

  it('redeliverWebhook sends the same delivery again, which the receiver sees as the same event', async () => {
    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent' });
    if (!delivery) throw new Error('no delivery');
    const again = await sandbox.redeliverWebhook(delivery);
    await sandbox.redeliverWebhook(delivery);
    expect(again).toMatchObject({ attempt: 2, status: 200 });
    expect(delivery.attempts).toHaveLength(3);
    expect(ids()).toHaveLength(3);
    expect(new Set(ids()).size).toBe(1);
  });
});

describe('emit options that test the receiver', () => {
  it('secret replaces the echoed header: a wrong secret fails verification', async () => {
    await sandbox.emitWebhook({ event: 'email_sent', secret: 'guessed' });
    expect(receiver.received[0]?.headers[INSTANTLY_WEBHOOK_SECRET_HEADER]).toBe('guessed');
    expect(plugin.webhooks?.verify(receiver.received[0] as never, secret)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('tamperBody replaces the body; Instantly signs nothing, so the secret header still verifies', async () => {
    const [delivery] = await sandbox.emitWebhook({
      event: 'email_sent',
      tamperBody: '{"event_type":"email_sent","timestamp":"2026-01-01T00:00:00.000Z"}',
    });
    expect(delivery?.body).toBe('{"event_type":"email_sent","timestamp":"2026-01-01T00:00:00.000Z"}');
    expect(receiver.received[0]?.rawBody.toString()).toBe(delivery?.body);
    expect(plugin.webhooks?.verify(receiver.received[0] as never, secret)).toEqual({ ok: true });
  });
});
