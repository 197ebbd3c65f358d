import { defineEvent } from '@oxygen/core';
import { wireWebhookPayload } from '../wire.js';

/**
 * A campaign finished: every lead has gone through the sequence.
 * Instantly subscription event `campaign_completed`; delivered payloads say `event_type: "campaign_completed"`.
 * `data` is the delivered payload: base fields, the fields below, and any lead fields Instantly
 * merges in. Source: https://developer.instantly.ai/guides/webhook-events
 */
export const campaignCompleted = defineEvent({
  type: 'campaign.completed',
  providerType: 'campaign_completed',
  title: 'Campaign completed',
  description: 'A campaign finished: every lead has gone through the sequence.',
  data: wireWebhookPayload,
  /**
   * The `event_type` delivered payloads carry (here the same as the subscription name); the
   * runtime matches deliveries on it.
   */
  payloadType: 'campaign_completed',
});
