/**
 * Schemas and helpers shared by this provider's actions: Instantly's numeric codes as readable
 * labels, the records actions return, and cursor paging.
 *
 * @module
 */

import { z } from 'zod';
import type { WireAccount, WireCampaign, WireEmail, WireLead } from './wire.js';

/** Labels for a numeric code; an unknown code reads `code_<n>` so a new Instantly value never breaks a call. */
function labeller(labels: Record<number, string>): (code: number | null | undefined) => string | null {
  return (code) => (code === null || code === undefined ? null : (labels[code] ?? `code_${code}`));
}

/** Campaign `status` codes, from the `Campaign` schema. */
export const CAMPAIGN_STATUS: Record<number, string> = {
  0: 'draft',
  1: 'active',
  2: 'paused',
  3: 'completed',
  4: 'running_subsequences',
  [-99]: 'account_suspended',
  [-1]: 'accounts_unhealthy',
  [-2]: 'bounce_protect',
};

/** Lead `status` codes, from the `Lead` schema. */
export const LEAD_STATUS: Record<number, string> = {
  1: 'active',
  2: 'paused',
  3: 'completed',
  [-1]: 'bounced',
  [-2]: 'unsubscribed',
  [-3]: 'skipped',
};

/** Lead interest (`lt_interest_status`) codes, from the `Lead` schema. */
export const INTEREST_STATUS = {
  out_of_office: 0,
  interested: 1,
  meeting_booked: 2,
  meeting_completed: 3,
  won: 4,
  not_interested: -1,
  wrong_person: -2,
  lost: -3,
  no_show: -4,
} as const;
/** A lead interest label. */
export type InterestStatus = keyof typeof INTEREST_STATUS;
const INTEREST_LABELS: Record<number, string> = Object.fromEntries(
  Object.entries(INTEREST_STATUS).map(([label, code]) => [code, label]),
);

/** Account `status` codes, from the `Account` schema. */
export const ACCOUNT_STATUS: Record<number, string> = {
  1: 'active',
  2: 'paused',
  3: 'maintenance',
  [-1]: 'connection_error',
  [-2]: 'soft_bounce_error',
  [-3]: 'sending_error',
};

/** Account `warmup_status` codes. */
export const WARMUP_STATUS: Record<number, string> = {
  0: 'paused',
  1: 'active',
  [-1]: 'banned',
  [-2]: 'spam_folder_unknown',
  [-3]: 'permanent_suspension',
};

/** Account `provider_code` values. */
export const ACCOUNT_PROVIDER: Record<number, string> = {
  1: 'custom_imap_smtp',
  2: 'google',
  3: 'microsoft',
  4: 'aws',
  8: 'airmail',
  11: 'airmail_instant',
};

/** Email `ue_type` values. */
export const EMAIL_TYPE: Record<number, string> = { 1: 'campaign', 2: 'received', 3: 'sent', 4: 'scheduled' };

const campaignStatus = labeller(CAMPAIGN_STATUS);
const leadStatus = labeller(LEAD_STATUS);
const interestStatus = labeller(INTEREST_LABELS);
const accountStatus = labeller(ACCOUNT_STATUS);
const warmupStatus = labeller(WARMUP_STATUS);
const accountProvider = labeller(ACCOUNT_PROVIDER);
const emailType = labeller(EMAIL_TYPE);

/** An Instantly id (a UUID). */
export const uuid = (what: string) => z.uuid({ message: `must be an Instantly ${what} id (a UUID)` });

/** A custom variable value: Instantly accepts strings, numbers, booleans and null, never objects or arrays. */
export const customVariableValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Custom variables as callers give them. */
export const customVariables = z
  .record(z.string().min(1), customVariableValue)
  .describe(
    'Custom variables for the campaign copy ({{name}} in templates): strings, numbers, booleans or null; no objects or arrays.',
  );

