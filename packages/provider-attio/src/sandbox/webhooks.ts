/**
 * Webhook deliveries the way Attio makes them: POST `{ webhook_id, events: [event] }` (one event
 * per delivery) with `Attio-Signature` and `X-Attio-Signature` (hex HMAC-SHA256 of the body keyed
 * with the webhook's secret) and an `Idempotency-Key` that stays the same across retries.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { signAttioBody } from '../webhook.js';

/** Options for `sendWebhook`. */
export interface SendAttioWebhookOptions {
  /** The webhook's `target_url`. */
  url: string;
  /** The webhook's `secret`. */
  secret: string;
  /** The event, as Attio's webhook reference shapes it (`{ event_type, id: {...}, actor, ... }`). */
  event: Record<string, unknown> & { event_type: string };
  /** The webhook's id. Default: a new UUID. */
  webhookId?: string;
  /** `Idempotency-Key`; pass the same one to send a retry. Default: a new UUID. */
  idempotencyKey?: string;
  /** Replaces the body after signing (to test tampering). */
  tamperBody?: string;
}

/** One delivery: what was sent and what the receiver answered. */
export interface AttioWebhookDelivery {
  /** The exact body sent. */
  body: string;
  headers: Record<string, string>;
  status: number;
  /** The receiver's answer body, as text. */
  response: string;
}

/** POSTs one signed delivery the way Attio does. */
export async function deliverAttioWebhook(options: SendAttioWebhookOptions): Promise<AttioWebhookDelivery> {
  const body = JSON.stringify({ webhook_id: options.webhookId ?? randomUUID(), events: [options.event] });
  const signature = signAttioBody(options.secret, body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'attio-signature': signature,
    'x-attio-signature': signature,
    'idempotency-key': options.idempotencyKey ?? randomUUID(),
  };
  const sent = options.tamperBody ?? body;
  const res = await fetch(options.url, { method: 'POST', headers, body: sent });
  return { body: sent, headers, status: res.status, response: await res.text() };
}
