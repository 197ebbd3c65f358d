/**
 * The PostgreSQL store (node-postgres pool, loaded only when used).
 *
 * @module
 */

import { ConfigError, OxygenError } from '@oxygen/core';
import { CompiledQuery, Kysely, Migrator, PostgresDialect } from 'kysely';
import type { Pool, PoolClient } from 'pg';
import { LATEST_MIGRATION, migrationProvider } from './migrations.js';
import type { Database, StoreOptions } from './types.js';

const URL_FORMAT = 'postgres://user:password@host:5432/database';
const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]{0,62}$/;

/** Where a database URL points, safe to print (no user, no password). */
export interface PostgresTarget {
  /** `host:port`, or the socket directory and port. */
  label: string;
}

/**
 * Parses a PostgreSQL URL just enough to name its server in messages.
 * Throws `ConfigError` (without echoing the URL, which may hold a password) when it is not one.
 */
export function postgresTarget(databaseUrl: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError(`DATABASE_URL is not a valid URL; expected ${URL_FORMAT}`, {
      hint: 'fix DATABASE_URL, or unset it to use the embedded SQLite store',
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(
      `DATABASE_URL must be a PostgreSQL URL (postgres:// or postgresql://), not ${url.protocol}//; expected ${URL_FORMAT}`,
      { hint: 'fix DATABASE_URL, or unset it to use the embedded SQLite store' },
    );
  }
  const host = url.searchParams.get('host') ?? (url.hostname || 'localhost');
  const port = url.port || url.searchParams.get('port') || '5432';
  return { label: `${host}:${port}` };
}

function unreachable(target: PostgresTarget, error: unknown, secret: string): ConfigError {
  const e = error as { code?: string; message?: string };
  const reasons: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host not found',
    ETIMEDOUT: 'timed out',
    EHOSTUNREACH: 'host unreachable',
    ENETUNREACH: 'network unreachable',
    '28P01': 'authentication failed',
    '28000': 'authentication failed',
    '3D000': 'database does not exist',
  };
  let reason = (e.code && reasons[e.code]) ?? (e.message?.split('\n')[0] || 'unknown error');
  if (secret) reason = reason.split(secret).join('***');
  return new ConfigError(
    `cannot connect to PostgreSQL at ${target.label} (${reason}); check that the server is running and DATABASE_URL is right`,
    {
      hint: `DATABASE_URL looks like ${URL_FORMAT}; unset it to use the embedded SQLite store`,
      cause: error,
    },
  );
}

/** The pool behind each PostgreSQL store's Kysely instance, for {@link queryPrepared}. */
const pools = new WeakMap<object, Pool>();

/**
 * Runs `text` as a named, server-side prepared statement (parsed and planned once per
 * connection, then only bound and executed) on the pool behind `db`; through Kysely, unnamed,
 * when `db` is not a store's own instance (a transaction). For the hottest fixed statements.
 *
 * @internal
 */
export async function queryPrepared<Row>(
  db: Kysely<Database>,
  name: string,
  text: string,
  values: unknown[],
): Promise<Row[]> {
  const pool = pools.get(db);
  if (pool) return (await pool.query<Row & object>({ name, text, values })).rows;
  return (await db.executeQuery<Row>(CompiledQuery.raw(text, values))).rows;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Opens (creating the schema and migrating when needed) the PostgreSQL store. */
export async function openPostgres(opts: StoreOptions & { databaseUrl: string }): Promise<Kysely<Database>> {
  const target = postgresTarget(opts.databaseUrl);
  const schema = opts.schema;
  if (schema !== undefined && !SCHEMA_PATTERN.test(schema)) {
    throw new ConfigError(
      `PostgreSQL schema name ${JSON.stringify(schema)} is not allowed; use lower-case letters, digits and _`,
    );
  }
  let password = '';
  try {
    password = decodeURIComponent(new URL(opts.databaseUrl).password);
  } catch {}
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({
    connectionString: opts.databaseUrl,
    connectionTimeoutMillis: 10_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its server (restart, failover) must not crash the process;
  // the next query that needs a connection reports the problem.
  pool.on('error', () => {});
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    await pool.end().catch(() => {});
    throw unreachable(target, error, password);
  }
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  pools.set(db, pool);
  try {
    const current: string =
      schema ??
      (await client.query<{ s: string | null }>('select current_schema() as s')).rows[0]?.s ??
      'public';
    if (!(await upToDate(client, current, target))) {
      // Serialise schema creation and migration across processes starting together.
      const lockKey = `oxygen:migrate:${current}`;
      await client.query('select pg_advisory_lock(hashtext($1))', [lockKey]);
      try {
        if (schema) await client.query(`create schema if not exists ${quoteIdent(schema)}`);
        const { error } = await new Migrator({
          db,
          provider: migrationProvider,
          // Kysely's table lookup is not search_path-aware: pin its own tables to our schema,
          // or a `kysely_migration` table in another schema would be mistaken for ours.
          migrationTableSchema: current,
        }).migrateToLatest();
        if (error) {
          throw new OxygenError(
            'internal',
            `migrating the PostgreSQL store at ${target.label} failed: ${String(error)}`,
            { cause: error },
          );
        }
      } finally {
        await client.query('select pg_advisory_unlock(hashtext($1))', [lockKey]);
      }
    }
  } catch (error) {
    client.release();
    await db.destroy().catch(() => {});
    throw error;
  }
  client.release();
  return db;
}

/** True when every migration this build knows has run in `schema` (one or two cheap queries). */
async function upToDate(client: PoolClient, schema: string, target: PostgresTarget): Promise<boolean> {
  const exists = await client.query(
    `select 1 from information_schema.tables where table_schema = $1 and table_name = 'kysely_migration'`,
    [schema],
  );
  if (exists.rowCount === 0) return false;
  const latest = await client.query<{ name: string | null }>(
    `select max(name) as name from ${quoteIdent(schema)}.kysely_migration`,
  );
  const name = latest.rows[0]?.name ?? null;
  if (name !== null && name > LATEST_MIGRATION) {
    throw new ConfigError(
      `the PostgreSQL store at ${target.label} (schema ${schema}) was migrated by a newer Oxygen (${name}); upgrade Oxygen`,
    );
  }
  return name === LATEST_MIGRATION;
}
