/**
 * The Instantly endpoints the sandbox serves. Each route names its method, path, the API key
 * scope it needs (`<resource>:<action>`; `<resource>:all`, `all:<action>` and `all:all` also
 * grant it) and the zod schemas of its query and body; the server does auth, rate limits,
 * parsing and error bodies.
 *
 * @module
 */

import type { z } from 'zod';
import { badRequest, notFound } from './errors.js';
import {
  bulkAddLeadsBody,
  createLeadBody,
  createWebhookBody,
  listAccountsQuery,
  listCampaignsQuery,
  listEmailsQuery,
  listLeadsBody,
  listWebhooksQuery,
  patchLeadBody,
  replyBody,
} from './schemas.js';
import type { LeadTarget, SandboxEmail, SandboxLead, SandboxStore, SandboxWebhook } from './store.js';

/** A request as a route sees it, validated. */
export interface RouteRequest {
  /** Path captures (the record id where the path has one). */
  params: string[];
  query: unknown;
  body: unknown;
}

/** A route's answer. */
export interface RouteAnswer {
  status: number;
  body: unknown;
}

/** One endpoint. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  /** The scope it needs, `[resource, action]`, from the operation's "Requires one of the following scopes". */
  scope: [string, 'read' | 'create' | 'update' | 'delete'];
  /** Query schema; routes without one take no query parameters. */
  query?: z.ZodType;
  /** Body schema, or `'none'` for endpoints that take no body (a JSON `null` is accepted on DELETE). */
  body: z.ZodType | 'none';
  handle: (req: RouteRequest, store: SandboxStore) => RouteAnswer;
}

const ID = '([^/]+)';
/** Instantly's page size when `limit` is not given (the sandbox's choice; Instantly does not document it). */
const DEFAULT_LIMIT = 100;

const ok = (body: unknown): RouteAnswer => ({ status: 200, body: structuredClone(body) });

/**
 * One page of `sorted` after the cursor: `{ items, next_starting_after }`, the cursor present
 * when the page is full (a following page may be empty, which ends the listing).
 */
function page<T>(
  sorted: T[],
  limit: number,
  cursor: string | undefined,
  key: (item: T) => string,
  desc = false,
) {
  const after =
    cursor === undefined ? sorted : sorted.filter((i) => (desc ? key(i) < cursor : key(i) > cursor));
  const items = after.slice(0, limit);
  const last = items.at(-1);
  return {
    items: structuredClone(items),
    ...(items.length === limit && last ? { next_starting_after: key(last) } : {}),
  };
}

const byKey =
  <T>(key: (item: T) => string) =>
  (a: T, b: T) =>
    key(a).localeCompare(key(b));

function contains(value: string | null | undefined, search: string): boolean {
  return (value ?? '').toLowerCase().includes(search.toLowerCase());
}

/** Which leads a lead-listing `filter` keeps; filters on data the sandbox does not model match none. */
function matchesFilter(lead: SandboxLead, filter: string): boolean {
  const interest = lead.lt_interest_status;
  switch (filter) {
    case 'FILTER_VAL_CONTACTED':
      return lead.timestamp_last_contact !== null;
    case 'FILTER_VAL_NOT_CONTACTED':
      return lead.timestamp_last_contact === null;
    case 'FILTER_VAL_COMPLETED':
      return lead.status === 3;
    case 'FILTER_VAL_UNSUBSCRIBED':
      return lead.status === -2;
    case 'FILTER_VAL_ACTIVE':
      return lead.status === 1;
    case 'FILTER_VAL_BOUNCED':
      return lead.status === -1;
    case 'FILTER_VAL_SKIPPED':
      return lead.status === -3;
    case 'FILTER_LEAD_INTERESTED':
      return interest === 1;
    case 'FILTER_LEAD_MEETING_BOOKED':
      return interest === 2;
    case 'FILTER_LEAD_MEETING_COMPLETED':
      return interest === 3;
    case 'FILTER_LEAD_CLOSED':
      return interest === 4;
    case 'FILTER_LEAD_OUT_OF_OFFICE':
      return interest === 0;
    case 'FILTER_LEAD_NOT_INTERESTED':
      return interest === -1;
    case 'FILTER_LEAD_WRONG_PERSON':
      return interest === -2;
    case 'FILTER_LEAD_LOST':
      return interest === -3;
    case 'FILTER_LEAD_NO_SHOW':
      return interest === -4;
    case 'FILTER_VAL_REPLIED':
      return lead.email_reply_count > 0;
    case 'FILTER_VAL_LINK_CLICKED':
      return lead.email_click_count > 0;
    case 'FILTER_VAL_NO_OPENS':
      return lead.email_open_count === 0;
    case 'FILTER_VAL_OPENED_NO_REPLY':
      return lead.email_open_count > 0 && lead.email_reply_count === 0;
    case 'FILTER_VAL_COMPLETED_NO_REPLY':
      return lead.status === 3 && lead.email_reply_count === 0;
    default:
      // Custom labels, verification results and subsequences: no sandbox lead has them.
      return false;
  }
}

