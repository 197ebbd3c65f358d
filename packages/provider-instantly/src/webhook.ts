/**
 * Instantly's webhook deliveries (https://developer.instantly.ai/guides/webhook-events): one POST
 * of a flat JSON object per event. Instantly signs nothing (no HMAC, no signature or timestamp
 * header). The one thing a receiver can check is the custom `headers` object registered with the
 * subscription (`POST /api/v2/webhooks` `headers`), which Instantly echoes on every delivery: we
 * register a random per-subscription secret in {@link INSTANTLY_WEBHOOK_SECRET_HEADER} and compare
 * it in constant time.
 *
 * @module
 */

import { createHash } from 'node:crypto';
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
import type { z } from 'zod';
import { campaignCompleted } from './events/campaign.completed.js';
import { emailBounced } from './events/email.bounced.js';
import { emailLinkClicked } from './events/email.link_clicked.js';
import { emailOpened } from './events/email.opened.js';
import { emailReplyReceived } from './events/email.reply_received.js';
import { emailSent } from './events/email.sent.js';
import { leadInterested } from './events/lead.interested.js';
import { leadMeetingBooked } from './events/lead.meeting_booked.js';
import { leadUnsubscribed } from './events/lead.unsubscribed.js';
import { parseWire, type WireCreateWebhook, wireWebhook } from './wire.js';

/**
 * Instantly's webhook events, each with `providerType` (the name to subscribe with) and
 * `payloadType` (the `event_type` delivered payloads carry; for `email.link_clicked` it is
 * `link_clicked`, not the subscription name `email_link_clicked`).
 */
export const INSTANTLY_EVENTS = [
  emailSent,
  emailOpened,
  emailLinkClicked,
  emailReplyReceived,
  emailBounced,
  leadUnsubscribed,
  leadInterested,
  leadMeetingBooked,
  campaignCompleted,
] as const;

/**
 * Finds the event a delivered webhook payload is, by its `event_type` (the payload name, which
 * is not always the subscription name), and parses it with that event's data schema. Returns
 * null for payloads that are none of this plugin's events (`auto_reply_received`, custom
 * labels, `account_error`, ...) or that lack the base fields.
 *
 * @example
 * ```ts
 * matchInstantlyWebhook({ event_type: 'link_clicked', timestamp: '2026-11-25T10:00:00.000Z',
 *   workspace: 'w', campaign_id: 'c', campaign_name: 'Q4' })?.type; // 'email.link_clicked'
 * ```
 */
export function matchInstantlyWebhook(
  payload: unknown,
): { type: string; data: Record<string, unknown> } | null {
  const eventType = (payload as { event_type?: unknown } | null)?.event_type;
  const event = INSTANTLY_EVENTS.find((e) => e.payloadType === eventType);
  if (!event) return null;
  const parsed = (event.data as z.ZodType<Record<string, unknown>>).safeParse(payload);
  return parsed.success ? { type: event.type, data: parsed.data } : null;
}

/**
 * The custom header that carries a subscription's secret on Instantly deliveries. Our own name
 * (`x-oxygen-*`), not `Authorization`: a receiver behind a proxy or gateway that consumes
 * `Authorization` would strip or reject it, and a dedicated name cannot collide with a header
 * Instantly or an intermediary sets itself.
 */
export const INSTANTLY_WEBHOOK_SECRET_HEADER = 'x-oxygen-webhook-secret';

/**
 * Verifies an Instantly delivery: the {@link INSTANTLY_WEBHOOK_SECRET_HEADER} header Instantly
 * echoes must equal the subscription's secret (constant-time). That proves the sender knows the
 * secret registered with the subscription; Instantly offers nothing stronger (no body signature).
 *
 * @example
 * ```ts
 * verifyInstantlyWebhook(request, subscriptionSecret); // { ok: true } or { ok: false, reason, detail }
 * ```
 */
export function verifyInstantlyWebhook(request: WebhookRequest, secret: string): WebhookVerification {
  const presented = webhookHeader(request, INSTANTLY_WEBHOOK_SECRET_HEADER);
  if (!presented) {
    return {
      ok: false,
      reason: 'missing_signature',
      detail: `no ${INSTANTLY_WEBHOOK_SECRET_HEADER} header (was the webhook registered with its headers?)`,
    };
  }
  return safeEqual(presented, secret)
    ? { ok: true }
    : {
        ok: false,
        reason: 'bad_signature',
        detail: `${INSTANTLY_WEBHOOK_SECRET_HEADER} does not match the subscription`,
      };
}

