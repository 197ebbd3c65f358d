/**
 * Instantly webhook verification (the per-subscription secret Instantly echoes in a custom
 * header) and parsing, the sandbox's webhooks API (`POST|GET /api/v2/webhooks`,
 * `GET|DELETE /api/v2/webhooks/{id}`), and deliveries to registered subscriptions checked by the
 * plugin's own verify.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, {
  INSTANTLY_WEBHOOK_SECRET_HEADER,
  parseInstantlyWebhook,
  verifyInstantlyWebhook,
} from '../src/index.js';
import { type InstantlySandbox, startInstantlySandbox } from '../src/sandbox/index.js';

const SECRET = randomBytes(32).toString('base64url');
const PAYLOAD = {
  timestamp: '2026-11-25T10:00:00.000Z',
  event_type: 'link_clicked',
  workspace: '0199f0a2-0000-7000-8000-000000000001',
  campaign_id: '0199f0a2-0000-7000-8000-000000000002',
  campaign_name: 'Q4',
  lead_email: 'ada@example.com',
  email_account: 'sender@acme.test',
  step: 1,
  variant: 1,
  is_first: true,
  email_id: '0199f0a2-0000-7000-8000-000000000003',
};

function request(headers: Record<string, string>, body: unknown = PAYLOAD): WebhookRequest {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    method: 'POST',
    url: 'https://hooks.example.com/instantly/sub_1',
    headers,
    rawBody: Buffer.from(raw),
  };
}

describe('Instantly verify and parse', () => {
  it('accepts the echoed secret and refuses a wrong, missing or truncated one', () => {
    expect(INSTANTLY_WEBHOOK_SECRET_HEADER).toBe('x-oxygen-webhook-secret');
    expect(verifyInstantlyWebhook(request({ 'X-Oxygen-Webhook-Secret': SECRET }), SECRET)).toEqual({
      ok: true,
    });
    expect(
      verifyInstantlyWebhook(request({ 'x-oxygen-webhook-secret': `${SECRET}x` }), SECRET),
    ).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(
      verifyInstantlyWebhook(request({ 'x-oxygen-webhook-secret': SECRET.slice(1) }), SECRET),
    ).toMatchObject({
      reason: 'bad_signature',
    });
    const missing = verifyInstantlyWebhook(request({ authorization: SECRET }), SECRET);
    expect(missing).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(JSON.stringify(missing)).not.toContain(SECRET);
  });

  it('parses one event: delivered event_type, payload timestamp, SHA-256 of the body as id', () => {
    const [event] = parseInstantlyWebhook(request({}));
    expect(event).toMatchObject({ providerType: 'link_clicked', occurredAt: '2026-11-25T10:00:00.000Z' });
    expect(event?.providerEventId).toMatch(/^[0-9a-f]{64}$/);
    expect(
      plugin.events?.find((e) => e.payloadType === 'link_clicked')?.data.safeParse(event?.data).success,
    ).toBe(true);
    // The same bytes (a retry) give the same id; another event (a second open) another.
    expect(parseInstantlyWebhook(request({}))[0]?.providerEventId).toBe(event?.providerEventId);
    const later = parseInstantlyWebhook(request({}, { ...PAYLOAD, timestamp: '2026-11-25T10:00:01.000Z' }));
    expect(later[0]?.providerEventId).not.toBe(event?.providerEventId);
    // An event the plugin does not declare still parses (ingress records it as ignored).
    const auto = parseInstantlyWebhook(request({}, { ...PAYLOAD, event_type: 'auto_reply_received' }));
    expect(auto[0]).toMatchObject({
      providerType: 'auto_reply_received',
      data: { lead_email: 'ada@example.com' },
    });
  });

  it('refuses bodies that are not Instantly payloads', () => {
    expect(() => parseInstantlyWebhook(request({}, 'nope'))).toThrow(/not JSON/);
    expect(() => parseInstantlyWebhook(request({}, [PAYLOAD]))).toThrow(/JSON object/);
    expect(() => parseInstantlyWebhook(request({}, { ...PAYLOAD, event_type: undefined }))).toThrow(
      /event_type/,
    );
    expect(() => parseInstantlyWebhook(request({}, { ...PAYLOAD, timestamp: 'yesterday' }))).toThrow(
      /timestamp/,
    );
  });

  it('is declared on the plugin', () => {
    expect(plugin.webhooks).toMatchObject({ signing: 'shared-secret-header', secretSource: 'subscription' });
  });
});

describe('sandbox webhooks API and deliveries', () => {
  let sandbox: InstantlySandbox;
  let receiver: Server;
  let base: string;
  const received: { path: string; ok: boolean }[] = [];
  const api = async (method: string, path: string, body?: unknown, token = sandbox.token) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  beforeAll(async () => {
    sandbox = await startInstantlySandbox({
      tokens: [{ token: 'full' }, { token: 'read-only', scopes: ['webhooks:read'] }],
    });
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const webhookRequest: WebhookRequest = {
          method: req.method as string,
          url: `http://${req.headers.host}${req.url}`,
          headers: req.headers as Record<string, string>,
          rawBody: Buffer.concat(chunks),
        };
        const result = plugin.webhooks?.verify(webhookRequest, SECRET);
        received.push({ path: req.url ?? '', ok: result?.ok === true });
        res.statusCode = result?.ok ? 200 : 401;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(() => {
    sandbox.reset();
    received.length = 0;
  });

  it('creates, lists, gets and deletes webhooks as the reference documents', async () => {
    const created = await api('POST', '/api/v2/webhooks', {
      target_hook_url: `${base}/hooks/a`,
      event_type: 'reply_received',
      name: 'Oxygen',
      headers: { [INSTANTLY_WEBHOOK_SECRET_HEADER]: SECRET },
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      organization: sandbox.workspace.id,
      campaign: null,
      target_hook_url: `${base}/hooks/a`,
      event_type: 'reply_received',
      headers: { [INSTANTLY_WEBHOOK_SECRET_HEADER]: SECRET },
      status: 1,
    });
    const id = created.json.id as string;
    await api('POST', '/api/v2/webhooks', { target_hook_url: `${base}/hooks/b`, event_type: 'email_sent' });
    const listed = await api('GET', '/api/v2/webhooks?event_type=reply_received', undefined, 'read-only');
    expect((listed.json.items as { id: string }[]).map((w) => w.id)).toEqual([id]);
    expect(((await api('GET', '/api/v2/webhooks')).json.items as unknown[]).length).toBe(2);
    expect((await api('GET', `/api/v2/webhooks/${id}`)).json.id).toBe(id);
    expect((await api('DELETE', `/api/v2/webhooks/${id}`)).json.id).toBe(id);
    expect((await api('GET', `/api/v2/webhooks/${id}`)).status).toBe(404);
    expect(sandbox.webhooks.size).toBe(1);
  });

  it('refuses what the reference refuses: bad URL, unknown event type, extra field, missing scope', async () => {
    for (const body of [
      { target_hook_url: 'ftp://x.test/h', event_type: 'email_sent' },
      { target_hook_url: `${base}/h`, event_type: 'email.replied' },
      { target_hook_url: `${base}/h`, secret: 'x' },
      { event_type: 'email_sent' },
    ]) {
      expect((await api('POST', '/api/v2/webhooks', body)).status, JSON.stringify(body)).toBe(400);
    }
    expect(
      (await api('POST', '/api/v2/webhooks', { target_hook_url: `${base}/h` }, 'read-only')).status,
    ).toBe(403);
    expect(sandbox.webhooks.size).toBe(0);
  });

  it('emitWebhook delivers to each matching subscription with its headers; verify tells them apart', async () => {
    const register = (path: string, event_type: string, headers?: Record<string, string>) =>
      api('POST', '/api/v2/webhooks', { target_hook_url: `${base}${path}`, event_type, headers });
    await register('/good', 'email_sent', { [INSTANTLY_WEBHOOK_SECRET_HEADER]: SECRET });
    await register('/wrong', 'email_sent', { [INSTANTLY_WEBHOOK_SECRET_HEADER]: 'guess' });
    await register('/none', 'all_events');
    await register('/other', 'email_opened', { [INSTANTLY_WEBHOOK_SECRET_HEADER]: SECRET });
    const deliveries = await sandbox.emitWebhook({ event: 'email_sent' });
    expect(deliveries.map((d) => d.status)).toEqual([200, 401, 401]);
    expect(received).toEqual([
      { path: '/good', ok: true },
      { path: '/wrong', ok: false },
      { path: '/none', ok: false },
    ]);
  });
});
