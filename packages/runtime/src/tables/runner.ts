/**
 * The column runner: runs an action or waterfall column over a table's rows with bounded
 * concurrency, each cell through `OrgRuntime.run` (credits, the connection's rate limiter, error
 * mapping), mirroring the result into the cell: `queued` before the request, then `synced` with
 * the record id or `failed` with the provider's error text. Reruns skip rows already synced with
 * the same input, so an interrupted run resumes where it stopped.
 *
 * @module
 */

import {
  type ActionDefinition,
  type Connection,
  type JsonSchema,
  NotFoundError,
  OxygenError,
  type ProviderDefinition,
  ValidationError,
} from '@oxygen/core';
import type { Selectable } from 'kysely';
import type { DryRunReport, RunReport } from '../runtime.js';
import type { TableCellsTable, TableColumnsTable, TableRowsTable } from '../store/types.js';
import type { TablesHost } from './host.js';
import {
  type ActionColumnStored,
  chunks,
  type LoadedTable,
  loadCells,
  loadColumns,
  now,
  parseJson,
  type StoredProvenance,
  toCell,
  type WaterfallColumnStored,
} from './records.js';
import { resolveStep } from './resolve.js';
import { hashOf, isEmptyResult, pick, renderMap, templateRefs } from './template.js';
import type {
  Cell,
  CellErrorInfo,
  CellValue,
  ColumnDryRunReport,
  ColumnMap,
  ColumnRunFailure,
  ColumnRunOptions,
  ColumnRunProgress,
  ColumnRunReport,
  DryRunRow,
  WaterfallStepTrace,
} from './types.js';
import { loadWaterfall } from './waterfalls.js';
import { bindConditions, conditionsOf, matches } from './where.js';

/** Rows read per query while scanning. */
const SCAN_PAGE = 500;
/** Rows prepared (and written `queued`) at a time while running. */
const RUN_CHUNK = 100;
/** Error codes that would fail every row the same way: the run stops at the first. */
const HALTING = new Set(['auth', 'insufficient_credits', 'config']);
/** Most concurrent rows. */
const MAX_CONCURRENCY = 32;
/** Failures listed in a report. */
const MAX_FAILURES = 20;

/** One action a column runs per row (one for an action column, each step of a waterfall). */
interface Step {
  index: number;
  connection: Connection;
  provider: ProviderDefinition;
  // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
  action: ActionDefinition<any, any>;
  map: ColumnMap;
  inputSchema: JsonSchema;
}

/** Everything a run needs, resolved once. */
interface Plan {
  table: LoadedTable;
  column: Selectable<TableColumnsTable>;
  computed: Selectable<TableColumnsTable>[];
  steps: Step[];
  /** Action columns: the output path stored as value (else the mirror's record id). */
  output: string | null;
  recordLabel: string | null;
  waterfall: { id: string; name: string; output: string } | null;
  /** Computed columns the maps read (their cells' values feed the inputs). */
  mapColumns: Selectable<TableColumnsTable>[];
}

/** A row ready to run: its rendered inputs and hash. */
interface Prepared {
  row: Selectable<TableRowsTable>;
  inputs: Record<string, unknown>[];
  hash: string;
  recordEmail: string | null;
  previous: Selectable<TableCellsTable> | undefined;
}

type CellRecord = Omit<TableCellsTable, 'events'>;

function errorInfo(error: unknown): CellErrorInfo {
  if (OxygenError.isInstance(error)) {
    const info: CellErrorInfo = { code: error.code, message: error.message };
    if (error.providerMessage) info.provider_message = error.providerMessage;
    if (error.status !== undefined) info.status = error.status;
    if (error.requestId) info.request_id = error.requestId;
    if (error.field) info.field = error.field;
    return info;
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) };
}

/** The cell's `error`: the provider's own text when a provider answered, else Oxygen's message. */
function errorText(info: CellErrorInfo): string {
  return info.provider_message ?? info.message;
}

