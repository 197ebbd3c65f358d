/**
 * Test helper: awaits a call that must fail.
 *
 * @module
 */

import type { OxygenError } from '@oxygen/core';

/**
 * The error `promise` rejects with; throws (failing the test) when it resolves instead.
 *
 * @example
 * ```ts
 * const error = await failure(executeAction({ ... }));
 * expect(error.code).toBe('auth');
 * ```
 */
export async function failure(promise: Promise<unknown>): Promise<OxygenError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: OxygenError) => error,
  );
}
