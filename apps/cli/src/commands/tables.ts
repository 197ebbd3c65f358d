/**
 * `oxygen tables ...`: an organization's tables (rows with stable ids, CSV import and export) and
 * the readable rendering of their action and waterfall cells. Tables live in the local store for
 * now: through a shared server (`OXYGEN_API_URL`, `oxygen login`) these commands refuse to run.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ConfigError, ValidationError } from '@oxygen/core';
import {
  type Cell,
  type OrgRuntime,
  oxygenHome,
  type Runtime,
  type TableInfo,
  type TableRow,
} from '@oxygen/runtime';
import { withOrg } from '../context.js';
import { type Globals, printJson, printLines, table, when } from '../output.js';

/**
 * Runs `fn` on the local store's organization. Tables, columns and waterfalls are not served by
 * the HTTP API yet, so with a server configured this is a config error rather than a silent
 * switch to a local store that holds none of the server's integrations.
 */
export async function withLocalOrg<T>(
  globals: Globals,
  command: string,
  fn: (org: OrgRuntime, runtime: Runtime) => Promise<T>,
): Promise<T> {
  const env = process.env;
  if (env.OXYGEN_API_URL || env.OXYGEN_API_TOKEN || existsSync(join(oxygenHome(env), 'api.json'))) {
    const { readSession } = await import('../client/session.js');
    const session = readSession(env);
    if (session) {
      throw new ConfigError(
        `Tables, columns and waterfalls are local-only for now: \`oxygen ${command}\` cannot run through the server at ${session.apiUrl}.`,
        {
          hint:
            session.source === 'env'
              ? 'Unset OXYGEN_API_URL and OXYGEN_API_TOKEN to use the local store (its integrations are the ones `oxygen integrations list` shows then).'
              : 'Run `oxygen logout` to use the local store (its integrations are the ones `oxygen integrations list` shows then).',
        },
      );
    }
  }
  return withOrg(globals, fn);
}

/**
 * Stops long work cleanly on Ctrl-C (SIGINT) or SIGTERM: the first signal aborts `signal` and
 * says so on stderr; a second one exits at once (status 130).
 */