/** The campaign or list a lead write targets; exactly one of them. */
function targetOf(
  campaign: string | null | undefined,
  listId: string | null | undefined,
  names: [string, string],
) {
  if (campaign && listId) throw badRequest(`body must have either '${names[0]}' or '${names[1]}', not both`);
  if (!campaign && !listId)
    throw badRequest(`body must have required property '${names[0]}' or '${names[1]}'`);
  return { campaign: campaign ?? null, list_id: listId ?? null } satisfies LeadTarget;
}

function createLead(body: z.infer<typeof createLeadBody>, store: SandboxStore): RouteAnswer {
  const target = targetOf(body.campaign, body.list_id, ['campaign', 'list_id']);
  const email = body.email?.trim() || undefined;
  if (target.campaign && !email) throw badRequest("body must have required property 'email'");
  if (!email && !body.first_name && !body.last_name) {
    throw badRequest("body must have required property 'email', 'first_name' or 'last_name'");
  }
  if (email && !store.validEmail(email)) throw badRequest('body/email must match format "email"');
  store.checkTarget(target);
  if (email) {
    // A lead already in this campaign or list is not added again (Instantly documents this for
    // bulk adds); for a single create the sandbox answers the existing lead.
    const existing = store.findInTarget(target, email);
    if (existing) return ok(existing);
    // The skip flags: the sandbox answers the lead that caused the skip (Instantly documents the
    // flags, not the answer).
    const elsewhere = [...store.leads.values()].find((l) => l.email === email.toLowerCase());
    const skip =
      elsewhere &&
      (body.skip_if_in_workspace ||
        (body.skip_if_in_campaign && elsewhere.campaign) ||
        (body.skip_if_in_list && elsewhere.list_id));
    if (skip) return ok(elsewhere);
    if (store.blocked(email)) throw badRequest(`Lead ${email} is on the blocklist`);
  }
  return ok(store.insertLead(target, { ...body, email }));
}

