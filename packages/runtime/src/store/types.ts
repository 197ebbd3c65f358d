/**
 * Types of the store: its options, its tables and the rows it returns.
 *
 * @module
 */

import type { AuthMode, Connection, ConnectionStatus } from '@oxygen/core';
import type { Kysely } from 'kysely';
import type { newId } from './ids.js';

/**
 * Where the store lives. Without `databaseUrl` it is the embedded SQLite file.
 *
 * @example
 * ```ts
 * await openStore({});                                          // ~/.oxygen/oxygen.db
 * await openStore({ home: '/tmp/oxy' });                         // /tmp/oxy/oxygen.db
 * await openStore({ databaseUrl: process.env.DATABASE_URL });    // PostgreSQL
 * ```
 */
export interface StoreOptions {
  /** `postgres://user:password@host:5432/database`. When absent the store is SQLite. */
  databaseUrl?: string | undefined;
  /** The Oxygen home directory (`$OXYGEN_HOME`, default `~/.oxygen`); the SQLite file is `<home>/oxygen.db`. */
  home?: string | undefined;
  /** Overrides the SQLite file path; `':memory:'` gives a private in-memory store. */
  sqlitePath?: string | undefined;
  /**
   * PostgreSQL schema to keep the tables in, created when missing (lower-case letters, digits,
   * `_`). Without it the server's `search_path` decides (usually `public`).
   */
  schema?: string | undefined;
}

/**
 * Timestamps are ISO-8601 UTC strings (`2026-11-25T17:00:00.000Z`) stored in `text` columns in
 * both dialects: one representation everywhere (no driver turning them into `Date`s on one side
 * and strings on the other), and because the format is fixed-width UTC they sort correctly as text.
 */
export type Timestamp = string;

/** The `organizations` table. */
export interface OrganizationsTable {
  /** Organization id, chosen by the caller (`default`, `org_...`). */
  id: string;
  /** Display name; the id when none was given. */
  name: string;
  /** When it was first seen. */
  created_at: Timestamp;
}

/** The `connections` table. */
export interface ConnectionsTable {
  /** Connection id (`conn_...`, from {@link newId}); primary key. */
  id: string;
  /** Owning organization; foreign key to `organizations.id` (cascade on delete). */
  organization_id: string;
  /** Provider id (`hubspot`). Indexed with `organization_id`. */
  provider: string;
  /** `managed` or `byok`. */
  auth_mode: AuthMode;
  /** `connected`, `disconnected`, `expired` or `error`. */
  status: ConnectionStatus;
  /** Provider-side account name, if known. */
  account_label: string | null;
  /** Granted scopes as a JSON array of strings (`[]` when none). */
  scopes: string;
  /** When it was connected. */
  connected_at: Timestamp;
  /** When the credential last proved to work. */
  last_verified_at: Timestamp | null;
  /** What went wrong last. */
  last_error: string | null;
  /** Opaque vault envelope (`v1.<keyId>....`); never plaintext. */
  credential: string | null;
  /**
   * When the sealed credential's access token expires (migration `0005_connection_expires_at`);
   * `null` when it does not expire or there is no credential. Written with the credential.
   */
  expires_at: Timestamp | null;
  /** When the row last changed. Not part of {@link @oxygen/core!Connection}. */
  updated_at: Timestamp;
}

/** What a credit ledger entry records. */
export type CreditEntryKind = 'grant' | 'charge' | 'refund';

/**
 * The `credit_ledger` table: append-only (rows are never updated or deleted); an organization's
 * balance is `SUM(delta)` over its rows.
 */
export interface CreditLedgerTable {
  /** Entry id (`cred_...`, time-sortable); primary key. */
  id: string;
  /** Owning organization; foreign key to `organizations.id` (cascade on delete). */
  organization_id: string;
  /** Credits added (grants, refunds: positive) or taken (charges: negative). */
  delta: number;
  /** `grant`, `charge` or `refund`. */
  kind: CreditEntryKind;
  /** The managed connection a charge or refund is for; `null` for grants. */
  connection_id: string | null;
  /** The action slug a charge or refund is for; `null` for grants. */
  action: string | null;
  /** Free text: who granted and why, or why a call was refunded. */
  note: string | null;
  /** For a refund, the id of the charge it gives back (unique: one refund per charge). */
  refund_of: string | null;
  /** When it was recorded. */
  created_at: Timestamp;
}

