/**
 * Request bodies and query strings the sandbox accepts, written from Instantly's API v2
 * reference (one link per operation below). Objects are strict: a field or query parameter
 * Instantly does not document is a 400, so the plugin can never come to depend on one.
 * Query values arrive as text and are coerced the way Fastify coerces them.
 *
 * @module
 */

import { z } from 'zod';

const uuid = z.uuid({ message: 'must match format "uuid"' });
const nullableString = z.string().nullable();
const intInRange = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const boolText = z.enum(['true', 'false']).transform((v) => v === 'true');
const numberIn = <T extends readonly number[]>(values: T) =>
  z.coerce
    .number()
    .refine((n) => values.includes(n), { message: 'must be equal to one of the allowed values' });

/** Path parameter `id` of `/campaigns/{id}` and `/leads/{id}`: a UUID. */
export const idParam = uuid;

/** Campaign status codes (`Campaign.status`). */
export const CAMPAIGN_STATUSES = [-99, -1, -2, 0, 1, 2, 3, 4] as const;

/** `GET /api/v2/campaigns` query. See https://developer.instantly.ai/api-reference/campaign/list-campaign */
export const listCampaignsQuery = z.strictObject({
  limit: intInRange(1, 100).optional(),
  starting_after: z.string().optional(),
  search: z.string().optional(),
  tag_ids: z.string().optional(),
  ai_sales_agent_id: uuid.optional(),
  status: numberIn(CAMPAIGN_STATUSES).optional(),
  exclude_status: numberIn(CAMPAIGN_STATUSES).optional(),
});

const customVariables = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
const interestStatus = z.number().refine((n) => [1, 2, 3, 4, 0, -1, -2, -3, -4].includes(n), {
  message: 'must be equal to one of the allowed values',
});

/** Lead fields every lead write accepts. */
const leadFields = {
  email: nullableString.optional(),
  personalization: nullableString.optional(),
  website: nullableString.optional(),
  last_name: nullableString.optional(),
  first_name: nullableString.optional(),
  company_name: nullableString.optional(),
  job_title: nullableString.optional(),
  phone: nullableString.optional(),
  lt_interest_status: interestStatus.optional(),
  pl_value_lead: nullableString.optional(),
  assigned_to: uuid.nullable().optional(),
  custom_variables: customVariables.optional(),
};

/** `POST /api/v2/leads` (`CreateLead`). See https://developer.instantly.ai/api-reference/lead/create-lead */
export const createLeadBody = z.strictObject({
  campaign: uuid.nullable().optional(),
  list_id: uuid.nullable().optional(),
  ...leadFields,
  skip_if_in_workspace: z.boolean().optional(),
  skip_if_in_campaign: z.boolean().optional(),
  skip_if_in_list: z.boolean().optional(),
  blocklist_id: uuid.optional(),
  verify_leads_for_lead_finder: z.boolean().optional(),
  verify_leads_on_import: z.boolean().optional(),
});

/** `POST /api/v2/leads/add`. See https://developer.instantly.ai/api-reference/lead/add-leads-in-bulk-to-a-campaign-or-list */
export const bulkAddLeadsBody = z.strictObject({
  campaign_id: uuid.optional(),
  list_id: uuid.optional(),
  leads: z
    .array(z.strictObject({ ...leadFields }))
    .min(1, { message: 'must NOT have fewer than 1 items' })
    .max(1000, { message: 'must NOT have more than 1000 items' }),
  blocklist_id: uuid.nullable().optional(),
  assigned_to: uuid.optional(),
  verify_leads_on_import: z.boolean().optional(),
  skip_if_in_workspace: z.boolean().optional(),
  skip_if_in_campaign: z.boolean().optional(),
  skip_if_in_list: z.boolean().optional(),
});

