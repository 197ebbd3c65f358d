import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import {
  CAMPAIGN_STATUS,
  campaignRecord,
  nextCursor,
  pageInput,
  query,
  toCampaign,
  toNextCursor,
} from '../shared.js';
import { parseWire, wireCampaign, wirePage } from '../wire.js';

const STATUS_CODES = Object.fromEntries(
  Object.entries(CAMPAIGN_STATUS).map(([code, label]) => [label, code]),
);
const statusLabel = z.enum([
  'draft',
  'active',
  'paused',
  'completed',
  'running_subsequences',
  'account_suspended',
  'accounts_unhealthy',
  'bounce_protect',
]);

/**
 * Lists the workspace's campaigns (`GET /api/v2/campaigns`), optionally by name or status.
 * Pages with `cursor` in and `next_cursor` out (Instantly's `starting_after` /
 * `next_starting_after`).
 *
 * @example
 * ```sh
 * oxygen integrations run instantly campaign.list --input '{"status":"active","limit":50}' --json
 * ```
 */
export const campaignList = defineAction({
  slug: 'campaign.list',
  title: 'List campaigns',
  description: 'Lists Instantly campaigns, optionally filtered by name or status, with cursor paging.',
  input: z.strictObject({
    search: z.string().min(1).optional().describe('Matches campaign names.'),
    status: statusLabel.optional().describe('Only campaigns in this status.'),
    ...pageInput,
  }),
  output: z.object({ results: z.array(campaignRecord), next_cursor: nextCursor }),
  authModes: ['byok'],
  credits: 0, // byok only: the organization pays Instantly, not Oxygen credits
  effect: 'read',
  idempotent: true,
  scopes: ['campaigns:read'],
  run: async (input, ctx) => {
    const searchParams = query({
      limit: input.limit,
      starting_after: input.cursor,
      search: input.search,
      status: input.status === undefined ? undefined : STATUS_CODES[input.status],
    });
    const body = await ctx.http.get('api/v2/campaigns', { searchParams }).json();
    const page = parseWire(wirePage(wireCampaign), body, 'the campaign list');
    return { results: page.items.map(toCampaign), next_cursor: toNextCursor(page) };
  },
});
