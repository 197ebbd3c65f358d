/**
 * Helpers for provider webhook verification: constant-time comparison and header look-up.
 *
 * @module
 */

import { timingSafeEqual } from 'node:crypto';
import { ValidationError } from './errors.js';
import type { WebhookRequest } from './provider.js';

/**
 * Compares two strings in constant time (for their length): false when the lengths differ,
 * otherwise `crypto.timingSafeEqual` over the UTF-8 bytes.
 *
 * @example
 * ```ts
 * safeEqual('abc', 'abc'); // true
 * safeEqual('abc', 'abd'); // false
 * ```
 */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}

/**
 * A request header by name, case-insensitively; undefined when absent or empty.
 *
 * @example
 * ```ts
 * webhookHeader({ method: 'POST', url: 'https://x', headers: { 'X-A': '1' }, rawBody: Buffer.alloc(0) }, 'x-a'); // '1'
 * ```
 */
export function webhookHeader(request: WebhookRequest, name: string): string | undefined {
  const wanted = name.toLowerCase();
  // Servers hand headers over lower-cased (Node does): one look-up, no scan, in the usual case.
  const direct = request.headers[wanted];
  if (typeof direct === 'string' && direct !== '') return direct;
  for (const [key, value] of Object.entries(request.headers)) {
    if (key.toLowerCase() === wanted && value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * Parses a delivery's body as JSON, throwing a `ValidationError` naming the provider when it is not.
 *
 * @example
 * ```ts
 * parseWebhookJson(Buffer.from('[1]'), 'HubSpot'); // [1]
 * ```
 */
export function parseWebhookJson(rawBody: Buffer, provider: string): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new ValidationError(`The ${provider} webhook body is not JSON; check the sender is ${provider}.`);
  }
}
