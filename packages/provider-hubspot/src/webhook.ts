/**
 * HubSpot's webhook events (the webhooks v3 API, "Webhooks API" guide on developers.hubspot.com):
 * HubSpot POSTs a JSON array of events, each
 * `{ eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, attemptNumber,
 * objectId, changeSource, changeFlag?, propertyName?, propertyValue?, sourceId? }`.
 * This module normalises one delivered event into the `data` of the plugin's events (snake_case,
 * ids as strings, `occurred_at` as ISO 8601).
 *
 * @module
 */

import { createHash, createHmac } from 'node:crypto';
import {
  isoTime,
  type ParsedWebhookEvent,
  parseWebhookJson,
  safeEqual,
  ValidationError,
  type WebhookRequest,
  type WebhookSetupInput,
  type WebhookSupport,
  type WebhookVerification,
  type WebhookVerifyOptions,
  webhookHeader,
} from '@oxygen/core';
import { z } from 'zod';

/** One event as HubSpot delivers it. Unknown fields pass through; only what is read is checked. */
export const wireWebhookEvent = z.looseObject({
  eventId: z.union([z.number(), z.string()]),
  subscriptionId: z.number().optional(),
  portalId: z.number(),
  appId: z.number().optional(),
  occurredAt: z.number(),
  subscriptionType: z.string(),
  attemptNumber: z.number().optional(),
  objectId: z.union([z.number(), z.string()]),
  changeSource: z.string().optional(),
  changeFlag: z.string().optional(),
  propertyName: z.string().optional(),
  propertyValue: z.string().optional(),
  sourceId: z.string().optional(),
});
/** One event as HubSpot delivers it. */
export type WireWebhookEvent = z.infer<typeof wireWebhookEvent>;

/** The fields every normalised HubSpot event carries. */
const base = {
  event_id: z.string().describe("HubSpot's eventId (unique per event; use it to drop duplicates)."),
  object_id: z.string().describe('The id of the record the event is about.'),
  portal_id: z.number().int().describe('The HubSpot account (portal) id.'),
  occurred_at: z.string().describe('When it happened, ISO 8601.'),
  subscription_id: z.number().int().nullable(),
  app_id: z.number().int().nullable(),
  attempt_number: z.number().int().describe('0 on the first delivery, then 1, 2, ... on retries.'),
  change_source: z
    .string()
    .nullable()
    .describe('What made the change, as HubSpot says: CRM, CRM_UI, API, IMPORT, INTEGRATION, ...'),
  source_id: z.string().nullable().describe('Which user, app or import made it, when HubSpot says.'),
};

/**
 * The `data` schema of an event of one subscription type; property-change events also carry the
 * property's name and new value.
 *
 * @example
 * ```ts
 * eventData('contact.propertyChange').shape.property_name; // z.string()
 * ```
 */
export function eventData<T extends string>(
  subscriptionType: T,
  kind: 'created' | 'deleted' | 'property_changed',
) {
  const common = { subscription_type: z.literal(subscriptionType), ...base };
  if (kind === 'property_changed') {
    return z.object({
      ...common,
      property_name: z.string().describe('The internal name of the property that changed.'),
      property_value: z.string().describe("The property's new value (a string, like every HubSpot value)."),
    });
  }
  return z.object({
    ...common,
    change_flag: z
      .string()
      .nullable()
      .describe(`HubSpot's changeFlag: ${kind === 'created' ? 'NEW' : 'DELETED'} for this event.`),
  });
}

/**
 * Normalises one delivered HubSpot event into the `data` shape of the plugin's events. Fields a
 * kind of event does not have are left out (`property_*` outside property changes).
 *
 * @example
 * ```ts
 * normalizeWebhookEvent({ eventId: 1, subscriptionId: 12345, portalId: 62515, occurredAt: 1564113600000,
 *   subscriptionType: 'contact.creation', attemptNumber: 0, objectId: 123, changeSource: 'CRM',
 *   changeFlag: 'NEW', appId: 54321 });
 * // { subscription_type: 'contact.creation', event_id: '1', object_id: '123', portal_id: 62515,
 * //   occurred_at: '2019-07-26T04:00:00.000Z', subscription_id: 12345, app_id: 54321, attempt_number: 0,
 * //   change_source: 'CRM', source_id: null, change_flag: 'NEW' }
 * ```
 */
