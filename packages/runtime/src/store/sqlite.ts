/**
 * The embedded SQLite store (better-sqlite3, loaded only when used).
 *
 * @module
 */

import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, OxygenError } from '@oxygen/core';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { defaultHome } from './home.js';
import { migrationProvider, SCHEMA_VERSION } from './migrations.js';
import type { Database, StoreOptions } from './types.js';

/** The SQLite file `openStore` uses for these options. */
export function sqlitePathFor(opts: Pick<StoreOptions, 'home' | 'sqlitePath'>): string {
  return opts.sqlitePath ?? join(opts.home ?? defaultHome(), 'oxygen.db');
}

/** Opens (creating and migrating when needed) the SQLite store. */
export async function openSqlite(opts: StoreOptions): Promise<Kysely<Database>> {
  const path = sqlitePathFor(opts);
  const memory = path === ':memory:' || path === '';
  if (!memory) prepareFile(path);
  const { default: Sqlite } = await import('better-sqlite3');
  let raw: BetterSqlite3.Database;
  try {
    raw = new Sqlite(path, { timeout: 5000 });
  } catch (error) {
    throw new ConfigError(`cannot open the SQLite store at ${path}: ${(error as Error).message}`, {
      hint: 'check that the file is a SQLite database and readable, or set OXYGEN_HOME to another directory',
      cause: error,
    });
  }
  try {
    // busy_timeout first, so the pragmas below wait for another process instead of failing.
    raw.pragma('busy_timeout = 5000');
    raw.pragma('journal_mode = WAL');
    raw.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
    const version = raw.pragma('user_version', { simple: true }) as number;
    if (version !== SCHEMA_VERSION)
      await serialised(memory ? undefined : resolve(path), () => migrateSqlite(raw, db, path));
    return db;
  } catch (error) {
    if (raw.open) raw.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code === 'SQLITE_READONLY') {
      throw new ConfigError(`cannot use the SQLite store at ${path}: ${(error as Error).message}`, {
        hint: 'move the file aside (Oxygen creates a new one), restore it from a backup, or set OXYGEN_HOME',
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Migrations of one file in this process, one after another. better-sqlite3 is synchronous: a
 * second connection waiting for SQLite's write lock would block the event loop that the first one
 * needs to finish, so within a process we queue instead of relying on busy_timeout.
 */
const queues = new Map<string, Promise<unknown>>();

async function serialised<T>(key: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (key === undefined) return fn();
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => {},
    () => {},
  );
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

/**
 * Creates the directory (mode 0700) and an empty file (mode 0600) when missing, so the database
 * and its `-wal`/`-shm` files (which SQLite creates with the database file's mode) stay private.
 */
function prepareFile(path: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
  } catch (error) {
    throw new ConfigError(`cannot create the SQLite store at ${path}: ${(error as Error).message}`, {
      hint: 'set OXYGEN_HOME to a writable directory',
      cause: error,
    });
  }
}

function newerSchema(path: string, version: number): ConfigError {
  return new ConfigError(
    `the SQLite store at ${path} has schema version ${version}, newer than this Oxygen knows (${SCHEMA_VERSION}); upgrade Oxygen`,
  );
}

/**
 * Migrates to the latest schema. The fast path is one `PRAGMA user_version` read. Otherwise the
 * work runs inside `BEGIN IMMEDIATE`, which takes SQLite's write lock: a second process opening
 * the same file at the same moment waits (busy_timeout), then finds the work done.
 */
async function migrateSqlite(raw: BetterSqlite3.Database, db: Kysely<Database>, path: string): Promise<void> {
  const version = () => raw.pragma('user_version', { simple: true }) as number;
  const before = version();
  if (before === SCHEMA_VERSION) return;
  if (before > SCHEMA_VERSION) throw newerSchema(path, before);
  raw.exec('BEGIN IMMEDIATE');
  try {
    const current = version();
    if (current > SCHEMA_VERSION) throw newerSchema(path, current);
    if (current < SCHEMA_VERSION) {
      // Kysely runs SQLite migrations without a transaction of its own, so they join this one.
      const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
      if (error) {
        throw new OxygenError('internal', `migrating the SQLite store at ${path} failed: ${String(error)}`, {
          cause: error,
        });
      }
      raw.pragma(`user_version = ${SCHEMA_VERSION}`);
    }
    raw.exec('COMMIT');
  } catch (error) {
    if (raw.inTransaction) raw.exec('ROLLBACK');
    throw error;
  }
}
