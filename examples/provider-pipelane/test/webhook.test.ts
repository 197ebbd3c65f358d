/**
 * Webhooks end to end: the plugin registers a webhook through the sandbox's API, a deal moved
 * through the plugin is delivered to a local receiver, signed, and the plugin verifies and parses
 * it; a tampered body, a wrong secret or a missing signature is refused.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpContext, type WebhookRequest } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, { dealMove } from '../src/index.js';
import { type PipelaneSandbox, startPipelaneSandbox } from '../src/sandbox/index.js';

let sandbox: PipelaneSandbox;
let receiver: Server;
let receiverUrl = '';
const received: WebhookRequest[] = [];

beforeAll(async () => {
  sandbox = await startPipelaneSandbox();
  sandbox.seedDeal({ id: 41, title: 'Acme - 50 seats', stage: 'qualified' });
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

/** The context the runtime gives webhook calls: the connection's token, the sandbox as base URL. */
function context() {
  const { http } = createHttpContext({
    provider: plugin,
    baseUrl: sandbox.url,
    headers: { 'x-api-token': sandbox.key },
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

describe('Pipelane webhooks', () => {
  let secret = '';

  it('registers a webhook through the API and gets its secret', async () => {
    const created = await plugin.webhooks!.subscriptions!.create(context(), {
      url: `${receiverUrl}/hooks/pipelane`,
      providerTypes: ['deal.stage_changed'],
      secret: 'unused: Pipelane issues its own',
    });
    expect(created.id).toMatch(/^wh_/);
    secret = created.secret!;
    expect(sandbox.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/v2/webhooks',
      body: { url: `${receiverUrl}/hooks/pipelane`, events: ['deal.stage_changed'] },
    });
  });

  it('a deal moved through the plugin arrives signed, verifies and parses', async () => {
    const deal = await dealMove.run(dealMove.input.parse({ id: '41', stage: 'won' }), context());
    expect(deal).toMatchObject({ id: '41', stage: 'won' });
    await sandbox.settled();
    expect(received).toHaveLength(1);
    const delivery = received[0]!;
    expect(plugin.webhooks!.verify(delivery, secret)).toEqual({ ok: true });
    const [event] = plugin.webhooks!.parse(delivery);
    expect(event).toMatchObject({
      providerType: 'deal.stage_changed',
      data: { deal: { id: 41, stage: 'won' }, previous_stage: 'qualified' },
    });
    const type = plugin.events!.find((e) => e.type === event!.providerType)!;
    expect(type.data.safeParse(event!.data).success).toBe(true);
  });

  it('refuses a tampered body, a wrong secret and a missing signature', () => {
    const delivery = received[0]!;
    const tampered = {
      ...delivery,
      rawBody: Buffer.from(delivery.rawBody.toString().replace('"won"', '"lost"')),
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

  it('a won deal cannot move: a conflict error carrying the provider message', async () => {
    const error = await dealMove.run({ id: '41', stage: 'lead' }, context()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'conflict',
      status: 409,
      providerMessage: 'Deal 41 is won and cannot move.',
    });
  });

  it('deletes the webhook; deleting it again is not an error', async () => {
    const [id] = [...sandbox.webhooks.keys()];
    await plugin.webhooks!.subscriptions!.delete(context(), id!);
    expect(sandbox.webhooks.size).toBe(0);
    await expect(plugin.webhooks!.subscriptions!.delete(context(), id!)).resolves.toBeUndefined();
  });
});
