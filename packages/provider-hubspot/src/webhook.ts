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
    occurred_at: new Date(event.occurredAt).toISOString(),
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
