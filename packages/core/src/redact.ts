/**
 * Secret redaction for anything that may be printed, logged or stored as text.
 *
 * @module
 */

/** What a redacted secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Header names whose values are always secret, whatever they hold. */
const SECRET_HEADERS = new Set([
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-auth-token',
]);

/**
 * Replaces every occurrence of each secret in `text` with `[REDACTED]`.
 * Secrets shorter than 6 characters are ignored (they would redact ordinary words).
 *
 * @example
 * ```ts
 * redactText('Bearer pat-123456', ['pat-123456']) // 'Bearer [REDACTED]'
 * ```
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    out = out.split(secret).join(REDACTED);
  }
  return out;
}

/**
 * Redacts header values: secret header names wholly, any other value containing a secret.
 * Header names come out lower-cased.
 */
export function redactHeaders(
  headers: Record<string, unknown>,
  secrets: readonly string[],
  extraSecretHeaders: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    const text = Array.isArray(value) ? value.join(', ') : String(value);
    if (SECRET_HEADERS.has(lower) || extraSecretHeaders.includes(lower)) {
      const scheme = /^(Bearer|Basic|Token)\s/i.exec(text)?.[1];
      out[lower] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      out[lower] = redactText(text, secrets);
    }
  }
  return out;
}

/** Deeply redacts every string inside a JSON-like value. */
export function redactValue<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return redactText(value, secrets) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, secrets)])) as T;
  }
  return value;
}
