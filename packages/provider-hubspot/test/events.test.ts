/**
 * The declared events: each is one of HubSpot's webhook subscription types, and an event HubSpot
 * delivers normalises into data its schema accepts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import plugin, { normalizeWebhookEvent, wireWebhookEvent } from '../src/index.js';
import { deliveredEvents } from './__fixtures__/webhooks.js';

const spec = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../../../shared/provider-specs/hubspot/webhooks-v3.json',
);

describe('events', () => {
  it('normalises every delivered event into data its event schema accepts', () => {
    for (const event of plugin.events ?? []) {
      const delivered = deliveredEvents.find((e) => e.subscriptionType === event.providerType);
      expect(delivered, `a delivered ${event.providerType} example`).toBeDefined();
      const data = normalizeWebhookEvent(wireWebhookEvent.parse(delivered));
      const parsed = event.data.safeParse(data);
      expect(parsed.success, `${event.type}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
      // An event of another type is refused by this schema.
      const other = deliveredEvents.find((e) => e.subscriptionType !== event.providerType);
      expect(event.data.safeParse(normalizeWebhookEvent(wireWebhookEvent.parse(other))).success).toBe(false);
    }
  });

  it('keeps what HubSpot said, in snake_case, ids as strings and times as ISO 8601', () => {
    expect(normalizeWebhookEvent(wireWebhookEvent.parse(deliveredEvents[1]))).toEqual({
      subscription_type: 'contact.propertyChange',
      event_id: '3816279340',
      object_id: '1246965',
      portal_id: 33,
      occurred_at: '2016-05-02T19:11:47.945Z',
      subscription_id: 25,
      app_id: 1160452,
      attempt_number: 0,
      change_source: 'ACADEMY',
      source_id: null,
      property_name: 'lifecyclestage',
      property_value: 'subscriber',
    });
    expect(normalizeWebhookEvent(wireWebhookEvent.parse(deliveredEvents[0]))).toMatchObject({
      event_id: '1',
      object_id: '123',
      change_flag: 'NEW',
      occurred_at: '2019-07-26T04:00:00.000Z',
    });
  });

  it.skipIf(!existsSync(spec))(
    "every providerType is one of webhooks-v3.json's subscription event types",
    () => {
      const doc = JSON.parse(readFileSync(spec, 'utf8')) as {
        components: {
          schemas: { SubscriptionCreateRequest: { properties: { eventType: { enum: string[] } } } };
        };
      };
      const types = doc.components.schemas.SubscriptionCreateRequest.properties.eventType.enum;
      for (const event of plugin.events ?? []) expect(types).toContain(event.providerType);
    },
  );
});
