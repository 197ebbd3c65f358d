/**
 * Provider events end to end on PostgreSQL (see events-e2e.suite.ts), and a server killed with
 * deliveries pending, then restarted (see restart.suite.ts): each store in a fresh schema, trigger
 * attempts as pg-boss jobs in `<schema>_jobs`; all dropped afterwards.
 */

import { randomBytes } from 'node:crypto';
import { afterAll, describe, it } from 'vitest';
import { describeEndToEnd } from './events-e2e.suite.js';
import { dropSchemas, freshSchema, pgProblem, pgRequired, pgUrl, tempHome } from './helpers.js';
import { describeRestart } from './restart.suite.js';

const problem = await pgProblem();

if (problem === undefined) {
  const key = randomBytes(32).toString('base64');
  const home = tempHome();
  const schema = freshSchema();
  const restartSchema = freshSchema();
  afterAll(async () => {
    await dropSchemas(schema);
    await dropSchemas(restartSchema);
  });
  describeEndToEnd('provider events end to end (postgres)', () => ({
    home,
    databaseUrl: pgUrl,
    schema,
    env: { OXYGEN_HOME: home, OXYGEN_MASTER_KEY: key },
  }));
  describeRestart('a killed server restarted (postgres)', () => ({
    home,
    databaseUrl: pgUrl,
    schema: restartSchema,
    env: { OXYGEN_HOME: home, OXYGEN_MASTER_KEY: key },
  }));
} else if (pgRequired) {
  describe('provider events end to end (postgres)', () => {
    it('reaches PostgreSQL (OXYGEN_TEST_REQUIRE_POSTGRES=1)', () => {
      throw new Error(`no PostgreSQL server at ${pgUrl}: ${problem}`);
    });
  });
} else {
  process.stderr.write(
    `skipped: provider events end to end and restart on PostgreSQL (no server at ${pgUrl}: ${problem})\n`,
  );
}
