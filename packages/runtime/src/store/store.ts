/**
 * `openStore`: the one store, on SQLite or PostgreSQL.
 *
 * @module
 */

import {
  AUTH_MODES,
  CONNECTION_STATUSES,
  ConflictError,
  type ConnectionStatus,
  NotFoundError,
  OxygenError,
  ValidationError,
} from '@oxygen/core';
import type { Kysely, Selectable, Updateable } from 'kysely';
import { openPostgres } from './postgres.js';
import { openSqlite } from './sqlite.js';
import type {
  ConnectionFilter,
  ConnectionPatch,
  ConnectionsRepository,
  ConnectionsTable,
  Database,
  NewConnection,
  Organization,
  OrganizationsRepository,
  Store,
  StoredConnection,
  StoreOptions,
} from './types.js';

/**
 * Opens the store and brings its schema up to date.
 *
 * With `databaseUrl` it is PostgreSQL (in `schema` when given, created if missing); otherwise
 * the SQLite file `<home>/oxygen.db` (or `sqlitePath`), created with its directory when missing.
 * Migrations run on open in both dialects; they are idempotent, skipped with one cheap check when
 * already current, and safe when several processes open the store at once.
 *
 * Open one store per database per process and share it: better-sqlite3 is synchronous, so a
 * second SQLite store in the same process that waits for the first one's write lock would block
 * the event loop the first one needs (migrations on open are queued per file for this reason).
 *
 * @throws `ConfigError` when the database cannot be reached or opened; the message names the host
 * (never the password) and says what to do.
 *
 * @example
 * ```ts
 * const store = await openStore({ home });
 * const org = await store.organizations.ensure('default');
 * console.log(await store.connections.list(org.id));
 * await store.close();
 * ```
 */
export async function openStore(opts: StoreOptions = {}): Promise<Store> {
  if (opts.databaseUrl) {
    const db = await openPostgres({ ...opts, databaseUrl: opts.databaseUrl });
    return createStore(db, 'postgres', false);
  }
  const db = await openSqlite(opts);
  return createStore(db, 'sqlite', false);
}

