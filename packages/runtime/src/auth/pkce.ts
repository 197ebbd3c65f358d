/**
 * Random values for OAuth: the `state`, PKCE verifiers and challenges (RFC 7636, S256).
 *
 * @module
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * A random URL-safe string carrying `bytes` bytes of entropy (base64url, no padding).
 * 32 bytes give 43 characters: a valid PKCE verifier and an unguessable `state`.
 */
export function randomUrlSafe(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The PKCE S256 code challenge of a verifier: `BASE64URL(SHA256(verifier))`.
 *
 * @example
 * ```ts
 * // RFC 7636 appendix B:
 * pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'); // 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
 * ```
 */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/** Hex SHA-256 of a text: how the store keeps an OAuth `state` (never the state itself). */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Compares two strings in constant time (for the length of the shorter one). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
