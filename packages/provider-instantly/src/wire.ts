/**
 * Instantly's request and response shapes, as far as this plugin uses them. Response schemas
 * validate only the fields the plugin reads and let everything else pass through, so a field
 * Instantly adds never breaks a call. Request shapes are plain types: the plugin builds them.
 *
 * Source: Instantly's API v2 reference (https://developer.instantly.ai/api-reference/introduction)
 * and its webhook guide (https://developer.instantly.ai/guides/webhook-events).
 *
 * @module
 */

import { ProviderError } from '@oxygen/core';
import { z } from 'zod';

const nullableString = z.string().nullable().optional();
const nullableNumber = z.number().nullable().optional();

/** `GET /api/v2/workspaces/current` answer (`Workspace`). */
export const wireWorkspace = z.looseObject({
  id: z.string(),
  name: z.string(),
});

/** A campaign (`Campaign`). `status`: 0 Draft, 1 Active, 2 Paused, 3 Completed, 4 Running subsequences, negatives are errors. */
export const wireCampaign = z.looseObject({
  id: z.string(),
  name: z.string(),
  status: z.number(),
  timestamp_created: z.string(),
  timestamp_updated: z.string(),
  daily_limit: nullableNumber,
  email_list: z.array(z.string()).optional(),
  stop_on_reply: z.boolean().nullable().optional(),
  not_sending_status: nullableNumber,
});
/** A campaign as Instantly answers it. */
export type WireCampaign = z.infer<typeof wireCampaign>;

/**
 * A lead (`Lead`). Custom variables live in `payload`, next to camelCase copies of the standard
 * fields (`firstName`, `companyName`, ...).
 */
export const wireLead = z.looseObject({
  id: z.string(),
  email: nullableString,
  first_name: nullableString,
  last_name: nullableString,
  company_name: nullableString,
  job_title: nullableString,
  website: nullableString,
  phone: nullableString,
  personalization: nullableString,
  campaign: nullableString,
  list_id: nullableString,
  status: z.number(),
  lt_interest_status: z.number().optional(),
  payload: z.record(z.string(), z.unknown()).nullable().optional(),
  email_open_count: z.number().optional(),
  email_reply_count: z.number().optional(),
  email_click_count: z.number().optional(),
  timestamp_created: z.string(),
  timestamp_updated: z.string(),
  timestamp_last_contact: nullableString,
});
/** A lead as Instantly answers it. */
export type WireLead = z.infer<typeof wireLead>;

/** An email in the Unibox (`Email`): a campaign step, a reply, a manual send. */
export const wireEmail = z.looseObject({
  id: z.string(),
  thread_id: nullableString,
  subject: z.string(),
  from_address_email: nullableString,
  to_address_email_list: z.string(),
  cc_address_email_list: nullableString,
  body: z.looseObject({ text: z.string().optional(), html: z.string().optional() }).optional(),
  content_preview: nullableString,
  lead: nullableString,
  lead_id: nullableString,
  campaign_id: nullableString,
  eaccount: z.string(),
  /** 1 sent from a campaign, 2 received, 3 sent (manual or reply), 4 scheduled. */
  ue_type: nullableNumber,
  step: nullableString,
  is_unread: nullableNumber,
  is_auto_reply: nullableNumber,
  timestamp_email: z.string(),
  timestamp_created: z.string(),
});
/** An email as Instantly answers it. */
export type WireEmail = z.infer<typeof wireEmail>;

/** A sending account (`Account`). */
export const wireAccount = z.looseObject({
  email: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  status: z.number().optional(),
  warmup_status: z.number(),
  warmup: z.looseObject({ limit: z.number().optional() }).optional(),
  daily_limit: nullableNumber,
  sending_gap: z.number().optional(),
  stat_warmup_score: nullableNumber,
  provider_code: z.number(),
  setup_pending: z.boolean().optional(),
  timestamp_created: z.string(),
});
/** A sending account as Instantly answers it. */
export type WireAccount = z.infer<typeof wireAccount>;

/**
 * A list answer: `{ items, next_starting_after }`. `next_starting_after` is the cursor for the
 * next page (a UUID, a timestamp or an email, depending on the endpoint).
 */
export function wirePage<S extends z.ZodType>(item: S) {
  return z.looseObject({ items: z.array(item), next_starting_after: z.string().nullable().optional() });
}