export function interruptible(stopping: string): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) {
      process.stderr.write('\nStopped.\n');
      process.exit(130);
    }
    controller.abort();
    process.stderr.write(`\n${stopping} (press Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** Parses a whole-number flag in a range. */
export function wholeNumber(
  flag: string,
  text: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ValidationError(`${flag} must be a whole number from ${min} to ${max}, not "${text}".`, {
      field: flag.replace(/^--/, ''),
    });
  }
  return n;
}

/** Splits `a,b, c` into names (empty parts dropped). */
export function list(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * A computed cell for people: `synced 12345`, `failed: <the provider's error>`, `queued`; a
 * waterfall value says which step found it. Empty for a row the column never ran on.
 */
export function renderCell(cell: Cell | undefined): string {
  if (!cell) return '';
  const p = cell.provenance;
  const status = p.outputs.sync_status;
  if (status === 'failed') return `failed: ${cell.error ?? 'unknown error'}`;
  if (status === 'queued') return 'queued';
  if (p.kind === 'waterfall') {
    const found = p.steps?.find((s) => s.outcome === 'found');
    return cell.value === null
      ? 'synced, nothing found'
      : `synced ${cell.value}${found ? ` (step ${found.step} ${found.integration})` : ''}`;
  }
  return cell.value === null ? 'synced' : `synced ${cell.value}`;
}

/** A data value for people: text as it is, JSON for the rest, empty for no value. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Cuts a cell to `max` characters on one line, so a wide table stays readable. */
function clip(text: string, max = 40): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function columnSummary(t: TableInfo): string {
  if (t.columns.length === 0) return '-';
  const names = t.columns.map((c) => (c.kind === 'data' ? c.name : `${c.name} (${c.kind})`)).join(', ');
  return clip(names, 60);
}

/** `oxygen tables create <name> [--columns a,b]` */
export async function create(globals: Globals, name: string, options: { columns?: string }): Promise<void> {
  const columns = list(options.columns);
  await withLocalOrg(globals, 'tables create', async (org) => {
    const t = await org.tables.create(name, columns ? { columns } : {});
    if (globals.json) return printJson(t);
    printLines(
      `Created table ${t.name} (${t.id}) in organization ${t.organization_id}${columns?.length ? ` with columns ${columns.join(', ')}` : ''}.`,
      `Import rows: oxygen tables import ${quote(t.name)} --csv <file>`,
    );
  });
}

/** Quotes a name for a shell command line when it needs it. */
export function quote(name: string): string {
  return /^[A-Za-z0-9_.:-]+$/.test(name) ? name : `'${name.replace(/'/g, "'\\''")}'`;
}

/** `oxygen tables import <name> --csv <file> [--create|--no-create] [--delimiter ,]` */
export async function importCsv(
  globals: Globals,
  name: string,
  options: { csv?: string; create?: boolean; delimiter?: string },
): Promise<void> {
  if (!options.csv) {
    throw new ValidationError(
      '--csv <file> is required: the CSV file to import (its header row names the columns).',
      {
        field: 'csv',
        hint: `For example: oxygen tables import ${quote(name)} --csv leads.csv`,
      },
    );
  }
  const file = options.csv;
  await withLocalOrg(globals, 'tables import', async (org) => {
    const progress = importProgress(globals);
    const stop = interruptible('Stopping the import: what it stored is removed again.');
    let result: Awaited<ReturnType<typeof org.tables.importCsv>>;
    try {
      result = await org.tables.importCsv(name, file === '-' ? process.stdin : file, {
        create: options.create !== false,
        delimiter: options.delimiter,
        onProgress: progress.update,
        signal: stop.signal,
      });
    } finally {
      stop.dispose();
      progress.end();
    }
    if (globals.json) return printJson(result);
    const t = result.table;
    printLines(
      `${result.created ? `Created table ${t.name} and imported` : `Imported`} ${plural(result.inserted, 'row')}${result.created ? '' : ` into ${t.name}`}; it has ${plural(t.row_count, 'row')}.`,
      `Columns: ${result.columns.join(', ')}${result.new_columns.length && !result.created ? ` (new: ${result.new_columns.join(', ')})` : ''}.`,
      `See them: oxygen tables show ${quote(t.name)}`,
    );
  });
}

/**
 * `imported N rows…` on stderr while a big file loads: rewritten in place on a terminal, a line
 * every two seconds otherwise; nothing with --json unless stderr is a terminal.
 */
function importProgress(globals: Globals): { update: (rows: number) => void; end: () => void } {
  const tty = !!process.stderr.isTTY;
  if (globals.json && !tty) return { update: () => {}, end: () => {} };
  let open = false;
  let last = tty ? 0 : Date.now(); // plain lines start after two seconds: a small file prints none
  return {
    update: (rows) => {
      const now = Date.now();
      if (now - last < (tty ? 100 : 2000)) return;
      last = now;
      const line = `imported ${plural(rows, 'row')}…`;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line}`);
        open = true;
      } else process.stderr.write(`${line}\n`);
    },
    end: () => {
      if (open) process.stderr.write('\r\x1b[2K');
      open = false;
    },
  };
}

/** `oxygen tables list` */
export async function listTables(globals: Globals): Promise<void> {
  await withLocalOrg(globals, 'tables list', async (org) => {
    const tables = await org.tables.list();
    if (globals.json) return printJson(tables);
    if (tables.length === 0) {
      return printLines(
        `No tables in organization ${org.organizationId}. Import one: oxygen tables import leads --csv leads.csv`,
      );
    }
    printLines(
      table(
        ['NAME', 'ID', 'ROWS', 'COLUMNS', 'UPDATED'],
        tables.map((t) => [t.name, t.id, t.row_count, columnSummary(t), when(t.updated_at)]),
      ),
    );
  });
}

/** `oxygen tables show <name> [--limit n] [--offset n] [--after <row-id>]` */
export async function show(
  globals: Globals,
  name: string,
  options: { limit?: string; offset?: string; after?: string },
): Promise<void> {
  const limit = wholeNumber('--limit', options.limit, 1, 1000);
  const offset = wholeNumber('--offset', options.offset, 0, Number.MAX_SAFE_INTEGER);
  await withLocalOrg(globals, 'tables show', async (org) => {
    const page = await org.tables.show(name, { limit, offset, after: options.after });
    if (globals.json) return printJson(page);
    const t = page.table;
    if (page.total === 0) {
      return printLines(
        `Table ${t.name} has no rows. Import some: oxygen tables import ${quote(t.name)} --csv <file>`,
      );
    }
    if (page.rows.length === 0) {
      return printLines(`Table ${t.name} has ${plural(page.total, 'row')}; none past that point.`);
    }
    const data = t.columns.filter((c) => c.kind === 'data').map((c) => c.name);
    const computed = t.columns.filter((c) => c.kind !== 'data').map((c) => c.name);
    const rows = page.rows.map((r: TableRow) => [
      r.id,
      ...data.map((c) => clip(renderValue(r.values[c]))),
      ...computed.map((c) => clip(renderCell(r.cells[c]), 160)),
    ]);
    const first = (page.offset ?? 0) + 1;
    const last = first + page.rows.length - 1;
    const lines = [table(['ROW', ...data, ...computed], rows), ''];
    const total = page.total.toLocaleString('en-US');
    lines.push(
      page.offset === null
        ? `${plural(page.rows.length, 'row')} of ${total}.`
        : first === last
          ? `Row ${first.toLocaleString('en-US')} of ${total}.`
          : `Rows ${first.toLocaleString('en-US')}-${last.toLocaleString('en-US')} of ${total}.`,
    );
    if (page.next_cursor) {
      lines.push(
        `Next page: oxygen tables show ${quote(t.name)} --limit ${page.rows.length} --after ${page.next_cursor}`,
      );
    }
    if (computed.length > 0) lines.push('Full cells (provenance, request ids, errors): add --json.');
    printLines(...lines);
  });
}

/**
 * `oxygen tables export <name> [--csv]`: the table as CSV on stdout (the data columns, then
 * `<column>`, `<column>.sync_status`, `<column>.last_synced_at`, `<column>.error` for each action
 * or waterfall column), streamed a page of rows at a time. With `--json` and no `--csv`: one JSON
 * array of every row (`{id, values, cells, created_at, updated_at}`, the raw cells), also streamed.
 */
export async function exportTable(globals: Globals, name: string, options: { csv?: boolean }): Promise<void> {
  const asJson = globals.json && !options.csv;
  // `| head` closes stdout early: that ends the export quietly, as for any Unix filter.
  const closed = new Promise<void>((resolve) => {
    process.stdout.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') resolve();
    });
  });
  await withLocalOrg(globals, 'tables export', async (org) => {
    if (!asJson) {
      const csv = await org.tables.exportCsv(name);
      await Promise.race([pipeline(csv, process.stdout, { end: false }), closed]);
      csv.destroy();
      return;
    }
    const rows = org.tables.export(name);
    // The first row is read before anything is written, so an unknown table is an error with
    // nothing on stdout.
    const first = await rows.next();
    let open = true;
    void closed.then(() => {
      open = false;
    });
    const write = (text: string) =>
      new Promise<void>((resolve) => {
        if (!open || process.stdout.write(text)) return resolve();
        process.stdout.once('drain', resolve);
        void closed.then(resolve);
      });
    if (first.done) return write('[]\n');
    await write(`[\n${JSON.stringify(first.value)}`);
    for await (const row of rows) {
      if (!open) break;
      await write(`,\n${JSON.stringify(row)}`);
    }
    await write('\n]\n');
  });
}

/** `oxygen tables remove <name>` */
export async function remove(globals: Globals, name: string): Promise<void> {
  await withLocalOrg(globals, 'tables remove', async (org) => {
    const t = await org.tables.remove(name);
    if (globals.json) return printJson(t);
    printLines(
      `Removed table ${t.name} (${t.id}) with its ${plural(t.row_count, 'row')} and their cells; provider records the cells mirrored are not touched.`,
    );
  });
}
