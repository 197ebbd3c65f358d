/**
 * Attio webhook verification (hex HMAC-SHA256 of the body, keyed with the webhook's secret) and
 * parsing, and the sandbox's signed deliveries checked by the plugin's own verify.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, {
  parseAttioWebhook,
  signAttioBody,
  verifyAttioWebhook,
  wireAttioDelivery,
} from '../src/index.js';
import { type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { events } from './__fixtures__/webhooks.js';

const SECRET = 'whsec-attio-test-secret';
const BODY = JSON.stringify({
  webhook_id: 'a1b2c3d4-0000-4000-8000-000000000001',
  events: [events['record.created']],
});

function request(headers: Record<string, string>, body = BODY): WebhookRequest {
  return { method: 'POST', url: 'https://hooks.example.com/attio', headers, rawBody: Buffer.from(body) };
}

describe('Attio verify', () => {
  const signature = createHmac('sha256', SECRET).update(BODY).digest('hex');

  it('accepts the hex HMAC-SHA256 of the raw body in Attio-Signature or X-Attio-Signature', () => {
    expect(signAttioBody(SECRET, BODY)).toBe(signature);
    expect(verifyAttioWebhook(request({ 'Attio-Signature': signature }), SECRET)).toEqual({ ok: true });
    expect(verifyAttioWebhook(request({ 'x-attio-signature': signature }), SECRET)).toEqual({ ok: true });
    expect(verifyAttioWebhook(request({ 'attio-signature': signature.toUpperCase() }), SECRET)).toEqual({
      ok: true,
    });
  });

  it('refuses a tampered body, a wrong secret, a missing or malformed header', () => {
    const tampered = verifyAttioWebhook(
      request({ 'attio-signature': signature }, BODY.replace('created', 'deleted')),
      SECRET,
    );
    expect(tampered).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyAttioWebhook(request({ 'attio-signature': signature }), 'other-secret')).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyAttioWebhook(request({}), SECRET)).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(verifyAttioWebhook(request({ 'attio-signature': 'abc' }), SECRET)).toMatchObject({
      reason: 'malformed',
    });
    expect(JSON.stringify(tampered)).not.toContain(signature);
  });
});

describe('Attio parse', () => {
  it('turns each delivered event into a parsed event keyed by Idempotency-Key', () => {
    const now = Date.parse('2026-11-25T10:00:00.000Z');
    for (const event of plugin.events ?? []) {
      const body = JSON.stringify({ webhook_id: 'w', events: [events[event.providerType as string]] });
      const [parsed] = parseAttioWebhook(request({ 'idempotency-key': 'key-1' }, body), now);
      expect(parsed).toMatchObject({
        providerEventId: 'key-1',
        providerType: event.providerType,
        occurredAt: '2026-11-25T10:00:00.000Z',
      });
      expect(event.data.safeParse(parsed?.data).success, event.type).toBe(true);
    }
  });

  it('falls back to the SHA-256 of the body, and suffixes later events', () => {
    const body = JSON.stringify({
      webhook_id: 'w',
      events: [events['record.created'], events['record.deleted']],
    });
    const parsed = parseAttioWebhook(request({}, body));
    expect(parsed[0]?.providerEventId).toMatch(/^[0-9a-f]{64}$/);
    expect(parsed[1]?.providerEventId).toBe(`${parsed[0]?.providerEventId}:1`);
  });

  it('refuses bodies that are not Attio deliveries, naming the field', () => {
    expect(() => parseAttioWebhook(request({}, '{'))).toThrow(/not JSON/);
    expect(() => parseAttioWebhook(request({}, '{"webhook_id":"w"}'))).toThrow(/events/);
    expect(() => parseAttioWebhook(request({}, '{"webhook_id":"w","events":[{"id":{}}]}'))).toThrow(
      /events\.0\.event_type/,
    );
  });

  it('accepts exactly what the delivery schema accepts (the in-place check and the schema agree)', () => {
    const event = { event_type: 'record.created', id: { record_id: 'r1' }, actor: null };
    const bodies: unknown[] = [
      { webhook_id: 'w', events: [event] },
      { webhook_id: 'w', events: [event, { ...event, extra: [1] }], unknown_top_level: true },
      { webhook_id: 'w', events: [{ ...event, id: {} }] },
      { webhook_id: 'w', events: [] },
      { webhook_id: 'w', events: {} },
      { webhook_id: 1, events: [event] },
      { events: [event] },
      { webhook_id: 'w', events: [{ ...event, event_type: 7 }] },
      { webhook_id: 'w', events: [{ ...event, id: [] }] },
      { webhook_id: 'w', events: [{ ...event, id: null }] },
      { webhook_id: 'w', events: [event, null] },
      { webhook_id: 'w', events: [event, ['record.created']] },
      [{ webhook_id: 'w', events: [event] }],
      'w',
      null,
    ];
    for (const body of bodies) {
      const schema = wireAttioDelivery.safeParse(body).success;
      let parsed = true;
      try {
        parseAttioWebhook(request({}, JSON.stringify(body)));
      } catch {
        parsed = false;
      }
      expect({ body, parsed }).toEqual({ body, parsed: schema });
    }
    // Accepted events are handed on as delivered, every field kept.
    const [first] = parseAttioWebhook(request({}, JSON.stringify(bodies[1])));
    expect(first?.data).toEqual(event);
  });

  it('is declared on the plugin', () => {
    expect(plugin.webhooks).toMatchObject({ signing: 'hmac-sha256-body', secretSource: 'subscription' });
  });
});

describe('sandbox.sendWebhook', () => {
  let sandbox: AttioSandbox;
  let receiver: Server;
  let url: string;
  const received: WebhookRequest[] = [];
  beforeAll(async () => {
    sandbox = await startAttioSandbox();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const request: WebhookRequest = {
          method: req.method as string,
          url: `http://${req.headers.host}${req.url}`,
          headers: req.headers as Record<string, string>,
          rawBody: Buffer.concat(chunks),
        };
        received.push(request);
        const result = plugin.webhooks?.verify(request, SECRET);
        res.statusCode = result?.ok ? 200 : 401;
        res.end(result?.ok ? '' : result?.reason);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/attio`;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('POSTs a signed delivery the receiver verifies; a retry keeps its Idempotency-Key', async () => {
    const event = events['record.updated'] as Record<string, unknown> & { event_type: string };
    const first = await sandbox.sendWebhook({ url, secret: SECRET, event, idempotencyKey: 'idem-1' });
    expect(first.status).toBe(200);
    expect(first.headers['attio-signature']).toBe(first.headers['x-attio-signature']);
    const retry = await sandbox.sendWebhook({ url, secret: SECRET, event, idempotencyKey: 'idem-1' });
    expect(retry.status).toBe(200);
    const ids = received
      .slice(-2)
      .flatMap((r) => plugin.webhooks?.parse(r).map((e) => e.providerEventId) ?? []);
    expect(ids).toEqual(['idem-1', 'idem-1']);
    expect(plugin.webhooks?.parse(received.at(-1) as WebhookRequest)[0]?.providerType).toBe('record.updated');
  });

  it('a wrong secret and a tampered body are refused', async () => {
    const event = events['record.created'] as Record<string, unknown> & { event_type: string };
    const wrong = await sandbox.sendWebhook({ url, secret: 'not-it', event });
    expect([wrong.status, wrong.response]).toEqual([401, 'bad_signature']);
    const tampered = await sandbox.sendWebhook({
      url,
      secret: SECRET,
      event,
      tamperBody: '{"webhook_id":"x","events":[]}',
    });
    expect([tampered.status, tampered.response]).toEqual([401, 'bad_signature']);
  });
});
