import { defineEvent } from '@oxygen/core';
import { eventData } from '../webhook.js';

/**
 * A deal was created (HubSpot webhook subscription `deal.creation`).
 *
 * @example
 * ```json
 * { "subscription_type": "deal.creation", "event_id": "5", "object_id": "1001", "portal_id": 62515, "occurred_at": "2019-07-26T04:00:00.000Z", "subscription_id": 12349, "app_id": 54321, "attempt_number": 0, "change_source": "CRM_UI", "source_id": null, "change_flag": "NEW" }
 * ```
 */
export const dealCreated = defineEvent({
  type: 'deal.created',
  providerType: 'deal.creation',
  title: 'Deal created',
  description: 'A deal was created in HubSpot.',
  data: eventData('deal.creation', 'created'),
});
