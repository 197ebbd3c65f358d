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

interface Entry {
  /** The load's promise (shared by concurrent callers). */
  value: Promise<unknown>;
  /** Whether `resolved` holds the loaded value (it may be `undefined`). */
  settled: boolean;
  resolved: unknown;
  expires: number;
}

/** A map whose entries expire. */
export class TtlCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly ttlMs = INGRESS_CACHE_TTL_MS) {}

  /**
   * The cached value for `key`, or `load()`'s (cached; concurrent loads share one promise). A
   * value already loaded is returned as it is, not as a promise: the ingress reads two per
   * delivery, and awaiting each would cost a promise and a turn of the microtask queue.
   */
  get<T>(key: string, load: () => Promise<T>): T | Promise<T> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && hit.expires > now) return (hit.settled ? hit.resolved : hit.value) as T | Promise<T>;
    const value = load();
    const entry: Entry = { value, settled: false, resolved: undefined, expires: now + this.ttlMs };
    this.entries.set(key, entry);
    value.then(
      (resolved) => {
        entry.resolved = resolved;
        entry.settled = true;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
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
