/**
 * Action and waterfall columns (`runtime.org(id).columns`, `oxygen columns ...`): row values wired
 * into an action's input (or a waterfall's steps), run over the table with the results mirrored
 * into the cells.
 *
 * @module
 */

import { ConflictError, ValidationError } from '@oxygen/core';
import { newId } from '../store/ids.js';
import type { TablesHost } from './host.js';
import {
  type ActionColumnStored,
  checkColumnName,
  columnInfo,
  loadColumns,
  loadTable,
  now,
  parseJson,
  type WaterfallColumnStored,
} from './records.js';
import { resolveStep } from './resolve.js';
import { findColumn } from './tables.js';
import { checkMap, checkOutputPath } from './template.js';
import type {
  ActionColumnSpec,
  ColumnDryRunReport,
  ColumnInfo,
  ColumnRunOptions,
  ColumnRunReport,
  WaterfallColumnSpec,
} from './types.js';
import { loadWaterfall } from './waterfalls.js';

const runner = () => import('./runner.js');

/** One organization's action and waterfall columns. Get it with `runtime.org(id).columns`. */
export class OrgColumns {
  /** @internal */
  constructor(private readonly host: TablesHost) {}

  /** The organization every call is scoped to. */
  get organizationId(): string {
    return this.host.organizationId;
  }

