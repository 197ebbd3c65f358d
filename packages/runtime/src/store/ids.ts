/**
 * Time-sortable ids: `<prefix>_` + 26 Crockford base32 characters (a ULID: 48-bit millisecond
 * timestamp, then 80 random bits). Ids made by one process are strictly increasing, even within
 * the same millisecond, so sorting by id is sorting by creation time.
 *
 * @module
 */

import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
const lastRandom: Buffer = Buffer.alloc(10);

// Random bytes drawn 4 KiB at a time: one call into the CSPRNG per ~400 ids instead of one per id
// (each call allocates and asks the kernel for the process id; the ingress makes ids per event).
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

/** Fills `lastRandom` with fresh random bytes. */
function freshRandom(): void {
  if (poolOffset + lastRandom.length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(lastRandom, 0, poolOffset, poolOffset + lastRandom.length);
  poolOffset += lastRandom.length;
}

function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32] + out;
    t = Math.floor(t / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  // 80 bits -> 16 characters of 5 bits each, most significant first.
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return out;
}

/** Adds one to a big-endian byte string; false when it wrapped around. */
function increment(bytes: Buffer): boolean {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i]! < 255) {
      bytes[i]! += 1;
      return true;
    }
    bytes[i] = 0;
  }
  return false;
}

/**
 * A new unique, time-sortable id.
 *
 * @param prefix - What kind of thing it names (`conn`, `org`, `evt`); a trailing `_` is optional.
 * @returns `<prefix>_` followed by 26 Crockford base32 characters.
 *
 * @example
 * ```ts
 * newId('conn'); // 'conn_01JDQ7Z3K4V8M2N6P0R5S9T1WX'
 * ```
 */
export function newId(prefix: string): string {
  const now = Date.now();
  if (now > lastTime) {
    lastTime = now;
    freshRandom();
  } else if (!increment(lastRandom)) {
    // 2^80 ids in one millisecond: borrow the next millisecond.
    lastTime += 1;
    freshRandom();
  }
  const head = prefix.endsWith('_') ? prefix : `${prefix}_`;
  return `${head}${encodeTime(lastTime)}${encodeRandom(lastRandom)}`;
}
