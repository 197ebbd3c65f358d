/**
 * Checks PostgreSQL once for the whole run, so a laptop without it sees exactly one line saying
 * the PostgreSQL suites were skipped (each suite then skips itself quietly).
 */

import { pgProblem, pgRequired, pgWhere } from './pg-target.js';

export default async function setup(): Promise<void> {
  const problem = await pgProblem();
  if (problem !== undefined && !pgRequired) {
    process.stderr.write(
      `skipped: PostgreSQL suites (store, runtime, OAuth, credits, orgs) — no server at ${pgWhere}; set OXYGEN_TEST_REQUIRE_POSTGRES=1 to require them\n`,
    );
  }
}
