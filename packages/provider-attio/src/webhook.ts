/**
 * Attio's webhook deliveries (docs.attio.com, "Webhooks"): a POST of
 * `{ webhook_id, events: [{ event_type, id: {...}, actor, ... }] }` (currently exactly one event per
 * delivery), signed in `Attio-Signature` (and the identical `X-Attio-Signature`) with the hex
 * HMAC-SHA256 of the raw body, keyed with the webhook's `secret` (returned once, when the webhook
 * is created). Nothing else is signed: there is no timestamp, so replays are caught downstream by
 * the event id. Attio's `Idempotency-Key` header is the same across retries of one delivery.
 *
 * @module
 */

import { createHash, createHmac } from 'node:crypto';
import {
  isoTime,
  NotFoundError,
  type ParsedWebhookEvent,
  parseWebhookJson,
  safeEqual,
  ValidationError,
  type WebhookRequest,
  type WebhookSubscriptions,
  type WebhookSupport,
  type WebhookVerification,
  webhookHeader,
} from '@oxygen/core';
import { z } from 'zod';
import { parseWire, type WireWebhookCreate, wireWebhookCreated } from './wire.js';

/** A delivery as Attio sends it. Unknown fields pass through. */
export const wireAttioDelivery = z.looseObject({
  webhook_id: z.string(),
  events: z.array(z.looseObject({ event_type: z.string(), id: z.record(z.string(), z.unknown()) })).min(1),
});

/**
 * Attio's signature of a body: hex HMAC-SHA256 keyed with the webhook's secret.
 *
 * @example
 * ```ts
 * signAttioBody('secret', '{"webhook_id":"w","events":[]}'); // 64 hex characters
 * ```
 */
export function signAttioBody(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret)
    .update(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'))
    .digest('hex');
}

/**
 * Verifies an Attio delivery with the webhook's secret: `Attio-Signature` (or `X-Attio-Signature`)
 * must be the hex HMAC-SHA256 of the raw body. Constant-time; there is no timestamp to check.
 *
 * @example
 * ```ts
 * verifyAttioWebhook(request, webhookSecret); // { ok: true } or { ok: false, reason, detail }
 * ```
 */
export function verifyAttioWebhook(request: WebhookRequest, secret: string): WebhookVerification {
  const signature = webhookHeader(request, 'attio-signature') ?? webhookHeader(request, 'x-attio-signature');
  if (!signature) {
    return {
      ok: false,
      reason: 'missing_signature',
      detail: 'no Attio-Signature or X-Attio-Signature header',
    };
  }
  if (!/^[0-9a-fA-F]{64}$/.test(signature.trim())) {
    return { ok: false, reason: 'malformed', detail: 'Attio-Signature is not 64 hex characters' };
  }
  return safeEqual(signature.trim().toLowerCase(), signAttioBody(secret, request.rawBody))
    ? { ok: true }
    : { ok: false, reason: 'bad_signature', detail: 'Attio-Signature does not match the body' };
}

/**
 * Splits an Attio delivery into parsed events. Attio's events carry no event id or time, so:
 * `providerEventId` is the `Idempotency-Key` header (the same on every retry), or the SHA-256 of
 * the raw body when it is missing, suffixed `:<index>` after the first event; `occurredAt` is the
 * time of receipt. `data` is Attio's event object as delivered. Throws a `ValidationError` when
 * the body is not an Attio delivery.
 *
 * @example
 * ```ts
 * parseAttioWebhook({ method: 'POST', url: 'https://x/h', headers: { 'idempotency-key': 'k1' },
 *   rawBody: Buffer.from('{"webhook_id":"w","events":[{"event_type":"record.created","id":{},"actor":null}]}') });
 * // [{ providerEventId: 'k1', providerType: 'record.created', occurredAt: '<now>', data: { event_type: ... } }]
 * ```
 */