/** `POST /api/v2/leads/add` answer: counts, and the created leads with their input index. */
export const wireBulkAddResponse = z.looseObject({
  status: z.string().optional(),
  total_sent: z.number().optional(),
  leads_uploaded: z.number(),
  in_blocklist: z.number().optional(),
  duplicated_leads: z.number().optional(),
  skipped_count: z.number().optional(),
  invalid_email_count: z.number().optional(),
  incomplete_count: z.number().optional(),
  duplicate_email_count: z.number().optional(),
  remaining_in_plan: nullableNumber,
  created_leads: z
    .array(z.looseObject({ id: z.string(), index: z.number(), email: nullableString }))
    .optional(),
});

/**
 * Instantly's error body: `{ statusCode, error, message }` (Fastify's shape; validation errors
 * may add `code`). Every field is optional: gateways answer other shapes.
 */
export const wireError = z.looseObject({
  statusCode: z.number().optional(),
  error: z.string().optional(),
  message: z.string().optional(),
  code: z.string().optional(),
});

/**
 * A webhook delivery: one flat JSON object. Base fields are always present; the others depend on
 * the event, and lead fields from the workspace may be merged in as extra keys.
 * Source: https://developer.instantly.ai/guides/webhook-events
 */
export const wireWebhookPayload = z.looseObject({
  timestamp: z.string().describe('ISO 8601 time the event occurred.'),
  event_type: z
    .string()
    .describe("Instantly's payload name for the event (not always its subscription name)."),
  workspace: z.string().describe('Workspace UUID.'),
  campaign_id: z.string().describe('Campaign UUID.'),
  campaign_name: z.string().describe('Campaign name.'),
});

/** The optional webhook payload fields, each present only for some events. */
export const webhookFields = {
  lead_email: z.string().optional().describe('The lead the event is about.'),
  email_account: z.string().optional().describe('The sending account involved.'),
  unibox_url: z.string().optional().describe('Link to the conversation in the Unibox (reply events).'),
  step: z.number().optional().describe('Campaign step, from 1.'),
  variant: z.number().optional().describe('Variant of the step, from 1.'),
  is_first: z.boolean().optional().describe('True the first time this event happens for the lead.'),
  email_id: z
    .string()
    .optional()
    .describe('The email the event is about; usable as reply_to_uuid for email.reply.'),
  email_subject: z.string().optional(),
  email_text: z.string().optional(),
  email_html: z.string().optional(),
  reply_text_snippet: z.string().optional().describe('A short preview of the reply.'),
  reply_subject: z.string().optional(),
  reply_text: z.string().optional(),
  reply_html: z.string().optional(),
};

/** `POST /api/v2/leads` body (`CreateLead`): `campaign` or `list_id`. */
export interface WireCreateLead {
  campaign?: string;
  list_id?: string;
  email?: string;
  first_name?: string;
  last_name?: string;
  company_name?: string;
  job_title?: string;
  website?: string;
  phone?: string;
  personalization?: string;
  custom_variables?: Record<string, string | number | boolean | null>;
}

/** A webhook subscription (`Webhook`), as `POST /api/v2/webhooks` answers it. */
export const wireWebhook = z.looseObject({
  id: z.string(),
  event_type: z.string().nullable().optional(),
  target_hook_url: z.string(),
});

/** `POST /api/v2/webhooks` body (`CreateWebhook`), as far as the plugin uses it. */
export interface WireCreateWebhook {
  target_hook_url: string;
  event_type: string;
  name: string;
  /** Sent by Instantly on every delivery, as registered. */
  headers: Record<string, string>;
}

/** `POST /api/v2/leads/list` body: filters and paging both travel in the body. */
export interface WireListLeads {
  campaign?: string;
  list_id?: string;
  search?: string;
  filter?: string;
  ids?: string[];
  contacts?: string[];
  in_campaign?: boolean;
  limit: number;
  starting_after?: string;
}

/**
 * Parses an Instantly answer with a wire schema, throwing a {@link ProviderError} (not a crash)
 * when Instantly answered something the plugin cannot use.
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProviderError(
    `Instantly answered ${what} with an unexpected shape: ${issue?.message ?? 'invalid'} at "${issue?.path.join('.') ?? ''}".`,
    { hint: 'Instantly may have changed this API; report it to the plugin author.' },
  );
}