function createStore(db: Kysely<Database>, dialect: Store['dialect'], inTransaction: boolean): Store {
  let closed = false;
  const store: Store = {
    dialect,
    db,
    organizations: organizationsRepository(db),
    connections: connectionsRepository(db, dialect),
    async transaction<T>(fn: (store: Store) => Promise<T>): Promise<T> {
      if (inTransaction) return fn(store);
      return db.transaction().execute((trx) => fn(createStore(trx, dialect, true)));
    },
    async close() {
      if (inTransaction) {
        throw new ValidationError('close() is not allowed inside a transaction; close the store itself');
      }
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
  return store;
}

function now(): string {
  return new Date().toISOString();
}

function organizationsRepository(db: Kysely<Database>): OrganizationsRepository {
  const get = (id: string): Promise<Organization | undefined> =>
    db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
  return {
    get,
    async ensure(id, name) {
      requireId('organization id', id);
      await db
        .insertInto('organizations')
        .values({ id, name: name ?? id, created_at: now() })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      const org = await get(id);
      if (!org) throw new OxygenError('internal', `organization ${id} vanished right after it was created`);
      return org;
    },
    list() {
      return db.selectFrom('organizations').selectAll().orderBy('created_at').orderBy('id').execute();
    },
  };
}

function connectionsRepository(db: Kysely<Database>, dialect: Store['dialect']): ConnectionsRepository {
  return {
    async insert(row: NewConnection) {
      requireId('connection id', row.id);
      requireId('organization id', row.organization_id);
      requireId('provider', row.provider);
      if (!(AUTH_MODES as readonly string[]).includes(row.auth_mode)) {
        throw new ValidationError(`auth_mode must be one of ${AUTH_MODES.join(', ')}`, {
          field: 'auth_mode',
        });
      }
      const at = now();
      const values: ConnectionsTable = {
        id: row.id,
        organization_id: row.organization_id,
        provider: row.provider,
        auth_mode: row.auth_mode,
        status: checkStatus(row.status ?? 'connected'),
        account_label: row.account_label ?? null,
        scopes: encodeScopes(row.scopes ?? []),
        connected_at: row.connected_at === undefined ? at : checkTimestamp('connected_at', row.connected_at),
        last_verified_at: optionalTimestamp('last_verified_at', row.last_verified_at),
        last_error: row.last_error ?? null,
        credential: row.credential ?? null,
        expires_at: optionalTimestamp('expires_at', row.expires_at),
        updated_at: at,
      };
      try {
        const stored = await db
          .insertInto('connections')
          .values(values)
          .returningAll()
          .executeTakeFirstOrThrow();
        return toConnection(stored);
      } catch (error) {
        throw mapWriteError(error, dialect, row);
      }
    },
    async get(organizationId, id) {
      const row = await db
        .selectFrom('connections')
        .selectAll()
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toConnection(row);
    },
    async list(organizationId, filter: ConnectionFilter = {}) {
      let query = db.selectFrom('connections').selectAll().where('organization_id', '=', organizationId);
      if (filter.provider !== undefined) query = query.where('provider', '=', filter.provider);
      if (filter.status !== undefined) query = query.where('status', '=', checkStatus(filter.status));
      const rows = await query.orderBy('connected_at').orderBy('id').execute();
      return rows.map(toConnection);
    },
    async update(organizationId, id, patch: ConnectionPatch) {
      const set: Updateable<ConnectionsTable> = { updated_at: now() };
      if (patch.status !== undefined) set.status = checkStatus(patch.status);
      if (patch.account_label !== undefined) set.account_label = patch.account_label;
      if (patch.scopes !== undefined) set.scopes = encodeScopes(patch.scopes);
      if (patch.connected_at !== undefined)
        set.connected_at = checkTimestamp('connected_at', patch.connected_at);
      if (patch.last_verified_at !== undefined) {
        set.last_verified_at = optionalTimestamp('last_verified_at', patch.last_verified_at);
      }
      if (patch.last_error !== undefined) set.last_error = patch.last_error;
      if (patch.credential !== undefined) set.credential = patch.credential;
      if (patch.expires_at !== undefined) set.expires_at = optionalTimestamp('expires_at', patch.expires_at);
      const row = await db
        .updateTable('connections')
        .set(set)
        .where('organization_id', '=', organizationId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toConnection(row);
    },
  };
}

function requireId(what: string, value: unknown): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new ValidationError(`${what} must be a non-empty string`);
  }
}

function checkStatus(status: ConnectionStatus): ConnectionStatus {
  if (!(CONNECTION_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError(`status must be one of ${CONNECTION_STATUSES.join(', ')}`, { field: 'status' });
  }
  return status;
}

/** Normalises any parseable date string to ISO-8601 UTC, the one stored representation. */
function checkTimestamp(field: string, value: string): string {
  const ms = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new ValidationError(`${field} must be an ISO-8601 timestamp`, { field });
  }
  return new Date(ms).toISOString();
}

function optionalTimestamp(field: string, value: string | null | undefined): string | null {
  return value == null ? null : checkTimestamp(field, value);
}

function encodeScopes(scopes: string[]): string {
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
    throw new ValidationError('scopes must be an array of strings', { field: 'scopes' });
  }
  return JSON.stringify(scopes);
}

function decodeScopes(text: string, id: string): string[] {
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value) && value.every((s) => typeof s === 'string')) return value;
  } catch {}
  throw new OxygenError('internal', `connection ${id} has malformed scopes in the store`);
}

function toConnection(row: Selectable<ConnectionsTable>): StoredConnection {
  return {
    id: row.id,
    organization_id: row.organization_id,
    provider: row.provider,
    auth_mode: row.auth_mode,
    status: row.status,
    account_label: row.account_label,
    scopes: decodeScopes(row.scopes, row.id),
    connected_at: row.connected_at,
    last_verified_at: row.last_verified_at,
    last_error: row.last_error,
    expires_at: row.expires_at,
    credential: row.credential,
  };
}

function mapWriteError(error: unknown, dialect: Store['dialect'], row: NewConnection): unknown {
  const code = (error as { code?: unknown }).code;
  const foreignKey = dialect === 'sqlite' ? code === 'SQLITE_CONSTRAINT_FOREIGNKEY' : code === '23503';
  const unique =
    dialect === 'sqlite'
      ? code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
      : code === '23505';
  if (foreignKey) {
    return new NotFoundError(`organization ${row.organization_id} does not exist`, {
      hint: 'create it first with organizations.ensure()',
      cause: error,
    });
  }
  if (unique) return new ConflictError(`connection ${row.id} already exists`, { cause: error });
  return error;
}
