import { defineAction } from '@oxygen/core';
import { searchInput, searchObjects, searchOutput } from '../search.js';

/**
 * Searches deals (`POST /crm/v3/objects/deals/search`), with the same filters, sorts and
 * `cursor` / `next_cursor` paging as `contact.search`.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot deal.search \
 *   --input '{"filters":[{"property":"dealstage","operator":"EQ","value":"closedwon"},{"property":"amount","operator":"GTE","value":1000}]}' --json
 * ```
 */
export const dealSearch = defineAction({
  slug: 'deal.search',
  title: 'Search deals',
  description:
    'Finds HubSpot deals by property filters (ANDed: stage, amount, close date, owner, ...) and/or free text over the deal name, with sorting and cursor paging.',
  input: searchInput('deals', 'the deal name'),
  output: searchOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.objects.deals.read'],
  run: (input, ctx) => searchObjects(ctx, 'deals', input),
});
