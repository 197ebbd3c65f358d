/**
 * Public shapes of tables, rows, cells, columns, column runs and waterfalls.
 *
 * @module
 */

import type { AuthMode, RecordedRequest } from '@oxygen/core';
import type { CellSyncStatus, TableColumnKind } from '../store/types.js';

export type { CellSyncStatus, TableColumnKind };

/** A cell value of a data column: anything JSON (CSV imports give strings). */
export type CellValue = string | number | boolean | null | CellValue[] | { [key: string]: CellValue };

/** One column of a table as {@link TableInfo} lists it. */
export interface TableColumnSummary {
  /** The column's name, unique in the table. */
  name: string;
  /** `data` (values you import or add), `action` or `waterfall` (computed cells). */
  kind: 'data' | TableColumnKind;
}

/** A table, as `tables list` / `tables create` print it. */
export interface TableInfo {
  /** `tbl_...`. */
  id: string;
  /** The organization that owns it. */
  organization_id: string;
  /** Unique per organization; tables are named by name or id everywhere. */
  name: string;
  /** Data columns in order, then action and waterfall columns in the order they were added. */
  columns: TableColumnSummary[];
  /** Rows in the table. */
  row_count: number;
  /** When it was created (ISO 8601, UTC). */
  created_at: string;
  /** When it, its columns or its rows last changed (ISO 8601, UTC). */
  updated_at: string;
}

/** An error as a cell's provenance keeps it: the public fields only, never a secret. */
export interface CellErrorInfo {
  /** The stable error code (`provider`, `validation`, `auth`, `rate_limit`, ...). */
  code: string;
  /** Oxygen's one-line message. */
  message: string;
  /** The provider's own message, when a provider answered. */
  provider_message?: string;
  /** The provider's HTTP status. */
  status?: number;
  /** The provider's request id. */
  request_id?: string;
  /** The input field at fault. */
  field?: string;
}

/** A provider event about the record a cell mirrors (`provenance.events`). */
export interface CellEvent {
  /** The declared event type (`contact.deleted`, `email.reply_received`). */
  type: string;
  /** When it happened at the provider (ISO 8601). */
  at: string;
  /** Oxygen's event id (`evt_...`): `oxygen integrations events deliveries` shows it. */
  event_id: string;
}

/** Why a waterfall step ended: it found the output, answered without it, or failed. */
export type WaterfallStepOutcome = 'found' | 'empty' | 'failed';

/** One waterfall step as a cell's provenance records it. */
export interface WaterfallStepTrace {
  /** 1-based position in the waterfall. */
  step: number;
  /** Provider id. */
  integration: string;
  /** The connection the step ran on. */
  connection_id: string;
  /** The mode it ran in (`managed`, `byok`). */
  auth_mode: AuthMode;
  /** The action slug. */
  action: string;
  /** Whether it found the output, answered without it, or failed. */
  outcome: WaterfallStepOutcome;
  /** Why it fell through: `returned no <output>`, or the provider's error text. `null` when found. */
  reason: string | null;
  /** The error, when it failed. */
  error: CellErrorInfo | null;
  /** Credits charged for this step (managed mode only; a failed call is refunded). */
  credits: number;
  /** The provider's request ids. */
  request_ids: string[];
  /** How long the step took, in milliseconds. */
  duration_ms: number;
}

/**
 * Where a computed cell's value came from, for a person to audit. `outputs` is the mirroring
 * contract (`sync_status`, `last_synced_at`); the rest says which action ran, through which
 * connection and auth mode, what it cost and the provider's request ids.
 */
export interface CellProvenance {
  /** The mirroring contract's fields. */
  outputs: {
    /** `queued` before the request, then `synced` or `failed`. */
    sync_status: CellSyncStatus;
    /** When the cell last synced; kept through later failures (the record still exists). */
    last_synced_at: string | null;
  };
  /** `action` or `waterfall`. */
  kind: TableColumnKind;
  /** Provider id of the action that produced the value (for a waterfall: the step that found it). */
  integration: string | null;
  /** The connection it ran on (for a waterfall: the step that found it). */
  connection_id: string | null;
  /** The mode it ran in (`managed`, `byok`). */
  auth_mode: AuthMode | null;
  /** Action slug. */
  action: string | null;
  /** What the value is (`hubspot_contact_id`): the action's mirror label, or the output path. */
  record_label: string | null;
  /** Credits charged (managed mode only; failed calls are refunded, so 0). */
  credits: number;
  /** The provider's request ids (support tickets quote them). */
  request_ids: string[];
  /** How long the call (or every waterfall step together) took, in milliseconds; `null` while queued. */
  duration_ms: number | null;
  /** SHA-256 of the action, connection and mapped input: what a rerun compares. */
  input_hash: string | null;
  /** When the cell was queued by the run that last wrote it. */
  queued_at: string;
  /** When its request was sent; `null` while queued. */
  attempted_at: string | null;
  /** The last failure; `null` when the last attempt succeeded (or none ran yet). */
  error: CellErrorInfo | null;
  /** Waterfall cells: the waterfall's name. */
  waterfall?: string;
  /** Waterfall cells: every step tried, in order, and why it fell through. */
  steps?: WaterfallStepTrace[];
  /** Provider events about the record, oldest first (the last {@link MAX_CELL_EVENTS}). */
  events: CellEvent[];
}

