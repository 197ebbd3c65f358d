import { defineEvent } from '@oxygen/core';
import { webhookFields, wireWebhookPayload } from '../wire.js';

/**
 * A lead replied to a campaign email. email_id is the reply: pass it as reply_to_uuid to email.reply to answer in the thread.
 * Instantly subscription event `reply_received`; delivered payloads say `event_type: "reply_received"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const emailReplyReceived = defineEvent({
  type: 'email.reply_received',
  providerType: 'reply_received',
  title: 'Reply received',
  description:
    'A lead replied to a campaign email. email_id is the reply: pass it as reply_to_uuid to email.reply to answer in the thread.',
  data: wireWebhookPayload.extend({
    lead_email: webhookFields.lead_email,
    email_account: webhookFields.email_account,
    unibox_url: webhookFields.unibox_url,
    step: webhookFields.step,
    variant: webhookFields.variant,
    is_first: webhookFields.is_first,
    email_id: webhookFields.email_id,
    email_subject: webhookFields.email_subject,
    email_text: webhookFields.email_text,
    email_html: webhookFields.email_html,
    reply_text_snippet: webhookFields.reply_text_snippet,
    reply_subject: webhookFields.reply_subject,
    reply_text: webhookFields.reply_text,
    reply_html: webhookFields.reply_html,
  }),
  /**
   * The `event_type` delivered payloads carry. A `reply_received` subscription also delivers
   * `auto_reply_received` payloads (out-of-office and other automatic answers): those are not
   * this event and are not matched.
   */
  payloadType: 'reply_received',
});
