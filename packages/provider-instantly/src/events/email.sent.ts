import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * Instantly sent a campaign email to a lead.
 * Instantly subscription event `email_sent`; delivered payloads say `event_type: "email_sent"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const emailSent = defineEvent({
  type: 'email.sent',
  providerType: 'email_sent',
  title: 'Email sent',
  description: 'Instantly sent a campaign email to a lead.',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
    step: webhookFields.step,
    variant: webhookFields.variant,
    is_first: webhookFields.is_first,
    email_id: webhookFields.email_id,
    email_subject: webhookFields.email_subject,
    email_text: webhookFields.email_text,
    email_html: webhookFields.email_html,
  }),
  /**
   * The `event_type` delivered payloads carry (here the same as the subscription name); the
   * runtime matches deliveries on it.
   */
  payloadType: 'email_sent',
});