function valueText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The email a write's input names (`email`, or another field named like one), lower-cased. */
function emailOf(input: Record<string, unknown>): string | null {
  const direct = input.email;
  if (typeof direct === 'string' && direct.includes('@')) return direct.trim().toLowerCase();
  for (const [key, value] of Object.entries(input)) {
    if (/email/i.test(key) && typeof value === 'string' && value.includes('@'))
      return value.trim().toLowerCase();
  }
  return null;
}

function isForeignKeyError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** Resolves everything a run of `column` needs. */
async function plan(
  host: TablesHost,
  table: LoadedTable,
  column: Selectable<TableColumnsTable>,
): Promise<Plan> {
  const computed = await loadColumns(host.store.db, table.row.id);
  const where = `column ${column.name} of table ${table.row.name}`;
  const steps: Step[] = [];
  let output: string | null = null;
  let recordLabel: string | null = null;
  let waterfall: Plan['waterfall'] = null;
  if (column.kind === 'waterfall') {
    const spec = parseJson<WaterfallColumnStored>(column.spec, { waterfall_id: '', map: null });
    const wf = await loadWaterfall(host, spec.waterfall_id);
    waterfall = { id: wf.id, name: wf.name, output: wf.output };
    recordLabel = wf.output;
    for (const [i, s] of wf.steps.entries()) {
      const resolved = await resolveStep(
        host,
        s.integration,
        s.action,
        `step ${i + 1} of waterfall ${wf.name}`,
      );
      steps.push({ ...resolved, index: i, map: (s.map ?? spec.map ?? {}) as ColumnMap });
    }
  } else {
    const spec = parseJson<ActionColumnStored>(column.spec, {} as ActionColumnStored);
    const resolved = await resolveStep(host, spec.integration, spec.action, where);
    steps.push({ ...resolved, index: 0, map: spec.map });
    output = spec.output;
    recordLabel = spec.record_label;
  }
  const refs = new Set(steps.flatMap((s) => templateRefs(s.map)));
  const mapColumns = computed.filter((c) => refs.has(c.name) && c.id !== column.id);
  return { table, column, computed, steps, output, recordLabel, waterfall, mapColumns };
}

/** The values a row's maps read: data values and the values of computed cells. */
function rowValues(
  plan: Plan,
  row: Selectable<TableRowsTable>,
  cells: Map<string, Selectable<TableCellsTable>> | undefined,
): Record<string, CellValue> {
  const values = parseJson<Record<string, CellValue>>(row.data, {});
  for (const c of plan.mapColumns) values[c.name] = cells?.get(c.id)?.value ?? null;
  return values;
}

/** Renders a row's inputs and their hash. */
function prepare(
  plan: Plan,
  row: Selectable<TableRowsTable>,
  cells: Map<string, Selectable<TableCellsTable>> | undefined,
): Prepared {
  const values = rowValues(plan, row, cells);
  const inputs = plan.steps.map((s) => renderMap(s.map, values, s.inputSchema));
  const hash = plan.waterfall
    ? hashOf({
        waterfall: plan.waterfall.id,
        output: plan.waterfall.output,
        steps: plan.steps.map((s, i) => ({
          connection: s.connection.id,
          action: s.action.slug,
          input: inputs[i],
        })),
      })
    : hashOf({
        connection: plan.steps[0]!.connection.id,
        action: plan.steps[0]!.action.slug,
        input: inputs[0],
      });
  return {
    row,
    inputs,
    hash,
    recordEmail: plan.waterfall ? null : emailOf(inputs[0]!),
    previous: cells?.get(plan.column.id),
  };
}

/** Whether a row is done for this input: synced by a run with the same hash. */
function isDone(item: Prepared): boolean {
  return item.previous?.status === 'synced' && item.previous.input_hash === item.hash;
}

/**
 * Whether a row synced with an older input must not be sent again: the action writes without
 * being an upsert (not `idempotent`), so sending it again would make a second record.
 */
