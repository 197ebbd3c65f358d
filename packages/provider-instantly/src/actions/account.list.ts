import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import {
  ACCOUNT_STATUS,
  accountRecord,
  nextCursor,
  pageInput,
  query,
  toAccount,
  toNextCursor,
} from '../shared.js';
import { parseWire, wireAccount, wirePage } from '../wire.js';

const STATUS_CODES = Object.fromEntries(Object.entries(ACCOUNT_STATUS).map(([code, label]) => [label, code]));

/**
 * Lists the workspace's sending accounts (`GET /api/v2/accounts`) with their status, warm-up
 * state and daily limits. Pages with `cursor` in and `next_cursor` out.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly account.list --input '{"status":"active","limit":100}' --json
 * ```
 */
export const accountList = defineAction({
  slug: 'account.list',
  title: 'List sending accounts',
  description:
    'Lists the Instantly sending accounts (mailboxes) of the workspace with status, warm-up state and score, and daily sending limits, with cursor paging.',
  input: z.strictObject({
    search: z.string().min(1).optional().describe('Matches account emails.'),
    status: z
      .enum(['active', 'paused', 'maintenance', 'connection_error', 'soft_bounce_error', 'sending_error'])
      .optional()
      .describe('Only accounts in this status.'),
    ...pageInput,
  }),
  output: z.object({ results: z.array(accountRecord), next_cursor: nextCursor }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['accounts:read'],
  run: async (input, ctx) => {
    const searchParams = query({
      limit: input.limit,
      starting_after: input.cursor,
      search: input.search,
      status: input.status === undefined ? undefined : STATUS_CODES[input.status],
    });
    const body = await ctx.http.get('api/v2/accounts', { searchParams }).json();
    const page = parseWire(wirePage(wireAccount), body, 'the account list');
    return { results: page.items.map(toAccount), next_cursor: toNextCursor(page) };
  },
});