/** The `api_tokens` table: organization API tokens, kept as SHA-256 hashes only. */
export interface ApiTokensTable {
  /** Token id (`tok_...`); primary key. Safe to show. */
  id: string;
  /** The organization the token acts for; foreign key to `organizations.id` (cascade on delete). */
  organization_id: string;
  /** What the token is for, as its creator named it. */
  name: string | null;
  /** Lower-case hex SHA-256 of the token; unique. The token itself is never stored. */
  token_hash: string;
  /** 1 when the token may call admin routes (granting credits), else 0. */
  admin: number;
  /** When it was created. */
  created_at: Timestamp;
  /** When it last authenticated a request (updated at most once a minute). */
  last_used_at: Timestamp | null;
  /** When it was revoked; a revoked token authenticates nothing. */
  revoked_at: Timestamp | null;
}

/** The `connect_links` table: single-use, short-lived links to the hosted API-key connect page. */
export interface ConnectLinksTable {
  /** Link id (`link_...`); primary key. Safe to show. */
  id: string;
  /** The organization the connection will belong to (cascade on delete). */
  organization_id: string;
  /** The provider to connect (`hubspot`). */
  provider: string;
  /** Lower-case hex SHA-256 of the link's secret part; unique. The secret itself is never stored. */
  token_hash: string;
  /** SHA-256 of the CSRF token of the form last served for this link. */
  csrf_hash: string | null;
  /** When it was minted. */
  created_at: Timestamp;
  /** When it stops working. */
  expires_at: Timestamp;
  /** When a key was accepted through it (or while a submission is in flight); then it is dead. */
  used_at: Timestamp | null;
  /** Keys refused through it so far; past a few the link is dead. */
  failed_attempts: number;
  /** The connection it made. */
  connection_id: string | null;
}

/**
 * The `oauth_states` table (migrations `0002_oauth`, `0006_oauth_state_outcome`): one row per
 * OAuth authorization started, used at most once, with its outcome once known. The state itself
 * is never stored, only its SHA-256.
 */
export interface OAuthStatesTable {
  /** Row id (`oauth_...`); primary key. */
  id: string;
  /** Hex SHA-256 of the `state` sent to the provider; unique. */
  state_hash: string;
  /** The organization that started it; foreign key to `organizations.id` (cascade on delete). */
  organization_id: string;
  /** Provider id (`hubspot`). */
  provider: string;
  /** The redirect URI sent in the authorization request; the code exchange repeats it. */
  redirect_uri: string;
  /** Vault envelope of the PKCE code verifier, or `null` when the provider does not use PKCE. */
  code_verifier: string | null;
  /** Vault envelope of the OAuth client (id, secret, and whether it is the platform's or the organization's). */
  client: string;
  /** When it was started. */
  created_at: Timestamp;
  /** After this it is refused (about ten minutes after `created_at`). */
  expires_at: Timestamp;
  /** When it was used; `null` while unused. Set once, atomically, before the code is exchanged. */
  used_at: Timestamp | null;
  /** The connection the authorization made or updated (migration `0006_oauth_state_outcome`). */
  connection_id: string | null;
  /** The failure's stable error code when it failed after the state was spent; else `null`. */
  error_code: string | null;
  /** The failure's one-line message (what the CLI would print); never a secret. */
  error_message: string | null;
  /** JSON of the failure's other public fields (`hint`, `provider_message`, `request_id`, `status`, `field`, `data`). */
  error_detail: string | null;
}

/**
 * The `event_subscriptions` table (migration `0007_events`): the events an organization enabled,
 * one row per provider and event type.
 */
export interface EventSubscriptionsTable {
  /** Subscription id (`sub_...`); primary key. */
  id: string;
  /** Owning organization (cascade on delete). */
  organization_id: string;
  /** The connection whose provider account delivers the events. */
  connection_id: string;
  /** Provider id (`instantly`). */
  provider: string;
  /** The declared event type (`email.reply_received`). */
  event_type: string;
  /** The provider's id for the webhook it registered; `null` when set up by hand (HubSpot). */
  provider_subscription_id: string | null;
  /** Vault envelope of the signing secret; `null` when the secret is the OAuth app's. */
  secret: string | null;
  /**
   * The last path segment of the ingress URL (`/webhooks/<provider>/<endpoint>`): this row's id
   * when the secret is per subscription, the connection id when it is the app's (one URL for
   * every event of the account, as HubSpot allows one target URL per app).
   */
  endpoint: string;
  /** JSON array of the steps a person must take in the provider's settings, when any. */
  setup: string | null;
  /** When it was enabled. */
  created_at: Timestamp;
}

