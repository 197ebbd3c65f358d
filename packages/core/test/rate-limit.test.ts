import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index.js';

/** Milliseconds `n` concurrent waits for `path`/`method` take to all pass. */
async function timeOf(wait: ReturnType<typeof createRateLimiter>, n: number, path: string, method: string) {
  const start = performance.now();
  await Promise.all(Array.from({ length: n }, () => wait(path, method)));
  return performance.now() - start;
}

describe('createRateLimiter', () => {
  it('holds a limit for the methods it names and lets every other method through', async () => {
    const wait = createRateLimiter([
      { limit: 2, intervalMs: 300, methods: ['POST', 'patch'] }, // case does not matter
    ]);
    // 6 GETs and 6 DELETEs to the same path are not limited at all.
    expect(await timeOf(wait, 6, 'v2/notes', 'GET')).toBeLessThan(100);
    expect(await timeOf(wait, 6, 'v2/notes', 'delete')).toBeLessThan(100);
    // 6 POSTs at 2 per 300 ms need at least two more windows.
    expect(await timeOf(wait, 6, 'v2/notes', 'post')).toBeGreaterThanOrEqual(550);
    // PATCH shares the same budget as POST (one limit, two methods).
    expect(await timeOf(wait, 3, 'v2/notes/1', 'PATCH')).toBeGreaterThanOrEqual(250);
  });

  it('combines methods with match: a request must satisfy both', async () => {
    const wait = createRateLimiter([
      { limit: 1, intervalMs: 300, methods: ['POST'], match: /^v2\/(?!.*\/query$)/ },
    ]);
    // POSTs to a query endpoint are reads: the path does not match.
    expect(await timeOf(wait, 5, 'v2/objects/people/records/query', 'POST')).toBeLessThan(100);
    // GETs to a matching path: the method does not match.
    expect(await timeOf(wait, 5, 'v2/objects/people/records', 'GET')).toBeLessThan(100);
    // POSTs to a matching path wait their turn.
    expect(await timeOf(wait, 3, 'v2/objects/people/records', 'POST')).toBeGreaterThanOrEqual(550);
  });

  it('an absent or empty methods list applies to every method', async () => {
    for (const methods of [undefined, []]) {
      const wait = createRateLimiter([{ limit: 1, intervalMs: 200, methods }]);
      const start = performance.now();
      await Promise.all([wait('a', 'GET'), wait('a', 'POST'), wait('a', 'DELETE')]);
      expect(performance.now() - start).toBeGreaterThanOrEqual(350);
    }
  });
});