/**
 * An action or waterfall cell, exactly the mirroring shape: `value` (the provider record id, or
 * what a waterfall found), `provenance.outputs.sync_status`, `provenance.outputs.last_synced_at`
 * and `error` (the provider's error text on failure).
 */
export interface Cell {
  /** The provider record id, or what a waterfall found; `null` when there is none (yet). */
  value: string | null;
  /** The provider's error text when the last attempt failed; else `null`. */
  error: string | null;
  /** Where the value came from. */
  provenance: CellProvenance;
}

/** How many provider events a cell keeps (the newest). */
export const MAX_CELL_EVENTS = 20;

/** One row: its stable id, its data values and its computed cells. */
export interface TableRow {
  /** `row_...`, stable for the row's life. */
  id: string;
  /** Every data column of the table, `null` where the row has no value. */
  values: Record<string, CellValue>;
  /** Action and waterfall cells by column name; a column that never ran on this row is absent. */
  cells: Record<string, Cell>;
  /** When it was added (ISO 8601, UTC). */
  created_at: string;
  /** When its data last changed (ISO 8601, UTC). */
  updated_at: string;
}

/** A page of rows (`tables show`). */
export interface TablePage {
  /** The table. */
  table: TableInfo;
  /** This page's rows, in row order. */
  rows: TableRow[];
  /** Rows in the table. */
  total: number;
  /** Rows skipped before this page (offset pagination); `null` for cursor pages. */
  offset: number | null;
  /** Pass as `after` for the next page; `null` on the last page. */
  next_cursor: string | null;
}

/** Options of {@link OrgTables.show}. */
export interface ShowOptions {
  /** Rows per page (default 50, at most 1000). */
  limit?: number | undefined;
  /** Rows to skip (offset pagination). */
  offset?: number | undefined;
  /** Rows after this row id (cursor pagination: the previous page's `next_cursor`). */
  after?: string | undefined;
}

/** What {@link OrgTables.addRows} did. */
export interface AddRowsResult {
  /** The table after the rows were added. */
  table: TableInfo;
  /** The new rows' ids, in the order given. */
  ids: string[];
  /** Data columns the rows introduced (appended to the table's). */
  new_columns: string[];
}

/** Options of {@link OrgTables.importCsv}. */
export interface ImportCsvOptions {
  /** Create the table when it does not exist (default true). */
  create?: boolean | undefined;
  /** Rows per transaction (default 500). */
  batchSize?: number | undefined;
  /** Field delimiter (default `,`). */
  delimiter?: string | undefined;
  /** Told the number of rows stored so far after each batch. */
  onProgress?: ((rows: number) => void) | undefined;
  /** Stops the import; what it stored is removed (as for any failure). */
  signal?: AbortSignal | undefined;
}

/** What {@link OrgTables.importCsv} did. */
export interface ImportCsvResult {
  /** The table after the import. */
  table: TableInfo;
  /** Whether the import created the table. */
  created: boolean;
  /** Rows stored. */
  inserted: number;
  /** The header row, i.e. the columns the file has. */
  columns: string[];
  /** Header columns the table did not have before (appended). */
  new_columns: string[];
}

/** A row filter: a column compared with a value (string comparison; CSV values are strings). */
export interface RowCondition {
  /**
   * A data column, an action/waterfall column (its cell's `value`), or `<column>.sync_status` /
   * `<column>.error` for a computed column's status or error text.
   */
  column: string;
  /** `eq` / `ne` compare with `value`; `empty` / `not_empty` test for no value (`null`, `''`, no cell). */
  op: 'eq' | 'ne' | 'empty' | 'not_empty';
  /** What `eq` and `ne` compare with, as a string; unused by `empty` and `not_empty`. */
  value?: string | number | boolean | null | undefined;
}

/** Conditions that must all hold; the record form `{ country: 'FR' }` means equality. */
export type RowWhere = readonly RowCondition[] | Readonly<Record<string, string | number | boolean | null>>;

