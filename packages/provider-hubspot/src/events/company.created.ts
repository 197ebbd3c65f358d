import { defineEvent } from '@oxygen/core';
import { eventData } from '../webhook.js';

/**
 * A company was created (HubSpot webhook subscription `company.creation`).
 *
 * @example
 * ```json
 * { "subscription_type": "company.creation", "event_id": "4", "object_id": "501", "portal_id": 62515, "occurred_at": "2019-07-26T04:00:00.000Z", "subscription_id": 12348, "app_id": 54321, "attempt_number": 0, "change_source": "API", "source_id": null, "change_flag": "NEW" }
 * ```
 */
export const companyCreated = defineEvent({
  type: 'company.created',
  providerType: 'company.creation',
  title: 'Company created',
  description: 'A company was created in HubSpot.',
  data: eventData('company.creation', 'created'),
});