function bulkAdd(body: z.infer<typeof bulkAddLeadsBody>, store: SandboxStore): RouteAnswer {
  const target = targetOf(body.campaign_id, body.list_id, ['campaign_id', 'list_id']);
  store.checkTarget(target);
  const counts = {
    leads_uploaded: 0,
    in_blocklist: 0,
    duplicated_leads: 0,
    skipped_count: 0,
    invalid_email_count: 0,
    incomplete_count: 0,
    duplicate_email_count: 0,
  };
  const created: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const [index, input] of body.leads.entries()) {
    const email = input.email?.trim().toLowerCase() || undefined;
    if (!email) {
      if (target.campaign) counts.invalid_email_count++;
      else if (!input.first_name && !input.last_name) counts.incomplete_count++;
      else {
        const lead = store.insertLead(target, { ...input, email: null });
        counts.leads_uploaded++;
        created.push(createdLead(index, lead));
      }
      continue;
    }
    if (!store.validEmail(email)) {
      counts.invalid_email_count++;
      continue;
    }
    if (seen.has(email)) {
      counts.duplicate_email_count++;
      continue;
    }
    seen.add(email);
    if (store.findInTarget(target, email)) {
      counts.duplicated_leads++;
      continue;
    }
    const elsewhere = [...store.leads.values()].filter((l) => l.email === email);
    if (
      (body.skip_if_in_workspace && elsewhere.length > 0) ||
      (body.skip_if_in_campaign && elsewhere.some((l) => l.campaign)) ||
      (body.skip_if_in_list && elsewhere.some((l) => l.list_id))
    ) {
      counts.skipped_count++;
      continue;
    }
    if (store.blocked(email)) {
      counts.in_blocklist++;
      continue;
    }
    const lead = store.insertLead(target, { ...input, email });
    counts.leads_uploaded++;
    created.push(createdLead(index, lead));
  }
  return ok({
    status: 'success',
    total_sent: body.leads.length,
    ...counts,
    blocklist_used: body.blocklist_id ?? null,
    remaining_in_plan: target.campaign ? Math.max(0, store.planLeadLimit - store.leads.size) : null,
    created_leads: created,
  });
}

function createdLead(index: number, lead: SandboxLead): Record<string, unknown> {
  return {
    index,
    id: lead.id,
    email: lead.email,
    first_name: lead.first_name,
    last_name: lead.last_name,
    phone: lead.phone,
  };
}

function listLeads(body: z.infer<typeof listLeadsBody>, store: SandboxStore): RouteAnswer {
  if (body.campaign) store.campaign(body.campaign);
  const contacts = body.contacts?.map((c) => c.toLowerCase());
  let leads = [...store.leads.values()].filter(
    (l) =>
      (!body.campaign || l.campaign === body.campaign) &&
      (!body.list_id || l.list_id === body.list_id) &&
      (body.in_campaign === undefined || (l.campaign !== null) === body.in_campaign) &&
      (body.in_list === undefined || (l.list_id !== null) === body.in_list) &&
      (!body.ids || body.ids.includes(l.id)) &&
      !body.excluded_ids?.includes(l.id) &&
      (!contacts || contacts.includes(l.email ?? '')) &&
      (!body.search || [l.first_name, l.last_name, l.email].some((v) => contains(v, body.search ?? ''))) &&
      (!body.filter || matchesFilter(l, body.filter)) &&
      (body.is_website_visitor === undefined || body.is_website_visitor === false),
  );
  const limit = body.limit ?? DEFAULT_LIMIT;
  if (body.distinct_contacts) {
    // One lead per email, paged by email.
    const byEmail = new Map<string, SandboxLead>();
    for (const l of leads.sort(byKey((l) => l.id)))
      if (l.email && !byEmail.has(l.email)) byEmail.set(l.email, l);
    leads = [...byEmail.values()].sort(byKey((l) => l.email ?? ''));
    return ok(page(leads, limit, body.starting_after, (l) => l.email ?? ''));
  }
  return ok(page(leads.sort(byKey((l) => l.id)), limit, body.starting_after, (l) => l.id));
}

