import { defineAction } from '@oxygen/core';
import { searchInput, searchObjects, searchOutput } from '../search.js';

/**
 * Searches contacts (`POST /crm/v3/objects/contacts/search`). Filters are ANDed. Pages with
 * `cursor` in and `next_cursor` out; `next_cursor` is null on the last page.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot contact.search \
 *   --input '{"filters":[{"property":"email","operator":"CONTAINS_TOKEN","value":"*@example.com"}],"limit":50}' --json
 * ```
 */
export const contactSearch = defineAction({
  slug: 'contact.search',
  title: 'Search contacts',
  description:
    'Finds HubSpot contacts by property filters (ANDed) and/or free text, with sorting and cursor paging. Up to 10,000 results per query.',
  input: searchInput('contacts', "the contacts' name, email, phone and company"),
  output: searchOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.objects.contacts.read'],
  run: (input, ctx) => searchObjects(ctx, 'contacts', input),
});