/** Every `filter` value the lead listing documents. */
export const LEAD_LIST_FILTERS = [
  'FILTER_VAL_CONTACTED',
  'FILTER_VAL_NOT_CONTACTED',
  'FILTER_VAL_COMPLETED',
  'FILTER_VAL_UNSUBSCRIBED',
  'FILTER_VAL_ACTIVE',
  'FILTER_LEAD_INTERESTED',
  'FILTER_LEAD_NOT_INTERESTED',
  'FILTER_LEAD_MEETING_BOOKED',
  'FILTER_LEAD_MEETING_COMPLETED',
  'FILTER_LEAD_CLOSED',
  'FILTER_LEAD_OUT_OF_OFFICE',
  'FILTER_LEAD_WRONG_PERSON',
  'FILTER_LEAD_LOST',
  'FILTER_LEAD_NO_SHOW',
  'FILTER_LEAD_CUSTOM_LABEL_POSITIVE',
  'FILTER_LEAD_CUSTOM_LABEL_NEGATIVE',
  'FILTER_VAL_BOUNCED',
  'FILTER_VAL_SKIPPED',
  'FILTER_VAL_RISKY',
  'FILTER_VAL_INVALID',
  'FILTER_VAL_VALID',
  'FILTER_VAL_IN_SUBSEQUENCE',
  'FILTER_VAL_OPENED_NO_REPLY',
  'FILTER_VAL_COMPLETED_NO_REPLY',
  'FILTER_VAL_NO_OPENS',
  'FILTER_VAL_REPLIED',
  'FILTER_VAL_LINK_CLICKED',
] as const;

/**
 * `POST /api/v2/leads/list`: a POST with filters and paging (`limit` up to 100, `starting_after`)
 * in the body. See https://developer.instantly.ai/api-reference/lead/list-leads
 */
export const listLeadsBody = z.strictObject({
  search: z.string().optional(),
  filter: z.enum(LEAD_LIST_FILTERS, { message: 'must be one of the documented lead filters' }).optional(),
  campaign: uuid.optional(),
  list_id: uuid.optional(),
  in_campaign: z.boolean().optional(),
  in_list: z.boolean().optional(),
  ids: z.array(uuid).optional(),
  queries: z.array(z.looseObject({ actionType: z.string(), values: z.looseObject({}) })).optional(),
  excluded_ids: z.array(uuid).optional(),
  contacts: z.array(z.string()).optional(),
  limit: z.number().int().min(1).max(100).optional(),
  starting_after: z.string().optional(),
  organization_user_ids: z.array(uuid).optional(),
  smart_view_id: uuid.optional(),
  is_website_visitor: z.boolean().optional(),
  distinct_contacts: z.boolean().optional(),
  enrichment_status: z.number().optional(),
  esg_code: z.enum(['0', '1', '2', '3', '4', 'all', 'none']).optional(),
});

