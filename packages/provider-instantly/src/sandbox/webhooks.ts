/**
 * Webhook deliveries the way Instantly makes them: one POST of a flat JSON object to the
 * subscription's `target_hook_url`, with the subscription's custom `headers` echoed and no
 * signature of any kind (Instantly signs nothing). Payloads follow
 * https://developer.instantly.ai/guides/webhook-events: base fields (`timestamp`, `event_type`,
 * `workspace`, `campaign_id`, `campaign_name`), event fields, and the lead's fields merged in.
 * Failed deliveries are retried (see {@link INSTANTLY_WEBHOOK_RETRIES}).
 *
 * @module
 */

import {
  backoffSchedule,
  type WebhookAttempts,
  type WebhookRetryPolicy,
  type WebhookSender,
  type WebhookSendOptions,
} from '@oxygen/sandbox-kit';
import { INSTANTLY_WEBHOOK_SECRET_HEADER } from '../webhook.js';
import type { SandboxEmail, SandboxLead, SandboxStore } from './store.js';

/**
 * Instantly's subscription event names (`event_type` of `POST /api/v2/webhooks`), plus
 * `auto_reply_received`, which exists only in payloads (a `reply_received` subscription
 * delivers it).
 */
export type SandboxWebhookEvent =
  | 'email_sent'
  | 'email_opened'
  | 'email_link_clicked'
  | 'reply_received'
  | 'auto_reply_received'
  | 'email_bounced'
  | 'lead_unsubscribed'
  | 'campaign_completed'
  | 'lead_neutral'
  | 'lead_interested'
  | 'lead_not_interested'
  | 'lead_meeting_booked'
  | 'lead_meeting_completed'
  | 'lead_closed'
  | 'lead_out_of_office'
  | 'lead_wrong_person';

/**
 * The `event_type` a delivered payload carries for a subscription event. Only link clicks are
 * renamed (`email_link_clicked` → `link_clicked`); the rest arrive under their own name.
 */
export const PAYLOAD_EVENT_TYPE: Partial<Record<SandboxWebhookEvent, string>> = {
  email_link_clicked: 'link_clicked',
};

/**
 * Instantly's retries as the sandbox applies them by default. Instantly does not document them:
 * a secondary source says 3 retries within about 30 seconds [S], so: 3 retries, doubling, over
 * 30 s, after any answer that is not 2xx or none at all (a 5 s timeout) [U].
 */
export const INSTANTLY_WEBHOOK_RETRIES = {
  delaysMs: backoffSchedule(3, 30_000),
  timeoutMs: 5_000,
  accepted: (status: number) => status >= 200 && status < 300,
  retried: (status: number | null) => status === null || status < 200 || status >= 300,
} as const satisfies WebhookRetryPolicy;

/** Options for `sendWebhook`. */
export interface SendInstantlyWebhookOptions extends WebhookSendOptions {
  /** The receiver (the subscription's `target_hook_url`). */
  url: string;
  /** The subscription event to deliver. */
  event: SandboxWebhookEvent;
  /** The subscription's custom headers, sent as they are on every delivery. */
  headers?: Record<string, string>;
  /**
   * Replaces the body sent (to test tampering). Instantly signs nothing, so a receiver cannot
   * tell: only the echoed header is checked.
   */
  tamperBody?: string;
  /** The lead the event is about. Default: the seeded lead Ada, or the first lead. */
  leadId?: string;
  /** For `campaign_completed`: the campaign. Default: the lead's campaign. */
  campaignId?: string;
  /** Payload keys to add or replace. */
  fields?: Record<string, unknown>;
}

/** Options for `emitWebhook`: the event, and what to change to test a receiver's checks. */
export interface EmitInstantlyWebhookOptions extends Omit<SendInstantlyWebhookOptions, 'url' | 'headers'> {
  /**
   * Sent in {@link INSTANTLY_WEBHOOK_SECRET_HEADER} instead of the value each subscription
   * registered (to test a wrong secret).
   */
  secret?: string;
}

/**
 * One delivery: what was sent and what the receiver answered, attempt by attempt. Every retry
 * resends the same bytes and headers (Instantly has no attempt counter or signature).
 */
export interface InstantlyWebhookDelivery extends WebhookAttempts {
  /** The payload, as built (before any `tamperBody`). */
  payload: Record<string, unknown>;
  /** The URL POSTed to. */
  url: string;
  /** The exact body sent. */
  body: string;
  /** The headers sent: `content-type` and the subscription's custom headers. */
  headers: Record<string, string>;
}

/** One delivery `emitWebhook` made, to one registered webhook. */
export interface InstantlyEmittedDelivery extends InstantlyWebhookDelivery {
  /** The webhook it went to. */
  webhookId: string;
}