function isStale(plan: Plan, item: Prepared): boolean {
  const action = plan.steps[0]!.action;
  return (
    !plan.waterfall &&
    action.effect === 'write' &&
    action.idempotent !== true &&
    item.previous?.status === 'synced' &&
    item.previous.value !== null &&
    item.previous.input_hash !== item.hash
  );
}

/** Row pages of the table (or of the given ids, which must all exist), in row order. */
async function* rowPages(
  host: TablesHost,
  table: LoadedTable,
  ids: readonly string[] | undefined,
): AsyncGenerator<Selectable<TableRowsTable>[]> {
  const db = host.store.db;
  if (ids) {
    const sorted = [...new Set(ids)].sort();
    for (const part of chunks(sorted, SCAN_PAGE)) {
      const rows = await db
        .selectFrom('table_rows')
        .selectAll()
        .where('table_id', '=', table.row.id)
        .where('id', 'in', part)
        .orderBy('id')
        .execute();
      if (rows.length !== part.length) {
        const have = new Set(rows.map((r) => r.id));
        const missing = part.filter((id) => !have.has(id));
        throw new NotFoundError(
          `Table ${table.row.name} has no row ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` (and ${missing.length - 5} more)` : ''}.`,
          { field: 'rows', hint: `Run \`oxygen tables show ${table.row.name}\` to see the row ids.` },
        );
      }
      yield rows;
    }
    return;
  }
  let after: string | undefined;
  for (;;) {
    let query = db.selectFrom('table_rows').selectAll().where('table_id', '=', table.row.id);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.orderBy('id').limit(SCAN_PAGE).execute();
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < SCAN_PAGE) return;
    after = rows.at(-1)!.id;
  }
}

