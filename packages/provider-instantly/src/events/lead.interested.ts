import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * A lead was marked interested (by a person, Instantly AI or the API).
 * Instantly subscription event `lead_interested`; delivered payloads say `event_type: "lead_interested"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const leadInterested = defineEvent({
  type: 'lead.interested',
  providerType: 'lead_interested',
  title: 'Lead interested',
  description: 'A lead was marked interested (by a person, Instantly AI or the API).',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
  }),
  /**
   * The `event_type` delivered payloads carry (here the same as the subscription name); the
   * runtime matches deliveries on it.
   */
  payloadType: 'lead_interested',
});
