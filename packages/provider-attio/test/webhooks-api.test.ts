/**
 * The sandbox's webhook management API (`/v2/webhooks`): create (with the secret), list, get,
 * update, delete, Attio's 400 on undocumented or bad fields, and `emitWebhook` delivering signed
 * events only to the webhooks subscribed to them, each signed with its own secret.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyAttioWebhook } from '../src/index.js';
import { type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { events } from './__fixtures__/webhooks.js';
import { call } from './helpers.js';

type Event = Record<string, unknown> & { event_type: string };
const recordCreated = events['record.created'] as Event;
const noteCreated = events['note.created'] as Event;

describe('sandbox /v2/webhooks', () => {
  let sandbox: AttioSandbox;
  let receiver: Server;
  let local: string;
  /** Deliveries received, by path. */
  const received: { path: string; request: WebhookRequest }[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          request: {
            method: req.method as string,
            url: `http://${req.headers.host}${req.url}`,
            headers: req.headers as Record<string, string>,
            rawBody: Buffer.concat(chunks),
          },
        });
        res.statusCode = 200;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    local = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    sandbox = await startAttioSandbox({
      deliveryUrl: (target) => target.replace('https://hooks.example.com', local),
    });
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(() => {
    sandbox.reset();
    received.length = 0;
  });

  const create = (target_url: string, subscriptions: unknown[]) =>
    call(sandbox, 'POST', '/v2/webhooks', { data: { target_url, subscriptions } });

  it('create → list → get → update → delete → 404', async () => {
    const created = await create('https://hooks.example.com/a', [
      { event_type: 'record.created', filter: null },
    ]);
    expect(created.status).toBe(200);
    const data = created.json.data as Record<string, unknown> & { id: { webhook_id: string } };
    expect(data).toMatchObject({
      target_url: 'https://hooks.example.com/a',
      subscriptions: [{ event_type: 'record.created', filter: null }],
      id: { workspace_id: sandbox.workspace.workspace_id },
      status: 'active',
    });
    expect(data.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(data.secret).toMatch(/^[0-9a-f]{64}$/);
    const id = data.id.webhook_id;
    expect(sandbox.webhooks.get(id).secret).toBe(data.secret);

    const second = await create('https://hooks.example.com/b', []);
    expect((second.json.data as { secret: string }).secret).not.toBe(data.secret);

    const list = await call(sandbox, 'GET', '/v2/webhooks');
    expect(list.status).toBe(200);
    const listed = list.json.data as Record<string, unknown>[];
    expect(listed.map((w) => w.target_url)).toEqual([
      'https://hooks.example.com/a',
      'https://hooks.example.com/b',
    ]);
    expect(listed.every((w) => !('secret' in w))).toBe(true);
    const paged = await call(sandbox, 'GET', '/v2/webhooks?limit=10&offset=1');
    expect((paged.json.data as Record<string, unknown>[]).map((w) => w.target_url)).toEqual([
      'https://hooks.example.com/b',
    ]);

    const got = await call(sandbox, 'GET', `/v2/webhooks/${id}`);
    expect(got.status).toBe(200);
    const { secret: _secret, ...withoutSecret } = data;
    expect(got.json.data).toEqual(withoutSecret);

    const filter = { $and: [{ field: 'parent_object_id', operator: 'equals', value: 'obj-1' }] };
    const updated = await call(sandbox, 'PATCH', `/v2/webhooks/${id}`, {
      data: { subscriptions: [{ event_type: 'note.created', filter }] },
    });
    expect(updated.status).toBe(200);
    expect(updated.json.data).toEqual({
      ...withoutSecret,
      subscriptions: [{ event_type: 'note.created', filter }],
    });
    const moved = await call(sandbox, 'PATCH', `/v2/webhooks/${id}`, {
      data: { target_url: 'https://hooks.example.com/moved' },
    });
    expect(moved.json.data).toMatchObject({
      target_url: 'https://hooks.example.com/moved',
      subscriptions: [{ event_type: 'note.created', filter }],
    });
    expect(sandbox.webhooks.get(id).secret).toBe(data.secret);

    const deleted = await call(sandbox, 'DELETE', `/v2/webhooks/${id}`);
    expect([deleted.status, deleted.json]).toEqual([200, {}]);
    const notFound = {
      status_code: 404,
      type: 'invalid_request_error',
      code: 'not_found',
      message: `Webhook with ID "${id}" was not found.`,
    };
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { data: {} }],
      ['DELETE', undefined],
    ] as const) {
      const gone = await call(sandbox, method, `/v2/webhooks/${id}`, body);
      expect([method, gone.status, gone.json]).toEqual([method, 404, notFound]);
    }
    expect((await call(sandbox, 'GET', '/v2/webhooks')).json.data).toHaveLength(1);
  });

  it('refuses undocumented fields and bad values with Attio 400 validation errors', async () => {
    const cases: [unknown, RegExp][] = [
      [{ data: { target_url: 'https://x.example.com', subscriptions: [], extra: 1 } }, /extra/],
      [{ data: { target_url: 'https://x.example.com', subscriptions: [] }, secret: 's' }, /secret/],
      [{ data: { target_url: 'http://x.example.com', subscriptions: [] } }, /target_url/],
      [{ data: { target_url: 'not a url', subscriptions: [] } }, /target_url/],
      [{ data: { subscriptions: [] } }, /target_url/],
      [{ data: { target_url: 'https://x.example.com' } }, /subscriptions/],
      [
        { data: { target_url: 'https://x.example.com', subscriptions: [{ event_type: 'record.created' }] } },
        /filter/,
      ],
      [
        {
          data: {
            target_url: 'https://x.example.com',
            subscriptions: [{ event_type: 'record.exploded', filter: null }],
          },
        },
        /event_type/,
      ],
      [
        {
          data: {
            target_url: 'https://x.example.com',
            subscriptions: [
              {
                event_type: 'record.created',
                filter: { $and: [{ field: 'a', operator: 'contains', value: 'b' }] },
              },
            ],
          },
        },
        /subscriptions/,
      ],
    ];
    for (const [body, field] of cases) {
      const res = await call(sandbox, 'POST', '/v2/webhooks', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.json).toMatchObject({
        status_code: 400,
        type: 'invalid_request_error',
        code: 'validation_type',
        message: 'Body payload validation error.',
      });
      expect(JSON.stringify(res.json.validation_errors), JSON.stringify(body)).toMatch(field);
    }
    const created = await create('https://hooks.example.com/a', []);
    const id = (created.json.data as { id: { webhook_id: string } }).id.webhook_id;
    const patch = await call(sandbox, 'PATCH', `/v2/webhooks/${id}`, { data: { status: 'inactive' } });
    expect([patch.status, patch.json.code]).toEqual([400, 'validation_type']);
    expect((await call(sandbox, 'PATCH', `/v2/webhooks/${id}`, {})).status).toBe(400);
    const badLimit = await call(sandbox, 'GET', '/v2/webhooks?limit=500');
    expect([badLimit.status, badLimit.json.message]).toEqual([400, 'Query parameter validation error.']);
    expect(sandbox.webhooks.byId.size).toBe(1);
  });

  it('emitWebhook reaches only matching subscriptions, each signed with its own webhook secret', async () => {
    const objectId = (noteCreated.parent_object_id as string) ?? '';
    const subscribe = async (path: string, subscriptions: unknown[]) => {
      const res = await create(`https://hooks.example.com${path}`, subscriptions);
      expect(res.status).toBe(200);
      return res.json.data as { id: { webhook_id: string }; secret: string };
    };
    const records = await subscribe('/records', [
      { event_type: 'record.created', filter: null },
      { event_type: 'record.deleted', filter: null },
    ]);
    const notesForObject = await subscribe('/notes-same-object', [
      {
        event_type: 'note.created',
        filter: { $and: [{ field: 'parent_object_id', operator: 'equals', value: objectId }] },
      },
    ]);
    await subscribe('/notes-other-object', [
      {
        event_type: 'note.created',
        filter: { $or: [{ field: 'parent_object_id', operator: 'equals', value: 'other' }] },
      },
    ]);
    const notesNotOther = await subscribe('/notes-not-other', [
      {
        event_type: 'note.created',
        filter: { $and: [{ field: 'id.workspace_id', operator: 'not_equals', value: 'other' }] },
      },
    ]);
    await subscribe('/tasks', [{ event_type: 'task.created', filter: null }]);

    const recordDeliveries = await sandbox.emitWebhook({ event: recordCreated, idempotencyKey: 'k-1' });
    expect(recordDeliveries.map((d) => [d.webhookId, d.status])).toEqual([[records.id.webhook_id, 200]]);
    const noteDeliveries = await sandbox.emitWebhook({ event: noteCreated });
    expect(noteDeliveries.map((d) => d.webhookId)).toEqual([
      notesForObject.id.webhook_id,
      notesNotOther.id.webhook_id,
    ]);
    expect(await sandbox.emitWebhook({ event: events['record.updated'] as Event })).toEqual([]);

    expect(received.map((r) => r.path).sort()).toEqual([
      '/notes-not-other',
      '/notes-same-object',
      '/records',
    ]);
    const secrets = new Map([
      ['/records', records],
      ['/notes-same-object', notesForObject],
      ['/notes-not-other', notesNotOther],
    ]);
    for (const { path, request } of received) {
      const own = secrets.get(path);
      expect(verifyAttioWebhook(request, own?.secret as string), path).toEqual({ ok: true });
      for (const [otherPath, other] of secrets) {
        if (otherPath === path) continue;
        expect(verifyAttioWebhook(request, other.secret)).toMatchObject({
          ok: false,
          reason: 'bad_signature',
        });
      }
      const body = JSON.parse(request.rawBody.toString('utf8'));
      expect(body.webhook_id).toBe(own?.id.webhook_id);
      expect(body.events).toHaveLength(1);
    }
    const recordDelivery = received.find((r) => r.path === '/records')?.request;
    expect(recordDelivery?.headers['idempotency-key']).toBe('k-1');
    expect(JSON.parse(recordDelivery?.rawBody.toString('utf8') ?? '{}').events[0]).toEqual(recordCreated);

    // a tampered body no longer verifies; a deleted webhook receives nothing more
    received.length = 0;
    const [tampered] = await sandbox.emitWebhook({
      event: recordCreated,
      tamperBody: '{"webhook_id":"x","events":[]}',
    });
    expect(verifyAttioWebhook(received[0]?.request as WebhookRequest, records.secret)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(tampered?.body).toBe('{"webhook_id":"x","events":[]}');
    await call(sandbox, 'DELETE', `/v2/webhooks/${records.id.webhook_id}`);
    expect(await sandbox.emitWebhook({ event: recordCreated })).toEqual([]);
  });
});
