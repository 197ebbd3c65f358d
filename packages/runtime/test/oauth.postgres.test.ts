/**
 * The OAuth lifecycle suite on PostgreSQL (a fresh schema, dropped afterwards); three processes
 * share it in the cross-process refresh test. Skipped with one line when no server answers,
 * unless OXYGEN_TEST_REQUIRE_POSTGRES=1.
 */

import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { createRuntime } from '../src/index.js';
import { describeOAuth } from './fixtures/oauth-suite.js';
import { describePostgresUnavailable, dropSchema, freshSchema, pgProblem, pgUrl } from './postgres.js';

const problem = await pgProblem();

if (problem === undefined) {
  const schema = freshSchema();
  const masterKey = randomBytes(32).toString('base64');
  afterAll(() => dropSchema(schema));
  describeOAuth({
    name: 'oauth lifecycle (postgres)',
    open: (options) =>
      createRuntime({
        databaseUrl: pgUrl,
        schema,
        ...options,
        env: { ...options.env, OXYGEN_MASTER_KEY: masterKey },
      }),
    dump: async (runtime) => {
      const connections = await runtime.store.db.selectFrom('connections').selectAll().execute();
      const states = await runtime.store.db.selectFrom('oauth_states').selectAll().execute();
      return JSON.stringify([connections, states]);
    },
    child: { options: { databaseUrl: pgUrl, schema }, env: { OXYGEN_MASTER_KEY: masterKey } },
  });
} else {
  describePostgresUnavailable('oauth lifecycle', problem);
}