/**
 * Parses an Instantly delivery (one flat JSON object) into one parsed event. `providerType` is the
 * delivered `event_type` (`link_clicked`, `auto_reply_received`, a custom label, ...). Instantly
 * documents no event id, and `email_id` is shared by several events about one email (every open),
 * so `providerEventId` is the SHA-256 (hex) of the raw body: a retry resends the same bytes, a new
 * event differs at least in `timestamp`. `occurredAt` is the payload's `timestamp`. `data` is
 * {@link matchInstantlyWebhook}'s data for the plugin's events, else the payload as delivered.
 * Throws a `ValidationError` when the body is not a JSON object with `event_type` and `timestamp`.
 *
 * @example
 * ```ts
 * parseInstantlyWebhook(request)[0]?.providerType; // 'reply_received'
 * ```
 */
export function parseInstantlyWebhook(request: WebhookRequest): ParsedWebhookEvent[] {
  const payload = parseWebhookJson(request.rawBody, 'Instantly');
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new ValidationError('An Instantly webhook body must be a JSON object.');
  }
  const body = payload as Record<string, unknown>;
  if (typeof body.event_type !== 'string' || body.event_type === '') {
    throw new ValidationError('The Instantly webhook body has no event_type.', { field: 'event_type' });
  }
  const time = typeof body.timestamp === 'string' ? Date.parse(body.timestamp) : Number.NaN;
  if (Number.isNaN(time)) {
    throw new ValidationError('The Instantly webhook body has no ISO 8601 timestamp.', {
      field: 'timestamp',
    });
  }
  return [
    {
      providerEventId: createHash('sha256').update(request.rawBody).digest('hex'),
      providerType: body.event_type,
      occurredAt: isoTime(time),
      data: matchInstantlyWebhook(body)?.data ?? body,
    },
  ];
}

/**
 * Registers and removes Instantly webhooks through its API, with the connection's key (scopes
 * `webhooks:create` and `webhooks:delete`):
 * - `create`: `POST /api/v2/webhooks` with `target_hook_url` = the ingress URL, `event_type` = the
 *   one provider type, `name` `Oxygen: <event_type>`, and custom `headers` carrying the secret in
 *   {@link INSTANTLY_WEBHOOK_SECRET_HEADER}, which Instantly echoes on every delivery. An Instantly
 *   webhook has exactly one `event_type`, so `create` takes exactly one provider type (the runtime
 *   registers one subscription per event) and refuses several with a `ValidationError`. Instantly
 *   issues no secret: the returned subscription has none, meaning the input's.
 * - `delete`: `DELETE /api/v2/webhooks/{id}`; Instantly's 404 (already gone) resolves.
 *
 * @example
 * ```ts
 * await instantlySubscriptions.create(ctx, { url: 'https://hooks.example.com/webhooks/instantly/sub_1',
 *   providerTypes: ['reply_received'], secret }); // { id: '0199…' }
 * ```
 */
export const instantlySubscriptions: WebhookSubscriptions = {
  async create(ctx, input) {
    const [eventType, ...more] = input.providerTypes;
    if (eventType === undefined || more.length > 0) {
      throw new ValidationError(
        `An Instantly webhook subscribes to exactly one event_type; got ${input.providerTypes.length} (${input.providerTypes.join(', ') || 'none'}).`,
        { field: 'providerTypes', hint: 'Create one subscription per event.' },
      );
    }
    const json: WireCreateWebhook = {
      target_hook_url: input.url,
      event_type: eventType,
      name: `Oxygen: ${eventType}`,
      headers: { [INSTANTLY_WEBHOOK_SECRET_HEADER]: input.secret },
    };
    const webhook = parseWire(
      wireWebhook,
      await ctx.http.post('api/v2/webhooks', { json }).json(),
      'the webhook create',
    );
    return { id: webhook.id };
  },
  async delete(ctx, id) {
    try {
      await ctx.http.delete(`api/v2/webhooks/${encodeURIComponent(id)}`);
    } catch (error) {
      if (NotFoundError.isInstance(error) && error.status === 404) return;
      throw error;
    }
  },
};

/** Instantly's webhook support for the plugin: a per-subscription secret echoed in a custom header. */
export const instantlyWebhooks: WebhookSupport = {
  signing: 'shared-secret-header',
  secretSource: 'subscription',
  description: `Instantly signs nothing; each subscription is registered with a random secret in its custom headers (${INSTANTLY_WEBHOOK_SECRET_HEADER}), which Instantly echoes on every delivery and which is compared in constant time. Retries are dropped by the SHA-256 of the body.`,
  verify: (request, secret) => verifyInstantlyWebhook(request, secret),
  parse: parseInstantlyWebhook,
  subscriptions: instantlySubscriptions,
};
