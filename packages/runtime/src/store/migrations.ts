/**
 * The store's schema, as one ordered list of migrations valid on both SQLite and PostgreSQL.
 * They live in code (no files on disk) so a bundled CLI carries them. Never edit a released
 * migration; append a new one.
 *
 * @module
 */

import type { Kysely, Migration, MigrationProvider } from 'kysely';

/** Migrations by name; names sort in the order they run. */
export const migrations: Readonly<Record<string, Migration>> = {
  '0001_organizations_connections': {
    async up(db: Kysely<unknown>) {
      // Timestamps are ISO-8601 UTC text in both dialects: one representation, sortable as text.
      await db.schema
        .createTable('organizations')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('auth_mode', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('account_label', 'text')
        // JSON array of strings.
        .addColumn('scopes', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('connected_at', 'text', (c) => c.notNull())
        .addColumn('last_verified_at', 'text')
        .addColumn('last_error', 'text')
        // Vault envelope; never plaintext.
        .addColumn('credential', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('connections_organization_provider_idx')
        .on('connections')
        .columns(['organization_id', 'provider'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('connections').execute();
      await db.schema.dropTable('organizations').execute();
    },
  },
};

/** Migration names in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations).sort();

/** The newest migration's name: a store at this version needs no migration work. */
export const LATEST_MIGRATION: string = MIGRATION_NAMES[MIGRATION_NAMES.length - 1]!;

/**
 * The schema version written to SQLite's `PRAGMA user_version` after migrating, so an up-to-date
 * file is recognised with one pragma read instead of a migration-table lookup.
 */
export const SCHEMA_VERSION: number = MIGRATION_NAMES.length;

/** Kysely's `MigrationProvider` over the in-code list. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
