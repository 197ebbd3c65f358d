/**
 * Turns any failure into one line on stderr (or one JSON value with `--json`) and an exit status
 * that says what kind of failure it was. Never a stack trace, never a secret.
 */

import { type ErrorCode, OxygenError } from '@oxygen/core';

/** Exit status per error code: stable, so scripts and agents can branch on it. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  internal: 1,
  validation: 2,
  auth: 3,
  not_found: 4,
  conflict: 5,
  rate_limit: 6,
  provider: 7,
  network: 8,
  config: 9,
  plugin: 10,
  insufficient_credits: 11,
};

/** Reports the error and returns the exit status. */
export function reportError(error: unknown, options: { json: boolean; verbose: boolean }): number {
  const known = OxygenError.isInstance(error)
    ? error
    : new OxygenError(
        'internal',
        `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
        {
          hint: 'Run again with --verbose for details, and report it if it persists.',
          cause: error,
        },
      );
  if (options.json) {
    process.stderr.write(`${JSON.stringify({ error: known.toJSON() })}\n`);
  } else {
    const parts = [`error: ${known.message}`];
    if (known.hint) parts.push(known.hint);
    process.stderr.write(`${parts.join(' ')}\n`);
    if (options.verbose) {
      if (known.requestId) process.stderr.write(`  request id: ${known.requestId}\n`);
      for (let cause = (known as { cause?: unknown }).cause, depth = 0; cause && depth < 5; depth++) {
        const c = cause as { message?: string; code?: string; cause?: unknown };
        process.stderr.write(`  caused by: ${c.code ? `${c.code} ` : ''}${c.message ?? String(cause)}\n`);
        cause = c.cause;
      }
    }
  }
  return EXIT_CODES[known.code] ?? 1;
}