/** A campaign as actions return it. */
export const campaignRecord = z.object({
  id: z.string().describe('Instantly campaign id.'),
  name: z.string(),
  status: z
    .string()
    .describe(
      'draft, active, paused, completed, running_subsequences, account_suspended, accounts_unhealthy or bounce_protect.',
    ),
  status_code: z.number().describe("Instantly's numeric campaign status."),
  daily_limit: z.number().nullable().describe('Emails the campaign may send per day; null when unset.'),
  sending_accounts: z.array(z.string()).describe('Sending account emails the campaign rotates through.'),
  stop_on_reply: z.boolean().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

/** Keeps the campaign fields actions return. */
export function toCampaign(c: WireCampaign): z.infer<typeof campaignRecord> {
  return {
    id: c.id,
    name: c.name,
    status: campaignStatus(c.status) ?? 'unknown',
    status_code: c.status,
    daily_limit: c.daily_limit ?? null,
    sending_accounts: c.email_list ?? [],
    stop_on_reply: c.stop_on_reply ?? null,
    created_at: c.timestamp_created,
    updated_at: c.timestamp_updated,
  };
}

/** The camelCase copies of standard fields Instantly keeps in a lead's `payload`. */
const PAYLOAD_STANDARD = new Set([
  'firstName',
  'lastName',
  'companyName',
  'jobTitle',
  'website',
  'phone',
  'personalization',
]);

/** A lead as actions return it. */
export const leadRecord = z.object({
  id: z.string().describe('Instantly lead id: use it for lead.get, lead.update, lead.delete.'),
  email: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  company_name: z.string().nullable(),
  job_title: z.string().nullable(),
  website: z.string().nullable(),
  phone: z.string().nullable(),
  personalization: z.string().nullable(),
  campaign_id: z.string().nullable().describe('The campaign the lead is in, if any.'),
  list_id: z.string().nullable().describe('The lead list the lead is in, if any.'),
  status: z.string().describe('active, paused, completed, bounced, unsubscribed or skipped.'),
  interest_status: z
    .string()
    .nullable()
    .describe(
      'interested, meeting_booked, meeting_completed, won, out_of_office, not_interested, wrong_person, lost, no_show; null when unset.',
    ),
  custom_variables: z.record(z.string(), z.unknown()),
  opens: z.number().describe('Times the lead opened an email.'),
  replies: z.number().describe('Times the lead replied.'),
  clicks: z.number().describe('Times the lead clicked a link.'),
  last_contacted_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
/** A lead as actions return it. */
export type LeadRecord = z.infer<typeof leadRecord>;

/** Keeps the lead fields actions return; custom variables are the lead payload minus standard fields. */
export function toLead(l: WireLead): LeadRecord {
  const custom = Object.fromEntries(
    Object.entries(l.payload ?? {}).filter(([k]) => !PAYLOAD_STANDARD.has(k)),
  );
  return {
    id: l.id,
    email: l.email ?? null,
    first_name: l.first_name ?? null,
    last_name: l.last_name ?? null,
    company_name: l.company_name ?? null,
    job_title: l.job_title ?? null,
    website: l.website ?? null,
    phone: l.phone ?? null,
    personalization: l.personalization ?? null,
    campaign_id: l.campaign ?? null,
    list_id: l.list_id ?? null,
    status: leadStatus(l.status) ?? 'unknown',
    interest_status: interestStatus(l.lt_interest_status),
    custom_variables: custom,
    opens: l.email_open_count ?? 0,
    replies: l.email_reply_count ?? 0,
    clicks: l.email_click_count ?? 0,
    last_contacted_at: l.timestamp_last_contact ?? null,
    created_at: l.timestamp_created,
    updated_at: l.timestamp_updated,
  };
}

/** The lead fields a caller may set on create and update (Instantly's names). */
export const leadFields = {
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  company_name: z.string().optional(),
  job_title: z.string().optional(),
  website: z.string().optional(),
  phone: z.string().optional(),
  personalization: z
    .string()
    .optional()
    .describe('The {{personalization}} line of the campaign copy for this lead.'),
};

/** An email address, trimmed. */
export const email = z
  .string()
  .trim()
  .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address');

/** An email as actions return it. */
export const emailRecord = z.object({
  id: z.string().describe('Instantly email id: pass it as reply_to_uuid to email.reply.'),
  thread_id: z.string().nullable(),
  type: z
    .string()
    .describe('campaign (a campaign step), received (a reply from the lead), sent or scheduled.'),
  is_reply: z.boolean().describe('True for an email received from the lead.'),
  is_auto_reply: z.boolean(),
  is_unread: z.boolean(),
  subject: z.string(),
  from: z.string().nullable(),
  to: z.array(z.string()),
  cc: z.array(z.string()),
  text: z.string().nullable(),
  html: z.string().nullable(),
  preview: z.string().nullable(),
  lead_email: z.string().nullable(),
  lead_id: z.string().nullable(),
  campaign_id: z.string().nullable(),
  step: z.string().nullable().describe('The campaign step, for campaign emails.'),
  eaccount: z.string().describe('The sending account of the thread.'),
  sent_at: z.string().describe('The time on the email itself.'),
  created_at: z.string(),
});

function addressList(value: string | null | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

/** Keeps the email fields actions return. */
export function toEmail(e: WireEmail): z.infer<typeof emailRecord> {
  return {
    id: e.id,
    thread_id: e.thread_id ?? null,
    type: emailType(e.ue_type) ?? 'unknown',
    is_reply: e.ue_type === 2,
    is_auto_reply: e.is_auto_reply === 1,
    is_unread: e.is_unread === 1,
    subject: e.subject,
    from: e.from_address_email ?? null,
    to: addressList(e.to_address_email_list),
    cc: addressList(e.cc_address_email_list),
    text: e.body?.text ?? null,
    html: e.body?.html ?? null,
    preview: e.content_preview ?? null,
    lead_email: e.lead ?? null,
    lead_id: e.lead_id ?? null,
    campaign_id: e.campaign_id ?? null,
    step: e.step ?? null,
    eaccount: e.eaccount,
    sent_at: e.timestamp_email,
    created_at: e.timestamp_created,
  };
}

/** A sending account as actions return it. */
export const accountRecord = z.object({
  email: z.string(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  status: z
    .string()
    .nullable()
    .describe('active, paused, maintenance, connection_error, soft_bounce_error or sending_error.'),
  warmup_status: z.string().describe('active, paused, banned, spam_folder_unknown or permanent_suspension.'),
  warmup_score: z
    .number()
    .nullable()
    .describe('Instantly warm-up health score (0-100); null before warm-up data exists.'),
  daily_limit: z.number().nullable().describe('Campaign emails the account may send per day.'),
  warmup_daily_limit: z.number().nullable().describe('Warm-up emails the account sends per day.'),
  sending_gap_minutes: z
    .number()
    .nullable()
    .describe('Minimum minutes between two emails from this account.'),
  provider: z.string().describe('google, microsoft, custom_imap_smtp, aws, airmail or airmail_instant.'),
  setup_pending: z.boolean(),
  created_at: z.string(),
});

/** Keeps the account fields actions return. */
export function toAccount(a: WireAccount): z.infer<typeof accountRecord> {
  return {
    email: a.email,
    first_name: a.first_name ?? null,
    last_name: a.last_name ?? null,
    status: accountStatus(a.status),
    warmup_status: warmupStatus(a.warmup_status) ?? 'unknown',
    warmup_score: a.stat_warmup_score ?? null,
    daily_limit: a.daily_limit ?? null,
    warmup_daily_limit: a.warmup?.limit ?? null,
    sending_gap_minutes: a.sending_gap ?? null,
    provider: accountProvider(a.provider_code) ?? 'unknown',
    setup_pending: a.setup_pending ?? false,
    created_at: a.timestamp_created,
  };
}

/** Items per page when a list action's `limit` is not given. */
export const DEFAULT_PAGE_SIZE = 25;

/** The paging fields every list action takes: `limit` and `cursor`. */
export const pageInput = {
  limit: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Items per page, 1-100 (default ${DEFAULT_PAGE_SIZE}).`),
  cursor: z.string().min(1).optional().describe('The next_cursor of the previous page.'),
};

/** The `next_cursor` every list action returns. */
export const nextCursor = z
  .string()
  .nullable()
  .describe('Pass as cursor for the next page; null when there are no more items.');

/**
 * The cursor of the next page: Instantly's `next_starting_after`, except on an empty page.
 * Instantly may hand out a cursor with the last items (a full last page is followed by an empty
 * one), so an empty page ends the listing whatever came with it.
 */
export function toNextCursor(page: { items: unknown[]; next_starting_after?: string | null | undefined }) {
  return page.items.length > 0 && page.next_starting_after ? page.next_starting_after : null;
}

/** Builds a query string, leaving out undefined values. */
export function query(values: Record<string, string | number | boolean | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) params.set(name, String(value));
  }
  return params;
}