/** The `event_triggers` table: URLs matching events are POSTed to, signed (Standard Webhooks). */
export interface EventTriggersTable {
  /** Trigger id (`trg_...`); primary key. */
  id: string;
  /** Owning organization (cascade on delete). */
  organization_id: string;
  /** Provider id. */
  provider: string;
  /** The declared event type. */
  event_type: string;
  /** Where matching events are POSTed. */
  url: string;
  /** Vault envelope of the Standard Webhooks signing secret (`whsec_...`). */
  secret: string;
  /** When it was added. */
  created_at: Timestamp;
}

/** The `events` table: every accepted provider event, once (unique per provider event id). */
export interface EventsTable {
  /** Event id (`evt_...`), the `id` of the normalized event and the `webhook-id` of its deliveries. */
  id: string;
  /** Owning organization: a foreign key on SQLite; on PostgreSQL none (migration 0009), delete explicitly. */
  organization_id: string;
  /** The connection whose provider account delivered it. */
  connection_id: string;
  /** Provider id (`hubspot`). */
  provider: string;
  /** The declared event type, or the provider's name when the plugin declares none. */
  event_type: string;
  /** The provider's id for the event: the de-duplication key. */
  provider_event_id: string;
  /** When it happened on the provider's side. */
  occurred_at: Timestamp;
  /** When the ingress accepted it. */
  received_at: Timestamp;
  /** The normalized event as JSON (`{ id, source, type, occurred_at, organization_id, connection_id, data }`). */
  payload: string;
}

/** What became of a delivery. */
export type DeliveryStatus =
  | 'pending'
  | 'delivered'
  | 'retrying'
  | 'failed'
  | 'ignored'
  | 'rejected'
  | 'duplicate';

/** Every {@link DeliveryStatus}. */
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'pending',
  'delivered',
  'retrying',
  'failed',
  'ignored',
  'rejected',
  'duplicate',
];

/** The `event_deliveries` table: one row per event received and target, and per refused delivery. */
export interface EventDeliveriesTable {
  /** Delivery id (`dlv_...`); primary key. */
  id: string;
  /** Owning organization: a foreign key on SQLite; on PostgreSQL none (migration 0009), delete explicitly. */
  organization_id: string;
  /** The event; `null` when the delivery was rejected before an event was accepted. */
  event_id: string | null;
  /** Provider id the delivery came from. */
  provider: string;
  /** The event type; `null` when rejected before parsing. */
  event_type: string | null;
  /** The provider's id for the event; `null` when rejected before parsing. */
  provider_event_id: string | null;
  /** The trigger it goes to; `null` for ignored, rejected and duplicate rows. */
  trigger_id: string | null;
  /** The trigger's URL when the delivery was created; `null` without a trigger. */
  url: string | null;
  /** What became of it. */
  status: DeliveryStatus;
  /** Stable code of why a delivery was ignored, rejected or a duplicate. */
  reason: string | null;
  /** One line for people: what happened and what to do. Never a secret. */
  detail: string | null;
  /** Attempts made so far. */
  attempts: number;
  /** Attempts allowed before it is `failed`. */
  max_attempts: number;
  /** The target's last HTTP status. */
  status_code: number | null;
  /** The last attempt's duration. */
  duration_ms: number | null;
  /** What went wrong at the last attempt, one line; `null` once delivered. */
  last_error: string | null;
  /** When the next attempt is due (pending, retrying). */
  next_attempt_at: Timestamp | null;
  /** A worker holds the delivery until then (claimed for an attempt). */
  locked_until: Timestamp | null;
  /** The delivery this one replays. */
  replay_of: string | null;
  /** When it was received (or the replay requested). */
  created_at: Timestamp;
  /** When the row last changed. */
  updated_at: Timestamp;
  /** When the target accepted it. */
  delivered_at: Timestamp | null;
}

/** The `tables` table (migration `0008_tables`): an organization's tables of rows. */
export interface TablesTable {
  /** Table id (`tbl_...`); primary key. */
  id: string;
  /** Owning organization (cascade on delete). */
  organization_id: string;
  /** Unique per organization. */
  name: string;
  /** JSON array of the data column names, in order (action and waterfall columns are in `table_columns`). */
  columns: string;
  /** When it was created. */
  created_at: Timestamp;
  /** When it, its columns or its rows last changed. */
  updated_at: Timestamp;
}

