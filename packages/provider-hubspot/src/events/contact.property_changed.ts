import { defineEvent } from '@oxygen/core';
import { eventData } from '../webhook.js';

/**
 * A property of a contact changed (HubSpot webhook subscription `contact.propertyChange`).
 *
 * @example
 * ```json
 * { "subscription_type": "contact.propertyChange", "event_id": "2", "object_id": "123", "portal_id": 62515, "occurred_at": "2019-07-26T04:00:00.000Z", "subscription_id": 12346, "app_id": 54321, "attempt_number": 0, "change_source": "CRM_UI", "source_id": "userId:1234", "property_name": "lifecyclestage", "property_value": "customer" }
 * ```
 */
export const contactPropertyChanged = defineEvent({
  type: 'contact.property_changed',
  providerType: 'contact.propertyChange',
  title: 'Contact property changed',
  description: 'A property of a contact changed in HubSpot.',
  data: eventData('contact.propertyChange', 'property_changed'),
});
