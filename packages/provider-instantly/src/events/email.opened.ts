import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * A lead opened a campaign email (open tracking must be on for the campaign).
 * Instantly subscription event `email_opened`; delivered payloads say `event_type: "email_opened"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const emailOpened = defineEvent({
  type: 'email.opened',
  providerType: 'email_opened',
  title: 'Email opened',
  description: 'A lead opened a campaign email (open tracking must be on for the campaign).',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
    step: webhookFields.step,
    variant: webhookFields.variant,
    is_first: webhookFields.is_first,
    email_id: webhookFields.email_id,
  }),
  /**
   * The `event_type` delivered payloads carry (here the same as the subscription name); the
   * runtime matches deliveries on it.
   */
  payloadType: 'email_opened',
});