  /**
   * Adds an action column (`{ integration, action, map }`) or a waterfall column
   * (`{ waterfall, map? }`) to a table. The map is checked now against the action's input schema
   * (each waterfall step's, for a waterfall) and the table's columns; nothing runs until
   * {@link OrgColumns.run}.
   *
   * @throws ValidationError naming the input field (unknown, or required but not mapped), the
   * template, or the row columns the table does not have; NotFoundError for an unknown table,
   * integration, action or waterfall; ConflictError when the table has a column of that name.
   *
   * @example
   * ```ts
   * await org.columns.add('leads', 'hubspot_id', {
   *   integration: 'hubspot',
   *   action: 'contact.upsert',
   *   map: { email: '{{row.email}}', firstname: '{{row.first_name}}' },
   * });
   * await org.columns.add('leads', 'work_email', { waterfall: 'work-email', map: { domain: '{{row.domain}}' } });
   * ```
   */
  async add(table: string, name: string, spec: ActionColumnSpec | WaterfallColumnSpec): Promise<ColumnInfo> {
    const columnName = checkColumnName(name);
    const t = await loadTable(this.host, table);
    const computed = await loadColumns(this.host.store.db, t.row.id);
    if (t.columns.includes(columnName) || computed.some((c) => c.name === columnName)) {
      throw new ConflictError(`Table ${t.row.name} already has a column "${columnName}".`, {
        field: 'column',
        hint: 'Pick another name, or remove that column first (`oxygen columns remove`).',
      });
    }
    // Templates may read data columns and the values of other computed columns.
    const readable = [...t.columns, ...computed.map((c) => c.name)];
    const where = `column ${columnName}`;
    let kind: 'action' | 'waterfall';
    let stored: ActionColumnStored | WaterfallColumnStored;
    let waterfallName: string | undefined;
    if (spec && typeof spec === 'object' && 'waterfall' in spec) {
      const wf = await loadWaterfall(this.host, spec.waterfall);
      waterfallName = wf.name;
      for (const [i, step] of wf.steps.entries()) {
        const stepWhere = `${where}, waterfall ${wf.name} step ${i + 1} (${step.integration}:${step.action})`;
        const resolved = await resolveStep(this.host, step.integration, step.action, stepWhere);
        const map = step.map ?? spec.map;
        if (map === undefined) {
          throw new ValidationError(
            `Waterfall ${wf.name} step ${i + 1} has no map, and the column gives none.`,
            {
              field: 'map',
              hint: 'Give the column a map (used by the steps without their own), e.g. {"domain":"{{row.domain}}"}.',
            },
          );
        }
        checkMap(map, resolved.action, resolved.inputSchema, readable, stepWhere);
      }
      kind = 'waterfall';
      stored = { waterfall_id: wf.id, map: (spec.map as WaterfallColumnStored['map']) ?? null };
    } else {
      const s = spec as ActionColumnSpec;
      if (typeof s?.integration !== 'string' || !s.integration.trim()) {
        throw new ValidationError(
          'An action column needs an integration (a connection id or a provider id).',
          {
            field: 'integration',
          },
        );
      }
      if (typeof s.action !== 'string' || !s.action.trim()) {
        throw new ValidationError('An action column needs an action slug (e.g. contact.upsert).', {
          field: 'action',
        });
      }
      const resolved = await resolveStep(this.host, s.integration.trim(), s.action.trim(), where);
      const map = checkMap(
        s.map,
        resolved.action,
        resolved.inputSchema,
        readable,
        `${where} (${resolved.provider.id} ${s.action})`,
      );
      const output =
        s.output === undefined
          ? null
          : checkOutputPath(s.output, resolved.outputSchema, `${resolved.provider.name} ${s.action}`);
      kind = 'action';
      stored = {
        integration: s.integration.trim(),
        provider: resolved.provider.id,
        action: resolved.action.slug,
        map,
        output,
        record_label: output ?? resolved.action.mirror?.label ?? null,
      };
    }
    const row = {
      id: newId('col'),
      organization_id: this.organizationId,
      table_id: t.row.id,
      name: columnName,
      kind,
      spec: JSON.stringify(stored),
      created_at: now(),
    };
    try {
      await this.host.store.db.insertInto('table_columns').values(row).execute();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
        throw new ConflictError(`Table ${t.row.name} already has a column "${columnName}".`, {
          field: 'column',
          cause: error,
        });
      }
      throw error;
    }
    return columnInfo(row, waterfallName);
  }

  /**
   * A table's action and waterfall columns, in the order they were added.
   *
   * @throws NotFoundError for an unknown table.
   */
  async list(table: string): Promise<ColumnInfo[]> {
    const t = await loadTable(this.host, table);
    const rows = await loadColumns(this.host.store.db, t.row.id);
    return Promise.all(rows.map((r) => this.describe(r)));
  }

  /**
   * One action or waterfall column.
   *
   * @throws NotFoundError for an unknown table or column.
   */
  async get(table: string, name: string): Promise<ColumnInfo> {
    const t = await loadTable(this.host, table);
    return this.describe(await findColumn(this.host.store, t, name));
  }

  private async describe(row: Parameters<typeof columnInfo>[0]): Promise<ColumnInfo> {
    if (row.kind !== 'waterfall') return columnInfo(row);
    const spec = parseJson<WaterfallColumnStored>(row.spec, { waterfall_id: '', map: null });
    const wf = await loadWaterfall(this.host, spec.waterfall_id).catch(() => undefined);
    return columnInfo(row, wf?.name);
  }

  /**
   * Removes a column and its cells (the provider records they mirror are not touched).
   *
   * @throws NotFoundError for an unknown table or column.
   */
  async remove(table: string, name: string): Promise<ColumnInfo> {
    const t = await loadTable(this.host, table);
    const row = await findColumn(this.host.store, t, name);
    const info = await this.describe(row);
    await this.host.store.db.deleteFrom('table_columns').where('id', '=', row.id).execute();
    return info;
  }

  /**
   * Runs an action or waterfall column over the table's rows (all, `rows`, or those matching
   * `where`), `concurrency` rows at a time (default 4) within the connection's rate limits. Each
   * cell is written `queued` before its request, then `synced` with the provider record id (or
   * what a waterfall found) and `last_synced_at`, or `failed` with the provider's error text;
   * provenance records the action, connection, auth mode, credits, request ids and duration.
   *
   * Rows already `synced` with the same mapped input are skipped, so running again resumes an
   * interrupted run; a row whose input changed is sent again when the action is an upsert
   * (declared `idempotent`: it updates the same provider record), and reported `stale` otherwise
   * (sending it would make a second record). `force` re-sends synced rows too. A stopped run (`signal`) finishes the rows
   * in flight and reports `aborted`. An error every row would repeat (the credential refused,
   * credits exhausted) stops the run and is reported as `halted`.
   *
   * With `dryRun`, nothing is sent or written: the report has each row's exact requests.
   *
   * @throws NotFoundError for an unknown table, column, row id, integration or waterfall;
   * AuthError for a disconnected integration; ValidationError for bad options or `where`.
   *
   * @example
   * ```ts
   * const report = await org.columns.run('leads', 'hubspot_id', {
   *   concurrency: 8,
   *   onProgress: (p) => process.stderr.write(`\r${p.done}/${p.total}`),
   *   signal: AbortSignal.timeout(60_000),
   * });
   * console.log(report.synced, report.failed, report.failures);
   * const dry = await org.columns.run('leads', 'hubspot_id', { dryRun: true, rows: [rowId] });
   * console.log(dry.rows[0]?.requests);
   * ```
   */
  async run(
    table: string,
    name: string,
    options: ColumnRunOptions & { dryRun: true },
  ): Promise<ColumnDryRunReport>;
  async run(
    table: string,
    name: string,
    options?: ColumnRunOptions & { dryRun?: false },
  ): Promise<ColumnRunReport>;
  async run(
    table: string,
    name: string,
    options?: ColumnRunOptions,
  ): Promise<ColumnRunReport | ColumnDryRunReport>;
  async run(
    table: string,
    name: string,
    options: ColumnRunOptions = {},
  ): Promise<ColumnRunReport | ColumnDryRunReport> {
    const t = await loadTable(this.host, table);
    const column = await findColumn(this.host.store, t, name);
    const { runColumn } = await runner();
    return runColumn(this.host, t, column, options);
  }
}
