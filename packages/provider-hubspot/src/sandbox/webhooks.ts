/**
 * Webhook deliveries the way HubSpot makes them: one POST of a JSON array of events (up to 100)
 * to the app's target URL, signed with the app's client secret: v3 (`X-HubSpot-Signature-v3`,
 * base64 HMAC-SHA256 of method + URI + body + `X-HubSpot-Request-Timestamp`) or, for older apps,
 * v2 (`X-HubSpot-Signature` with `X-HubSpot-Signature-Version: v2`); retried as HubSpot documents
 * (see {@link HUBSPOT_WEBHOOK_RETRIES}), each retry with the next `attemptNumber`, so re-signed.
 *
 * @module
 */

import {
  backoffSchedule,
  type WebhookAttempts,
  type WebhookRetryPolicy,
  type WebhookSender,
  type WebhookSendOptions,
} from '@oxygen/sandbox-kit';
import { signHubSpotRequest, type WireWebhookEvent } from '../webhook.js';

/**
 * HubSpot's retries as the sandbox applies them by default: up to 10 retries spread over 24 hours
 * after a connection failure, a timeout or a 5xx; other 4xx answers are not retried [U in the
 * notes; HubSpot's webhooks guide]. HubSpot says it retries a 429 too, after `Retry-After` [S:
 * HubSpot staff on its forum]; the sandbox retries it on the schedule. The delays are not
 * published ("varying", randomised): here they double and add up to 24 hours. Timeout: 5 s, as
 * HubSpot's guide states.
 */
export const HUBSPOT_WEBHOOK_RETRIES = {
  delaysMs: backoffSchedule(10, 24 * 60 * 60 * 1000),
  timeoutMs: 5_000,
  accepted: (status: number) => status >= 200 && status < 300,
  retried: (status: number | null) => status === null || status === 429 || status >= 500,
} as const satisfies WebhookRetryPolicy;

/** One event to deliver; what is left out is filled in as HubSpot would. */
export type SandboxWebhookEventInput = Partial<WireWebhookEvent> &
  Pick<WireWebhookEvent, 'subscriptionType' | 'objectId'>;

/** Options for `sendWebhook`. */
export interface SendHubSpotWebhookOptions extends WebhookSendOptions {
  /** The receiver (the app's target URL), full URL as HubSpot signs it. */
  url: string;
  /** The events of the batch (HubSpot sends up to 100 per request). */
  events: SandboxWebhookEventInput[];
  /** The app's client secret. Default: the sandbox OAuth app's. */
  clientSecret?: string;
  /** Default `v3`. */
  signatureVersion?: 'v3' | 'v2';
  /**
   * v3's `X-HubSpot-Request-Timestamp` of every attempt, epoch ms. Default: when each attempt is
   * sent (set an old one to test the window).
   */
  timestamp?: number;
  /** Replaces the body after signing (to test tampering). */
  tamperBody?: string;
}

/**
 * One delivery: what was sent and what the receiver answered, attempt by attempt. A retry
 * resends the same events (same `eventId`s) with `attemptNumber` one higher, so its body, signature
 * and timestamp differ: see each of `attempts`.
 */
export interface HubSpotWebhookDelivery extends WebhookAttempts {
  /** The URL POSTed to. */
  url: string;
  /** The events as first sent (`attemptNumber` as given, 0 by default). */
  events: WireWebhookEvent[];
  /** The exact body of the first attempt. */
  body: string;
  /** The headers of the first attempt. */
  headers: Record<string, string>;
}

/** Fills in an event's defaults (`eventId`, `occurredAt`, `portalId`, ...) as HubSpot sends them. */
export function completeEvent(
  input: SandboxWebhookEventInput,
  defaults: { eventId: number; portalId: number; appId: number; now: number },
): WireWebhookEvent {
  const event: WireWebhookEvent = {
    eventId: defaults.eventId,
    subscriptionId: 1,
    portalId: defaults.portalId,
    appId: defaults.appId,
    occurredAt: defaults.now,
    attemptNumber: 0,
    changeSource: 'CRM',
    ...input,
  };
  if (event.changeFlag === undefined) {
    if (event.subscriptionType.endsWith('.creation')) event.changeFlag = 'NEW';
    if (event.subscriptionType.endsWith('.deletion')) event.changeFlag = 'DELETED';
  }
  return event;
}

/** The request of one attempt: the events with `attemptNumber` raised by `retry`, signed. */
function signedAttempt(
  options: SendHubSpotWebhookOptions & { clientSecret: string },
  events: WireWebhookEvent[],
  retry: number,
): { url: string; body: string; headers: Record<string, string> } {
  const body = JSON.stringify(events.map((e) => ({ ...e, attemptNumber: (e.attemptNumber ?? 0) + retry })));
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if ((options.signatureVersion ?? 'v3') === 'v3') {
    const timestamp = options.timestamp ?? Date.now();
    headers['x-hubspot-signature-v3'] = signHubSpotRequest('v3', options.clientSecret, {
      method: 'POST',
      url: options.url,
      body,
      timestamp,
    });
    headers['x-hubspot-request-timestamp'] = String(timestamp);
  } else {
    headers['x-hubspot-signature'] = signHubSpotRequest('v2', options.clientSecret, {
      method: 'POST',
      url: options.url,
      body,
    });
    headers['x-hubspot-signature-version'] = 'v2';
  }
  return { url: options.url, body: options.tamperBody ?? body, headers };
}

/** Sends one signed batch the way HubSpot does, retried per `sender`'s policy (re-signed each time). */
export function deliverHubSpotWebhook(
  sender: WebhookSender,
  options: SendHubSpotWebhookOptions & { clientSecret: string },
  events: WireWebhookEvent[],
): Promise<HubSpotWebhookDelivery> {
  const first = signedAttempt(options, events, 0);
  return sender.send(
    { url: options.url, events, body: first.body, headers: first.headers },
    (attempt) => (attempt === 1 ? first : signedAttempt(options, events, attempt - 1)),
    options,
  );
}
