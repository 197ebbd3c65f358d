/**
 * `attioWebhooks.subscriptions`: what `oxygen integrations events enable|disable` registers with
 * Attio (`POST /v2/webhooks`, `DELETE /v2/webhooks/{webhook_id}`), run against the sandbox with
 * the connection's token, and deliveries to it checked with the secret Attio returned.
 */
import { type Receiver, startReceiver } from '@oxygen/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, { attioSubscriptions } from '../src/index.js';
import { type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { events } from './__fixtures__/webhooks.js';
import { contextFor, failure } from './helpers.js';

type Event = Record<string, unknown> & { event_type: string };
const PUBLIC = 'https://hooks.example.com';

let sandbox: AttioSandbox;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startAttioSandbox({
    // Attio delivers to https only; the sandbox maps the public URL to the local receiver.
    deliveryUrl: (target) => target.replace(PUBLIC, receiver.url),
    webhookRetryDelaysMs: [],
  });
});
afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});
beforeEach(() => {
  sandbox.reset();
  receiver.reset();
});

describe('attioWebhooks.subscriptions', () => {
  it('is what the plugin declares, with no setup steps to do by hand', () => {
    expect(plugin.webhooks?.subscriptions).toBe(attioSubscriptions);
    expect(plugin.webhooks?.setup).toBeUndefined();
  });

  it('create registers one webhook subscribed to every event type and returns the secret Attio issued', async () => {
    const url = `${PUBLIC}/webhooks/attio/sub_1`;
    const created = await attioSubscriptions.create(contextFor(sandbox), {
      url,
      providerTypes: ['record.created', 'note.created'],
      secret: 'ignored: Attio issues its own',
    });
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/webhooks']);
    expect(sandbox.requests[0]?.body).toEqual({
      data: {
        target_url: url,
        subscriptions: [
          { event_type: 'record.created', filter: null },
          { event_type: 'note.created', filter: null },
        ],
      },
    });
    const stored = sandbox.webhooks.get(created.id);
    expect(created).toEqual({ id: stored.webhook_id, secret: stored.secret });

    const [delivery] = await sandbox.emitWebhook({ event: events['record.created'] as Event });
    expect(delivery).toMatchObject({
      webhookId: created.id,
      targetUrl: url,
      status: 200,
      outcome: 'delivered',
    });
    const [request] = receiver.received;
    if (!request) throw new Error('no delivery');
    expect(plugin.webhooks?.verify(request, created.secret as string)).toEqual({ ok: true });
    expect(plugin.webhooks?.verify(request, 'ignored: Attio issues its own')).toMatchObject({
      reason: 'bad_signature',
    });
    expect(plugin.webhooks?.parse(request)[0]?.providerType).toBe('record.created');
  });

  it('delete removes the webhook, so nothing is delivered; deleting it again resolves (404)', async () => {
    const ctx = contextFor(sandbox);
    const { id } = await attioSubscriptions.create(ctx, {
      url: `${PUBLIC}/h`,
      providerTypes: ['record.created'],
      secret: 'unused',
    });
    await attioSubscriptions.delete(ctx, id);
    expect(sandbox.webhooks.byId.has(id)).toBe(false);
    await attioSubscriptions.delete(ctx, id);
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v2/webhooks',
      `DELETE /v2/webhooks/${id}`,
      `DELETE /v2/webhooks/${id}`,
    ]);
    expect(await sandbox.emitWebhook({ event: events['record.created'] as Event })).toEqual([]);
    expect(receiver.received).toEqual([]);
  });

  it('refuses an http URL (Attio delivers to https only) and no event types, before sending anything', async () => {
    const http = await failure(
      attioSubscriptions.create(contextFor(sandbox), {
        url: 'http://127.0.0.1:8080/webhooks/attio/sub_1',
        providerTypes: ['record.created'],
        secret: 'unused',
      }),
    );
    expect([http.code, http.field]).toEqual(['validation', 'url']);
    expect(http.message).toBe('Attio delivers webhooks only to https URLs; the ingress URL is http.');
    expect(http.hint).toMatch(/public https URL/);
    const none = await failure(
      attioSubscriptions.create(contextFor(sandbox), { url: `${PUBLIC}/h`, providerTypes: [], secret: 'x' }),
    );
    expect([none.code, none.message]).toEqual([
      'validation',
      'An Attio webhook needs at least one event type.',
    ]);
    expect(sandbox.requests).toEqual([]);
  });

  it('an event type Attio does not know is its validation error', async () => {
    const error = await failure(
      attioSubscriptions.create(contextFor(sandbox), {
        url: `${PUBLIC}/h`,
        providerTypes: ['record.exploded'],
        secret: 'unused',
      }),
    );
    expect([error.code, error.status]).toEqual(['validation', 400]);
    expect(sandbox.webhooks.byId.size).toBe(0);
  });
});
