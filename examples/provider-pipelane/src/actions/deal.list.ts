import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { parseWire, STAGES, type WireDeal, wireDealPage } from '../wire.js';

/** A deal as the actions return it. */
export const dealOutput = z.object({
  id: z.string().describe('The Pipelane deal id.'),
  title: z.string(),
  value: z.number(),
  currency: z.string(),
  stage: z.string(),
  person_email: z.string().nullable(),
  created_at: z.string().describe('When it was added (ISO 8601).'),
  updated_at: z.string().describe('When it last changed (ISO 8601).'),
});

/** Pipelane's deal, in the actions' shape (ids as strings, times named like Oxygen's). */
export function toDeal(deal: WireDeal): z.output<typeof dealOutput> {
  return {
    id: String(deal.id),
    title: deal.title,
    value: deal.value,
    currency: deal.currency,
    stage: deal.stage,
    person_email: deal.person_email,
    created_at: deal.add_time,
    updated_at: deal.update_time,
  };
}

/**
 * Lists deals, oldest first, one page at a time (`GET /v2/deals`), optionally in one stage.
 *
 * @example
 * ```sh
 * oxygen integrations run pipelane deal.list --input '{"stage":"qualified"}' --all --json
 * ```
 */
export const dealList = defineAction({
  slug: 'deal.list',
  title: 'List deals',
  description: 'Lists Pipelane deals a page at a time, optionally only those in one stage.',
  input: z.strictObject({
    stage: z.enum(STAGES).optional().describe('Only deals in this stage.'),
    limit: z.number().int().min(1).max(500).default(100).describe('Deals per page (1-500).'),
    cursor: z.string().optional().describe("The previous page's next_cursor."),
  }),
  output: z.object({
    results: z.array(dealOutput),
    next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  run: async (input, ctx) => {
    const searchParams: Record<string, string | number> = { limit: input.limit };
    if (input.cursor !== undefined) searchParams.cursor = input.cursor;
    if (input.stage !== undefined) searchParams.stage = input.stage;
    const page = parseWire(
      wireDealPage,
      await ctx.http.get('v2/deals', { searchParams }).json(),
      'the deal list',
    );
    return { results: page.data.map(toDeal), next_cursor: page.additional_data.next_cursor };
  },
});
