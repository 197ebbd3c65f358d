import { describe, expect, it } from 'vitest';
import { expiresIn } from '../src/commands/integrations.js';

describe('the EXPIRES column of `oxygen integrations list`', () => {
  const now = Date.parse('2026-01-01T00:00:00.000Z');
  const at = (ms: number) => new Date(now + ms).toISOString();
  const minute = 60_000;
  const hour = 60 * minute;
  const day = 24 * hour;

  it('says when a token expires, in the largest unit that reads well', () => {
    expect(expiresIn(at(60 * day - 5_000), now)).toBe('in 59 days');
    expect(expiresIn(at(2 * day), now)).toBe('in 2 days');
    expect(expiresIn(at(47 * hour), now)).toBe('in 47 hours');
    expect(expiresIn(at(2 * hour + 5 * minute), now)).toBe('in 2 hours');
    expect(expiresIn(at(30 * minute), now)).toBe('in 30 minutes');
    expect(expiresIn(at(90_000), now)).toBe('in 1 minute');
    expect(expiresIn(at(20_000), now)).toBe('in under a minute');
  });

  it('says how long ago an expired token lapsed', () => {
    expect(expiresIn(at(-2 * day - hour), now)).toBe('expired 2 days ago');
    expect(expiresIn(at(-3 * hour), now)).toBe('expired 3 hours ago');
    expect(expiresIn(at(-minute), now)).toBe('expired 1 minute ago');
    expect(expiresIn(at(-1_000), now)).toBe('expired just now');
  });

  it('is "-" for a credential that does not expire', () => {
    expect(expiresIn(null, now)).toBe('-');
    expect(expiresIn(undefined, now)).toBe('-');
    expect(expiresIn('not a date', now)).toBe('-');
  });
});
