/** The PostgreSQL test server: reachable or not. No vitest import, so global setup can use it. */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresTarget } from '../src/store/index.js';

export const pgUrl = process.env.OXYGEN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const pgRequired = process.env.OXYGEN_TEST_REQUIRE_POSTGRES === '1';
export const pgWhere = postgresTarget(pgUrl).label;

/** A fresh schema name for one test file. */
export function freshSchema(): string {
  return `oxygen_test_${randomBytes(6).toString('hex')}`;
}

/** Undefined when PostgreSQL answers, else why not. */
export async function pgProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String((error as { code?: string }).code);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Drops a test schema. */
export async function dropSchema(name: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${name}" cascade`);
  } finally {
    await client.end();
  }
}
