/**
 * The store's schema, as one ordered list of migrations valid on both SQLite and PostgreSQL.
 * They live in code (no files on disk) so a bundled CLI carries them. Never edit a released
 * migration; append a new one.
 *
 * @module
 */

import { type Kysely, type Migration, type MigrationProvider, PostgresAdapter, sql } from 'kysely';

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
  '0002_oauth': {
    async up(db: Kysely<unknown>) {
      // One row per OAuth authorization started. Single-use: `used_at` is set (atomically) before
      // the code is exchanged. Only a SHA-256 of the state is kept; the PKCE verifier and the
      // OAuth client are vault envelopes.
      await db.schema
        .createTable('oauth_states')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('state_hash', 'text', (c) => c.notNull().unique())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('code_verifier', 'text')
        .addColumn('client', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createIndex('oauth_states_expires_at_idx')
        .on('oauth_states')
        .column('expires_at')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('oauth_states').execute();
    },
  },
  '0003_credits': {
    async up(db: Kysely<unknown>) {
      // Append-only: rows are inserted, never updated or deleted; the balance is SUM(delta).
      await db.schema
        .createTable('credit_ledger')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        // Grants and refunds are positive, charges negative.
        .addColumn('delta', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        // The managed connection and action a charge or refund is for; null for grants.
        .addColumn('connection_id', 'text')
        .addColumn('action', 'text')
        .addColumn('note', 'text')
        // A refund names the charge it gives back.
        .addColumn('refund_of', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('credit_ledger_organization_idx')
        .on('credit_ledger')
        .columns(['organization_id', 'id'])
        .execute();
      await db.schema
        .createIndex('credit_ledger_refund_of_idx')
        .on('credit_ledger')
        .column('refund_of')
        .unique()
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('credit_ledger').execute();
    },
  },
  '0004_api_tokens': {
    async up(db: Kysely<unknown>) {
      // Organization API tokens: only the SHA-256 of the token is kept; the token is shown once.
      await db.schema
        .createTable('api_tokens')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text')
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        // 0 or 1: may call admin routes (credits grant).
        .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text')
        .addColumn('revoked_at', 'text')
        .execute();
      await db.schema
        .createIndex('api_tokens_organization_idx')
        .on('api_tokens')
        .column('organization_id')
        .execute();
      // Hosted API-key connect links: single use, short-lived, stored as hashes only.
      await db.schema
        .createTable('connect_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('csrf_hash', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('used_at', 'text')
        .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('connection_id', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('connect_links').execute();
      await db.schema.dropTable('api_tokens').execute();
    },
  },
  '0005_connection_expires_at': {
    async up(db: Kysely<unknown>) {
      // When the sealed credential's access token expires (ISO-8601 UTC), kept in clear beside the
      // envelope so listing connections never decrypts. Null: no expiry, or no credential.
      await db.schema.alterTable('connections').addColumn('expires_at', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('connections').dropColumn('expires_at').execute();
    },
  },
  '0006_oauth_state_outcome': {
    async up(db: Kysely<unknown>) {
      // How a started OAuth authorization ended, for whoever started it to read (the CLI talking
      // to a shared server waits on this): the connection it made, or the failure's stable code,
      // one-line message and the error's other public fields as JSON (hint, provider message,
      // request id, status, data). Never a token, a code or a secret: only what the error shows.
      await db.schema.alterTable('oauth_states').addColumn('connection_id', 'text').execute();
      await db.schema.alterTable('oauth_states').addColumn('error_code', 'text').execute();
      await db.schema.alterTable('oauth_states').addColumn('error_message', 'text').execute();
      await db.schema.alterTable('oauth_states').addColumn('error_detail', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      for (const column of ['error_detail', 'error_message', 'error_code', 'connection_id']) {
        await db.schema.alterTable('oauth_states').dropColumn(column).execute();
      }
    },
  },
  '0007_events': {
    async up(db: Kysely<unknown>) {
      // Provider events: what the organization enabled, each trigger URL, every event received
      // (unique per provider event id: the de-duplication key) and one delivery row per event and
      // target, which is the log `oxygen integrations events deliveries` reads.
      await db.schema
        .createTable('event_subscriptions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('provider_subscription_id', 'text')
        .addColumn('secret', 'text')
        .addColumn('endpoint', 'text', (c) => c.notNull())
        .addColumn('setup', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('event_subscriptions_org_event_key', [
          'organization_id',
          'provider',
          'event_type',
        ])
        .execute();
      await db.schema
        .createTable('event_triggers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('event_triggers_org_event_url_key', [
          'organization_id',
          'provider',
          'event_type',
          'url',
        ])
        .execute();
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('connection_id', 'text', (c) => c.notNull())
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('provider_event_id', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('received_at', 'text', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addUniqueConstraint('events_org_provider_event_key', [
          'organization_id',
          'provider',
          'provider_event_id',
        ])
        .execute();
      await db.schema
        .createTable('event_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('event_id', 'text')
        .addColumn('provider', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text')
        .addColumn('provider_event_id', 'text')
        .addColumn('trigger_id', 'text')
        .addColumn('url', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('detail', 'text')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('status_code', 'integer')
        .addColumn('duration_ms', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('next_attempt_at', 'text')
        .addColumn('locked_until', 'text')
        .addColumn('replay_of', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('delivered_at', 'text')
        .execute();
      await db.schema
        .createIndex('event_deliveries_org_created_idx')
        .on('event_deliveries')
        .columns(['organization_id', 'created_at'])
        .execute();
      // The worker's scan: due deliveries by next attempt.
      await db.schema
        .createIndex('event_deliveries_due_idx')
        .on('event_deliveries')
        .columns(['status', 'next_attempt_at'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['event_deliveries', 'events', 'event_triggers', 'event_subscriptions']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  '0008_tables': {
    async up(db: Kysely<unknown>) {
      // Tables of rows (cells as JSON), their action and waterfall columns, one row per computed
      // cell (the mirrored provider state: value, status, error, provenance, events) and waterfalls.
      await db.schema
        .createTable('tables')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        // JSON array of the data column names, in order.
        .addColumn('columns', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('tables_org_name_key', ['organization_id', 'name'])
        .execute();
      await db.schema
        .createTable('table_rows')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('table_id', 'text', (c) => c.notNull().references('tables.id').onDelete('cascade'))
        // JSON object: data column name -> value.
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      // Rows are read in id (= insertion) order, a page at a time.
      await db.schema
        .createIndex('table_rows_table_id_idx')
        .on('table_rows')
        .columns(['table_id', 'id'])
        .execute();
      await db.schema
        .createTable('table_columns')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('table_id', 'text', (c) => c.notNull().references('tables.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('spec', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('table_columns_table_name_key', ['table_id', 'name'])
        .execute();
      await db.schema
        .createTable('table_cells')
        .addColumn('row_id', 'text', (c) => c.notNull().references('table_rows.id').onDelete('cascade'))
        .addColumn('column_id', 'text', (c) => c.notNull().references('table_columns.id').onDelete('cascade'))
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('table_id', 'text', (c) => c.notNull())
        // The connection that wrote the record, and the record's keys: provider events find the
        // cells they concern by these (organization, connection, record id or email).
        .addColumn('connection_id', 'text')
        .addColumn('value', 'text')
        .addColumn('record_email', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('error', 'text')
        .addColumn('input_hash', 'text')
        .addColumn('provenance', 'text', (c) => c.notNull())
        // Written by provider events only, so a column run never overwrites them (and vice versa).
        .addColumn('events', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('table_cells_pkey', ['row_id', 'column_id'])
        .execute();
      await db.schema.createIndex('table_cells_column_idx').on('table_cells').column('column_id').execute();
      await db.schema
        .createIndex('table_cells_record_idx')
        .on('table_cells')
        .columns(['organization_id', 'connection_id', 'value'])
        .execute();
      await db.schema
        .createIndex('table_cells_record_email_idx')
        .on('table_cells')
        .columns(['organization_id', 'connection_id', 'record_email'])
        .execute();
      await db.schema
        .createTable('waterfalls')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('steps', 'text', (c) => c.notNull())
        .addColumn('output', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('waterfalls_org_name_key', ['organization_id', 'name'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['waterfalls', 'table_cells', 'table_columns', 'table_rows', 'tables']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
  '0009_events_log_without_foreign_keys': {
    // PostgreSQL only. `events` and `event_deliveries` are the ingress's append-only log: every
    // provider delivery inserts into both, and a foreign key to `organizations` made PostgreSQL
    // look up and share-lock the organization row once per inserted row (measured on the webhook
    // bench: about a sixth of the database's processor time per event). Their organization comes
    // from the subscription or connection the delivery was addressed to, which keeps its foreign
    // key, so nothing can be logged for an organization that does not exist. Deleting an
    // organization must delete its events and deliveries explicitly. SQLite keeps the keys: its
    // check is an in-process index probe, and dropping one there means rebuilding the table.
    async up(db: Kysely<unknown>) {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      await sql`alter table events drop constraint if exists events_organization_id_fkey`.execute(db);
      await sql`alter table event_deliveries drop constraint if exists event_deliveries_organization_id_fkey`.execute(
        db,
      );
    },
    async down(db: Kysely<unknown>) {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      for (const table of ['events', 'event_deliveries']) {
        await db.schema
          .alterTable(table)
          .addForeignKeyConstraint(`${table}_organization_id_fkey`, ['organization_id'], 'organizations', [
            'id',
          ])
          .onDelete('cascade')
          .execute();
      }
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
