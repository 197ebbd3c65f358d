/** The PostgreSQL test server: reachable or not, and what to do about it. */

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, it } from 'vitest';
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

/**
 * When PostgreSQL is unreachable: fails the run if it is required (CI), else skips with one line.
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
  process.stderr.write(
    `skipped: PostgreSQL ${suite} suite (no server at ${pgWhere}; set OXYGEN_TEST_REQUIRE_POSTGRES=1 to require it)\n`,
  );
  describe.skip(suite, () => {
    it('needs a PostgreSQL server', () => {});
  });
}
