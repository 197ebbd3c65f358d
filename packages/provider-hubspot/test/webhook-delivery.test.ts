/**
 * The sandbox's deliveries as HubSpot makes them, to the target URL set as in the app's settings,
 * retries included: the same events (`eventId`) with `attemptNumber` one higher on each retry,
 * re-signed; retried after a 5xx, a 429, a timeout or no connection, not after other 4xx; the
 * schedule configurable (small delays here), every attempt reported; and the options that test a
 * receiver's checks (wrong secret, old timestamp, tampered body).
 */
import type { WebhookRequest } from '@oxygen/core';
import { type Receiver, startReceiver } from '@oxygen/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { HUBSPOT_WEBHOOK_RETRIES, type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';

let sandbox: HubSpotSandbox;
let receiver: Receiver;
const contactCreated = { subscriptionType: 'contact.creation', objectId: 101 };

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startHubSpotSandbox({ webhookRetryDelaysMs: [20, 20, 20] });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(() => {
  sandbox.reset();
  sandbox.webhookRetryDelaysMs = [20, 20, 20];
  sandbox.webhookTimeoutMs = 5_000;
  sandbox.setWebhookTarget(`${receiver.url}/webhooks/hubspot?org=a%3Ab`);
  receiver.reset();
});

const verify = (request: WebhookRequest | undefined, secret = sandbox.oauth.clientSecret) =>
  plugin.webhooks?.verify(request as WebhookRequest, secret);
const parsed = () => receiver.received.map((r) => plugin.webhooks?.parse(r)[0]);

describe('the app target URL', () => {
  it('emitWebhook delivers there, v3-signed with the OAuth app client secret; none set → nothing sent', async () => {
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated });
    expect(delivery).toMatchObject({ url: sandbox.webhookTargetUrl, status: 200, outcome: 'delivered' });
    expect(delivery?.events[0]).toMatchObject({
      ...contactCreated,
      portalId: sandbox.portalId,
      attemptNumber: 0,
    });
    expect(verify(receiver.received[0])).toEqual({ ok: true });
    expect(parsed()[0]?.providerType).toBe('contact.creation');

    sandbox.setWebhookTarget(null);
    expect(sandbox.webhookTargetUrl).toBeNull();
    expect(await sandbox.emitWebhook({ event: contactCreated })).toEqual([]);
    expect(receiver.received).toHaveLength(1);
  });

  it('takes the target URL as an option, and a batch of events', async () => {
    const other = await startHubSpotSandbox({ webhookTargetUrl: `${receiver.url}/batch` });
    try {
      const [delivery] = await other.emitWebhook({
        events: [contactCreated, { subscriptionType: 'deal.creation', objectId: 7 }],
      });
      expect(delivery?.status).toBe(200);
      expect(verify(receiver.received[0], other.oauth.clientSecret)).toEqual({ ok: true });
      expect(
        plugin.webhooks?.parse(receiver.received[0] as WebhookRequest).map((e) => e.providerType),
      ).toEqual(['contact.creation', 'deal.creation']);
    } finally {
      await other.close();
    }
    await expect(sandbox.emitWebhook({})).rejects.toThrow(/give event or events/);
  });
});

