import { defineEvent } from '@oxygen/core';
import { eventData } from '../webhook.js';

/**
 * A contact was deleted (HubSpot webhook subscription `contact.deletion`).
 *
 * @example
 * ```json
 * { "subscription_type": "contact.deletion", "event_id": "3", "object_id": "123", "portal_id": 62515, "occurred_at": "2019-07-26T04:00:00.000Z", "subscription_id": 12347, "app_id": 54321, "attempt_number": 0, "change_source": "CRM_UI", "source_id": null, "change_flag": "DELETED" }
 * ```
 */
export const contactDeleted = defineEvent({
  type: 'contact.deleted',
  providerType: 'contact.deletion',
  title: 'Contact deleted',
  description: 'A contact was deleted in HubSpot.',
  data: eventData('contact.deletion', 'deleted'),
});