/** The `table_rows` table: one row of a table, its data cells as one JSON object. */
export interface TableRowsTable {
  /** Row id (`row_...`, time-sortable: id order is insertion order); primary key. */
  id: string;
  /** Owning organization. */
  organization_id: string;
  /** The table (cascade on delete). */
  table_id: string;
  /** JSON object: data column name to value. */
  data: string;
  /** When it was added. */
  created_at: Timestamp;
  /** When its data last changed. */
  updated_at: Timestamp;
}

/** What a computed column does. */
export type TableColumnKind = 'action' | 'waterfall';

/** The `table_columns` table: a table's action and waterfall columns. */
export interface TableColumnsTable {
  /** Column id (`col_...`); primary key. */
  id: string;
  /** Owning organization. */
  organization_id: string;
  /** The table (cascade on delete). */
  table_id: string;
  /** Unique per table, and never a data column's name. */
  name: string;
  /** `action` or `waterfall`. */
  kind: TableColumnKind;
  /** JSON of the column's spec: integration, action, map (and output), or waterfall and map. */
  spec: string;
  /** When it was added. */
  created_at: Timestamp;
}

/** Where a mirrored write stands (`provenance.outputs.sync_status`). */
export type CellSyncStatus = 'queued' | 'synced' | 'failed';

/** The `table_cells` table: one computed cell (a row's value of an action or waterfall column). */
export interface TableCellsTable {
  /** The row (cascade on delete); the primary key is (`row_id`, `column_id`). */
  row_id: string;
  /** The column (cascade on delete). */
  column_id: string;
  /** Owning organization. */
  organization_id: string;
  /** The table the row and column belong to. */
  table_id: string;
  /** The connection that wrote the record (action columns); events of that connection match it. */
  connection_id: string | null;
  /** The provider record id (action columns) or the value found (waterfalls). */
  value: string | null;
  /** The record's email, lower-cased, when its input had one: events keyed by email match it. */
  record_email: string | null;
  /** `queued`, `synced` or `failed`. */
  status: CellSyncStatus;
  /** The provider's error text on failure. */
  error: string | null;
  /** SHA-256 of the action, connection and mapped input: a rerun skips a synced cell with the same hash. */
  input_hash: string | null;
  /** JSON of the cell's provenance (without `events`). */
  provenance: string;
  /** JSON array of the provider events about the record (newest last, bounded); written by events only. */
  events: string | null;
  /** When it was last written. */
  updated_at: Timestamp;
}

/** The `waterfalls` table: ordered provider steps tried per row until one finds the output. */
export interface WaterfallsTable {
  /** Waterfall id (`wf_...`); primary key. */
  id: string;
  /** Owning organization. */
  organization_id: string;
  /** Unique per organization. */
  name: string;
  /** JSON array of steps: `{ integration, action, map? }`. */
  steps: string;
  /** The output field (dotted path) a step must return non-empty. */
  output: string;
  /** When it was defined. */
  created_at: Timestamp;
}

/** Every table the store knows, for `Kysely<Database>`. Later features add theirs here. */
export interface Database {
  /** Tables of rows, per organization. */
  tables: TablesTable;
  /** The rows of those tables. */
  table_rows: TableRowsTable;
  /** Action and waterfall columns of tables. */
  table_columns: TableColumnsTable;
  /** Computed cells of those columns. */
  table_cells: TableCellsTable;
  /** Named waterfalls: provider steps tried in order. */
  waterfalls: WaterfallsTable;
  /** Events an organization enabled. */
  event_subscriptions: EventSubscriptionsTable;
  /** URLs matching events are POSTed to. */
  event_triggers: EventTriggersTable;
  /** Accepted provider events, once each. */
  events: EventsTable;
  /** The deliveries log. */
  event_deliveries: EventDeliveriesTable;
  /** Organizations. */
  organizations: OrganizationsTable;
  /** Connected provider accounts and their sealed credentials. */
  connections: ConnectionsTable;
  /** OAuth authorizations started, with their outcome. */
  oauth_states: OAuthStatesTable;
  /** The append-only credits ledger. */
  credit_ledger: CreditLedgerTable;
  /** Organization API tokens (hashes only). */
  api_tokens: ApiTokensTable;
  /** Links to the hosted API-key connect page. */
  connect_links: ConnectLinksTable;
}

