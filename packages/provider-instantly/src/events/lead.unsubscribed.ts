import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * A lead unsubscribed; Instantly stops emailing them.
 * Instantly subscription event `lead_unsubscribed`; delivered payloads say `event_type: "lead_unsubscribed"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const leadUnsubscribed = defineEvent({
  type: 'lead.unsubscribed',
  providerType: 'lead_unsubscribed',
  title: 'Lead unsubscribed',
  description: 'A lead unsubscribed; Instantly stops emailing them.',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
  }),
  /**
   * The `event_type` delivered payloads carry (here the same as the subscription name); the
   * runtime matches deliveries on it.
   */
  payloadType: 'lead_unsubscribed',
});