export function parseAttioWebhook(request: WebhookRequest, now: number = Date.now()): ParsedWebhookEvent[] {
  const body = parseWebhookJson(request.rawBody, 'Attio');
  const events = isAttioDelivery(body) ? body.events : parseDeliveryOrThrow(body);
  const key =
    webhookHeader(request, 'idempotency-key') ?? createHash('sha256').update(request.rawBody).digest('hex');
  const occurredAt = isoTime(now);
  return events.map((event, index) => ({
    providerEventId: index === 0 ? key : `${key}:${index}`,
    providerType: event.event_type,
    occurredAt,
    data: event as Record<string, unknown>,
  }));
}

type AttioDelivery = z.infer<typeof wireAttioDelivery>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What {@link wireAttioDelivery} accepts, checked in place: every delivery goes through here, and
 * the schema's parse copies each object it checks. The schema still reports what is wrong.
 */
function isAttioDelivery(body: unknown): body is AttioDelivery {
  if (!isRecord(body) || typeof body.webhook_id !== 'string') return false;
  const events = body.events;
  if (!Array.isArray(events) || events.length === 0) return false;
  for (const event of events) {
    if (!isRecord(event) || typeof event.event_type !== 'string' || !isRecord(event.id)) return false;
  }
  return true;
}

function parseDeliveryOrThrow(body: unknown): AttioDelivery['events'] {
  const result = wireAttioDelivery.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || undefined;
    throw new ValidationError(
      `The Attio webhook body is not a delivery (${field ? `${field}: ` : ''}${issue?.message ?? 'unexpected shape'}).`,
      field ? { field } : undefined,
    );
  }
  return result.data.events;
}

/**
 * Registers and removes Attio webhooks through its API, with the connection's token (scope
 * `webhook:read-write`):
 * - `create`: `POST /v2/webhooks` with `data.target_url` = the ingress URL (Attio requires https)
 *   and one `data.subscriptions` entry `{ event_type, filter: null }` per provider type; Attio
 *   answers the webhook with its signing `secret`, returned only then, which `create` returns.
 * - `delete`: `DELETE /v2/webhooks/{webhook_id}`; Attio's 404 (already gone) resolves.
 *
 * @example
 * ```ts
 * await attioSubscriptions.create(ctx, { url: 'https://hooks.example.com/webhooks/attio/sub_1',
 *   providerTypes: ['record.created'], secret: unused }); // { id: '23e4…', secret: '…' }
 * ```
 */
export const attioSubscriptions: WebhookSubscriptions = {
  async create(ctx, input) {
    if (!/^https:\/\//i.test(input.url)) {
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(input.url)?.[1] ?? 'no scheme';
      throw new ValidationError(`Attio delivers webhooks only to https URLs; the ingress URL is ${scheme}.`, {
        field: 'url',
        hint: "Serve the webhook ingress on a public https URL (a TLS proxy or a tunnel) and use it as the server's public URL.",
      });
    }
    if (input.providerTypes.length === 0) {
      throw new ValidationError('An Attio webhook needs at least one event type.', {
        field: 'providerTypes',
        hint: 'Name the events to subscribe to.',
      });
    }
    const json: WireWebhookCreate = {
      data: {
        target_url: input.url,
        subscriptions: input.providerTypes.map((eventType) => ({ event_type: eventType, filter: null })),
      },
    };
    const created = parseWire(
      wireWebhookCreated,
      await ctx.http.post('v2/webhooks', { json }).json(),
      'the webhook create',
    );
    return { id: created.data.id.webhook_id, secret: created.data.secret };
  },
  async delete(ctx, id) {
    try {
      await ctx.http.delete(`v2/webhooks/${encodeURIComponent(id)}`);
    } catch (error) {
      if (NotFoundError.isInstance(error) && error.status === 404) return;
      throw error;
    }
  },
};

/** Attio's webhook support for the plugin: hex HMAC-SHA256 of the body with the webhook's secret. */
export const attioWebhooks: WebhookSupport = {
  signing: 'hmac-sha256-body',
  secretSource: 'subscription',
  description:
    "Attio-Signature: hex HMAC-SHA256 of the raw body keyed with the webhook's secret (returned when the webhook is created); no timestamp, so retries and replays are dropped by Idempotency-Key.",
  verify: (request, secret) => verifyAttioWebhook(request, secret),
  parse: (request) => parseAttioWebhook(request),
  subscriptions: attioSubscriptions,
};
