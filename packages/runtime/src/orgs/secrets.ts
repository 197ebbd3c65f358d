/**
 * Opaque secrets that are shown once and kept only as hashes: API tokens, connect links, CSRF
 * tokens. Each is 32 random bytes (256 bits), so one SHA-256 is enough to store it: nothing can be
 * guessed or brute-forced from the hash, and a lookup by hash finds it.
 *
 * @module
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh opaque secret: `prefix` + base64url of 32 random bytes (43 characters). */
export function newSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** Lower-case hex SHA-256 of a secret: what the store keeps. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares a stored hex hash with the hash of a presented secret in constant time. */
export function secretMatches(storedHash: string | null | undefined, presented: string): boolean {
  if (!storedHash) return false;
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(presented, 'utf8').digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** True when `value` has the shape of a {@link newSecret} with this prefix (cheap early refusal). */
export function looksLikeSecret(value: unknown, prefix = ''): value is string {
  return (
    typeof value === 'string' &&
    value.startsWith(prefix) &&
    /^[A-Za-z0-9_-]{43}$/.test(value.slice(prefix.length))
  );
}