function listEmails(query: z.infer<typeof listEmailsQuery>, store: SandboxStore): RouteAnswer {
  const thread = query.search?.startsWith('thread:') ? query.search.slice('thread:'.length) : undefined;
  const leadSearch = query.search && !thread ? query.search.toLowerCase() : undefined;
  const accounts = query.eaccount?.split(',').map((a) => a.trim().toLowerCase());
  const types: Record<string, number[]> = { received: [2], sent: [1, 3], manual: [3] };
  const emails = [...store.emails.values()].filter(
    (e) =>
      (!thread || e.thread_id === thread) &&
      (!leadSearch || e.lead?.toLowerCase() === leadSearch) &&
      (!query.lead || e.lead?.toLowerCase() === query.lead.toLowerCase()) &&
      (!query.campaign_id || e.campaign_id === query.campaign_id) &&
      (!accounts || accounts.includes(e.eaccount.toLowerCase())) &&
      (query.is_unread === undefined || (e.is_unread === 1) === query.is_unread) &&
      (!query.email_type || (types[query.email_type] ?? []).includes(e.ue_type)) &&
      (!query.min_timestamp_created || e.timestamp_created >= query.min_timestamp_created) &&
      (!query.max_timestamp_created || e.timestamp_created <= query.max_timestamp_created),
  );
  const desc = query.sort_order !== 'asc';
  const key = (e: SandboxEmail) => e.timestamp_created;
  emails.sort((a, b) => (desc ? -1 : 1) * key(a).localeCompare(key(b)));
  return ok(page(emails, query.limit ?? DEFAULT_LIMIT, query.starting_after, key, desc));
}

function reply(body: z.infer<typeof replyBody>, store: SandboxStore): RouteAnswer {
  const original = store.emails.get(body.reply_to_uuid);
  if (!original) throw notFound('Email not found');
  if (!store.accounts.has(body.eaccount.toLowerCase())) {
    throw badRequest(`Email account ${body.eaccount} is not connected to this workspace`);
  }
  if (body.body.text === undefined && body.body.html === undefined) {
    throw badRequest("body/body must have required property 'text' or 'html'");
  }
  // No `to`: the reply goes to whoever sent the email replied to (the lead, for a received email).
  const to = original.ue_type === 2 ? original.from_address_email : original.to_address_email_list;
  const text = body.body.text ?? body.body.html?.replace(/<br\s*\/?>/g, '\n').replace(/<[^>]+>/g, '') ?? '';
  const sent = store.insertEmail({
    timestamp_email: store.now(),
    subject: body.subject,
    from_address_email: body.eaccount.toLowerCase(),
    to_address_email_list: [to, ...(body.additional_recipients ?? [])].filter(Boolean).join(','),
    cc_address_email_list: body.cc_address_email_list ?? null,
    bcc_address_email_list: body.bcc_address_email_list ?? null,
    body: { text, html: body.body.html ?? text.replace(/\n/g, '<br/>') },
    organization_id: store.workspace.id,
    campaign_id: original.campaign_id,
    lead: original.lead,
    lead_id: original.lead_id,
    eaccount: body.eaccount.toLowerCase(),
    ue_type: 3,
    step: null,
    is_unread: 0,
    is_auto_reply: 0,
    thread_id: original.thread_id,
    content_preview: text.slice(0, 100),
  });
  original.is_unread = 0;
  return ok(sent);
}

/** `POST /api/v2/webhooks`: registers a subscription; Instantly answers the stored `Webhook`. */
function createWebhook(body: z.infer<typeof createWebhookBody>, store: SandboxStore): RouteAnswer {
  if (body.campaign) store.campaign(body.campaign);
  const webhook: SandboxWebhook = {
    id: store.newId(),
    organization: store.workspace.id,
    campaign: body.campaign ?? null,
    name: body.name ?? null,
    target_hook_url: body.target_hook_url,
    event_type: body.event_type ?? null,
    custom_interest_value: body.custom_interest_value ?? null,
    headers: body.headers ?? null,
    timestamp_created: store.now(),
    status: 1,
    timestamp_error: null,
  };
  store.webhooks.set(webhook.id, webhook);
  return ok(webhook);
}

function webhookById(store: SandboxStore, id: string): SandboxWebhook {
  const webhook = store.webhooks.get(id);
  if (!webhook) throw notFound('Webhook not found');
  return webhook;
}

