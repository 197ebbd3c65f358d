import { randomBytes } from 'node:crypto';
import { afterAll } from 'vitest';
import { createRuntime } from '../src/index.js';
import { describePostgresUnavailable, dropSchema, freshSchema, pgProblem, pgUrl } from './postgres.js';
import { describeTables } from './tables.suite.js';

const schema = freshSchema();
const problem = await pgProblem();

if (problem === undefined) {
  afterAll(() => dropSchema(schema));
  const masterKey = randomBytes(32).toString('base64');
  describeTables(
    'tables, columns and waterfalls (postgres)',
    (options) =>
      createRuntime({
        databaseUrl: pgUrl,
        schema,
        ...options,
        env: { ...options.env, OXYGEN_MASTER_KEY: masterKey },
      }),
    { databaseUrl: pgUrl, schema, masterKey },
    async (runtime) => {
      const tables = [
        'tables',
        'table_rows',
        'table_columns',
        'table_cells',
        'waterfalls',
        'connections',
      ] as const;
      const rows = await Promise.all(tables.map((t) => runtime.store.db.selectFrom(t).selectAll().execute()));
      return JSON.stringify(rows);
    },
  );
} else {
  describePostgresUnavailable('tables, columns and waterfalls', problem);
}
