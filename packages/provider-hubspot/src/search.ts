/**
 * The CRM search every search action shares (`POST /crm/v3/objects/{type}/search`): one input
 * shape (filters, free text, sorts, properties, `limit`, `cursor`), one builder from it to
 * HubSpot's `PublicObjectSearchRequest`, and one output shape (`results`, `total`, `next_cursor`).
 *
 * Source: HubSpot's CRM search guide (developers.hubspot.com/docs/api-reference/latest/crm/search)
 * and the `PublicObjectSearchRequest` schema of the CRM objects v3 reference.
 *
 * @module
 */

import type { ActionContext } from '@oxygen/core';
import { z } from 'zod';
import {
  type CrmRecord,
  crmRecord,
  cursorInput,
  nextCursorOutput,
  propertyNames,
  toRecord,
} from './shared.js';
import { parseWire, type WireFilter, type WireSearchRequest, wireSearchResponse } from './wire.js';

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

/** HubSpot's search returns at most this many results per query, whatever the paging. */
export const SEARCH_RESULT_CAP = 10_000;

/** The `after` of a search's first page: HubSpot's search cursor is a result offset. */
export const FIRST_PAGE = '0';

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One filter: a property compared with a value. */
export const searchFilter = z
  .strictObject({
    property: z.string().min(1).describe('Internal property name, e.g. "email" or "createdate".'),
    operator: z.enum(SEARCH_OPERATORS),
    value: scalar.optional().describe('Compared value (dates as epoch milliseconds or ISO 8601).'),
    high_value: scalar.optional().describe('Upper bound for BETWEEN.'),
    values: z.array(scalar).optional().describe('Values for IN and NOT_IN.'),
  })
  .superRefine((f, ctx) => {
    const needs =
      f.operator === 'IN' || f.operator === 'NOT_IN'
        ? 'values'
        : f.operator === 'BETWEEN'
          ? 'high_value'
          : f.operator === 'HAS_PROPERTY' || f.operator === 'NOT_HAS_PROPERTY'
            ? undefined
            : 'value';
    if (needs && f[needs] === undefined) {
      ctx.addIssue({ code: 'custom', path: [needs], message: `${f.operator} needs "${needs}"` });
    }
    if (f.operator === 'BETWEEN' && f.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'BETWEEN needs "value"' });
    }
  });
/** One filter as callers give it. */
export type SearchFilter = z.infer<typeof searchFilter>;

/**
 * The input of a search action over `what` (e.g. "contacts").
 *
 * @example
 * ```ts
 * const input = searchInput('deals', 'the deal name');
 * input.parse({ filters: [{ property: 'dealstage', operator: 'EQ', value: 'closedwon' }] });
 * ```
 */
export function searchInput(what: string, textProperties: string) {
  return z.strictObject({
    filters: z.array(searchFilter).max(6).optional().describe(`Filters on ${what}' properties, all ANDed.`),
    query: z.string().max(3000).optional().describe(`Free text matched against ${textProperties}.`),
    sorts: z
      .array(
        z.strictObject({
          property: z.string().min(1),
          direction: z.enum(['ASCENDING', 'DESCENDING']).default('ASCENDING'),
        }),
      )
      .max(1)
      .optional()
      .describe('Sort rule; HubSpot documents one rule per search.'),
    properties: propertyNames.optional(),
    limit: z.number().int().min(1).max(200).default(10).describe('Results per page, 1-200.'),
    cursor: cursorInput,
  });
}
/** A parsed search input. */
export type SearchInput = z.output<ReturnType<typeof searchInput>>;

/** The output of every search action. */
export const searchOutput = z.object({
  results: z.array(crmRecord),
  total: z
    .number()
    .int()
    .describe(`Matches across all pages (HubSpot pages through at most ${SEARCH_RESULT_CAP}).`),
  next_cursor: nextCursorOutput,
});
/** A search action's output. */
export type SearchOutput = { results: CrmRecord[]; total: number; next_cursor: string | null };

/**
 * Builds HubSpot's search body: filters become one filter group (ANDed), values become strings.
 *
 * @example
 * ```ts
 * toSearchRequest({ filters: [{ property: 'amount', operator: 'GT', value: 1000 }], limit: 50 });
 * // { filterGroups: [{ filters: [{ propertyName: 'amount', operator: 'GT', value: '1000' }] }],
 * //   sorts: [], properties: [], limit: 50, after: '0' }
 * ```
 */
export function toSearchRequest(
  input: Pick<SearchInput, 'filters' | 'query' | 'sorts' | 'properties' | 'cursor'> & { limit: number },
): WireSearchRequest {
  const filters = (input.filters ?? []).map(
    (f): WireFilter => ({
      propertyName: f.property,
      operator: f.operator,
      ...(f.value !== undefined ? { value: String(f.value) } : {}),
      ...(f.high_value !== undefined ? { highValue: String(f.high_value) } : {}),
      ...(f.values !== undefined ? { values: f.values.map(String) } : {}),
    }),
  );
  return {
    filterGroups: filters.length > 0 ? [{ filters }] : [],
    sorts: (input.sorts ?? []).map((s) => ({ propertyName: s.property, direction: s.direction })),
    properties: input.properties ?? [],
    limit: input.limit,
    after: input.cursor ?? FIRST_PAGE,
    ...(input.query !== undefined ? { query: input.query } : {}),
  };
}

/**
 * Runs one search page over `objectType` and returns it in the shared output shape. A cursor at
 * or past HubSpot's 10,000-result cap ends the paging instead of failing.
 */
export async function searchObjects(
  ctx: ActionContext,
  objectType: 'contacts' | 'companies' | 'deals',
  input: SearchInput,
): Promise<SearchOutput> {
  const json = toSearchRequest(input);
  const body = await ctx.http.post(`crm/v3/objects/${objectType}/search`, { json }).json();
  const page = parseWire(wireSearchResponse, body, `the ${objectType} search`);
  const next = page.paging?.next?.after;
  return {
    results: page.results.map(toRecord),
    total: page.total,
    next_cursor: next !== undefined && Number(next) < SEARCH_RESULT_CAP ? next : null,
  };
}
