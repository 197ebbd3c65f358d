/**
 * Client-side rate limiting, so a busy connection waits its turn instead of collecting 429s.
 *
 * @module
 */

import pThrottle from 'p-throttle';
import type { RateLimit } from './provider.js';

/** Waits until a `method` request to `path` fits every limit that applies to it (by path and method). */
export type RateLimiter = (path: string, method: string) => Promise<void>;

/**
 * Builds a limiter enforcing every declared limit (each with its own window). The runtime keeps
 * one per connection, so two connections of one provider never slow each other down.
 *
 * @example
 * ```ts
 * const wait = createRateLimiter([
 *   { limit: 100, intervalMs: 10_000 },
 *   { limit: 4, intervalMs: 1_000, match: /\/search$/ },
 *   { limit: 25, intervalMs: 1_000, methods: ['POST', 'PUT', 'PATCH', 'DELETE'] },
 * ]);
 * await wait('crm/v3/objects/contacts/search', 'POST');
 * ```
 */
export function createRateLimiter(limits: readonly RateLimit[]): RateLimiter {
  const gates = limits.map((l) => ({
    match: l.match,
    methods: l.methods?.length ? new Set(l.methods.map((m) => m.toUpperCase())) : undefined,
    wait: pThrottle({ limit: l.limit, interval: l.intervalMs, strict: true })(() => undefined),
  }));
  return async (path, method) => {
    const verb = method.toUpperCase();
    for (const gate of gates) {
      if (gate.methods && !gate.methods.has(verb)) continue;
      if (!gate.match || gate.match.test(path)) await gate.wait();
    }
  };
}
