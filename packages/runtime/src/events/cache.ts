/**
 * A short-lived cache of what the ingress reads on every delivery (the endpoint and its opened
 * secret, the enabled events and triggers of an organization), so a burst of deliveries costs
 * no lookups. Changes made through this runtime clear it at once; changes made by another
 * process are seen within {@link INGRESS_CACHE_TTL_MS}.
 *
 * @module
 */

/** How long a cached lookup is trusted. */
export const INGRESS_CACHE_TTL_MS = 1_000;

/** A map whose entries expire. */
export class TtlCache {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();

  constructor(private readonly ttlMs = INGRESS_CACHE_TTL_MS) {}

  /** The cached value for `key`, or `load()`'s (cached; concurrent loads share one promise). */
  async get<T>(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return hit.value as Promise<T>;
    const value = load();
    this.entries.set(key, { value, expires: now + this.ttlMs });
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 10_000) this.sweep(now);
    return value;
  }

  /** Forgets everything (after a change to subscriptions or triggers). */
  clear(): void {
    this.entries.clear();
  }

  private sweep(now: number): void {
    for (const [key, entry] of this.entries) if (entry.expires <= now) this.entries.delete(key);
  }
}
