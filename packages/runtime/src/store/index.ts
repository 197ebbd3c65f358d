/**
 * The store: organizations and connections (with their encrypted credentials) behind one Kysely
 * query layer, on the embedded SQLite file or on PostgreSQL.
 *
 * @module
 */

export { newId } from './ids.js';
export {
  LATEST_MIGRATION,
  MIGRATION_NAMES,
  migrationProvider,
  migrations,
  SCHEMA_VERSION,
} from './migrations.js';
export { type PostgresTarget, postgresTarget } from './postgres.js';
export { sqlitePathFor } from './sqlite.js';
export { openStore } from './store.js';
export type {
  ApiTokensTable,
  ConnectionFilter,
  ConnectionPatch,
  ConnectionsRepository,
  ConnectionsTable,
  ConnectLinksTable,
  CreditEntryKind,
  CreditLedgerTable,
  Database,
  EventDeliveriesTable,
  EventSubscriptionsTable,
  EventsTable,
  EventTriggersTable,
  NewConnection,
  Organization,
  OrganizationsRepository,
  OrganizationsTable,
  Store,
  StoredConnection,
  StoreOptions,
  Timestamp,
} from './types.js';
