import { PluginError, ProviderError, ValidationError } from '@oxygen/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { collectAllPages, describeAction, paginationOf } from '../src/index.js';

function info(input: z.ZodType, output: z.ZodType) {
  return describeAction({
    slug: 'thing.list',
    title: 'List',
    description: 'Lists things.',
    input,
    output,
    authModes: ['byok'],
    credits: 0,
    effect: 'read',
    run: async () => ({}),
  });
}

describe('paginationOf', () => {
  it('finds cursor in, next_cursor out and the one list', () => {
    const paged = info(
      z.object({ limit: z.number().default(10), cursor: z.string().optional() }),
      z.object({
        results: z.array(z.object({ id: z.string() })),
        total: z.number(),
        next_cursor: z.string().nullable(),
      }),
    );
    expect(paginationOf(paged)).toEqual({ listField: 'results' });
  });

  it('prefers results/records/items/data among several lists; a nullable list counts', () => {
    const two = info(
      z.object({ cursor: z.string().optional() }),
      z.object({
        warnings: z.array(z.string()),
        records: z.array(z.object({ id: z.string() })).nullable(),
        next_cursor: z.string().nullable(),
      }),
    );
    expect(paginationOf(two)).toEqual({ listField: 'records' });
  });

  it('is null without cursor, without next_cursor, or without a recognisable list', () => {
    const list = z.array(z.string());
    expect(paginationOf(info(z.object({ id: z.string() }), z.object({ id: z.string() })))).toBeNull();
    expect(
      paginationOf(info(z.object({ cursor: z.string().optional() }), z.object({ results: list }))),
    ).toBeNull();
    expect(
      paginationOf(info(z.object({}), z.object({ results: list, next_cursor: z.string().nullable() }))),
    ).toBeNull();
    expect(
      paginationOf(
        info(
          z.object({ cursor: z.string().optional() }),
          z.object({ a: list, b: list, next_cursor: z.string().nullable() }),
        ),
      ),
    ).toBeNull();
  });
});

describe('collectAllPages', () => {
  /** A fake provider: 7 items, pages of `limit`, cursor = next offset. */
  const pages = (limit: number) => {
    const seen: Record<string, unknown>[] = [];
    const runPage = async (input: Record<string, unknown>) => {
      seen.push(input);
      const from = Number(input.cursor ?? 0);
      const items = Array.from({ length: 7 }, (_, i) => ({ id: `t${i}` })).slice(from, from + limit);
      const next = from + limit < 7 ? String(from + limit) : null;
      return { results: items, total: 7, next_cursor: next };
    };
    return { seen, runPage };
  };

  it('feeds each next_cursor back as cursor and concatenates the list, ending with next_cursor null', async () => {
    const { seen, runPage } = pages(3);
    const progress: unknown[] = [];
    const all = await collectAllPages({
      input: { limit: 3, filter: 'x' },
      listField: 'results',
      runPage,
      onPage: (p) => progress.push(p),
    });
    expect(all.pages).toBe(3);
    expect(all.output).toEqual({
      results: ['t0', 't1', 't2', 't3', 't4', 't5', 't6'].map((id) => ({ id })),
      total: 7,
      next_cursor: null,
    });
    expect(seen).toEqual([
      { limit: 3, filter: 'x' },
      { limit: 3, filter: 'x', cursor: '3' },
      { limit: 3, filter: 'x', cursor: '6' },
    ]);
    expect(progress).toEqual([
      { page: 1, pageItems: 3, items: 3 },
      { page: 2, pageItems: 3, items: 6 },
      { page: 3, pageItems: 1, items: 7 },
    ]);
  });

  it('starts from a cursor given in the input', async () => {
    const { runPage } = pages(3);
    const all = await collectAllPages({ input: { cursor: '3' }, listField: 'results', runPage });
    expect((all.output.results as unknown[]).length).toBe(4);
  });

  it('refuses a non-object input, a page without its list or cursor, a repeated cursor and endless paging', async () => {
    const run = (page: unknown) => async () => page;
    await expect(collectAllPages({ input: [], listField: 'results', runPage: run({}) })).rejects.toSatisfy(
      ValidationError.isInstance,
    );
    await expect(
      collectAllPages({ input: {}, listField: 'results', runPage: run({ items: [], next_cursor: null }) }),
    ).rejects.toSatisfy(PluginError.isInstance);
    await expect(
      collectAllPages({ input: {}, listField: 'results', runPage: run({ results: [] }) }),
    ).rejects.toSatisfy(PluginError.isInstance);
    const stuck = await collectAllPages({
      input: {},
      listField: 'results',
      runPage: run({ results: [1], next_cursor: 'same' }),
    }).catch((e: unknown) => e);
    expect(ProviderError.isInstance(stuck)).toBe(true);
    expect((stuck as Error).message).toContain('returned cursor "same" twice (page 2)');
    let n = 0;
    const endless = await collectAllPages({
      input: {},
      listField: 'results',
      maxPages: 5,
      runPage: async () => ({ results: [n], next_cursor: String(++n) }),
    }).catch((e: unknown) => e);
    expect((endless as Error).message).toBe(
      'Stopped after 5 pages; the provider kept returning a next_cursor.',
    );
  });
});