/** `PATCH /api/v2/leads/{id}`: at least one field; no email, campaign or list. See https://developer.instantly.ai/api-reference/lead/patch-lead */
export const patchLeadBody = z
  .strictObject({
    personalization: nullableString.optional(),
    website: nullableString.optional(),
    last_name: nullableString.optional(),
    first_name: nullableString.optional(),
    company_name: nullableString.optional(),
    job_title: nullableString.optional(),
    phone: nullableString.optional(),
    lt_interest_status: interestStatus.optional(),
    pl_value_lead: nullableString.optional(),
    assigned_to: uuid.nullable().optional(),
    custom_variables: customVariables.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { message: 'must NOT have fewer than 1 properties' });

/** `GET /api/v2/emails` query. See https://developer.instantly.ai/api-reference/email/list-email */
export const listEmailsQuery = z.strictObject({
  limit: intInRange(1, 100).optional(),
  starting_after: z.string().optional(),
  search: z.string().optional(),
  campaign_id: uuid.optional(),
  list_id: uuid.optional(),
  i_status: z.coerce.number().optional(),
  eaccount: z.string().optional(),
  is_unread: boolText.optional(),
  has_reminder: boolText.optional(),
  mode: z.enum(['emode_focused', 'emode_others', 'emode_all']).optional(),
  preview_only: boolText.optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
  scheduled_only: boolText.optional(),
  assigned_to: z.string().optional(),
  lead: z.string().optional(),
  company_domain: z.string().optional(),
  marked_as_done: boolText.optional(),
  email_type: z.enum(['received', 'sent', 'manual']).optional(),
  min_timestamp_created: z.string().optional(),
  max_timestamp_created: z.string().optional(),
  latest_of_thread: boolText.optional(),
});

/**
 * `POST /api/v2/emails/reply`: there is no `to`; the reply goes to the sender of the email
 * `reply_to_uuid` names. See https://developer.instantly.ai/api-reference/email/reply-to-an-email
 */
export const replyBody = z.strictObject({
  eaccount: z.string(),
  reply_to_uuid: z.string(),
  subject: z.string(),
  body: z.strictObject({ html: z.string().optional(), text: z.string().optional() }),
  additional_recipients: z.array(z.email({ message: 'must match format "email"' })).optional(),
  cc_address_email_list: z.string().optional(),
  bcc_address_email_list: z.string().optional(),
  reminder_ts: z.iso.datetime({ message: 'must match format "date-time"' }).optional(),
  assigned_to: uuid.optional(),
});

/** Account status codes (`Account.status`). */
export const ACCOUNT_STATUSES = [1, 2, 3, -1, -2, -3] as const;

/** `GET /api/v2/accounts` query. See https://developer.instantly.ai/api-reference/account/list-account */
export const listAccountsQuery = z.strictObject({
  limit: intInRange(1, 100).optional(),
  starting_after: z.string().optional(),
  search: z.string().optional(),
  status: numberIn(ACCOUNT_STATUSES).optional(),
  provider_code: numberIn([1, 2, 3, 4, 8, 11] as const).optional(),
  tag_ids: z.string().optional(),
  tag_ids_all: z.string().optional(),
  include_tags: boolText.optional(),
  filter: z
    .enum([
      'ACC_FILTER_PAUSED',
      'ACC_FILTER_ERROR',
      'ACC_FILTER_NO_CTD',
      'ACC_FILTER_PW_ACCOUNTS',
      'ACC_FILTER_DFY',
      'ACC_FILTER_DFY_SETUP_PENDING',
      'ACC_FILTER_W_ACTIVE',
      'ACC_FILTER_W_PAUSED',
      'ACC_FILTER_W_ERROR',
    ])
    .optional(),
  sort_by: z.enum(['timestamp_created', 'email', 'stat_warmup_score', 'status']).optional(),
  sort_order: z.enum(['asc', 'desc']).optional(),
  skip: z.coerce.number().int().min(0).optional(),
});

/** Endpoints that take no query string. */
export const noQuery = z.strictObject({});

/**
 * Turns a zod failure into Fastify's validation message: where (`body`, `querystring`,
 * `params`) plus the JSON pointer of the field, then what is wrong, as Ajv words it.
 *
 * @example
 * ```ts
 * fastifyMessage('body', issue) // "body must have required property 'eaccount'"
 * ```
 */
export function fastifyMessage(where: 'body' | 'querystring' | 'params', issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String);
  // zod reports a missing field as an invalid_type "received undefined".
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message) && path.length > 0) {
    const parent = path.slice(0, -1);
    return `${[where, ...parent].join('/')} must have required property '${path.at(-1)}'`;
  }
  const at = [where, ...path].join('/');
  if (issue.code === 'unrecognized_keys') return `${at} must NOT have additional properties`;
  if (issue.code === 'invalid_type') return `${at} must be ${issue.expected}`;
  if (issue.code === 'invalid_value') return `${at} must be equal to one of the allowed values`;
  if (issue.code === 'invalid_format') return `${at} must match format "${issue.format}"`;
  if (issue.code === 'too_big' && issue.origin === 'number') return `${at} must be <= ${issue.maximum}`;
  if (issue.code === 'too_small' && issue.origin === 'number') return `${at} must be >= ${issue.minimum}`;
  return `${at} ${issue.message}`;
}

/** Instantly's webhook subscription event types (`CreateWebhook.event_type`). */
export const WEBHOOK_EVENT_TYPES = [
  'all_events',
  'email_sent',
  'email_opened',
  'email_link_clicked',
  'reply_received',
  'email_bounced',
  'lead_unsubscribed',
  'campaign_completed',
  'account_error',
  'lead_neutral',
  'lead_interested',
  'lead_not_interested',
  'lead_meeting_booked',
  'lead_meeting_completed',
  'lead_closed',
  'lead_out_of_office',
  'lead_wrong_person',
  'lead_no_show',
  'supersearch_enrichment_completed',
] as const;

const webhookEventType = z.enum(WEBHOOK_EVENT_TYPES, {
  message: 'must be equal to one of the allowed values',
});

/** `POST /api/v2/webhooks` body. See https://developer.instantly.ai/api-reference/webhook/create-webhook */
export const createWebhookBody = z.strictObject({
  campaign: uuid.nullable().optional(),
  name: nullableString.optional(),
  target_hook_url: z.string().regex(/^https?:\/\//, { message: 'must match pattern "^https?://"' }),
  event_type: webhookEventType.nullable().optional(),
  custom_interest_value: z.number().nullable().optional(),
  headers: z.record(z.string(), z.string()).nullable().optional(),
});

/** `GET /api/v2/webhooks` query. See https://developer.instantly.ai/api-reference/webhook/list-webhook */
export const listWebhooksQuery = z.strictObject({
  limit: intInRange(1, 100).optional(),
  starting_after: z.string().optional(),
  campaign: uuid.optional(),
  event_type: webhookEventType.optional(),
});