/** Writes cells (insert or replace everything but the events, which only provider events write). */
async function upsertCells(host: TablesHost, cells: readonly CellRecord[]): Promise<void> {
  if (cells.length === 0) return;
  await host.store.db
    .insertInto('table_cells')
    .values(cells.map((c) => ({ ...c, events: null })))
    .onConflict((oc) =>
      oc.columns(['row_id', 'column_id']).doUpdateSet((eb) => ({
        connection_id: eb.ref('excluded.connection_id'),
        value: eb.ref('excluded.value'),
        record_email: eb.ref('excluded.record_email'),
        status: eb.ref('excluded.status'),
        error: eb.ref('excluded.error'),
        input_hash: eb.ref('excluded.input_hash'),
        provenance: eb.ref('excluded.provenance'),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}

/**
 * Writes finished cells with group commit: a row's write waits for the next flush, and every
 * cell finished while a flush is running goes into the one after it, so concurrent rows share a
 * transaction (one fsync) instead of one each. A row's result is stored before its worker moves
 * on, so a killed run never loses a finished row.
 */
class CellWriter {
  private buffer: { cell: CellRecord; done: () => void; fail: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(private readonly host: TablesHost) {}

  write(cell: CellRecord): Promise<void> {
    return new Promise((done, fail) => {
      this.buffer.push({ cell, done, fail });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0);
        try {
          await upsertCells(
            this.host,
            batch.map((b) => b.cell),
          );
          for (const b of batch) b.done();
        } catch {
          // One bad cell (its row deleted meanwhile) must not fail the others: write them one by one.
          for (const b of batch) {
            try {
              await upsertCells(this.host, [b.cell]);
              b.done();
            } catch (error) {
              if (isForeignKeyError(error)) b.done();
              else b.fail(error);
            }
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

function checkConcurrency(value: number | undefined): number {
  if (value === undefined) return 4;
  if (!Number.isInteger(value) || value < 1 || value > MAX_CONCURRENCY) {
    throw new ValidationError(
      `concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}, not ${value}.`,
      {
        field: 'concurrency',
      },
    );
  }
  return value;
}

/**
 * Runs (or dry-runs) a computed column over the table's rows. See `OrgColumns.run`.
 *
 * @internal
 */
export async function runColumn(
  host: TablesHost,
  table: LoadedTable,
  column: Selectable<TableColumnsTable>,
  options: ColumnRunOptions,
): Promise<ColumnRunReport | ColumnDryRunReport> {
  const started = performance.now();
  const concurrency = checkConcurrency(options.concurrency);
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 1)) {
    throw new ValidationError(`limit must be a whole number of rows, not ${options.limit}.`, {
      field: 'limit',
    });
  }
  if (
    options.rows !== undefined &&
    (!Array.isArray(options.rows) || options.rows.some((r) => typeof r !== 'string'))
  ) {
    throw new ValidationError('rows must be a list of row ids.', { field: 'rows' });
  }
  const p = await plan(host, table, column);
  const bound = bindConditions(conditionsOf(options.where), table.columns, p.computed);
  const db = host.store.db;
  const cellColumns = [
    ...new Set([
      p.column.id,
      ...p.mapColumns.map((c) => c.id),
      ...bound.flatMap((b) => (b.source.kind === 'cell' ? [b.source.columnId] : [])),
    ]),
  ];

  // Pass 1: which rows the run covers and which of them are already done. Only ids are kept.
  const toRun: string[] = [];
  let skipped = 0;
  let stale = 0;
  scan: for await (const page of rowPages(host, table, options.rows)) {
    const cells = await loadCells(
      db,
      page.map((r) => r.id),
      cellColumns,
    );
    for (const row of page) {
      const byColumn = cells.get(row.id);
      const data = parseJson<Record<string, CellValue>>(row.data, {});
      const cellOf = (id: string): Cell | undefined => {
        const c = byColumn?.get(id);
        return c && toCell(c);
      };
      if (!matches(bound, data, cellOf)) continue;
      const item = prepare(p, row, byColumn);
      if (!options.force && (isDone(item) || isStale(p, item))) {
        skipped++;
        if (!isDone(item)) stale++;
        continue;
      }
      toRun.push(row.id);
      if (options.limit !== undefined && toRun.length >= options.limit) break scan;
    }
  }

  /** Loads a chunk of rows by id with the cells the run reads, in the order given. */
  const loadChunk = async (ids: readonly string[]) => {
    const rows = await db
      .selectFrom('table_rows')
      .selectAll()
      .where('table_id', '=', table.row.id)
      .where('id', 'in', [...ids])
      .execute();
    const byId = new Map(rows.map((r) => [r.id, r]));
    const cells = await loadCells(db, ids, cellColumns);
    return ids.flatMap((id) => {
      const row = byId.get(id);
      return row ? [prepare(p, row, cells.get(id))] : []; // a row deleted since the scan is left out
    });
  };

  if (options.dryRun) return dryRun(host, p, toRun, skipped, stale, loadChunk);

  const total = toRun.length + skipped;
  const counts = { synced: 0, failed: 0, running: 0, sent: 0 };
  let credits = 0;
  let actionMs = 0;
  const failures: ColumnRunFailure[] = [];
  let halted: CellErrorInfo | null = null;
  let crashed: { error: unknown } | undefined;
  const signal = options.signal;
  const stopped = () => halted !== null || crashed !== undefined || signal?.aborted === true;
  const progress = () =>
    options.onProgress?.({
      total,
      done: counts.synced + counts.failed + skipped,
      synced: counts.synced,
      failed: counts.failed,
      skipped,
      running: counts.running,
    } satisfies ColumnRunProgress);
  progress();

  const base = (
    item: Prepared,
    at: string,
  ): Omit<CellRecord, 'status' | 'error' | 'provenance' | 'value' | 'connection_id'> => ({
    row_id: item.row.id,
    column_id: p.column.id,
    organization_id: host.organizationId,
    table_id: table.row.id,
    record_email: item.recordEmail,
    input_hash: item.hash,
    updated_at: at,
  });
  const previousSyncedAt = (item: Prepared): string | null =>
    item.previous
      ? (parseJson<StoredProvenance>(item.previous.provenance, {} as StoredProvenance).outputs
          ?.last_synced_at ?? null)
      : null;
  const provenanceBase = (item: Prepared, queuedAt: string): StoredProvenance => ({
    outputs: { sync_status: 'queued', last_synced_at: previousSyncedAt(item) },
    kind: column.kind,
    integration: p.waterfall ? null : p.steps[0]!.provider.id,
    connection_id: p.waterfall ? null : p.steps[0]!.connection.id,
    auth_mode: p.waterfall ? null : p.steps[0]!.connection.auth_mode,
    action: p.waterfall ? null : p.steps[0]!.action.slug,
    record_label: p.recordLabel,
    credits: 0,
    request_ids: [],
    duration_ms: null,
    input_hash: item.hash,
    queued_at: queuedAt,
    attempted_at: null,
    error: null,
    ...(p.waterfall ? { waterfall: p.waterfall.name, steps: [] } : {}),
  });
  const queuedAt = new Map<string, string>();

  // Rows written `queued` but not yet started: put back as they were if the run stops.
  const pending = new Set<Prepared>();
  async function* items(): AsyncGenerator<Prepared> {
    for (const ids of chunks(toRun, RUN_CHUNK)) {
      if (stopped()) return;
      const ready: Prepared[] = [];
      for (const item of await loadChunk(ids)) {
        if (!options.force && (isDone(item) || isStale(p, item))) {
          skipped++; // another run finished it since the scan
          if (!isDone(item)) stale++;
          continue;
        }
        ready.push(item);
      }
      const at = now();
      for (const item of ready) queuedAt.set(item.row.id, at);
      await upsertCells(
        host,
        ready.map((item) => ({
          ...base(item, at),
          connection_id: p.waterfall ? null : p.steps[0]!.connection.id,
          value: item.previous?.value ?? null,
          status: 'queued',
          error: null,
          provenance: JSON.stringify(provenanceBase(item, at)),
        })),
      );
      for (const item of ready) pending.add(item);
      for (const item of ready) {
        if (stopped()) return;
        yield item;
      }
    }
  }

  const writer = new CellWriter(host);

  /** Runs a row's action; answers the cell to store. */
  const runAction = async (item: Prepared): Promise<CellRecord> => {
    const step = p.steps[0]!;
    const attemptedAt = now();
    const t0 = performance.now();
    const prov = provenanceBase(item, queuedAt.get(item.row.id) ?? attemptedAt);
    prov.attempted_at = attemptedAt;
    try {
      const report = (await host.org.run(step.connection.id, step.action.slug, item.inputs[0])) as RunReport;
      const at = now();
      const value = p.output
        ? pick(report.output, p.output)
        : step.action.mirror?.recordId(report.output as never);
      credits += report.credits;
      actionMs += report.duration_ms;
      counts.synced++;
      return {
        ...base(item, at),
        connection_id: step.connection.id,
        value: valueText(value),
        status: 'synced',
        error: null,
        provenance: JSON.stringify({
          ...prov,
          outputs: { sync_status: 'synced', last_synced_at: at },
          auth_mode: report.integration.auth_mode,
          credits: report.credits,
          request_ids: report.request_ids,
          duration_ms: report.duration_ms,
        } satisfies StoredProvenance),
      };
    } catch (error) {
      const info = errorInfo(error);
      const duration = Math.round(performance.now() - t0);
      actionMs += duration;
      counts.failed++;
      if (failures.length < MAX_FAILURES)
        failures.push({ row_id: item.row.id, error: errorText(info), code: info.code });
      if (HALTING.has(info.code) && !halted) halted = info;
      return {
        ...base(item, now()),
        connection_id: step.connection.id,
        value: item.previous?.value ?? null,
        status: 'failed',
        error: errorText(info),
        provenance: JSON.stringify({
          ...prov,
          outputs: { sync_status: 'failed', last_synced_at: previousSyncedAt(item) },
          request_ids: info.request_id ? [info.request_id] : [],
          duration_ms: duration,
          error: info,
        } satisfies StoredProvenance),
      };
    }
  };

  /** Runs a row's waterfall steps in order until one finds the output; answers the cell to store. */
  const runWaterfall = async (item: Prepared): Promise<CellRecord> => {
    const wf = p.waterfall!;
    const attemptedAt = now();
    const traces: WaterfallStepTrace[] = [];
    let found: { value: unknown; step: Step; auth: Connection['auth_mode'] } | undefined;
    for (const step of p.steps) {
      const t0 = performance.now();
      const trace: WaterfallStepTrace = {
        step: step.index + 1,
        integration: step.provider.id,
        connection_id: step.connection.id,
        auth_mode: step.connection.auth_mode,
        action: step.action.slug,
        outcome: 'failed',
        reason: null,
        error: null,
        credits: 0,
        request_ids: [],
        duration_ms: 0,
      };
      try {
        const report = (await host.org.run(
          step.connection.id,
          step.action.slug,
          item.inputs[step.index],
        )) as RunReport;
        const value = pick(report.output, wf.output);
        trace.credits = report.credits;
        trace.request_ids = report.request_ids;
        trace.duration_ms = report.duration_ms;
        credits += report.credits;
        if (isEmptyResult(value)) {
          trace.outcome = 'empty';
          trace.reason = `returned no ${wf.output}`;
        } else {
          trace.outcome = 'found';
          found = { value, step, auth: report.integration.auth_mode };
        }
      } catch (error) {
        const info = errorInfo(error);
        trace.outcome = 'failed';
        trace.reason = errorText(info);
        trace.error = info;
        trace.request_ids = info.request_id ? [info.request_id] : [];
        trace.duration_ms = Math.round(performance.now() - t0);
      }
      actionMs += trace.duration_ms;
      traces.push(trace);
      if (found) break;
    }
    const at = now();
    const failedSteps = traces.filter((t) => t.outcome === 'failed');
    // Every step answering "nothing" is a finished lookup (synced, no value); a failure is retried.
    const status = found || failedSteps.length === 0 ? 'synced' : 'failed';
    const error =
      status === 'failed'
        ? `No step returned ${wf.output}: ${traces.map((t) => `step ${t.step} ${t.integration} ${t.action}: ${t.reason}`).join('; ')}`
        : null;
    if (status === 'synced') counts.synced++;
    else {
      counts.failed++;
      if (failures.length < MAX_FAILURES)
        failures.push({ row_id: item.row.id, error: error!, code: failedSteps[0]!.error!.code });
    }
    const prov: StoredProvenance = {
      ...provenanceBase(item, queuedAt.get(item.row.id) ?? attemptedAt),
      outputs: { sync_status: status, last_synced_at: status === 'synced' ? at : previousSyncedAt(item) },
      integration: found?.step.provider.id ?? null,
      connection_id: found?.step.connection.id ?? null,
      auth_mode: found?.auth ?? null,
      action: found?.step.action.slug ?? null,
      credits: traces.reduce((n, t) => n + t.credits, 0),
      request_ids: traces.flatMap((t) => t.request_ids),
      duration_ms: traces.reduce((n, t) => n + t.duration_ms, 0),
      attempted_at: attemptedAt,
      error: status === 'failed' ? failedSteps.at(-1)!.error : null,
      steps: traces,
    };
    return {
      ...base(item, at),
      connection_id: null,
      value: found ? valueText(found.value) : status === 'synced' ? null : (item.previous?.value ?? null),
      status,
      error,
      provenance: JSON.stringify(prov),
    };
  };

  const source = items();
  const worker = async () => {
    // A row's cell is stored while the worker runs its next row (the writes of concurrent rows
    // share a transaction); the worker waits for it before the row after. So at most one finished
    // row per worker is not yet stored at any moment: were the process killed then, that row is
    // sent again on resume (an upsert), never a row whose result was stored.
    let stored: Promise<void> = Promise.resolve();
    try {
      for (;;) {
        if (stopped()) return;
        const next = await source.next();
        if (next.done) return;
        const item = next.value;
        if (stopped()) return; // left in `pending`: restored below
        pending.delete(item);
        counts.running++;
        counts.sent++;
        progress();
        let cell: CellRecord;
        try {
          cell = await (p.waterfall ? runWaterfall(item) : runAction(item));
        } finally {
          counts.running--;
        }
        const write = writer.write(cell);
        write.catch(() => {}); // awaited below; this only keeps it from being "unhandled" meanwhile
        await stored;
        stored = write;
        progress();
      }
    } finally {
      await stored;
    }
  };
  try {
    // A worker that throws (the store failing) stops the others; they finish their rows first.
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(concurrency, Math.max(toRun.length, 1)) }, () =>
        worker().catch((error: unknown) => {
          crashed ??= { error };
          throw error;
        }),
      ),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
  } finally {
    await source.return(undefined);
    // Rows written `queued` that never started go back to what they were.
    const restore = [...pending];
    pending.clear();
    const back = restore.flatMap((i) => (i.previous ? [i.previous] : []));
    if (back.length > 0)
      await upsertCells(
        host,
        back.map(({ events: _e, ...c }) => c),
      );
    for (const part of chunks(
      restore.filter((i) => !i.previous).map((i) => i.row.id),
      500,
    )) {
      await db
        .deleteFrom('table_cells')
        .where('column_id', '=', p.column.id)
        .where('row_id', 'in', part)
        .execute();
    }
  }
  const elapsed = Math.round(performance.now() - started);
  const finished = counts.synced + counts.failed;
  return {
    dry_run: false,
    table: table.row.name,
    column: column.name,
    total,
    sent: counts.sent,
    synced: counts.synced,
    failed: counts.failed,
    skipped,
    stale,
    remaining: Math.max(0, total - finished - skipped),
    aborted: signal?.aborted === true && total - finished - skipped > 0,
    halted,
    credits,
    elapsed_ms: elapsed,
    action_ms: actionMs,
    rows_per_second: elapsed > 0 ? Math.round((finished / elapsed) * 1000 * 10) / 10 : finished,
    failures,
  };
}

/** A dry run: each row's requests, nothing sent, nothing written. */
async function dryRun(
  host: TablesHost,
  p: Plan,
  toRun: readonly string[],
  skipped: number,
  stale: number,
  loadChunk: (ids: readonly string[]) => Promise<Prepared[]>,
): Promise<ColumnDryRunReport> {
  const rows: DryRunRow[] = [];
  const dry = async (step: Step, input: unknown) => {
    try {
      const r = (await host.org.run(step.connection.id, step.action.slug, input, {
        dryRun: true,
      })) as DryRunReport;
      return { input: r.input, requests: r.requests, credits: r.credits, error: null };
    } catch (error) {
      return { input, requests: [], credits: 0, error: errorText(errorInfo(error)) };
    }
  };
  for (const ids of chunks(toRun, RUN_CHUNK)) {
    for (const item of await loadChunk(ids)) {
      if (p.waterfall) {
        const steps = [];
        for (const step of p.steps) {
          const r = await dry(step, item.inputs[step.index]);
          steps.push({ step: step.index + 1, integration: step.provider.id, action: step.action.slug, ...r });
        }
        rows.push({
          row_id: item.row.id,
          credits: steps.reduce((n, s) => n + s.credits, 0),
          steps,
          error: steps.every((s) => s.error) ? (steps[0]?.error ?? null) : null,
        });
      } else {
        const r = await dry(p.steps[0]!, item.inputs[0]);
        rows.push({
          row_id: item.row.id,
          input: r.input,
          requests: r.requests,
          credits: r.credits,
          error: r.error,
        });
      }
    }
  }
  return {
    dry_run: true,
    table: p.table.row.name,
    column: p.column.name,
    total: toRun.length + skipped,
    skipped,
    stale,
    rows,
  };
}
