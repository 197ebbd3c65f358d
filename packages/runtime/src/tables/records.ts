/**
 * Reading and writing tables, rows, columns and cells in the store, and turning stored rows into
 * the public shapes.
 *
 * @module
 */

import { NotFoundError, ValidationError } from '@oxygen/core';
import type { Kysely, Selectable } from 'kysely';
import type {
  Database,
  TableCellsTable,
  TableColumnsTable,
  TableRowsTable,
  TablesTable,
} from '../store/types.js';
import type { TablesHost } from './host.js';
import type {
  Cell,
  CellEvent,
  CellProvenance,
  CellValue,
  ColumnInfo,
  ColumnMap,
  TableColumnSummary,
  TableInfo,
  TableRow,
} from './types.js';

/** A table as stored, with its data columns decoded. */
export interface LoadedTable {
  row: Selectable<TablesTable>;
  /** Data column names, in order. */
  columns: string[];
}

/** The stored spec of an action column. */
export interface ActionColumnStored {
  integration: string;
  provider: string;
  action: string;
  map: ColumnMap;
  output: string | null;
  record_label: string | null;
}

/** The stored spec of a waterfall column. */
export interface WaterfallColumnStored {
  waterfall_id: string;
  map: ColumnMap | null;
}

export const now = (): string => new Date().toISOString();

/** Longest table, column and waterfall names. */
export const MAX_NAME = 200;
/** Most data columns a table may have. */
export const MAX_COLUMNS = 500;

/** Checks a table or waterfall name. */
export function checkName(what: 'table' | 'waterfall', name: unknown): string {
  const text = typeof name === 'string' ? name.trim() : '';
  if (!text) {
    throw new ValidationError(`A ${what} name is required.`, { field: 'name' });
  }
  if (text.length > 100 || !/^[A-Za-z0-9][A-Za-z0-9 _.:-]*$/.test(text) || /^(tbl|wf)_/.test(text)) {
    throw new ValidationError(`"${text}" is not a valid ${what} name.`, {
      field: 'name',
      hint: `Use up to 100 letters, digits, spaces, dots, colons, dashes or underscores, starting with a letter or digit (and not "${what === 'table' ? 'tbl_' : 'wf_'}").`,
    });
  }
  return text;
}

