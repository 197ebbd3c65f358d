/**
 * Webhooks end to end: the plugin registers a webhook through the sandbox's API, a contact created
 * through the plugin is delivered to a local receiver, signed, and the plugin verifies and parses
 * it; a tampered body or a wrong secret is refused.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpContext, type WebhookRequest } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, { contactCreate } from '../src/index.js';
import { type __PASCAL__Sandbox, start__PASCAL__Sandbox } from '../src/sandbox/index.js';

let sandbox: __PASCAL__Sandbox;
let receiver: Server;
let receiverUrl = '';
const received: WebhookRequest[] = [];

beforeAll(async () => {
  sandbox = await start__PASCAL__Sandbox();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? 'POST',
        url: `${receiverUrl}${req.url ?? '/'}`,
        headers: req.headers as Record<string, string>,
        rawBody: Buffer.concat(chunks),
      });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => receiver.close(resolve));
});

/** The context the runtime gives webhook calls: the connection's key, the sandbox as base URL. */
function context() {
  const { http } = createHttpContext({
    provider: plugin,
    baseUrl: sandbox.url,
    headers: { authorization: `Bearer ${sandbox.key}` },
    secrets: [sandbox.key],
  });
  return {
    http,
    dryRun: false,
    connection: {
      id: 'conn_test',
      organization_id: 'default',
      provider: plugin.id,
      auth_mode: 'byok' as const,
      account_label: null,
      scopes: [],
    },
  };
}

describe('__NAME__ webhooks', () => {
  let secret = '';

  it('registers a webhook through the API and gets its secret', async () => {
    const created = await plugin.webhooks!.subscriptions!.create(context(), {
      url: `${receiverUrl}/hooks/__ID__`,
      providerTypes: ['contact.created'],
      secret: 'unused: __NAME__ issues its own',
    });
    expect(created.id).toMatch(/^wh_/);
    secret = created.secret!;
    expect(sandbox.webhooks.get(created.id)?.events).toEqual(['contact.created']);
    expect(sandbox.requests.at(-1)?.body).toEqual({
      url: `${receiverUrl}/hooks/__ID__`,
      events: ['contact.created'],
    });
  });

  it('a contact created through the plugin arrives signed, verifies and parses', async () => {
    const input = contactCreate.input.parse({ email: 'hook@example.com', name: 'Hook Test' });
    const contact = await contactCreate.run(input, context());
    await sandbox.settled();
    expect(received).toHaveLength(1);
    const delivery = received[0]!;
    expect(plugin.webhooks!.verify(delivery, secret)).toEqual({ ok: true });
    const [event] = plugin.webhooks!.parse(delivery);
    expect(event).toMatchObject({ providerType: 'contact.created', data: { id: contact.id } });
    const type = plugin.events!.find((e) => e.type === event!.providerType)!;
    expect(type.data.safeParse(event!.data).success).toBe(true);
  });

  it('refuses a tampered body, a wrong secret and a missing signature', () => {
    const delivery = received[0]!;
    const tampered = {
      ...delivery,
      rawBody: Buffer.from(delivery.rawBody.toString().replace('hook@', 'evil@')),
    };
    expect(plugin.webhooks!.verify(tampered, secret)).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(plugin.webhooks!.verify(delivery, 'another-secret')).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(plugin.webhooks!.verify({ ...delivery, headers: {} }, secret)).toMatchObject({
      ok: false,
      reason: 'missing_signature',
    });
  });

  it('deletes the webhook; deleting it again is not an error', async () => {
    const [id] = [...sandbox.webhooks.keys()];
    await plugin.webhooks!.subscriptions!.delete(context(), id!);
    expect(sandbox.webhooks.size).toBe(0);
    await expect(plugin.webhooks!.subscriptions!.delete(context(), id!)).resolves.toBeUndefined();
  });
});
