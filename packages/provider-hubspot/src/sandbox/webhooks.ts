/**
 * Webhook deliveries the way HubSpot makes them: one POST of a JSON array of events (up to 100)
 * to the app's target URL, signed with the app's client secret: v3 (`X-HubSpot-Signature-v3`,
 * base64 HMAC-SHA256 of method + URI + body + `X-HubSpot-Request-Timestamp`) or, for older apps,
 * v2 (`X-HubSpot-Signature` with `X-HubSpot-Signature-Version: v2`).
 *
 * @module
 */

import { signHubSpotRequest, type WireWebhookEvent } from '../webhook.js';

/** One event to deliver; what is left out is filled in as HubSpot would. */
export type SandboxWebhookEventInput = Partial<WireWebhookEvent> &
  Pick<WireWebhookEvent, 'subscriptionType' | 'objectId'>;

/** Options for `sendWebhook`. */
export interface SendHubSpotWebhookOptions {
  /** The receiver (the app's target URL), full URL as HubSpot signs it. */
  url: string;
  /** The events of the batch (HubSpot sends up to 100 per request). */
  events: SandboxWebhookEventInput[];
  /** The app's client secret. Default: the sandbox OAuth app's. */
  clientSecret?: string;
  /** Default `v3`. */
  signatureVersion?: 'v3' | 'v2';
  /** v3's `X-HubSpot-Request-Timestamp`, epoch ms. Default: now (set an old one to test the window). */
  timestamp?: number;
  /** Replaces the body after signing (to test tampering). */
  tamperBody?: string;
}

/** One delivery: what was sent and what the receiver answered. */
export interface HubSpotWebhookDelivery {
  /** The events as sent. */
  events: WireWebhookEvent[];
  /** The exact body sent. */
  body: string;
  headers: Record<string, string>;
  status: number;
  /** The receiver's answer body, as text. */
  response: string;
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

/** POSTs one signed batch the way HubSpot does. */
export async function deliverHubSpotWebhook(
  options: SendHubSpotWebhookOptions & { clientSecret: string },
  events: WireWebhookEvent[],
): Promise<HubSpotWebhookDelivery> {
  const body = JSON.stringify(events);
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
  const sent = options.tamperBody ?? body;
  const res = await fetch(options.url, { method: 'POST', headers, body: sent });
  return { events, body: sent, headers, status: res.status, response: await res.text() };
}
