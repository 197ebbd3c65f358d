/**
 * Webhook verification and parsing as HubSpot documents them (v3, v2, v1), and the sandbox's
 * signed deliveries checked by the plugin's own verify.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, {
  hubspotSignedUri,
  parseHubSpotWebhook,
  signHubSpotRequest,
  verifyHubSpotWebhook,
} from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { deliveredEvents } from './__fixtures__/webhooks.js';

const SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const URL_ = 'https://www.example.com/webhook_uri';
const BODY = '{"example_field":"example_value"}';

function request(headers: Record<string, string>, body = BODY, url = URL_, method = 'POST'): WebhookRequest {
  return { method, url, headers, rawBody: Buffer.from(body) };
}

describe('HubSpot v2 and v1 signatures', () => {
  it("matches HubSpot's documented v2 vector", () => {
    const expected = '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900';
    expect(signHubSpotRequest('v2', SECRET, { method: 'POST', url: URL_, body: BODY })).toBe(expected);
    const headers = { 'X-HubSpot-Signature': expected, 'X-HubSpot-Signature-Version': 'v2' };
    expect(verifyHubSpotWebhook(request(headers), SECRET)).toEqual({ ok: true });
    expect(verifyHubSpotWebhook(request(headers, `${BODY} `), SECRET)).toMatchObject({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyHubSpotWebhook(request(headers), `${SECRET}x`)).toMatchObject({ reason: 'bad_signature' });
    expect(verifyHubSpotWebhook(request(headers, BODY, `${URL_}2`), SECRET)).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('verifies v1 (secret + body) and refuses an unknown version', () => {
    const v1 = signHubSpotRequest('v1', SECRET, { method: 'POST', url: URL_, body: BODY });
    expect(v1).toMatch(/^[0-9a-f]{64}$/);
    const headers = { 'x-hubspot-signature': v1, 'x-hubspot-signature-version': 'v1' };
    expect(verifyHubSpotWebhook(request(headers), SECRET)).toEqual({ ok: true });
    expect(verifyHubSpotWebhook(request(headers, '{}'), SECRET)).toMatchObject({ reason: 'bad_signature' });
    expect(
      verifyHubSpotWebhook(
        request({ 'x-hubspot-signature': v1, 'x-hubspot-signature-version': 'v9' }),
        SECRET,
      ),
    ).toMatchObject({ ok: false, reason: 'malformed' });
  });
});

describe('HubSpot v3 signatures', () => {
  const now = 1_764_000_000_000;
  const sign = (timestamp: number, body = BODY, url = URL_) => ({
    'x-hubspot-signature-v3': signHubSpotRequest('v3', SECRET, { method: 'POST', url, body, timestamp }),
    'x-hubspot-request-timestamp': String(timestamp),
  });

  it('signs base64 HMAC-SHA256 of method + uri + body + timestamp and accepts it within 5 minutes', () => {
    const headers = sign(now - 60_000);
    expect(headers['x-hubspot-signature-v3']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(verifyHubSpotWebhook(request(headers), SECRET, { now })).toEqual({ ok: true });
    // Tampered body, wrong secret, different URL.
    expect(verifyHubSpotWebhook(request(headers, '{"example_field":"x"}'), SECRET, { now })).toMatchObject({
      reason: 'bad_signature',
    });
    expect(verifyHubSpotWebhook(request(headers), 'another-secret', { now })).toMatchObject({
      reason: 'bad_signature',
    });
    expect(
      verifyHubSpotWebhook(request(headers, BODY, 'https://www.example.com/other'), SECRET, { now }),
    ).toMatchObject({
      reason: 'bad_signature',
    });
  });

  it('refuses a timestamp older (or further ahead) than 5 minutes, even correctly signed', () => {
    const stale = verifyHubSpotWebhook(request(sign(now - 5 * 60_000 - 1)), SECRET, { now });
    expect(stale).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(verifyHubSpotWebhook(request(sign(now - 5 * 60_000)), SECRET, { now })).toEqual({ ok: true });
    expect(verifyHubSpotWebhook(request(sign(now + 6 * 60_000)), SECRET, { now })).toMatchObject({
      reason: 'stale_timestamp',
    });
    expect(
      verifyHubSpotWebhook(request(sign(now - 60 * 60_000)), SECRET, { now, toleranceMs: 2 * 60 * 60_000 }),
    ).toEqual({
      ok: true,
    });
  });

  it('refuses missing headers without leaking the secret', () => {
    const missing = verifyHubSpotWebhook(request({}), SECRET, { now });
    expect(missing).toMatchObject({ ok: false, reason: 'missing_signature' });
    const headers = sign(now);
    const noStamp = verifyHubSpotWebhook(
      request({ 'x-hubspot-signature-v3': headers['x-hubspot-signature-v3'] }),
      SECRET,
      { now },
    );
    expect(noStamp).toMatchObject({ ok: false, reason: 'missing_signature' });
    const bad = verifyHubSpotWebhook(
      request({ ...headers, 'x-hubspot-request-timestamp': 'yesterday' }),
      SECRET,
      {
        now,
      },
    );
    expect(bad).toMatchObject({ ok: false, reason: 'malformed' });
    for (const result of [missing, noStamp, bad]) expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('decodes exactly the listed percent-encodings in the URI', () => {
    expect(hubspotSignedUri('https://h.test/a%3Ab%2Fc%3Fd%40e%21f%24g%27h%28i%29j%2Ak%2Cl%3Bm')).toBe(
      "https://h.test/a:b/c?d@e!f$g'h(i)j*k,l;m",
    );
    expect(hubspotSignedUri('https://h.test/?q=a%20b%26c%3d%2a')).toBe('https://h.test/?q=a%20b%26c%3d*');
    // The receiver gets the encoded URL; HubSpot signed the decoded one.
    const encoded = 'https://h.test/hook?from=a%3Ab&to=%2Fx%20y';
    const decoded = 'https://h.test/hook?from=a:b&to=/x%20y';
    const sig = signHubSpotRequest('v3', SECRET, {
      method: 'POST',
      url: decoded,
      body: BODY,
      timestamp: now,
    });
    const headers = { 'x-hubspot-signature-v3': sig, 'x-hubspot-request-timestamp': String(now) };
    expect(verifyHubSpotWebhook(request(headers, BODY, encoded), SECRET, { now })).toEqual({ ok: true });
  });
});

describe('HubSpot parse', () => {
  it('turns the delivered array into one event per element', () => {
    const events = parseHubSpotWebhook(request({}, JSON.stringify(deliveredEvents)));
    expect(events).toHaveLength(deliveredEvents.length);
    expect(events[0]).toMatchObject({
      providerEventId: String(deliveredEvents[0]?.eventId),
      providerType: deliveredEvents[0]?.subscriptionType,
      occurredAt: new Date(deliveredEvents[0]?.occurredAt as number).toISOString(),
    });
    for (const parsed of events) {
      const event = plugin.events?.find((e) => e.providerType === parsed.providerType);
      if (event) expect(event.data.safeParse(parsed.data).success).toBe(true);
    }
  });

  it('refuses a body that is not an array of events, naming the element', () => {
    expect(() => parseHubSpotWebhook(request({}, 'not json'))).toThrow(/not JSON/);
    expect(() => parseHubSpotWebhook(request({}, '{"eventId":1}'))).toThrow(/JSON array/);
    expect(() => parseHubSpotWebhook(request({}, '[{"eventId":1}]'))).toThrow(/\[0\]/);
  });

  it('is declared on the plugin', () => {
    expect(plugin.webhooks).toMatchObject({ signing: 'hubspot-v3', secretSource: 'client_secret' });
  });
});

describe('sandbox.sendWebhook', () => {
  let sandbox: HubSpotSandbox;
  let receiver: Server;
  let url: string;
  const received: WebhookRequest[] = [];
  beforeAll(async () => {
    sandbox = await startHubSpotSandbox();
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const host = req.headers.host as string;
        const request: WebhookRequest = {
          method: req.method as string,
          url: `http://${host}${req.url}`,
          headers: req.headers as Record<string, string>,
          rawBody: Buffer.concat(chunks),
        };
        received.push(request);
        const result = plugin.webhooks?.verify(request, sandbox.oauth.clientSecret);
        res.statusCode = result?.ok ? 204 : 401;
        res.end(result?.ok ? '' : result?.reason);
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot?org=a%3Ab`;
  });
  afterAll(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('POSTs a v3-signed batch the receiver verifies and parses', async () => {
    const delivery = await sandbox.sendWebhook({
      url,
      events: [
        { subscriptionType: 'contact.creation', objectId: 101 },
        {
          subscriptionType: 'contact.propertyChange',
          objectId: 101,
          propertyName: 'email',
          propertyValue: 'a@b.c',
        },
      ],
    });
    expect(delivery.status).toBe(204);
    const last = received.at(-1) as WebhookRequest;
    const events = plugin.webhooks?.parse(last) ?? [];
    expect(events.map((e) => e.providerType)).toEqual(['contact.creation', 'contact.propertyChange']);
    expect(new Set(events.map((e) => e.providerEventId)).size).toBe(2);
    expect(events[0]?.data).toMatchObject({
      portal_id: sandbox.portalId,
      change_flag: 'NEW',
      object_id: '101',
    });
  });

  it('v2 also verifies; a wrong secret, a stale timestamp and a tampered body are refused', async () => {
    const events = [{ subscriptionType: 'deal.creation', objectId: 7 }];
    expect((await sandbox.sendWebhook({ url, events, signatureVersion: 'v2' })).status).toBe(204);
    const wrong = await sandbox.sendWebhook({ url, events, clientSecret: 'not-the-secret' });
    expect([wrong.status, wrong.response]).toEqual([401, 'bad_signature']);
    const stale = await sandbox.sendWebhook({ url, events, timestamp: Date.now() - 6 * 60_000 });
    expect([stale.status, stale.response]).toEqual([401, 'stale_timestamp']);
    const tampered = await sandbox.sendWebhook({ url, events, tamperBody: '[]' });
    expect([tampered.status, tampered.response]).toEqual([401, 'bad_signature']);
  });
});
