/**
 * Timestamps as the store and the wire carry them: ISO 8601 in UTC with milliseconds
 * (`2026-12-08T03:14:56.123Z`), what `Date.prototype.toISOString` makes.
 *
 * @module
 */

let minuteStart = Number.NaN;
let minutePrefix = '';

const pad2 = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()`, at a fraction of its cost: the date, hour and minute are
 * formatted once per minute and reused (toISOString formats every field through printf each
 * time, which the webhook ingress paid three times per event). Same output, same `RangeError`
 * for an invalid time.
 *
 * @example
 * ```ts
 * isoTime(0); // '1970-01-01T00:00:00.000Z'
 * isoTime(); // now
 * ```
 */
export function isoTime(ms: number = Date.now()): string {
  // Date keeps whole milliseconds, truncated toward zero.
  const time = Math.trunc(ms);
  const rest = ((time % 60_000) + 60_000) % 60_000;
  const minute = time - rest;
  if (minute !== minuteStart) {
    // Throws the RangeError toISOString throws for NaN and out-of-range times.
    const iso = new Date(minute).toISOString();
    // Years outside 0000-9999 are written with a sign and six digits: not worth caching.
    if (iso.length !== 24) return new Date(time).toISOString();
    minutePrefix = iso.slice(0, 17);
    minuteStart = minute;
  }
  const seconds = Math.floor(rest / 1000);
  return `${minutePrefix}${pad2(seconds)}.${pad3(rest - seconds * 1000)}Z`;
}