function latest(emails: SandboxEmail[], ueTypes: number[], autoReply?: boolean): SandboxEmail | undefined {
  return emails
    .filter(
      (e) =>
        ueTypes.includes(e.ue_type) && (autoReply === undefined || (e.is_auto_reply === 1) === autoReply),
    )
    .sort((a, b) => a.timestamp_created.localeCompare(b.timestamp_created))
    .at(-1);
}

/** Builds the payload Instantly would deliver for `event` about the store's current state. */
export function buildPayload(
  store: SandboxStore,
  options: Pick<SendInstantlyWebhookOptions, 'event' | 'leadId' | 'campaignId' | 'fields'>,
): Record<string, unknown> {
  const { event } = options;
  const lead: SandboxLead | undefined = options.leadId
    ? store.lead(options.leadId)
    : ([...store.leads.values()].find((l) => l.email === 'ada@example.com') ?? [...store.leads.values()][0]);
  const campaignId = options.campaignId ?? lead?.campaign ?? [...store.campaigns.keys()][0];
  const campaign = campaignId ? store.campaign(campaignId) : undefined;
  const payload: Record<string, unknown> = {
    timestamp: store.now(),
    event_type: PAYLOAD_EVENT_TYPE[event] ?? event,
    workspace: store.workspace.id,
    campaign_id: campaign?.id ?? null,
    campaign_name: campaign?.name ?? null,
  };
  if (event !== 'campaign_completed' && lead) {
    const emails = [...store.emails.values()].filter((e) => e.lead_id === lead.id);
    const sent = latest(emails, [1, 3]);
    // Lead data from the workspace, merged in as extra keys.
    Object.assign(payload, lead.payload);
    payload.lead_email = lead.email;
    payload.email_account = sent?.eaccount ?? campaign?.email_list[0] ?? null;
    if (['email_sent', 'email_opened', 'email_link_clicked', 'email_bounced'].includes(event) && sent) {
      Object.assign(payload, { step: 1, variant: 1, is_first: true, email_id: sent.id });
      if (event === 'email_sent') {
        Object.assign(payload, {
          email_subject: sent.subject,
          email_text: sent.body.text ?? '',
          email_html: sent.body.html ?? '',
        });
      }
    }
    if (event === 'reply_received' || event === 'auto_reply_received') {
      const received = latest(emails, [2], event === 'auto_reply_received');
      if (!received) {
        throw new Error(
          `sendWebhook(${event}): lead ${lead.id} has no ${event === 'auto_reply_received' ? 'auto-' : ''}reply; call sandbox.receiveReply() first`,
        );
      }
      const text = received.body.text ?? '';
      Object.assign(payload, {
        // Illustrative Unibox link: Instantly documents the field, not its format.
        unibox_url: `https://app.instantly.ai/app/unibox?thread_id=${received.thread_id}`,
        step: 1,
        variant: 1,
        is_first: lead.email_reply_count <= 1,
        email_id: received.id,
        email_subject: sent?.subject ?? received.subject,
        email_text: sent?.body.text ?? '',
        email_html: sent?.body.html ?? '',
        reply_text_snippet: text.slice(0, 100),
        reply_subject: received.subject,
        reply_text: text,
        reply_html: received.body.html ?? '',
      });
    }
  }
  return { ...payload, ...options.fields };
}

/**
 * Sends one delivery the way Instantly does (JSON body, custom headers echoed, nothing signed),
 * retried per `sender`'s policy with the same bytes each time.
 */
export function deliver<D extends object>(
  sender: WebhookSender,
  delivery: D & { url: string; payload: Record<string, unknown> },
  options: { headers?: Record<string, string>; tamperBody?: string | undefined } & WebhookSendOptions,
): Promise<D & InstantlyWebhookDelivery> {
  const headers = { 'content-type': 'application/json', ...options.headers };
  const body = options.tamperBody ?? JSON.stringify(delivery.payload);
  return sender.send({ ...delivery, body, headers }, () => ({ url: delivery.url, body, headers }), options);
}

/**
 * A subscription's custom headers with {@link INSTANTLY_WEBHOOK_SECRET_HEADER} set to `secret`
 * (whatever case it was registered in), or as they are when `secret` is undefined.
 */
export function withSecret(
  headers: Record<string, string>,
  secret: string | undefined,
): Record<string, string> {
  if (secret === undefined) return headers;
  const others = Object.entries(headers).filter(
    ([name]) => name.toLowerCase() !== INSTANTLY_WEBHOOK_SECRET_HEADER,
  );
  return { ...Object.fromEntries(others), [INSTANTLY_WEBHOOK_SECRET_HEADER]: secret };
}