/** An organization, as the store returns it. */
export interface Organization {
  /** Organization id. */
  id: string;
  /** Display name. */
  name: string;
  /** When it was created (ISO 8601, UTC). */
  created_at: string;
}

/**
 * A connection as stored: the public {@link @oxygen/core!Connection} plus its encrypted credential.
 * Strip `credential` before showing it anywhere.
 */
export type StoredConnection = Connection & {
  /** Opaque vault envelope, or `null` when there is no credential (e.g. after a disconnect). */
  credential: string | null;
};

/**
 * What {@link ConnectionsRepository.insert} takes. The caller picks the id (`newId('conn')`);
 * `status` defaults to `connected`, `connected_at` to now, `scopes` to `[]`, the rest to `null`.
 */
export type NewConnection = Pick<StoredConnection, 'id' | 'organization_id' | 'provider' | 'auth_mode'> &
  Partial<
    Pick<
      StoredConnection,
      | 'status'
      | 'account_label'
      | 'scopes'
      | 'connected_at'
      | 'last_verified_at'
      | 'last_error'
      | 'credential'
      | 'expires_at'
    >
  >;

/**
 * The fields {@link ConnectionsRepository.update} can change. Absent (or `undefined`) fields are
 * left alone; `null` clears a nullable field. Set `expires_at` whenever `credential` changes
 * (`null` for a credential without expiry).
 */
export type ConnectionPatch = Partial<
  Pick<
    StoredConnection,
    | 'status'
    | 'account_label'
    | 'scopes'
    | 'connected_at'
    | 'last_verified_at'
    | 'last_error'
    | 'credential'
    | 'expires_at'
  >
>;

/** Filters for {@link ConnectionsRepository.list}. */
export interface ConnectionFilter {
  /** Only this provider's connections. */
  provider?: string | undefined;
  /** Only connections in this status. */
  status?: ConnectionStatus | undefined;
}

/** Organizations: created on first use. */
export interface OrganizationsRepository {
  /** Returns the organization, creating it (named `name`, default the id) when missing. An existing name is kept. */
  ensure(id: string, name?: string): Promise<Organization>;
  /** The organization, or `undefined`. */
  get(id: string): Promise<Organization | undefined>;
  /** Every organization, oldest first. */
  list(): Promise<Organization[]>;
}

/** Connections. Every read and write is scoped to one organization. */
export interface ConnectionsRepository {
  /**
   * Stores a new connection. Throws `NotFoundError` when the organization does not exist
   * (call `organizations.ensure` first), `ConflictError` when the id is taken and
   * `ValidationError` for a bad status, auth mode, scopes or timestamp.
   */
  insert(row: NewConnection): Promise<StoredConnection>;
  /** The connection, or `undefined` when it does not exist in this organization. */
  get(organizationId: string, id: string): Promise<StoredConnection | undefined>;
  /** The organization's connections, ordered by `connected_at`, then `id`. */
  list(organizationId: string, filter?: ConnectionFilter): Promise<StoredConnection[]>;
  /** Applies `patch` and returns the updated row, or `undefined` when it does not exist in this organization. */
  update(organizationId: string, id: string, patch: ConnectionPatch): Promise<StoredConnection | undefined>;
}

/**
 * The store: organizations and connections behind one Kysely query layer, on SQLite or PostgreSQL.
 *
 * @example
 * ```ts
 * const store = await openStore({ home });
 * await store.organizations.ensure('default');
 * const conn = await store.connections.insert({
 *   id: newId('conn'), organization_id: 'default', provider: 'hubspot', auth_mode: 'byok',
 *   credential: vault.encrypt(JSON.stringify(credential), connectionAad('default', id)),
 * });
 * await store.close();
 * ```
 */
export interface Store {
  /** Which database it is. */
  readonly dialect: 'sqlite' | 'postgres';
  /** The Kysely instance (inside {@link Store.transaction}: the transaction), for features that add tables. */
  readonly db: Kysely<Database>;
  /** Organizations. */
  readonly organizations: OrganizationsRepository;
  /** Connections. */
  readonly connections: ConnectionsRepository;
  /**
   * Runs `fn` in one database transaction: it commits when `fn` resolves and rolls back when it
   * throws (the error is rethrown). Use the store passed to `fn` inside it. Nested calls join the
   * outer transaction.
   */
  transaction<T>(fn: (store: Store) => Promise<T>): Promise<T>;
  /** Closes the database (idempotent). Not allowed on the store passed to a transaction. */
  close(): Promise<void>;
}
