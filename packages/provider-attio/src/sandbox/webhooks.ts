/**
 * Webhook deliveries the way Attio makes them: POST `{ webhook_id, events: [event] }` (one event
 * per delivery) with `Attio-Signature` and `X-Attio-Signature` (hex HMAC-SHA256 of the body keyed
 * with the webhook's secret) and an `Idempotency-Key` that stays the same across retries, retried
 * as Attio documents (see {@link ATTIO_WEBHOOK_RETRIES}).
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import {
  backoffSchedule,
  type WebhookAttempts,
  type WebhookRetryPolicy,
  type WebhookSender,
  type WebhookSendOptions,
} from '@oxygen/sandbox-kit';
import { signAttioBody } from '../webhook.js';

/**
 * Attio's retries as the sandbox applies them by default: any answer but 200 or 202, or none, is
 * retried up to 10 times with exponential back-off over about 3 days [V]. Attio publishes neither
 * the delays (here: doubling, adding up to 3 days) nor a timeout (here: 5 s) [U].
 */
export const ATTIO_WEBHOOK_RETRIES = {
  delaysMs: backoffSchedule(10, 3 * 24 * 60 * 60 * 1000),
  timeoutMs: 5_000,
  accepted: (status: number) => status === 200 || status === 202,
  retried: (status: number | null) => status !== 200 && status !== 202,
} as const satisfies WebhookRetryPolicy;

/** Options for `sendWebhook`. */
export interface SendAttioWebhookOptions extends WebhookSendOptions {
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

/**
 * One delivery: what was sent and what the receiver answered, attempt by attempt. Every retry
 * resends the same bytes, signature and `Idempotency-Key`.
 */
export interface AttioWebhookDelivery extends WebhookAttempts {
  /** The URL POSTed to. */
  url: string;
  /** The exact body sent. */
  body: string;
  /** The headers sent: signatures, `Idempotency-Key`, `content-type`. */
  headers: Record<string, string>;
}

/** Sends one signed delivery the way Attio does, retried per `sender`'s policy with the same bytes. */
export function deliverAttioWebhook<D extends object>(
  sender: WebhookSender,
  options: SendAttioWebhookOptions,
  extra: D = {} as D,
): Promise<D & AttioWebhookDelivery> {
  const signed = JSON.stringify({ webhook_id: options.webhookId ?? randomUUID(), events: [options.event] });
  const signature = signAttioBody(options.secret, signed);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'attio-signature': signature,
    'x-attio-signature': signature,
    'idempotency-key': options.idempotencyKey ?? randomUUID(),
  };
  const body = options.tamperBody ?? signed;
  const url = options.url;
  return sender.send({ ...extra, url, body, headers }, () => ({ url, body, headers }), options);
}
