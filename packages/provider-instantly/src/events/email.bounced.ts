import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * A campaign email to a lead bounced; Instantly stops emailing the lead.
 * Instantly subscription event `email_bounced`; delivered payloads say `event_type: "email_bounced"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const emailBounced = defineEvent({
  type: 'email.bounced',
  providerType: 'email_bounced',
  title: 'Email bounced',
  description: 'A campaign email to a lead bounced; Instantly stops emailing the lead.',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
    step: webhookFields.step,
    variant: webhookFields.variant,
    email_id: webhookFields.email_id,
  }),
  /**
   * The `event_type` delivered payloads carry (here the same as the subscription name); the
   * runtime matches deliveries on it.
   */
  payloadType: 'email_bounced',
});
