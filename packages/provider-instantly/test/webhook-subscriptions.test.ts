/**
 * `instantlyWebhooks.subscriptions`: what `oxygen integrations events enable|disable` registers
 * with Instantly (`POST /api/v2/webhooks`, `DELETE /api/v2/webhooks/{id}`), run against the
 * sandbox with the connection's key, and deliveries to it checked by the plugin's own verify.
 */
import { randomBytes } from 'node:crypto';
import { type Receiver, startReceiver } from '@oxygen/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, { INSTANTLY_WEBHOOK_SECRET_HEADER, instantlySubscriptions } from '../src/index.js';
import { type InstantlySandbox, startInstantlySandbox } from '../src/sandbox/index.js';
import { contextFor, failure } from './helpers.js';

let sandbox: InstantlySandbox;
let receiver: Receiver;
const secret = randomBytes(32).toString('base64url');

beforeAll(async () => {
  sandbox = await startInstantlySandbox({
    tokens: [{ token: 'full' }, { token: 'leads-only', scopes: ['leads:all'] }],
    webhookRetryDelaysMs: [],
  });
  receiver = await startReceiver();
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(() => {
  sandbox.reset();
  receiver.reset();
});

describe('instantlyWebhooks.subscriptions', () => {
  it('is what the plugin declares, with no setup steps to do by hand', () => {
    expect(plugin.webhooks?.subscriptions).toBe(instantlySubscriptions);
    expect(plugin.webhooks?.setup).toBeUndefined();
  });

  it('create registers one webhook for the event, the secret in its custom headers; deliveries verify with it', async () => {
    const url = `${receiver.url}/webhooks/instantly/sub_1`;
    const created = await instantlySubscriptions.create(contextFor(sandbox), {
      url,
      providerTypes: ['email_sent'],
      secret,
    });
    // Instantly issues no secret: the subscription's is the one given.
    expect(created).toEqual({ id: expect.any(String) });
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v2/webhooks']);
    expect(sandbox.requests[0]?.body).toEqual({
      target_hook_url: url,
      event_type: 'email_sent',
      name: 'Oxygen: email_sent',
      headers: { [INSTANTLY_WEBHOOK_SECRET_HEADER]: secret },
    });
    expect(sandbox.webhooks.get(created.id)).toMatchObject({
      target_hook_url: url,
      event_type: 'email_sent',
      campaign: null,
      status: 1,
    });

    const [delivery] = await sandbox.emitWebhook({ event: 'email_sent' });
    expect(delivery).toMatchObject({ webhookId: created.id, status: 200, outcome: 'delivered' });
    const [request] = receiver.received;
    if (!request) throw new Error('no delivery');
    expect(request.url).toBe(url);
    expect(plugin.webhooks?.verify(request, secret)).toEqual({ ok: true });
    expect(plugin.webhooks?.verify(request, 'another-secret')).toMatchObject({ reason: 'bad_signature' });
    expect(plugin.webhooks?.parse(request)[0]?.providerType).toBe('email_sent');
  });

  it('delete removes the webhook, so nothing is delivered; deleting it again resolves (404)', async () => {
    const ctx = contextFor(sandbox);
    const { id } = await instantlySubscriptions.create(ctx, {
      url: `${receiver.url}/h`,
      providerTypes: ['email_opened'],
      secret,
    });
    await instantlySubscriptions.delete(ctx, id);
    expect(sandbox.webhooks.has(id)).toBe(false);
    await instantlySubscriptions.delete(ctx, id);
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v2/webhooks',
      `DELETE /api/v2/webhooks/${id}`,
      `DELETE /api/v2/webhooks/${id}`,
    ]);
    expect(await sandbox.emitWebhook({ event: 'email_opened' })).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it('refuses several event types (an Instantly webhook has one event_type) before sending anything', async () => {
    const error = await failure(
      instantlySubscriptions.create(contextFor(sandbox), {
        url: `${receiver.url}/h`,
        providerTypes: ['email_sent', 'email_opened'],
        secret,
      }),
    );
    expect(error.code).toBe('validation');
    expect(error.message).toBe(
      'An Instantly webhook subscribes to exactly one event_type; got 2 (email_sent, email_opened).',
    );
    expect(error.hint).toBe('Create one subscription per event.');
    expect(sandbox.requests).toEqual([]);
  });

  it("a key without the webhooks scope is an auth error that never shows the subscription's secret", async () => {
    const error = await failure(
      instantlySubscriptions.create(contextFor(sandbox, { token: 'leads-only' }), {
        url: `${receiver.url}/h`,
        providerTypes: ['reply_received'],
        secret,
      }),
    );
    expect(error.code).toBe('auth');
    expect(JSON.stringify(error.toJSON())).not.toContain(secret);
    expect(sandbox.webhooks.size).toBe(0);
  });
});