/** Filters of {@link OrgTables.cells}. */
export interface CellsOptions {
  /** Only cells in this status. */
  status?: CellSyncStatus | undefined;
  /** Cells per page (default 100, at most 1000). */
  limit?: number | undefined;
  /** Cells of rows after this row id (the previous page's `next_cursor`). */
  after?: string | undefined;
}

/** A page of one column's cells. */
export interface CellsPage {
  /** The cells, in row order. */
  cells: {
    /** The cell's row. */
    row_id: string;
    /** The cell. */
    cell: Cell;
  }[];
  /** Pass as `after` for the next page; `null` on the last page. */
  next_cursor: string | null;
}

/** A column map: action input field to a template (`"{{row.email}}"`) or a constant, nested as the input is. */
export type ColumnMap = { [field: string]: unknown };

/** What {@link OrgColumns.add} takes for an action column. */
export interface ActionColumnSpec {
  /** The integration: a connection id (`conn_...`) or a provider id with one live connection. */
  integration: string;
  /** The action slug (`contact.upsert`). */
  action: string;
  /**
   * Input field → template or constant. `"{{row.<column>}}"` alone takes the row's value (its
   * type kept; coerced to a number or boolean where the input wants one; an empty value is left
   * out); inside a longer string it is interpolated (the result trimmed, left out when empty).
   * Templates may read data columns and other action/waterfall columns (their cell's `value`).
   * Objects and arrays are rendered field by field. Other values are sent as they are.
   */
  map: ColumnMap;
  /**
   * A dotted path in the action's output to store as the cell's `value`. Default: the record id
   * the action mirrors (`mirror.recordId`); required when the action declares no mirror and you
   * want a value (otherwise `value` stays `null`).
   */
  output?: string | undefined;
}

/** What {@link OrgColumns.add} takes for a waterfall column. */
export interface WaterfallColumnSpec {
  /** The waterfall, by name or id. */
  waterfall: string;
  /** The default map for steps that have none of their own. */
  map?: ColumnMap | undefined;
}

/** An action column. */
export interface ActionColumnInfo {
  /** `col_...`. */
  id: string;
  /** The table it belongs to. */
  table_id: string;
  /** Its name, unique in the table. */
  name: string;
  /** Always `action`. */
  kind: 'action';
  /** As given when added (a connection id or a provider id). */
  integration: string;
  /** The provider id. */
  provider: string;
  /** The action slug. */
  action: string;
  /** Input field → template or constant (see {@link ActionColumnSpec.map}). */
  map: ColumnMap;
  /** The output path stored as `value`, when given. */
  output: string | null;
  /** What `value` holds (`hubspot_contact_id`), or `null` when the cell has no value. */
  record_label: string | null;
  /** When it was added (ISO 8601, UTC). */
  created_at: string;
}

/** A waterfall column. */
export interface WaterfallColumnInfo {
  /** `col_...`. */
  id: string;
  /** The table it belongs to. */
  table_id: string;
  /** Its name, unique in the table. */
  name: string;
  /** Always `waterfall`. */
  kind: 'waterfall';
  /** The waterfall's id. */
  waterfall_id: string;
  /** The waterfall's name. */
  waterfall: string;
  /** The default map for steps without their own; `null` when none was given. */
  map: ColumnMap | null;
  /** When it was added (ISO 8601, UTC). */
  created_at: string;
}

/** An action or waterfall column. */
export type ColumnInfo = ActionColumnInfo | WaterfallColumnInfo;

/** How far a column run is (`onProgress`). */
export interface ColumnRunProgress {
  /** Rows the run covers (after `rows` / `where` / `limit`). */
  total: number;
  /** Rows finished: synced, failed or skipped. */
  done: number;
  /** Rows synced so far. */
  synced: number;
  /** Rows failed so far. */
  failed: number;
  /** Rows not sent: already synced with the same input (or stale, see {@link ColumnRunReport.stale}). */
  skipped: number;
  /** Requests in flight. */
  running: number;
}

/** Options of {@link OrgColumns.run}. */
export interface ColumnRunOptions {
  /** Only these rows (ids); an unknown id is an error. */
  rows?: readonly string[] | undefined;
  /** Only rows matching every condition. */
  where?: RowWhere | undefined;
  /** At most this many rows are sent (the first ones in row order that need it). */
  limit?: number | undefined;
  /** Send nothing and write nothing: report the requests each row would make. */
  dryRun?: boolean | undefined;
  /** Rows in flight at once (default 4, at most 32). The provider's rate limits apply on top. */
  concurrency?: number | undefined;
  /**
   * Send rows already synced again: with the same input (an upsert at the provider updates the
   * same record), and rows whose input changed although the action is not an upsert (which
   * makes a second record at the provider).
   */
  force?: boolean | undefined;
  /** Told after each row (and once at the start). */
  onProgress?: ((progress: ColumnRunProgress) => void) | undefined;
  /**
   * Stops the run: no new row starts; rows in flight finish and are recorded; rows queued but
   * not started go back to what they were. Run again to resume.
   */
  signal?: AbortSignal | undefined;
}

