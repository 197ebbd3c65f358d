/**
 * The ingress's short-lived cache: loaded values come back as values (no await per delivery),
 * concurrent loads share one promise, failures and expired entries are loaded again.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TtlCache } from '../src/events/cache.js';

describe('TtlCache', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('shares one load between concurrent callers, then answers with the value itself', async () => {
    const cache = new TtlCache(1_000);
    const load = vi.fn(async () => ({ id: 'sub_1' }));
    const first = cache.get('k', load);
    const second = cache.get('k', load);
    expect(first).toBeInstanceOf(Promise);
    expect(second).toBe(first);
    const value = await first;
    expect(cache.get('k', load)).toBe(value);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('caches a loaded undefined (an unknown endpoint) as a value too', async () => {
    const cache = new TtlCache(1_000);
    const load = vi.fn(async () => undefined);
    await cache.get('k', load);
    expect(cache.get('k', load)).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed load, so the next caller loads again', async () => {
    const cache = new TtlCache(1_000);
    const failing = vi.fn(async () => {
      throw new Error('database unreachable');
    });
    await expect(cache.get('k', failing)).rejects.toThrow('database unreachable');
    expect(await cache.get('k', async () => 'loaded')).toBe('loaded');
    expect(failing).toHaveBeenCalledTimes(1);
  });

  it('loads again once an entry expired, and after clear()', async () => {
    vi.useFakeTimers({ now: 0 });
    const cache = new TtlCache(1_000);
    let n = 0;
    const load = async () => ++n;
    expect(await cache.get('k', load)).toBe(1);
    vi.setSystemTime(999);
    expect(cache.get('k', load)).toBe(1);
    vi.setSystemTime(1_000);
    expect(await cache.get('k', load)).toBe(2);
    cache.clear();
    expect(await cache.get('k', load)).toBe(3);
  });
});
