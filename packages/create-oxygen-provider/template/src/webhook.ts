/**
 * __NAME__'s webhooks: a `POST` of one event `{ id, type, created_at, data }` to the URL a webhook
 * was registered with, signed in `x-__ID__-signature` with the hex HMAC-SHA256 of the raw
 * body, keyed with the webhook's `secret` (returned once, when the webhook is created through
 * `POST /v1/webhooks`). Retries of one event carry the same `id`.
 *
 * @module
 */

import { createHmac } from 'node:crypto';
import {
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
import { parseWire, type WireWebhookCreate, wireDelivery, wireWebhookCreated } from './wire.js';

/** The header carrying a delivery's signature (header names are case-insensitive). */
export const SIGNATURE_HEADER = 'x-__ID__-signature';

/**
 * The signature of a body: hex HMAC-SHA256 keyed with the webhook's secret.
 *
 * @example
 * ```ts
 * sign__PASCAL__Body('secret', '{"id":"evt_1"}'); // 64 hex characters
 * ```
 */
export function sign__PASCAL__Body(secret: string, body: string | Buffer): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Checks a delivery's signature with the webhook's secret, in constant time. Never throws.
 *
 * @example
 * ```ts
 * verify__PASCAL__Webhook(request, secret); // { ok: true } or { ok: false, reason, detail }
 * ```
 */
export function verify__PASCAL__Webhook(request: WebhookRequest, secret: string): WebhookVerification {
  const signature = webhookHeader(request, SIGNATURE_HEADER)?.trim().toLowerCase();
  if (!signature) return { ok: false, reason: 'missing_signature', detail: `no ${SIGNATURE_HEADER} header` };
  if (!/^[0-9a-f]{64}$/.test(signature)) {
    return { ok: false, reason: 'malformed', detail: `${SIGNATURE_HEADER} is not 64 hex characters` };
  }
  return safeEqual(signature, sign__PASCAL__Body(secret, request.rawBody))
    ? { ok: true }
    : { ok: false, reason: 'bad_signature', detail: `${SIGNATURE_HEADER} does not match the body` };
}

/**
 * Reads a verified delivery: one event, identified by its `id` (the same on every retry).
 * Throws a `ValidationError` when the body is not a __NAME__ delivery.
 *
 * @example
 * ```ts
 * parse__PASCAL__Webhook(request); // [{ providerEventId: 'evt_1', providerType: 'contact.created', ... }]
 * ```
 */
export function parse__PASCAL__Webhook(request: WebhookRequest): ParsedWebhookEvent[] {
  const result = wireDelivery.safeParse(parseWebhookJson(request.rawBody, '__NAME__'));
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.join('.') || undefined;
    throw new ValidationError(
      `The __NAME__ webhook body is not a delivery (${field ? `${field}: ` : ''}${issue?.message ?? 'unexpected shape'}).`,
      field ? { field } : undefined,
    );
  }
  const event = result.data;
  return [
    {
      providerEventId: event.id,
      providerType: event.type,
      occurredAt: event.created_at,
      data: event.data,
    },
  ];
}

/**
 * Registers and removes webhooks through __NAME__'s API, with the connection's API key:
 * `POST /v1/webhooks` `{ url, events }` answers `{ id, secret }`; `DELETE /v1/webhooks/{id}`
 * removes one (a 404 means it is already gone).
 */
export const __CAMEL__Subscriptions: WebhookSubscriptions = {
  async create(ctx, input) {
    const json: WireWebhookCreate = { url: input.url, events: input.providerTypes };
    const created = parseWire(
      wireWebhookCreated,
      await ctx.http.post('v1/webhooks', { json }).json(),
      'the webhook',
    );
    return { id: created.id, secret: created.secret };
  },
  async delete(ctx, id) {
    try {
      await ctx.http.delete(`v1/webhooks/${encodeURIComponent(id)}`);
    } catch (error) {
      if (!NotFoundError.isInstance(error)) throw error;
    }
  },
};

/** How the runtime receives __NAME__ events: verify, parse, and (un)subscribe through the API. */
export const __CAMEL__Webhooks: WebhookSupport = {
  signing: 'hmac-sha256-body',
  secretSource: 'subscription',
  description: `Hex HMAC-SHA256 of the raw body in ${SIGNATURE_HEADER}, keyed with the webhook's secret.`,
  verify: verify__PASCAL__Webhook,
  parse: parse__PASCAL__Webhook,
  subscriptions: __CAMEL__Subscriptions,
};
