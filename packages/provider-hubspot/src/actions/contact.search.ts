import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { crmRecord, FIRST_PAGE, propertyNames, toRecord } from '../shared.js';
import { parseWire, type WireFilter, type WireSearchRequest, wireSearchResponse } from '../wire.js';

/** Every filter operator HubSpot's CRM search accepts. */
export const SEARCH_OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const filter = z.strictObject({
  property: z.string().min(1).describe('Internal property name, e.g. "email" or "createdate".'),
  operator: z.enum(SEARCH_OPERATORS),
  value: scalar.optional().describe('Compared value (dates as epoch milliseconds or ISO 8601).'),
  high_value: scalar.optional().describe('Upper bound for BETWEEN.'),
  values: z.array(scalar).optional().describe('Values for IN and NOT_IN.'),
});

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
  input: z.strictObject({
    filters: z.array(filter).max(6).optional(),
    query: z
      .string()
      .max(3000)
      .optional()
      .describe("Free text matched against the contacts' default text properties."),
    sorts: z
      .array(
        z.strictObject({
          property: z.string().min(1),
          direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING'),
        }),
      )
      .optional()
      .describe('Sort rules; HubSpot documents one rule per search.'),
    properties: propertyNames.optional(),
    limit: z.number().int().min(1).max(200).default(10).describe('Results per page, 1-200.'),
    cursor: z.string().min(1).optional().describe('The next_cursor of the previous page.'),
  }),
  output: z.object({
    results: z.array(crmRecord),
    total: z.number().int().describe('Matches across all pages.'),
    next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.objects.contacts.read'],
  run: async (input, ctx) => {
    const filters = (input.filters ?? []).map(
      (f): WireFilter => ({
        propertyName: f.property,
        operator: f.operator,
        ...(f.value !== undefined ? { value: String(f.value) } : {}),
        ...(f.high_value !== undefined ? { highValue: String(f.high_value) } : {}),
        ...(f.values !== undefined ? { values: f.values.map(String) } : {}),
      }),
    );
    const json: WireSearchRequest = {
      filterGroups: filters.length > 0 ? [{ filters }] : [],
      sorts: (input.sorts ?? []).map((s) => ({ propertyName: s.property, direction: s.direction })),
      properties: input.properties ?? [],
      limit: input.limit,
      after: input.cursor ?? FIRST_PAGE,
      ...(input.query !== undefined ? { query: input.query } : {}),
    };
    const body = await ctx.http.post('crm/v3/objects/contacts/search', { json }).json();
    const page = parseWire(wireSearchResponse, body, 'the contact search');
    return {
      results: page.results.map(toRecord),
      total: page.total,
      next_cursor: page.paging?.next?.after ?? null,
    };
  },
});
