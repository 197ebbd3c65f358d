import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { email, leadRecord, nextCursor, pageInput, toLead, toNextCursor, uuid } from '../shared.js';
import { parseWire, type WireListLeads, wireLead, wirePage } from '../wire.js';

/** The `filter` values Instantly's lead listing documents. */
export const LEAD_FILTERS = [
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
 * Lists leads (`POST /api/v2/leads/list`: a POST on purpose, with the filters and the paging in
 * the JSON body). Results come oldest first (ordered by id). Pages with `cursor` in and
 * `next_cursor` out, mapped to the body's `starting_after` and the answer's
 * `next_starting_after`.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly lead.list \
 *   --input '{"campaign_id":"01938a5e-0000-7000-8000-00000000c001","filter":"FILTER_VAL_REPLIED","limit":100}' --json
 * ```
 */
export const leadList = defineAction({
  slug: 'lead.list',
  title: 'List leads',
  description:
    'Lists Instantly leads of a campaign or list, by search text, status filter, ids or emails, oldest first, with cursor paging.',
  input: z.strictObject({
    campaign_id: uuid('campaign').optional().describe('Only leads in this campaign.'),
    list_id: uuid('lead list').optional().describe('Only leads in this lead list.'),
    search: z.string().min(1).optional().describe('Matches first name, last name or email.'),
    filter: z
      .enum(LEAD_FILTERS)
      .optional()
      .describe("One of Instantly's lead filters, e.g. FILTER_VAL_REPLIED."),
    ids: z.array(uuid('lead')).min(1).max(100).optional().describe('Only these lead ids.'),
    emails: z.array(email).min(1).max(100).optional().describe('Only leads with these emails.'),
    ...pageInput,
  }),
  output: z.object({ results: z.array(leadRecord), next_cursor: nextCursor }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['leads:read'],
  run: async (input, ctx) => {
    const json: WireListLeads = {
      ...(input.campaign_id !== undefined ? { campaign: input.campaign_id } : {}),
      ...(input.list_id !== undefined ? { list_id: input.list_id } : {}),
      ...(input.search !== undefined ? { search: input.search } : {}),
      ...(input.filter !== undefined ? { filter: input.filter } : {}),
      ...(input.ids !== undefined ? { ids: input.ids } : {}),
      ...(input.emails !== undefined ? { contacts: input.emails } : {}),
      limit: input.limit,
      ...(input.cursor !== undefined ? { starting_after: input.cursor } : {}),
    };
    const body = await ctx.http.post('api/v2/leads/list', { json }).json();
    const page = parseWire(wirePage(wireLead), body, 'the lead list');
    return { results: page.items.map(toLead), next_cursor: toNextCursor(page) };
  },
});