export function normalizeWebhookEvent(event: WireWebhookEvent): Record<string, unknown> {
  const data: Record<string, unknown> = {
    subscription_type: event.subscriptionType,
    event_id: String(event.eventId),
    object_id: String(event.objectId),
    portal_id: event.portalId,
    occurred_at: isoTime(event.occurredAt),
    subscription_id: event.subscriptionId ?? null,
    app_id: event.appId ?? null,
    attempt_number: event.attemptNumber ?? 0,
    change_source: event.changeSource ?? null,
    source_id: event.sourceId ?? null,
  };
  if (event.subscriptionType.endsWith('.propertyChange')) {
    data.property_name = event.propertyName ?? '';
    data.property_value = event.propertyValue ?? '';
  } else {
    data.change_flag = event.changeFlag ?? null;
  }
  return data;
}

/** How old `X-HubSpot-Request-Timestamp` may be before a v3 delivery is refused: 5 minutes. */
export const HUBSPOT_TIMESTAMP_TOLERANCE_MS = 5 * 60 * 1000;

/** The percent-encodings HubSpot decodes in the URI before signing (v3), and only these. */
const V3_DECODED: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/**
 * The URI as HubSpot signs it (v3): the listed percent-encodings decoded (either hex case), every
 * other one left as it is.
 *
 * @example
 * ```ts
 * hubspotSignedUri('https://example.com/hook?x=a%3Ab%20c'); // 'https://example.com/hook?x=a:b%20c'
 * ```
 */
export function hubspotSignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => V3_DECODED[m.toUpperCase()] ?? m);
}

/** What {@link signHubSpotRequest} signs. */
export interface HubSpotSignInput {
  method: string;
  /** The full URI, scheme and host included. */
  url: string;
  body: string | Buffer;
  /** v3 only: epoch milliseconds, sent as `X-HubSpot-Request-Timestamp`. */
  timestamp?: number;
}

/**
 * The signature HubSpot sends, by version:
 * - v3: base64 HMAC-SHA256 keyed with the client secret of `method + uri + body + timestamp`
 *   (the URI with {@link hubspotSignedUri}'s decoding);
 * - v2: hex SHA-256 of `clientSecret + method + uri + body`;
 * - v1: hex SHA-256 of `clientSecret + body`.
 *
 * @example
 * ```ts
 * signHubSpotRequest('v2', 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy', { method: 'POST',
 *   url: 'https://www.example.com/webhook_uri', body: '{"example_field":"example_value"}' });
 * // '9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900'
 * ```
 */
export function signHubSpotRequest(
  version: 'v1' | 'v2' | 'v3',
  clientSecret: string,
  input: HubSpotSignInput,
): string {
  const body = Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body, 'utf8');
  if (version === 'v3') {
    if (input.timestamp === undefined) throw new Error('signHubSpotRequest(v3) needs a timestamp');
    return createHmac('sha256', clientSecret)
      .update(Buffer.from(`${input.method}${hubspotSignedUri(input.url)}`, 'utf8'))
      .update(body)
      .update(Buffer.from(String(input.timestamp), 'utf8'))
      .digest('base64');
  }
  const hash = createHash('sha256').update(Buffer.from(clientSecret, 'utf8'));
  if (version === 'v2') hash.update(Buffer.from(`${input.method}${input.url}`, 'utf8'));
  return hash.update(body).digest('hex');
}

/**
 * Verifies a HubSpot delivery with the app's client secret, as HubSpot documents it: v3 when
 * `X-HubSpot-Signature-v3` is present (timestamp within 5 minutes, both in the past and the
 * future), else `X-HubSpot-Signature` with `X-HubSpot-Signature-Version` v2 or v1. Constant-time.
 *
 * @example
 * ```ts
 * verifyHubSpotWebhook(request, process.env.HUBSPOT_CLIENT_SECRET!); // { ok: true } or { ok: false, reason, detail }
 * ```
 */
