/**
 * Tables (`runtime.org(id).tables`, `oxygen tables ...`): an organization's tables of rows with
 * stable ids, data cells as JSON, computed cells mirrored from provider writes, streaming CSV
 * import and export.
 *
 * @module
 */

import type { Readable } from 'node:stream';
import { ConflictError, NotFoundError, ValidationError } from '@oxygen/core';
import type { Selectable } from 'kysely';
import type { NormalizedEvent } from '../engine/webhooks.js';
import { newId } from '../store/ids.js';
import type { Store, TableColumnsTable, TableRowsTable } from '../store/types.js';
import type { CsvSource } from './csv.js';
import type { TablesHost } from './host.js';
import { type MirrorEventResult, mirrorEventToCells } from './mirror.js';
import {
  checkColumnName,
  checkName,
  chunks,
  countRows,
  type LoadedTable,
  loadColumns,
  loadTable,
  MAX_COLUMNS,
  now,
  parseJson,
  tableInfo,
  toCell,
  withCells,
} from './records.js';
import type {
  AddRowsResult,
  CellSyncStatus,
  CellsOptions,
  CellsPage,
  CellValue,
  ImportCsvOptions,
  ImportCsvResult,
  ShowOptions,
  TableInfo,
  TablePage,
  TableRow,
} from './types.js';

const csv = () => import('./csv.js');

function checkLimit(value: number | undefined, fallback: number, max: number, field = 'limit'): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new ValidationError(`${field} must be a whole number from 1 to ${max}, not ${value}.`, { field });
  }
  return value;
}

/** Checks one row's values: a JSON object of column to JSON value. */
function checkValues(values: unknown, index: number): Record<string, CellValue> {
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    throw new ValidationError(`Row ${index + 1} must be an object of column name to value.`, {
      field: 'rows',
    });
  }
  const out: Record<string, CellValue> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    const name = checkColumnName(key, `rows.${index}`);
    const ok =
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      (typeof value === 'object' &&
        (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype));
    if (!ok) {
      throw new ValidationError(`Row ${index + 1}, column "${name}": ${typeof value} is not a JSON value.`, {
        field: `rows.${index}.${name}`,
        hint: 'Cells hold strings, numbers, booleans, null, or JSON arrays and objects.',
      });
    }
    out[name] = value as CellValue;
  }
  return out;
}

/** One organization's tables. Get it with `runtime.org(id).tables`. */
export class OrgTables {
  /** @internal */
  constructor(private readonly host: TablesHost) {}

  /** The organization every call is scoped to. */
  get organizationId(): string {
    return this.host.organizationId;
  }

  private get db() {
    return this.host.store.db;
  }

  private async info(table: LoadedTable, store: Store = this.host.store): Promise<TableInfo> {
    const computed = await loadColumns(store.db, table.row.id);
    return tableInfo(table, computed, await countRows(store.db, table.row.id));
  }

