/**
 * Request ids (`req_` + 12 base64url characters: 72 random bits), drawn from a pool of random
 * bytes refilled 4 KiB at a time: one call into the CSPRNG per ~450 requests, not one each.
 *
 * @module
 */

import { randomFillSync } from 'node:crypto';

const ID_BYTES = 9;
const pool = Buffer.alloc(4095);
let offset = pool.length;

/** A new request id, `req_…`. */
export function newRequestId(): string {
  if (offset + ID_BYTES > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = pool.toString('base64url', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return `req_${id}`;
}