export function verifyHubSpotWebhook(
  request: WebhookRequest,
  clientSecret: string,
  options: WebhookVerifyOptions = {},
): WebhookVerification {
  const v3 = webhookHeader(request, 'x-hubspot-signature-v3');
  if (v3) {
    const stamp = webhookHeader(request, 'x-hubspot-request-timestamp');
    if (!stamp) {
      return {
        ok: false,
        reason: 'missing_signature',
        detail: 'X-HubSpot-Signature-v3 came without X-HubSpot-Request-Timestamp',
      };
    }
    if (!/^\d+$/.test(stamp)) {
      return {
        ok: false,
        reason: 'malformed',
        detail: 'X-HubSpot-Request-Timestamp is not epoch milliseconds',
      };
    }
    const now = options.now ?? Date.now();
    const tolerance = options.toleranceMs ?? HUBSPOT_TIMESTAMP_TOLERANCE_MS;
    const age = now - Number(stamp);
    if (Math.abs(age) > tolerance) {
      return {
        ok: false,
        reason: 'stale_timestamp',
        detail: `X-HubSpot-Request-Timestamp is ${Math.round(age / 1000)} s from now; HubSpot allows ${Math.round(tolerance / 1000)} s`,
      };
    }
    const expected = signHubSpotRequest('v3', clientSecret, {
      method: request.method.toUpperCase(),
      url: request.url,
      body: request.rawBody,
      timestamp: Number(stamp),
    });
    return safeEqual(v3, expected)
      ? { ok: true }
      : { ok: false, reason: 'bad_signature', detail: 'X-HubSpot-Signature-v3 does not match the request' };
  }
  const signature = webhookHeader(request, 'x-hubspot-signature');
  if (!signature) {
    return {
      ok: false,
      reason: 'missing_signature',
      detail: 'no X-HubSpot-Signature-v3 or X-HubSpot-Signature header',
    };
  }
  const version = (webhookHeader(request, 'x-hubspot-signature-version') ?? '').toLowerCase();
  if (version !== 'v1' && version !== 'v2') {
    return {
      ok: false,
      reason: 'malformed',
      detail: `X-HubSpot-Signature-Version is ${version ? `"${version}"` : 'missing'}; expected v1 or v2`,
    };
  }
  const expected = signHubSpotRequest(version, clientSecret, {
    method: request.method.toUpperCase(),
    url: request.url,
    body: request.rawBody,
  });
  return safeEqual(signature.toLowerCase(), expected)
    ? { ok: true }
    : {
        ok: false,
        reason: 'bad_signature',
        detail: `X-HubSpot-Signature (${version}) does not match the request`,
      };
}

/**
 * Splits a HubSpot delivery (a JSON array of events) into parsed events: `providerEventId` =
 * `eventId`, `providerType` = `subscriptionType`, `occurredAt` from `occurredAt` (epoch ms), `data`
 * from {@link normalizeWebhookEvent}. Throws a `ValidationError` naming the element at fault.
 *
 * @example
 * ```ts
 * parseHubSpotWebhook({ method: 'POST', url: 'https://x/h', headers: {}, rawBody: Buffer.from('[{"eventId":1,...}]') });
 * // [{ providerEventId: '1', providerType: 'contact.creation', occurredAt: '2019-07-26T04:00:00.000Z', data: {...} }]
 * ```
 */
