/**
 * Cursor pagination, the same for every provider: a list or search action takes `cursor` in and
 * returns `next_cursor` out (`null` on the last page) next to one array of results. These helpers
 * recognise such an action from its JSON Schemas and follow its cursors to the end (the CLI's
 * `oxygen integrations run --all`). No I/O of their own: the caller runs each page.
 *
 * @module
 */

import { PluginError, ProviderError, ValidationError } from '@oxygen/core';
import type { ActionInfo } from '../catalog.js';

/** How a paginated action pages. */
export interface PaginationInfo {
  /** The output field holding the page's items (`results`, `records`, `items`). */
  listField: string;
}

/** What {@link collectAllPages} reports after each page. */
export interface PageProgress {
  /** Pages fetched so far (1-based). */
  page: number;
  /** Items on this page. */
  pageItems: number;
  /** Items on every page so far. */
  items: number;
}

/** Options for {@link collectAllPages}. */
export interface CollectAllPagesOptions {
  /** The first page's input (an object); a `cursor` in it is where paging starts. */
  input: unknown;
  /** The output field holding each page's items (from {@link paginationOf}). */
  listField: string;
  /** Runs one page: the action with this input. */
  runPage: (input: Record<string, unknown>) => Promise<unknown>;
  /** Called after each page, for progress output. */
  onPage?: ((progress: PageProgress) => void) | undefined;
  /** Stops with an error past this many pages (a provider that never ends). Default 10,000. */
  maxPages?: number | undefined;
}

/** What {@link collectAllPages} returns. */
export interface AllPages {
  /** The last page's output with `listField` holding every page's items and `next_cursor: null`. */
  output: Record<string, unknown>;
  /** How many pages were fetched. */
  pages: number;
}

/** Preferred names when an output has several array fields. */
const LIST_FIELDS = ['results', 'records', 'items', 'data'];

type Schema = Record<string, unknown>;

function propertiesOf(schema: unknown): Record<string, Schema> {
  if (!schema || typeof schema !== 'object') return {};
  const s = schema as Schema;
  const own = (s.properties && typeof s.properties === 'object' ? s.properties : {}) as Record<
    string,
    Schema
  >;
  const parts = [...((s.allOf as unknown[]) ?? []), ...((s.anyOf as unknown[]) ?? [])];
  return Object.assign({}, ...parts.map(propertiesOf), own) as Record<string, Schema>;
}

function isArraySchema(schema: Schema | undefined): boolean {
  if (!schema) return false;
  const type = schema.type;
  if (type === 'array' || (Array.isArray(type) && type.includes('array'))) return true;
  return [...((schema.anyOf as Schema[]) ?? []), ...((schema.oneOf as Schema[]) ?? [])].some(isArraySchema);
}

/**
 * How an action pages, read from its JSON Schemas: it pages when its input has `cursor` and its
 * output has `next_cursor`; the list is the output's one array field (or, among several,
 * `results`, `records`, `items` or `data`). `null` when the action does not page.
 *
 * @example
 * ```ts
 * const { actions } = await org.actions('hubspot');
 * paginationOf(actions.find((a) => a.slug === 'contact.search')!); // { listField: 'results' }
 * paginationOf(actions.find((a) => a.slug === 'contact.get')!);    // null
 * ```
 */
export function paginationOf(
  action: Pick<ActionInfo, 'input_schema' | 'output_schema'>,
): PaginationInfo | null {
  const input = propertiesOf(action.input_schema);
  const output = propertiesOf(action.output_schema);
  if (!input.cursor || !output.next_cursor) return null;
  const arrays = Object.keys(output).filter((name) => isArraySchema(output[name]));
  if (arrays.length === 1) return { listField: arrays[0]! };
  const preferred = LIST_FIELDS.find((name) => arrays.includes(name));
  return preferred ? { listField: preferred } : null;
}

/**
 * Runs a paginated action page after page, feeding each `next_cursor` back as `cursor`, until
 * `next_cursor` is `null`; returns the last page's output with the list field holding every
 * page's items (in order) and `next_cursor: null`.
 *
 * @throws ValidationError when the input is not an object; PluginError when a page's output has
 * no list or no `next_cursor`; ProviderError when the provider hands back a cursor it already
 * gave (it would never end) or pages past `maxPages`; whatever `runPage` throws.
 *
 * @example
 * ```ts
 * const all = await collectAllPages({
 *   input: { filters: [], limit: 100 },
 *   listField: 'results',
 *   runPage: async (input) => (await org.run('hubspot', 'contact.search', input)).output,
 *   onPage: (p) => process.stderr.write(`page ${p.page}, ${p.items} items…\n`),
 * });
 * all.output.results.length; // every contact
 * ```
 */
export async function collectAllPages(options: CollectAllPagesOptions): Promise<AllPages> {
  const { listField } = options;
  if (!options.input || typeof options.input !== 'object' || Array.isArray(options.input)) {
    throw new ValidationError('The input of a paginated action must be a JSON object.', { field: 'input' });
  }
  const first = options.input as Record<string, unknown>;
  const maxPages = options.maxPages ?? 10_000;
  const items: unknown[] = [];
  const seen = new Set<string>();
  let cursor = typeof first.cursor === 'string' ? first.cursor : undefined;
  for (let page = 1; ; page++) {
    const raw = await options.runPage(cursor === undefined ? first : { ...first, cursor });
    const output = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
    const list = output?.[listField];
    if (!output || !Array.isArray(list)) {
      throw new PluginError(`Page ${page} has no "${listField}" list to collect.`, {
        hint: 'The action does not page the way its schema says; report it to the plugin author.',
      });
    }
    items.push(...list);
    options.onPage?.({ page, pageItems: list.length, items: items.length });
    const next = output.next_cursor;
    if (next === null) return { output: { ...output, [listField]: items, next_cursor: null }, pages: page };
    if (typeof next !== 'string' || next.length === 0) {
      throw new PluginError(`Page ${page} has no next_cursor (a string, or null on the last page).`, {
        hint: 'The action does not page the way its schema says; report it to the plugin author.',
      });
    }
    if (seen.has(next)) {
      throw new ProviderError(
        `The provider returned cursor "${next.slice(0, 40)}" twice (page ${page}); stopped, since following it would never end.`,
        { hint: 'Narrow the input (filters, limit) and page by hand with cursor.' },
      );
    }
    if (page >= maxPages) {
      throw new ProviderError(`Stopped after ${maxPages} pages; the provider kept returning a next_cursor.`, {
        hint: 'Narrow the input (filters), or raise the page size (limit).',
      });
    }
    seen.add(next);
    cursor = next;
  }
}
