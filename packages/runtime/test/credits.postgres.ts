/**
 * The credits and key-rotation suites on PostgreSQL, called from `postgres.test.ts` when a server
 * answers. Credits share the file's schema; rotation re-seals every envelope of its store, so it
 * gets a schema of its own (dropped afterwards).
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { createRuntime } from '../src/index.js';
import { describeCredits } from './credits.suite.js';
import { dropSchema } from './postgres.js';
import { describeEnvRotation } from './rotate.suite.js';

export function describeCreditsAndRotationOnPostgres(url: string, schema: string): void {
  const masterKey = randomBytes(32).toString('base64');
  describeCredits(
    'managed mode and credits (postgres)',
    (options) =>
      createRuntime({
        databaseUrl: url,
        schema,
        ...options,
        env: { ...options.env, OXYGEN_MASTER_KEY: masterKey },
      }),
    async (runtime) => {
      const connections = await runtime.store.db.selectFrom('connections').selectAll().execute();
      const ledger = await runtime.store.db.selectFrom('credit_ledger').selectAll().execute();
      return JSON.stringify([connections, ledger]);
    },
    // Two pools, as two server processes would have: the per-organization lock must hold across them.
    2,
  );

  const rotationSchema = `${schema}_rotate`;
  afterAll(() => dropSchema(rotationSchema));
  describeEnvRotation(
    'key rotation with env keys (postgres)',
    (options) => createRuntime({ databaseUrl: url, schema: rotationSchema, ...options }),
    mkdtempSync(join(tmpdir(), 'oxygen-rotate-pg-')),
  );
}