describe('sandbox retries', () => {
  it("defaults to HubSpot's: 10 retries over 24 hours after a 5xx, 429 or no answer (5 s), not other 4xx", async () => {
    const fresh = await startHubSpotSandbox();
    try {
      expect(fresh.webhookRetryDelaysMs).toHaveLength(10);
      expect(fresh.webhookRetryDelaysMs.reduce((a, b) => a + b)).toBe(24 * 60 * 60 * 1000);
      expect(fresh.webhookTimeoutMs).toBe(5_000);
      expect(fresh.webhookTargetUrl).toBeNull();
    } finally {
      await fresh.close();
    }
    expect([null, 429, 500, 503].map(HUBSPOT_WEBHOOK_RETRIES.retried)).toEqual([true, true, true, true]);
    expect([400, 401, 404, 410].map(HUBSPOT_WEBHOOK_RETRIES.retried)).toEqual([false, false, false, false]);
  });

  it('a receiver answering 500 then 200 gets 2 attempts: same eventId, attemptNumber 0 then 1, each signed', async () => {
    receiver.answers = [500, 200];
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated, waitForRetries: true });
    expect(delivery?.outcome).toBe('delivered');
    expect(delivery?.attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 500],
      [2, 200],
    ]);
    const [first, retry] = parsed();
    expect(retry?.providerEventId).toBe(first?.providerEventId);
    expect([first?.data.attempt_number, retry?.data.attempt_number]).toEqual([0, 1]);
    expect(receiver.received.map((r) => verify(r))).toEqual([{ ok: true }, { ok: true }]);
    expect(delivery?.attempts[1]?.headers['x-hubspot-signature-v3']).not.toBe(
      delivery?.attempts[0]?.headers['x-hubspot-signature-v3'],
    );
  });

  it('a receiver answering 200 gets 1 attempt', async () => {
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated, waitForRetries: true });
    expect(delivery?.attempts.map((a) => a.status)).toEqual([200]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(receiver.received).toHaveLength(1);
  });

  it('a 4xx other than 429 is not retried; a 429 is', async () => {
    receiver.answers = [401];
    const [refused] = await sandbox.emitWebhook({ event: contactCreated, waitForRetries: true });
    expect([refused?.outcome, refused?.attempts.length]).toEqual(['failed', 1]);
    receiver.answers = [429, 200];
    const [limited] = await sandbox.emitWebhook({ event: contactCreated, waitForRetries: true });
    expect(limited?.attempts.map((a) => a.status)).toEqual([429, 200]);
  });

  it('resolves after the first attempt unless told to wait; settled resolves when the retries are done', async () => {
    receiver.answers = [503, 502, 200];
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated });
    expect([delivery?.attempts.length, delivery?.outcome]).toEqual([1, 'retrying']);
    await delivery?.settled;
    expect(delivery?.attempts.map((a) => a.status)).toEqual([503, 502, 200]);
    expect(parsed().map((e) => e?.data.attempt_number)).toEqual([0, 1, 2]);
  });

  it('gives up when the schedule runs out: failed, with every attempt', async () => {
    receiver.fallback = 500;
    sandbox.webhookRetryDelaysMs = [5, 5];
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated, waitForRetries: true });
    expect(delivery?.outcome).toBe('failed');
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 500, 500]);
  });

  it('no answer in time is a failure without a status, retried', async () => {
    // Long enough for the answered retry on a loaded CI machine (100 ms was not, once); the hang
    // never answers, so it times out whatever the limit.
    sandbox.webhookTimeoutMs = 1_000;
    receiver.answers = ['hang', 200];
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated, waitForRetries: true });
    expect(delivery?.attempts.map((a) => [a.status, a.error])).toEqual([
      [null, 'timed out after 1000 ms'],
      [200, undefined],
    ]);
  });

  it('reset cancels pending retries', async () => {
    receiver.fallback = 500;
    sandbox.webhookRetryDelaysMs = [60];
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated });
    sandbox.reset();
    await delivery?.settled;
    expect(delivery?.outcome).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(receiver.received).toHaveLength(1);
  });

  it('redeliverWebhook sends the same events again (next attemptNumber, re-signed)', async () => {
    const [delivery] = await sandbox.emitWebhook({ event: contactCreated });
    if (!delivery) throw new Error('no delivery');
    expect(await sandbox.redeliverWebhook(delivery)).toMatchObject({ attempt: 2, status: 200 });
    expect(new Set(parsed().map((e) => e?.providerEventId)).size).toBe(1);
    expect(parsed().map((e) => e?.data.attempt_number)).toEqual([0, 1]);
    expect(receiver.received.map((r) => verify(r)?.ok)).toEqual([true, true]);
  });
});

describe('emit options that test the receiver', () => {
  it('secret signs with another secret: verification fails', async () => {
    await sandbox.emitWebhook({ event: contactCreated, secret: 'not-the-client-secret' });
    expect(verify(receiver.received[0])).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('timestamp sends an old X-HubSpot-Request-Timestamp: stale', async () => {
    await sandbox.emitWebhook({ event: contactCreated, timestamp: Date.now() - 6 * 60_000 });
    expect(verify(receiver.received[0])).toMatchObject({ ok: false, reason: 'stale_timestamp' });
  });

  it('tamperBody changes the body after signing: verification fails', async () => {
    await sandbox.emitWebhook({ event: contactCreated, tamperBody: '[]' });
    expect(verify(receiver.received[0])).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('signatureVersion v2 signs the older way, which still verifies', async () => {
    await sandbox.emitWebhook({ event: contactCreated, signatureVersion: 'v2' });
    expect(receiver.received[0]?.headers['x-hubspot-signature-version']).toBe('v2');
    expect(verify(receiver.received[0])).toEqual({ ok: true });
  });
});