/** A row that failed, in a run report. */
export interface ColumnRunFailure {
  /** The row that failed. */
  row_id: string;
  /** The provider's error text (the cell's `error`). */
  error: string;
  /** The stable error code (`provider`, `validation`, `auth`, `rate_limit`, ...). */
  code: string;
}

/** What a column run did. */
export interface ColumnRunReport {
  /** Always `false`: requests were sent. */
  dry_run: false;
  /** The table's name. */
  table: string;
  /** The column's name. */
  column: string;
  /** Rows the run covered. */
  total: number;
  /** Rows whose request(s) were sent (or attempted) by this run. */
  sent: number;
  /** Rows this run synced. */
  synced: number;
  /** Rows this run failed (see `failures`). */
  failed: number;
  /** Rows already synced with the same input, not sent (and the `stale` ones). */
  skipped: number;
  /**
   * Of `skipped`: rows synced with an older input that were not sent again because the action
   * writes without being an upsert (it would make a second record). `force` sends them.
   */
  stale: number;
  /** Rows not started because the run stopped (`signal`, or a `halted` error). */
  remaining: number;
  /** True when `signal` stopped the run before every row was done. */
  aborted: boolean;
  /**
   * An error that stopped the run because every other row would fail the same way (the
   * credential refused, credits exhausted, managed key not configured); `null` otherwise.
   */
  halted: CellErrorInfo | null;
  /** Credits charged by this run (managed mode only). */
  credits: number;
  /** Wall-clock time of the run. */
  elapsed_ms: number;
  /** Time spent inside action calls (summed over rows; calls overlap when concurrency > 1). */
  action_ms: number;
  /** Rows finished (sent) per second of wall-clock time. */
  rows_per_second: number;
  /** The first failures (at most 20). */
  failures: ColumnRunFailure[];
}

/** One row of a dry run. */
export interface DryRunRow {
  /** The row. */
  row_id: string;
  /** The mapped input (action columns). */
  input?: unknown;
  /** The exact requests, secrets redacted (action columns). */
  requests?: RecordedRequest[];
  /** Credits the call would cost (managed mode only). */
  credits: number;
  /** Waterfall columns: every step's input and requests (all would be tried in the worst case). */
  steps?: {
    /** 1-based position in the waterfall. */
    step: number;
    /** Provider id. */
    integration: string;
    /** The action slug. */
    action: string;
    /** The step's mapped input. */
    input: unknown;
    /** The exact requests, secrets redacted. */
    requests: RecordedRequest[];
    /** Credits the call would cost (managed mode only). */
    credits: number;
    /** Why this step's request could not be built; `null` when it could. */
    error: string | null;
  }[];
  /** Why this row's request could not be built (invalid input). */
  error: string | null;
}

/** What a dry run reports: nothing sent, nothing written. */
export interface ColumnDryRunReport {
  /** Always `true`: nothing sent, nothing written. */
  dry_run: true;
  /** The table's name. */
  table: string;
  /** The column's name. */
  column: string;
  /** Rows the run would cover. */
  total: number;
  /** Rows already synced with the same input, which a run would skip (and the `stale` ones). */
  skipped: number;
  /** Of `skipped`: rows synced with an older input that a non-upsert write would not send again. */
  stale: number;
  /** Each row the run would send, with its requests. */
  rows: DryRunRow[];
}

/** One step of a waterfall. */
export interface WaterfallStep {
  /** A connection id or a provider id with one live connection. */
  integration: string;
  /** The action slug. */
  action: string;
  /** This step's own map; default: the column's map. */
  map?: ColumnMap | undefined;
}

/** What {@link OrgWaterfalls.create} takes. */
export interface WaterfallSpec {
  /** The steps, tried in order until one returns the output. */
  steps: readonly WaterfallStep[];
  /** The output field (dotted path, e.g. `email`) a step must return non-empty. */
  output: string;
}

/** A waterfall. */
export interface WaterfallInfo {
  /** `wf_...`. */
  id: string;
  /** The organization that owns it. */
  organization_id: string;
  /** Unique per organization. */
  name: string;
  /** The steps, in order, each with the provider id its integration resolved to. */
  steps: (WaterfallStep & {
    /** The provider id. */
    provider: string;
  })[];
  /** The output field (dotted path) a step must return non-empty. */
  output: string;
  /** When it was created (ISO 8601, UTC). */
  created_at: string;
}