export function parseHubSpotWebhook(request: WebhookRequest): ParsedWebhookEvent[] {
  const body = parseWebhookJson(request.rawBody, 'HubSpot');
  if (!Array.isArray(body)) {
    throw new ValidationError('A HubSpot webhook body must be a JSON array of events.');
  }
  return body.map((element, index) => {
    const result = wireWebhookEvent.safeParse(element);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = `[${index}]${issue?.path.length ? `.${issue.path.join('.')}` : ''}`;
      throw new ValidationError(
        `HubSpot webhook event ${field} is invalid: ${issue?.message ?? 'unexpected shape'}.`,
        { field },
      );
    }
    const event = result.data;
    return {
      providerEventId: String(event.eventId),
      providerType: event.subscriptionType,
      occurredAt: isoTime(event.occurredAt),
      data: normalizeWebhookEvent(event),
    };
  });
}

/** The CRM read scope an app needs to subscribe to an object's events, by subscription prefix. */
const READ_SCOPES: Record<string, string> = {
  contact: 'crm.objects.contacts.read',
  company: 'crm.objects.companies.read',
  deal: 'crm.objects.deals.read',
};

/**
 * What to configure in HubSpot for webhook deliveries to reach `url`, one step per line. HubSpot
 * has no per-account subscription API: webhooks belong to the OAuth app (one target URL per app,
 * its subscriptions shared by every account that installs it), are configured in the app's
 * settings in the developer account (or with the webhooks v3 API and the developer account's
 * key), and are signed with the app's client secret, which is why the app must be the one whose
 * client id and secret Oxygen uses.
 *
 * @example
 * ```ts
 * hubspotWebhookSetup({ url: 'https://hooks.example.com/webhooks/hubspot', providerTypes: ['contact.creation'] });
 * // ['In your HubSpot developer account, open the app whose client ID and secret Oxygen uses ...', ...]
 * ```
 */
export function hubspotWebhookSetup(input: WebhookSetupInput): string[] {
  const types = [...new Set(input.providerTypes)];
  const scopes = [...new Set(types.map((t) => READ_SCOPES[t.split('.')[0] ?? '']).filter(Boolean))];
  const steps = [
    "In your HubSpot developer account, open the app whose client ID and secret Oxygen uses (OXYGEN_HUBSPOT_CLIENT_ID / OXYGEN_HUBSPOT_CLIENT_SECRET): HubSpot signs deliveries with that app's client secret, so another app's deliveries are rejected.",
    `In the app's Webhooks settings, set the target URL to ${input.url} (one target URL per app; every subscription delivers there).`,
  ];
  if (!/^https:\/\//i.test(input.url)) {
    steps.push('HubSpot delivers only to a public https URL: serve this endpoint over https first.');
  }
  if (scopes.length > 0) {
    steps.push(
      `Make sure the app requires the scope(s) ${scopes.join(', ')}: HubSpot allows subscriptions only to objects the app can read.`,
    );
  }
  for (const type of types) {
    steps.push(
      type.endsWith('.propertyChange')
        ? `Create a subscription to ${type} for each property to watch (HubSpot subscribes to property changes one property at a time).`
        : `Create a subscription to ${type}.`,
    );
  }
  steps.push(
    'Activate the new subscriptions (HubSpot creates them paused).',
    'Deliveries come only from HubSpot accounts that installed this app: connect the account with `oxygen integrations connect hubspot --oauth` (a private app token installs no app).',
    'Or use the webhooks v3 API with the developer account\'s key: PUT /webhooks/v3/{appId}/settings {"targetUrl": ..., "throttling": {...}} and POST /webhooks/v3/{appId}/subscriptions {"eventType": ..., "propertyName"?: ..., "active": true}.',
  );
  return steps;
}

/** HubSpot's webhook support for the plugin: v3 signatures (v2 and v1 for older apps), batched JSON arrays. */
export const hubspotWebhooks: WebhookSupport = {
  signing: 'hubspot-v3',
  secretSource: 'client_secret',
  description:
    'X-HubSpot-Signature-v3: base64 HMAC-SHA256 (app client secret) of method + URI + body + X-HubSpot-Request-Timestamp, refused when older than 5 minutes; v2/v1 SHA-256 signatures accepted for older apps.',
  verify: verifyHubSpotWebhook,
  parse: parseHubSpotWebhook,
  setup: hubspotWebhookSetup,
};
