import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { email, emailRecord, nextCursor, pageInput, query, toEmail, toNextCursor, uuid } from '../shared.js';
import { parseWire, wireEmail, wirePage } from '../wire.js';

/**
 * Lists Unibox emails (`GET /api/v2/emails`): a lead's or a campaign's emails, campaign steps
 * and replies alike, newest first by default. Instantly allows only 20 requests a minute to this
 * endpoint (Oxygen queues calls to stay under it), so prefer large pages.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly email.list --input '{"lead_email":"ada@example.com","type":"received"}' --json
 * ```
 */
export const emailList = defineAction({
  slug: 'email.list',
  title: 'List emails',
  description:
    "Lists a lead's or a campaign's emails (sent steps and replies) from Instantly's Unibox, newest first, with cursor paging. Instantly limits this endpoint to 20 requests per minute.",
  input: z.strictObject({
    lead_email: email.optional().describe("Only this lead's emails."),
    campaign_id: uuid('campaign').optional().describe("Only this campaign's emails."),
    thread_id: uuid('thread').optional().describe('Only the emails of this thread.'),
    type: z
      .enum(['received', 'sent', 'manual'])
      .optional()
      .describe('received: replies from leads; sent: emails sent to them; manual: sent by hand.'),
    unread_only: z.boolean().optional().describe('Only unread emails.'),
    eaccount: email.optional().describe('Only emails of this sending account.'),
    order: z.enum(['asc', 'desc']).optional().describe('By creation time; Instantly defaults to desc.'),
    ...pageInput,
  }),
  output: z.object({ results: z.array(emailRecord), next_cursor: nextCursor }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['emails:read'],
  run: async (input, ctx) => {
    const searchParams = query({
      limit: input.limit,
      starting_after: input.cursor,
      lead: input.lead_email,
      campaign_id: input.campaign_id,
      search: input.thread_id === undefined ? undefined : `thread:${input.thread_id}`,
      email_type: input.type,
      is_unread: input.unread_only,
      eaccount: input.eaccount,
      sort_order: input.order,
    });
    const body = await ctx.http.get('api/v2/emails', { searchParams }).json();
    const page = parseWire(wirePage(wireEmail), body, 'the email list');
    return { results: page.items.map(toEmail), next_cursor: toNextCursor(page) };
  },
});
