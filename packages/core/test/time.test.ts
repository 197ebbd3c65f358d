import { describe, expect, it } from 'vitest';
import { isoTime } from '../src/index.js';

describe('isoTime', () => {
  it('formats exactly as Date.prototype.toISOString does', () => {
    const samples = [
      0,
      -1,
      1,
      59_999,
      60_000,
      -60_000,
      -60_001,
      946_684_799_999, // 1999-12-31T23:59:59.999Z
      951_782_400_000, // 2000-02-29
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1), // +010000-...: the six-digit form
      Date.UTC(-1, 0, 1),
      Date.UTC(0, 0, 1) - 1, // 0000-01-01 less a millisecond: -000001-12-31
      1.7,
      -1.7,
      8.64e15, // the last valid time
      -8.64e15,
    ];
    // And a spread of times in and around this century, in one minute and across many.
    let seed = 7;
    const random = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const now = Date.now();
    for (let i = 0; i < 2000; i++)
      samples.push(Math.floor((random() - 0.2) * 4e12), now + Math.floor(random() * 60_000));
    for (const ms of samples)
      expect({ ms, iso: isoTime(ms) }).toEqual({ ms, iso: new Date(ms).toISOString() });
  });

  it('defaults to now', () => {
    const before = Date.now();
    const at = Date.parse(isoTime());
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('throws the RangeError toISOString throws for an invalid time', () => {
    for (const bad of [Number.NaN, 8.64e15 + 1, Number.POSITIVE_INFINITY]) {
      expect(() => isoTime(bad)).toThrow(RangeError);
    }
  });
});
