import { defineAction } from '@oxygen/core';
import { searchInput, searchObjects, searchOutput } from '../search.js';

/**
 * Searches companies (`POST /crm/v3/objects/companies/search`), with the same filters, sorts and
 * `cursor` / `next_cursor` paging as `contact.search`.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot company.search --input '{"filters":[{"property":"domain","operator":"EQ","value":"example.com"}]}' --json
 * ```
 */
export const companySearch = defineAction({
  slug: 'company.search',
  title: 'Search companies',
  description:
    'Finds HubSpot companies by property filters (ANDed) and/or free text, with sorting and cursor paging. Up to 10,000 results per query.',
  input: searchInput('companies', "the companies' name, domain, website and phone"),
  output: searchOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.objects.companies.read'],
  run: (input, ctx) => searchObjects(ctx, 'companies', input),
});