/** Checks a column name (data or computed). */
export function checkColumnName(name: unknown, field = 'column'): string {
  const text = typeof name === 'string' ? name.trim() : '';
  if (!text) throw new ValidationError('A column name is required (an empty header or key?).', { field });
  if (text.length > MAX_NAME) {
    throw new ValidationError(
      `Column name "${text.slice(0, 40)}..." is longer than ${MAX_NAME} characters.`,
      {
        field,
      },
    );
  }
  if (text.includes('{{') || text.includes('}}')) {
    throw new ValidationError(`Column name "${text}" must not contain "{{" or "}}".`, { field });
  }
  return text;
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Finds the organization's table by id (`tbl_...`) or name. */
export async function loadTable(host: TablesHost, ref: string): Promise<LoadedTable> {
  const db = host.store.db;
  let query = db.selectFrom('tables').selectAll().where('organization_id', '=', host.organizationId);
  query = ref.startsWith('tbl_') ? query.where('id', '=', ref) : query.where('name', '=', ref.trim());
  const row = await query.executeTakeFirst();
  if (!row) {
    throw new NotFoundError(`No table "${ref}" in organization ${host.organizationId}.`, {
      hint: 'Run `oxygen tables list` to see the tables, or create it with `oxygen tables create <name>`.',
    });
  }
  return { row, columns: parseJson<string[]>(row.columns, []) };
}

/** A table's action and waterfall columns, in the order they were added. */
export function loadColumns(db: Kysely<Database>, tableId: string): Promise<Selectable<TableColumnsTable>[]> {
  return db
    .selectFrom('table_columns')
    .selectAll()
    .where('table_id', '=', tableId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Rows in the table. */
export async function countRows(db: Kysely<Database>, tableId: string): Promise<number> {
  const r = await db
    .selectFrom('table_rows')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('table_id', '=', tableId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** The public view of a table. */
export function tableInfo(
  table: LoadedTable,
  computed: readonly Pick<Selectable<TableColumnsTable>, 'name' | 'kind'>[],
  rowCount: number,
): TableInfo {
  const columns: TableColumnSummary[] = [
    ...table.columns.map((name) => ({ name, kind: 'data' as const })),
    ...computed.map((c) => ({ name: c.name, kind: c.kind })),
  ];
  return {
    id: table.row.id,
    organization_id: table.row.organization_id,
    name: table.row.name,
    columns,
    row_count: rowCount,
    created_at: table.row.created_at,
    updated_at: table.row.updated_at,
  };
}

/** The public view of a computed column. */
export function columnInfo(row: Selectable<TableColumnsTable>, waterfallName?: string): ColumnInfo {
  if (row.kind === 'waterfall') {
    const spec = parseJson<WaterfallColumnStored>(row.spec, { waterfall_id: '', map: null });
    return {
      id: row.id,
      table_id: row.table_id,
      name: row.name,
      kind: 'waterfall',
      waterfall_id: spec.waterfall_id,
      waterfall: waterfallName ?? spec.waterfall_id,
      map: spec.map,
      created_at: row.created_at,
    };
  }
  const spec = parseJson<ActionColumnStored>(row.spec, {
    integration: '',
    provider: '',
    action: '',
    map: {},
    output: null,
    record_label: null,
  });
  return {
    id: row.id,
    table_id: row.table_id,
    name: row.name,
    kind: 'action',
    integration: spec.integration,
    provider: spec.provider,
    action: spec.action,
    map: spec.map,
    output: spec.output,
    record_label: spec.record_label,
    created_at: row.created_at,
  };
}

/** The stored provenance (events live in their own column). */
export type StoredProvenance = Omit<CellProvenance, 'events'>;

/** A stored cell as the public {@link Cell}. */
export function toCell(row: Pick<TableCellsTable, 'value' | 'error' | 'provenance' | 'events'>): Cell {
  const provenance = parseJson<StoredProvenance>(row.provenance, {} as StoredProvenance);
  return {
    value: row.value,
    error: row.error,
    provenance: { ...provenance, events: parseJson<CellEvent[]>(row.events, []) },
  };
}

/** A stored row as the public {@link TableRow}. */
export function toRow(
  row: Selectable<TableRowsTable>,
  columns: readonly string[],
  cells: Record<string, Cell>,
): TableRow {
  const data = parseJson<Record<string, CellValue>>(row.data, {});
  const values: Record<string, CellValue> = {};
  for (const name of columns) values[name] = data[name] ?? null;
  return { id: row.id, values, cells, created_at: row.created_at, updated_at: row.updated_at };
}

/** Splits a list into chunks. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The cells of these rows for these columns, by row id then column id. */
export async function loadCells(
  db: Kysely<Database>,
  rowIds: readonly string[],
  columnIds: readonly string[],
): Promise<Map<string, Map<string, Selectable<TableCellsTable>>>> {
  const out = new Map<string, Map<string, Selectable<TableCellsTable>>>();
  if (rowIds.length === 0 || columnIds.length === 0) return out;
  for (const part of chunks(rowIds, 500)) {
    const rows = await db
      .selectFrom('table_cells')
      .selectAll()
      .where('row_id', 'in', part)
      .where('column_id', 'in', [...columnIds])
      .execute();
    for (const cell of rows) {
      let byColumn = out.get(cell.row_id);
      if (!byColumn) {
        byColumn = new Map();
        out.set(cell.row_id, byColumn);
      }
      byColumn.set(cell.column_id, cell);
    }
  }
  return out;
}

/** Turns loaded rows into public rows with their cells. */
export async function withCells(
  db: Kysely<Database>,
  rows: readonly Selectable<TableRowsTable>[],
  dataColumns: readonly string[],
  computed: readonly Pick<Selectable<TableColumnsTable>, 'id' | 'name'>[],
): Promise<TableRow[]> {
  const cells = await loadCells(
    db,
    rows.map((r) => r.id),
    computed.map((c) => c.id),
  );
  return rows.map((row) => {
    const byColumn = cells.get(row.id);
    const out: Record<string, Cell> = {};
    for (const column of computed) {
      const cell = byColumn?.get(column.id);
      if (cell) out[column.name] = toCell(cell);
    }
    return toRow(row, dataColumns, out);
  });
}

/**
 * One line for people showing a computed cell: the value when synced (`(none)` when a waterfall
 * found nothing), `failed: <provider error>`, or `queued`; empty when the column never ran on the
 * row. `--json` output shows the raw {@link Cell} instead.
 *
 * @example
 * ```ts
 * cellText(row.cells.hubspot_contact_id); // '101', 'failed: Email address x is invalid', 'queued'
 * ```
 */
export function cellText(cell: Cell | undefined): string {
  if (!cell) return '';
  const status = cell.provenance.outputs.sync_status;
  if (status === 'synced') return cell.value ?? '(none)';
  if (status === 'failed') return `failed: ${cell.error ?? 'unknown error'}`;
  return 'queued';
}
