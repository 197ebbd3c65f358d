import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * A lead clicked a tracked link in a campaign email (link tracking must be on for the campaign).
 * Instantly subscription event `email_link_clicked`; delivered payloads say `event_type: "link_clicked"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const emailLinkClicked = defineEvent({
  type: 'email.link_clicked',
  providerType: 'email_link_clicked',
  title: 'Link clicked',
  description:
    'A lead clicked a tracked link in a campaign email (link tracking must be on for the campaign).',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
    step: webhookFields.step,
    variant: webhookFields.variant,
    is_first: webhookFields.is_first,
    email_id: webhookFields.email_id,
  }),
  /**
   * The `event_type` delivered payloads carry. It differs from the subscription name
   * (`email_link_clicked`): subscribe with `providerType`, match deliveries on this.
   */
  payloadType: 'link_clicked',
});