  /**
   * Creates an empty table, optionally with data columns.
   *
   * @throws ConflictError when the organization already has a table of that name;
   * ValidationError for a bad name or column.
   *
   * @example
   * ```ts
   * const leads = await org.tables.create('leads', { columns: ['email', 'first_name'] });
   * ```
   */
  async create(name: string, options: { columns?: readonly string[] } = {}): Promise<TableInfo> {
    const tableName = checkName('table', name);
    const columns = this.newColumns([], options.columns ?? [], []);
    await this.host.store.organizations.ensure(this.organizationId);
    const at = now();
    const row = {
      id: newId('tbl'),
      organization_id: this.organizationId,
      name: tableName,
      columns: JSON.stringify(columns),
      created_at: at,
      updated_at: at,
    };
    try {
      await this.db.insertInto('tables').values(row).execute();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ConflictError(`Organization ${this.organizationId} already has a table "${tableName}".`, {
          hint: 'Pick another name, or import into the existing table.',
          cause: error,
        });
      }
      throw error;
    }
    return tableInfo({ row, columns }, [], 0);
  }

  /** The organization's tables, by name. */
  async list(): Promise<TableInfo[]> {
    const tables = await this.db
      .selectFrom('tables')
      .selectAll()
      .where('organization_id', '=', this.organizationId)
      .orderBy('name')
      .execute();
    if (tables.length === 0) return [];
    const ids = tables.map((t) => t.id);
    const counts = new Map<string, number>();
    for (const r of await this.db
      .selectFrom('table_rows')
      .select(['table_id', (eb) => eb.fn.countAll().as('n')])
      .where('table_id', 'in', ids)
      .groupBy('table_id')
      .execute()) {
      counts.set(r.table_id, Number(r.n));
    }
    const computed = await this.db
      .selectFrom('table_columns')
      .select(['table_id', 'name', 'kind', 'created_at', 'id'])
      .where('table_id', 'in', ids)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return tables.map((row) =>
      tableInfo(
        { row, columns: parseJson<string[]>(row.columns, []) },
        computed.filter((c) => c.table_id === row.id),
        counts.get(row.id) ?? 0,
      ),
    );
  }

  /**
   * One table by name or id.
   *
   * @throws NotFoundError when the organization has no such table.
   */
  async get(ref: string): Promise<TableInfo> {
    return this.info(await loadTable(this.host, ref));
  }

  /**
   * Deletes a table with its rows, columns and cells.
   *
   * @throws NotFoundError when the organization has no such table.
   */
  async remove(ref: string): Promise<TableInfo> {
    const table = await loadTable(this.host, ref);
    const info = await this.info(table);
    await this.db.deleteFrom('tables').where('id', '=', table.row.id).execute();
    return info;
  }

  /** The data columns to append for `wanted`, checked against the computed columns' names. */
  private newColumns(
    existing: readonly string[],
    wanted: readonly string[],
    computed: readonly string[],
  ): string[] {
    const have = new Set(existing);
    const added: string[] = [];
    for (const raw of wanted) {
      const name = checkColumnName(raw);
      if (have.has(name)) continue;
      if (computed.includes(name)) {
        throw new ValidationError(
          `"${name}" is an action or waterfall column of this table; data cannot be written to it.`,
          {
            field: name,
            hint: 'Rename the data column, or read the computed column instead.',
          },
        );
      }
      have.add(name);
      added.push(name);
    }
    if (existing.length + added.length > MAX_COLUMNS) {
      throw new ValidationError(`A table has at most ${MAX_COLUMNS} data columns.`, { field: 'columns' });
    }
    return added;
  }

  /** Appends data columns to a table inside `store`'s transaction; returns the new ones. */
  private async extendColumns(
    store: Store,
    table: LoadedTable,
    wanted: readonly string[],
  ): Promise<string[]> {
    const computed = (await loadColumns(store.db, table.row.id)).map((c) => c.name);
    const added = this.newColumns(table.columns, wanted, computed);
    if (added.length > 0) {
      table.columns = [...table.columns, ...added];
      const at = now();
      await store.db
        .updateTable('tables')
        .set({ columns: JSON.stringify(table.columns), updated_at: at })
        .where('id', '=', table.row.id)
        .execute();
      table.row = { ...table.row, columns: JSON.stringify(table.columns), updated_at: at };
    }
    return added;
  }

  private async insertRows(
    store: Store,
    table: LoadedTable,
    rows: readonly Record<string, CellValue>[],
  ): Promise<string[]> {
    const ids: string[] = [];
    const at = now();
    for (const part of chunks(rows, 500)) {
      const values = part.map((data) => {
        const id = newId('row');
        ids.push(id);
        return {
          id,
          organization_id: this.organizationId,
          table_id: table.row.id,
          data: JSON.stringify(data),
          created_at: at,
          updated_at: at,
        };
      });
      await store.db.insertInto('table_rows').values(values).execute();
    }
    return ids;
  }

  /**
   * Adds rows (objects of column name to value) in one transaction. Columns the table does not
   * have yet are appended to its data columns. Each row gets a stable `row_...` id.
   *
   * @throws ValidationError for a row that is not an object, a value that is not JSON, or a key
   * naming an action/waterfall column; NotFoundError for an unknown table.
   *
   * @example
   * ```ts
   * const { ids } = await org.tables.addRows('leads', [{ email: 'ada@example.com', first_name: 'Ada' }]);
   * ```
   */
  async addRows(ref: string, rows: readonly Record<string, unknown>[]): Promise<AddRowsResult> {
    if (!Array.isArray(rows))
      throw new ValidationError('rows must be an array of objects.', { field: 'rows' });
    const checked = rows.map((r, i) => checkValues(r, i));
    const table = await loadTable(this.host, ref);
    return this.host.store.transaction(async (trx) => {
      const keys = [...new Set(checked.flatMap((r) => Object.keys(r)))];
      const added = await this.extendColumns(trx, table, keys);
      const ids = await this.insertRows(trx, table, checked);
      if (added.length === 0 && ids.length > 0) {
        await trx.db
          .updateTable('tables')
          .set({ updated_at: now() })
          .where('id', '=', table.row.id)
          .execute();
      }
      return { table: await this.info(table, trx), ids, new_columns: added };
    });
  }

  /**
   * Changes values of one row (the others are kept; `null` clears one). A column run after this
   * re-sends the row when its mapped input changed.
   *
   * @throws NotFoundError for an unknown table or row.
   *
   * @example
   * ```ts
   * await org.tables.updateRow('leads', 'row_01J...', { first_name: 'Augusta' });
   * ```
   */
  async updateRow(ref: string, rowId: string, values: Record<string, unknown>): Promise<TableRow> {
    const patch = checkValues(values, 0);
    const table = await loadTable(this.host, ref);
    await this.host.store.transaction(async (trx) => {
      const row = await this.loadRow(trx, table, rowId);
      await this.extendColumns(trx, table, Object.keys(patch));
      const data = { ...parseJson<Record<string, CellValue>>(row.data, {}), ...patch };
      await trx.db
        .updateTable('table_rows')
        .set({ data: JSON.stringify(data), updated_at: now() })
        .where('id', '=', row.id)
        .execute();
    });
    return this.row(table.row.id, rowId);
  }

  /**
   * Deletes rows by id, with their cells.
   *
   * @throws NotFoundError naming ids the table does not have (nothing is deleted then).
   */
  async deleteRows(
    ref: string,
    ids: readonly string[],
  ): Promise<{
    /** Rows deleted. */
    deleted: number;
  }> {
    const table = await loadTable(this.host, ref);
    return this.host.store.transaction(async (trx) => {
      let deleted = 0;
      for (const part of chunks([...new Set(ids)], 500)) {
        const found = await trx.db
          .selectFrom('table_rows')
          .select('id')
          .where('table_id', '=', table.row.id)
          .where('id', 'in', part)
          .execute();
        if (found.length !== part.length) {
          const have = new Set(found.map((r) => r.id));
          const missing = part.filter((id) => !have.has(id));
          throw new NotFoundError(`Table ${table.row.name} has no row ${missing.slice(0, 5).join(', ')}.`, {
            field: 'rows',
          });
        }
        const r = await trx.db
          .deleteFrom('table_rows')
          .where('table_id', '=', table.row.id)
          .where('id', 'in', part)
          .executeTakeFirst();
        deleted += Number(r.numDeletedRows);
      }
      return { deleted };
    });
  }

  private async loadRow(
    store: Store,
    table: LoadedTable,
    rowId: string,
  ): Promise<Selectable<TableRowsTable>> {
    const row = await store.db
      .selectFrom('table_rows')
      .selectAll()
      .where('table_id', '=', table.row.id)
      .where('id', '=', rowId)
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError(`Table ${table.row.name} has no row ${rowId}.`, {
        field: 'row',
        hint: `Run \`oxygen tables show ${table.row.name}\` to see the row ids.`,
      });
    }
    return row;
  }

  /**
   * One row with its values and cells.
   *
   * @throws NotFoundError for an unknown table or row.
   */
  async row(ref: string, rowId: string): Promise<TableRow> {
    const table = await loadTable(this.host, ref);
    const row = await this.loadRow(this.host.store, table, rowId);
    const [out] = await withCells(this.db, [row], table.columns, await loadColumns(this.db, table.row.id));
    return out!;
  }

  /**
   * A page of rows in row order, with their cells: `offset` pagination, or `after` (the previous
   * page's `next_cursor`) for pages that stay put while rows are added.
   *
   * @throws NotFoundError for an unknown table; ValidationError for a bad limit or offset.
   *
   * @example
   * ```ts
   * let page = await org.tables.show('leads', { limit: 100 });
   * while (page.next_cursor) page = await org.tables.show('leads', { limit: 100, after: page.next_cursor });
   * ```
   */
  async show(ref: string, options: ShowOptions = {}): Promise<TablePage> {
    const limit = checkLimit(options.limit, 50, 1000);
    if (options.offset !== undefined && (!Number.isInteger(options.offset) || options.offset < 0)) {
      throw new ValidationError(`offset must be a whole number of rows, not ${options.offset}.`, {
        field: 'offset',
      });
    }
    if (options.offset !== undefined && options.after !== undefined) {
      throw new ValidationError('Give either offset or after, not both.', { field: 'after' });
    }
    const table = await loadTable(this.host, ref);
    const computed = await loadColumns(this.db, table.row.id);
    let query = this.db.selectFrom('table_rows').selectAll().where('table_id', '=', table.row.id);
    if (options.after !== undefined) query = query.where('id', '>', options.after);
    query = query.orderBy('id').limit(limit + 1);
    if (options.offset !== undefined) query = query.offset(options.offset);
    const found = await query.execute();
    const rows = found.slice(0, limit);
    const total = await countRows(this.db, table.row.id);
    return {
      table: tableInfo(table, computed, total),
      rows: await withCells(this.db, rows, table.columns, computed),
      total,
      offset: options.after === undefined ? (options.offset ?? 0) : null,
      next_cursor: found.length > limit ? rows.at(-1)!.id : null,
    };
  }

  /**
   * Every row in row order, read a page at a time (never the whole table in memory).
   *
   * @throws NotFoundError for an unknown table (on the first iteration).
   *
   * @example
   * ```ts
   * for await (const row of org.tables.export('leads')) console.log(row.id, row.cells.hubspot_id?.value);
   * ```
   */
  async *export(ref: string, options: { batchSize?: number } = {}): AsyncGenerator<TableRow> {
    const size = checkLimit(options.batchSize, 500, 5000, 'batchSize');
    const table = await loadTable(this.host, ref);
    const computed = await loadColumns(this.db, table.row.id);
    let after: string | undefined;
    for (;;) {
      let query = this.db.selectFrom('table_rows').selectAll().where('table_id', '=', table.row.id);
      if (after !== undefined) query = query.where('id', '>', after);
      const rows = await query.orderBy('id').limit(size).execute();
      if (rows.length === 0) return;
      for (const row of await withCells(this.db, rows, table.columns, computed)) yield row;
      if (rows.length < size) return;
      after = rows.at(-1)!.id;
    }
  }

  /**
   * Imports a CSV file or stream: the header row names the columns (appended to an existing
   * table's), each record becomes a row. The file is parsed as a stream (csv-parse) and stored
   * `batchSize` rows per transaction, so a large file is never held in memory. All or nothing: on
   * a malformed record (or `signal`) the rows already stored are removed again, and a table the
   * import created is dropped.
   *
   * @throws ValidationError for an empty or duplicate header, a record with more fields than the
   * header (naming the line), malformed CSV; NotFoundError for a missing file, or a missing table
   * with `create: false`.
   *
   * @example
   * ```ts
   * const { table, inserted } = await org.tables.importCsv('leads', './leads.csv');
   * ```
   */
  async importCsv(ref: string, source: CsvSource, options: ImportCsvOptions = {}): Promise<ImportCsvResult> {
    const batchSize = checkLimit(options.batchSize, 500, 5000, 'batchSize');
    const { readCsv } = await csv();
    const records = readCsv(source, { delimiter: options.delimiter });
    let header: string[] | undefined;
    let table: LoadedTable | undefined;
    let created = false;
    let previousColumns: string[] = [];
    let added: string[] = [];
    const inserted: string[] = [];
    try {
      const first = await records.next();
      if (first.done)
        throw new ValidationError('The CSV is empty: it needs a header row naming the columns.', {
          field: 'csv',
        });
      header = first.value.fields.map((h, i) => {
        const name = typeof h === 'string' ? h.trim() : '';
        if (!name) {
          throw new ValidationError(`The CSV header's column ${i + 1} is empty; every column needs a name.`, {
            field: 'csv',
          });
        }
        return checkColumnName(name, 'csv');
      });
      const dupes = header.filter((h, i) => header!.indexOf(h) !== i);
      if (dupes.length > 0) {
        throw new ValidationError(`The CSV header names ${[...new Set(dupes)].join(', ')} more than once.`, {
          field: 'csv',
          hint: 'Rename the duplicate columns.',
        });
      }
      try {
        table = await loadTable(this.host, ref);
      } catch (error) {
        if (!NotFoundError.isInstance(error) || options.create === false || ref.startsWith('tbl_'))
          throw error;
        await this.create(ref);
        table = await loadTable(this.host, ref);
        created = true;
      }
      previousColumns = table.columns;
      const t = table;
      added = await this.host.store.transaction((trx) => this.extendColumns(trx, t, header!));
      let batch: Record<string, CellValue>[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        const rows = batch;
        batch = [];
        inserted.push(...(await this.host.store.transaction((trx) => this.insertRows(trx, t, rows))));
        options.onProgress?.(inserted.length);
      };
      for await (const record of records) {
        if (options.signal?.aborted) {
          throw new ValidationError('The import was stopped; nothing was kept.', { field: 'csv' });
        }
        if (record.fields.length > header.length) {
          throw new ValidationError(
            `CSV line ${record.line} has ${record.fields.length} fields; the header has ${header.length}.`,
            { field: 'csv', hint: 'Quote fields that contain the delimiter, or fix the line.' },
          );
        }
        const data: Record<string, CellValue> = {};
        header.forEach((name, i) => {
          data[name] = record.fields[i] ?? '';
        });
        batch.push(data);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
      if (inserted.length > 0) {
        await this.db.updateTable('tables').set({ updated_at: now() }).where('id', '=', t.row.id).execute();
      }
      return {
        table: await this.info(t),
        created,
        inserted: inserted.length,
        columns: header,
        new_columns: added,
      };
    } catch (error) {
      await records.return(undefined).catch(() => {});
      if (table) await this.undoImport(table, created, previousColumns, added, inserted);
      throw error;
    }
  }

  /** Removes what a failed import stored. */
  private async undoImport(
    table: LoadedTable,
    created: boolean,
    previousColumns: string[],
    added: string[],
    inserted: string[],
  ): Promise<void> {
    if (created) {
      await this.db.deleteFrom('tables').where('id', '=', table.row.id).execute();
      return;
    }
    for (const part of chunks(inserted, 500)) {
      await this.db
        .deleteFrom('table_rows')
        .where('table_id', '=', table.row.id)
        .where('id', 'in', part)
        .execute();
    }
    if (added.length > 0) {
      await this.db
        .updateTable('tables')
        .set({ columns: JSON.stringify(previousColumns), updated_at: now() })
        .where('id', '=', table.row.id)
        .execute();
    }
  }

  /**
   * The table as a CSV stream (csv-stringify): the data columns, then for each action or
   * waterfall column `<column>` (its value), `<column>.sync_status`, `<column>.last_synced_at`
   * and `<column>.error`. Rows are read a page at a time.
   *
   * @throws NotFoundError for an unknown table (before the stream starts).
   *
   * @example
   * ```ts
   * (await org.tables.exportCsv('leads')).pipe(process.stdout);
   * ```
   */
  async exportCsv(ref: string): Promise<Readable> {
    const table = await loadTable(this.host, ref);
    const computed = await loadColumns(this.db, table.row.id);
    const { writeCsv, csvField } = await csv();
    const header = [
      ...table.columns,
      ...computed.flatMap((c) => [
        c.name,
        `${c.name}.sync_status`,
        `${c.name}.last_synced_at`,
        `${c.name}.error`,
      ]),
    ];
    const rows = this.export(table.row.id);
    async function* records(): AsyncGenerator<string[]> {
      yield header;
      for await (const row of rows) {
        yield [
          ...table.columns.map((c) => csvField(row.values[c])),
          ...computed.flatMap((c) => {
            const cell = row.cells[c.name];
            return [
              csvField(cell?.value),
              csvField(cell?.provenance.outputs.sync_status),
              csvField(cell?.provenance.outputs.last_synced_at),
              csvField(cell?.error),
            ];
          }),
        ];
      }
    }
    return writeCsv(records());
  }

  /**
   * One computed column's cells, in row order, optionally only those in one status (the failed
   * ones, say).
   *
   * @throws NotFoundError for an unknown table or column.
   *
   * @example
   * ```ts
   * const { cells } = await org.tables.cells('leads', 'hubspot_id', { status: 'failed' });
   * for (const { row_id, cell } of cells) console.log(row_id, cell.error);
   * ```
   */
  async cells(ref: string, column: string, options: CellsOptions = {}): Promise<CellsPage> {
    const limit = checkLimit(options.limit, 100, 1000);
    const table = await loadTable(this.host, ref);
    const col = await findColumn(this.host.store, table, column);
    let query = this.db.selectFrom('table_cells').selectAll().where('column_id', '=', col.id);
    if (options.status) {
      if (!['queued', 'synced', 'failed'].includes(options.status)) {
        throw new ValidationError(`status must be queued, synced or failed, not "${options.status}".`, {
          field: 'status',
        });
      }
      query = query.where('status', '=', options.status as CellSyncStatus);
    }
    if (options.after !== undefined) query = query.where('row_id', '>', options.after);
    const found = await query
      .orderBy('row_id')
      .limit(limit + 1)
      .execute();
    const page = found.slice(0, limit);
    return {
      cells: page.map((c) => ({ row_id: c.row_id, cell: toCell(c) })),
      next_cursor: found.length > limit ? page.at(-1)!.row_id : null,
    };
  }

  /**
   * Records a provider event in the cells that mirror its record (see {@link mirrorEventToCells}).
   *
   * @throws ValidationError for another organization's event.
   */
  async applyEvent(
    event: Pick<
      NormalizedEvent,
      'id' | 'type' | 'occurred_at' | 'organization_id' | 'connection_id' | 'data'
    >,
  ): Promise<MirrorEventResult> {
    if (event.organization_id !== this.organizationId) {
      throw new ValidationError(
        `Event ${event.id} belongs to organization ${event.organization_id}, not ${this.organizationId}.`,
        {
          field: 'organization_id',
        },
      );
    }
    return mirrorEventToCells(this.host.store, event);
  }
}

/**
 * A table's computed column by name.
 *
 * @throws NotFoundError listing the table's computed columns.
 */
export async function findColumn(
  store: Store,
  table: LoadedTable,
  name: string,
): Promise<Selectable<TableColumnsTable>> {
  const columns = await loadColumns(store.db, table.row.id);
  const found = columns.find((c) => c.name === name.trim());
  if (!found) {
    const isData = table.columns.includes(name.trim());
    throw new NotFoundError(
      isData
        ? `"${name}" is a data column of table ${table.row.name}, not an action or waterfall column.`
        : `Table ${table.row.name} has no column "${name}".`,
      {
        field: 'column',
        hint: columns.length
          ? `Its action and waterfall columns: ${columns.map((c) => c.name).join(', ')}.`
          : 'Add one with `oxygen columns add <table> <column> --integration <id> --action <slug> --map ...`.',
      },
    );
  }
  return found;
}
