import { defineEvent } from '@oxygen/core';
import { eventData } from '../webhook.js';

/**
 * A contact was created (HubSpot webhook subscription `contact.creation`).
 *
 * @example
 * ```json
 * { "subscription_type": "contact.creation", "event_id": "1", "object_id": "123", "portal_id": 62515, "occurred_at": "2019-07-26T04:00:00.000Z", "subscription_id": 12345, "app_id": 54321, "attempt_number": 0, "change_source": "CRM", "source_id": null, "change_flag": "NEW" }
 * ```
 */
export const contactCreated = defineEvent({
  type: 'contact.created',
  providerType: 'contact.creation',
  title: 'Contact created',
  description: 'A contact was created in HubSpot.',
  data: eventData('contact.creation', 'created'),
});
