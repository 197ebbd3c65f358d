/** The PostgreSQL test server: reachable or not, and what to do about it. */

import { describe, it } from 'vitest';
import { pgRequired, pgWhere } from './pg-target.js';

export * from './pg-target.js';

/**
 * When PostgreSQL is unreachable: fails the run if it is required (CI), else skips quietly
 * (global-setup.ts prints the one line for the whole run).
 * Call it only when {@link pgProblem} found a problem.
 */
export function describePostgresUnavailable(suite: string, problem: string): void {
  if (pgRequired) {
    describe(suite, () => {
      it(`reaches PostgreSQL at ${pgWhere} (OXYGEN_TEST_REQUIRE_POSTGRES=1)`, () => {
        throw new Error(`no PostgreSQL server at ${pgWhere}: ${problem}`);
      });
    });
    return;
  }
  // global-setup.ts has already said, once, that the PostgreSQL suites are skipped.
  describe.skip(suite, () => {
    it('needs a PostgreSQL server', () => {});
  });
}
