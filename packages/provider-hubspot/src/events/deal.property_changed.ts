import { defineEvent } from '@oxygen/core';
import { eventData } from '../webhook.js';

/**
 * A property of a deal changed (HubSpot webhook subscription `deal.propertyChange`).
 *
 * @example
 * ```json
 * { "subscription_type": "deal.propertyChange", "event_id": "6", "object_id": "1001", "portal_id": 62515, "occurred_at": "2019-07-26T04:00:00.000Z", "subscription_id": 12350, "app_id": 54321, "attempt_number": 0, "change_source": "CRM_UI", "source_id": null, "property_name": "dealstage", "property_value": "closedwon" }
 * ```
 */
export const dealPropertyChanged = defineEvent({
  type: 'deal.property_changed',
  providerType: 'deal.propertyChange',
  title: 'Deal property changed',
  description: 'A property of a deal changed in HubSpot.',
  data: eventData('deal.propertyChange', 'property_changed'),
});