/** Every endpoint the sandbox serves; any other method and path is Fastify's 404. */
export const ROUTES: Route[] = [
  {
    // https://developer.instantly.ai/api-reference/workspace/get-workspace
    method: 'GET',
    pattern: /^\/api\/v2\/workspaces\/current$/,
    scope: ['workspaces', 'read'],
    body: 'none',
    handle: (_req, store) => ok(store.workspace),
  },
  {
    // https://developer.instantly.ai/api-reference/campaign/list-campaign
    method: 'GET',
    pattern: /^\/api\/v2\/campaigns$/,
    scope: ['campaigns', 'read'],
    query: listCampaignsQuery,
    body: 'none',
    handle: (req, store) => {
      const q = req.query as z.infer<typeof listCampaignsQuery>;
      const campaigns = [...store.campaigns.values()]
        .filter(
          (c) =>
            (!q.search || contains(c.name, q.search)) &&
            (q.status === undefined || c.status === q.status) &&
            (q.exclude_status === undefined || c.status !== q.exclude_status) &&
            // No sandbox campaign has tags or was created by an AI sales agent.
            !q.tag_ids &&
            !q.ai_sales_agent_id,
        )
        .sort(byKey((c) => c.id));
      return ok(page(campaigns, q.limit ?? DEFAULT_LIMIT, q.starting_after, (c) => c.id));
    },
  },
  {
    // https://developer.instantly.ai/api-reference/campaign/get-campaign
    method: 'GET',
    pattern: new RegExp(`^/api/v2/campaigns/${ID}$`),
    scope: ['campaigns', 'read'],
    body: 'none',
    handle: (req, store) => ok(store.campaign(req.params[0] ?? '')),
  },
  {
    // https://developer.instantly.ai/api-reference/groups/campaign ("Activate(start), or resume a campaign")
    method: 'POST',
    pattern: new RegExp(`^/api/v2/campaigns/${ID}/activate$`),
    scope: ['campaigns', 'update'],
    body: 'none',
    handle: (req, store) => ok(store.setCampaignStatus(req.params[0] ?? '', 1)),
  },
  {
    // https://developer.instantly.ai/api-reference/groups/campaign ("Stop(or pause) a campaign")
    method: 'POST',
    pattern: new RegExp(`^/api/v2/campaigns/${ID}/pause$`),
    scope: ['campaigns', 'update'],
    body: 'none',
    handle: (req, store) => ok(store.setCampaignStatus(req.params[0] ?? '', 2)),
  },
  {
    // https://developer.instantly.ai/api-reference/lead/create-lead
    method: 'POST',
    pattern: /^\/api\/v2\/leads$/,
    scope: ['leads', 'create'],
    body: createLeadBody,
    handle: (req, store) => createLead(req.body as z.infer<typeof createLeadBody>, store),
  },
  {
    // https://developer.instantly.ai/api-reference/lead/add-leads-in-bulk-to-a-campaign-or-list
    method: 'POST',
    pattern: /^\/api\/v2\/leads\/add$/,
    scope: ['leads', 'create'],
    body: bulkAddLeadsBody,
    handle: (req, store) => bulkAdd(req.body as z.infer<typeof bulkAddLeadsBody>, store),
  },
  {
    // https://developer.instantly.ai/api-reference/lead/list-leads
    method: 'POST',
    pattern: /^\/api\/v2\/leads\/list$/,
    scope: ['leads', 'read'],
    body: listLeadsBody,
    handle: (req, store) => listLeads(req.body as z.infer<typeof listLeadsBody>, store),
  },
  {
    // https://developer.instantly.ai/api-reference/lead/get-lead
    method: 'GET',
    pattern: new RegExp(`^/api/v2/leads/${ID}$`),
    scope: ['leads', 'read'],
    body: 'none',
    handle: (req, store) => ok(store.lead(req.params[0] ?? '')),
  },
  {
    // https://developer.instantly.ai/api-reference/lead/patch-lead
    method: 'PATCH',
    pattern: new RegExp(`^/api/v2/leads/${ID}$`),
    scope: ['leads', 'update'],
    body: patchLeadBody,
    handle: (req, store) =>
      ok(store.updateLead(store.lead(req.params[0] ?? ''), req.body as z.infer<typeof patchLeadBody>)),
  },
  {
    // https://developer.instantly.ai/api-reference/lead/delete-lead
    method: 'DELETE',
    pattern: new RegExp(`^/api/v2/leads/${ID}$`),
    scope: ['leads', 'delete'],
    body: 'none',
    handle: (req, store) => ok(store.deleteLead(req.params[0] ?? '')),
  },
  {
    // https://developer.instantly.ai/api-reference/email/list-email (20 requests per minute)
    method: 'GET',
    pattern: /^\/api\/v2\/emails$/,
    scope: ['emails', 'read'],
    query: listEmailsQuery,
    body: 'none',
    handle: (req, store) => listEmails(req.query as z.infer<typeof listEmailsQuery>, store),
  },
  {
    // https://developer.instantly.ai/api-reference/email/reply-to-an-email
    method: 'POST',
    pattern: /^\/api\/v2\/emails\/reply$/,
    scope: ['emails', 'create'],
    body: replyBody,
    handle: (req, store) => reply(req.body as z.infer<typeof replyBody>, store),
  },
  {
    // https://developer.instantly.ai/api-reference/account/list-account
    method: 'GET',
    pattern: /^\/api\/v2\/accounts$/,
    scope: ['accounts', 'read'],
    query: listAccountsQuery,
    body: 'none',
    handle: (req, store) => {
      const q = req.query as z.infer<typeof listAccountsQuery>;
      // The cursor is `timestamp_created&email`, as the reference documents.
      const key = (a: { timestamp_created: string; email: string }) => `${a.timestamp_created}&${a.email}`;
      const accounts = [...store.accounts.values()]
        .filter(
          (a) =>
            (!q.search || contains(a.email, q.search)) &&
            (q.status === undefined || a.status === q.status) &&
            (q.provider_code === undefined || a.provider_code === q.provider_code),
        )
        .sort(byKey(key));
      return ok(page(accounts, q.limit ?? DEFAULT_LIMIT, q.starting_after, key));
    },
  },
  {
    // https://developer.instantly.ai/api-reference/webhook/create-webhook
    method: 'POST',
    pattern: /^\/api\/v2\/webhooks$/,
    scope: ['webhooks', 'create'],
    body: createWebhookBody,
    handle: (req, store) => createWebhook(req.body as z.infer<typeof createWebhookBody>, store),
  },
  {
    // https://developer.instantly.ai/api-reference/webhook/list-webhook
    method: 'GET',
    pattern: /^\/api\/v2\/webhooks$/,
    scope: ['webhooks', 'read'],
    query: listWebhooksQuery,
    body: 'none',
    handle: (req, store) => {
      const q = req.query as z.infer<typeof listWebhooksQuery>;
      const webhooks = [...store.webhooks.values()]
        .filter(
          (w) =>
            (q.campaign === undefined || w.campaign === q.campaign) &&
            (q.event_type === undefined || w.event_type === q.event_type),
        )
        .sort(byKey((w) => w.id));
      return ok(page(webhooks, q.limit ?? DEFAULT_LIMIT, q.starting_after, (w) => w.id));
    },
  },
  {
    // https://developer.instantly.ai/api-reference/webhook/get-webhook
    method: 'GET',
    pattern: new RegExp(`^/api/v2/webhooks/${ID}$`),
    scope: ['webhooks', 'read'],
    body: 'none',
    handle: (req, store) => ok(webhookById(store, req.params[0] ?? '')),
  },
  {
    // https://developer.instantly.ai/api-reference/webhook/delete-webhook (answers the deleted Webhook)
    method: 'DELETE',
    pattern: new RegExp(`^/api/v2/webhooks/${ID}$`),
    scope: ['webhooks', 'delete'],
    body: 'none',
    handle: (req, store) => {
      const webhook = webhookById(store, req.params[0] ?? '');
      store.webhooks.delete(webhook.id);
      return ok(webhook);
    },
  },
];
