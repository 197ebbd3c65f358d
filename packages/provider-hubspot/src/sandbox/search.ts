/**
 * CRM search over the sandbox's records: filter groups (OR of ANDs), free-text `query`, sorts
 * and offset paging, as HubSpot's search guide describes them.
 *
 * @module
 */

import { validationError } from './errors.js';
import type { SearchBody } from './schemas.js';
import type { SandboxRecord } from './store.js';

type Filter = NonNullable<SearchBody['filterGroups']>[number]['filters'][number];

/** HubSpot's search returns at most this many results per query, whatever the paging. */
export const SEARCH_WINDOW = 10_000;

/** Numbers compare as numbers, ISO dates as epoch milliseconds, anything else as lower-case text. */
function comparable(value: string): number | string {
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms;
  }
  return value.toLowerCase();
}

function compare(a: string, b: string): number {
  const x = comparable(a);
  const y = comparable(b);
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  return String(x).localeCompare(String(y));
}

/** Words of a value: split on spaces and punctuation, plus the whole value. */
function tokens(value: string): string[] {
  const lower = value.toLowerCase();
  return [lower, ...lower.split(/[\s@.,;:!?()[\]{}<>"'/\\_-]+/).filter(Boolean)];
}

/** CONTAINS_TOKEN: a token equals the value; `*` in the value is a wildcard. */
function containsToken(value: string, token: string): boolean {
  const wanted = token.toLowerCase();
  if (!wanted.includes('*')) return tokens(value).includes(wanted);
  const pattern = new RegExp(`^${wanted.split('*').map(escapeRegExp).join('.*')}$`);
  return tokens(value).some((t) => pattern.test(t));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function matches(record: SandboxRecord, f: Filter): boolean {
  const actual = record.properties[f.propertyName];
  const has = actual !== undefined && actual !== '';
  const value = f.value ?? '';
  const equals = (v: string) => has && compare(actual, v) === 0;
  switch (f.operator) {
    case 'EQ':
      return equals(value);
    case 'NEQ':
      return !equals(value);
    case 'LT':
      return has && compare(actual, value) < 0;
    case 'LTE':
      return has && compare(actual, value) <= 0;
    case 'GT':
      return has && compare(actual, value) > 0;
    case 'GTE':
      return has && compare(actual, value) >= 0;
    case 'BETWEEN':
      return has && compare(actual, value) >= 0 && compare(actual, f.highValue ?? '') <= 0;
    case 'IN':
      return (f.values ?? []).some(equals);
    case 'NOT_IN':
      return !(f.values ?? []).some(equals);
    case 'HAS_PROPERTY':
      return has;
    case 'NOT_HAS_PROPERTY':
      return !has;
    case 'CONTAINS_TOKEN':
      return has && containsToken(actual, value);
    case 'NOT_CONTAINS_TOKEN':
      return !has || !containsToken(actual, value);
  }
}

/** Every word of the query must start a word of one of the searchable properties. */
function matchesQuery(record: SandboxRecord, query: string, searchable: readonly string[]): boolean {
  const words = searchable.flatMap((p) => tokens(record.properties[p] ?? ''));
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((term) => words.some((w) => w.startsWith(term)));
}

/** One page of search results. */
export interface SearchPage {
  total: number;
  results: SandboxRecord[];
  /** The `after` of the next page, absent on the last one. */
  nextAfter?: string | undefined;
}

/** Filters, sorts and pages `records` as HubSpot's search would. */
export function search(
  records: Iterable<SandboxRecord>,
  body: SearchBody,
  searchable: readonly string[],
): SearchPage {
  const groups = body.filterGroups ?? [];
  const offset = Number(body.after ?? '0');
  const limit = body.limit ?? 10;
  if (offset >= SEARCH_WINDOW) {
    throw validationError(`Search results are limited to ${SEARCH_WINDOW} records; narrow the filters.`, [
      { message: 'after is past the last result a search can return', in: 'after' },
    ]);
  }
  const hits = [...records].filter(
    (r) =>
      !r.archived &&
      (groups.length === 0 || groups.some((g) => g.filters.every((f) => matches(r, f)))) &&
      (!body.query || matchesQuery(r, body.query, searchable)),
  );
  const sorts = (body.sorts ?? []).map((s) =>
    typeof s === 'string' ? { propertyName: s, direction: 'ASCENDING' } : s,
  );
  hits.sort((a, b) => {
    for (const s of sorts) {
      const x = a.properties[s.propertyName];
      const y = b.properties[s.propertyName];
      if (x === y) continue;
      if (x === undefined) return 1;
      if (y === undefined) return -1;
      const order = compare(x, y) * (s.direction === 'DESCENDING' ? -1 : 1);
      if (order !== 0) return order;
    }
    return Number(a.id) - Number(b.id);
  });
  const end = Math.min(offset + limit, hits.length, SEARCH_WINDOW);
  return {
    total: hits.length,
    results: hits.slice(offset, end),
    nextAfter: limit > 0 && end < Math.min(hits.length, SEARCH_WINDOW) ? String(end) : undefined,
  };
}
