import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * A lead was marked meeting booked.
 * Instantly subscription event `lead_meeting_booked`; delivered payloads say `event_type: "lead_meeting_booked"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const leadMeetingBooked = defineEvent({
  type: 'lead.meeting_booked',
  providerType: 'lead_meeting_booked',
  title: 'Meeting booked',
  description: 'A lead was marked meeting booked.',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
  }),
  /**
   * The `event_type` delivered payloads carry (here the same as the subscription name); the
   * runtime matches deliveries on it.
   */
  payloadType: 'lead_meeting_booked',
});
