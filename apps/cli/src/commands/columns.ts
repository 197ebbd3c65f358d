/**
 * `oxygen columns ...`: action and waterfall columns. `add` wires row values into an action's
 * input (checked against its input schema); `run` sends each row through the action, mirroring
 * the result into the cell, with a progress bar on stderr, a clean stop on Ctrl-C and resume on
 * the next run.
 *
 * Exit status of `run`: 0 when it ran to the end, even when some rows failed (the failures are
 * data: each failed cell holds the provider's error, the report counts and lists them, and the
 * human output says so); 130 when Ctrl-C stopped it (the report still prints; run again to
 * resume); the halting error's status (3 auth, 9 config, 11 credits) when an error every row
 * would repeat stopped it.
 */

import { ValidationError } from '@oxygen/core';
import {
  type ColumnDryRunReport,
  type ColumnInfo,
  type ColumnRunOptions,
  type ColumnRunProgress,
  type ColumnRunReport,
  parseWhere,
  type RowCondition,
  type Runtime,
} from '@oxygen/runtime';
import { parseJsonArg } from '../context.js';
import { EXIT_CODES } from '../errors.js';
import { type Globals, printJson, printLines, table, when } from '../output.js';
import { interruptible, list, quote, wholeNumber, withLocalOrg } from './tables.js';

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

const ADD_EXAMPLE = `oxygen columns add leads hubspot_contact_id --integration hubspot --action contact.upsert --map '{"email":"{{row.email}}","firstname":"{{row.first_name}}"}'`;

/**
 * `oxygen columns add <table> <column> --integration <id> --action <slug> --map <json> [--output <path>]`
 * or `--waterfall <name> [--map <json>]`.
 */
export async function add(
  globals: Globals,
  tableRef: string,
  column: string,
  options: { integration?: string; action?: string; map?: string; output?: string; waterfall?: string },
): Promise<void> {
  if (options.waterfall !== undefined) {
    const extra = (['integration', 'action', 'output'] as const).filter((k) => options[k] !== undefined);
    if (extra.length > 0) {
      throw new ValidationError(
        `--waterfall cannot be combined with ${extra.map((k) => `--${k}`).join(', ')}: a waterfall column runs the waterfall's own steps and output.`,
        {
          field: extra[0],
          hint: 'Give --waterfall <name> [--map <json>], or --integration, --action and --map for an action column.',
        },
      );
    }
  } else if (options.integration === undefined || options.action === undefined) {
    throw new ValidationError(
      `An action column needs ${options.integration === undefined ? '--integration <integration-id>' : '--action <slug>'} (or --waterfall <name> for a waterfall column).`,
      {
        field: options.integration === undefined ? 'integration' : 'action',
        hint: `For example: ${ADD_EXAMPLE}`,
      },
    );
  }
  const map = options.map === undefined ? undefined : await parseJsonArg('--map', options.map);
  if (map !== undefined && (typeof map !== 'object' || map === null || Array.isArray(map))) {
    throw new ValidationError('--map must be a JSON object of input field to template or value.', {
      field: 'map',
      hint: `For example: --map '{"email":"{{row.email}}"}'`,
    });
  }
  await withLocalOrg(globals, 'columns add', async (org) => {
    const info = await org.columns.add(
      tableRef,
      column,
      options.waterfall !== undefined
        ? { waterfall: options.waterfall, ...(map ? { map: map as Record<string, unknown> } : {}) }
        : {
            integration: options.integration!,
            action: options.action!,
            map: (map ?? {}) as Record<string, unknown>,
            ...(options.output !== undefined ? { output: options.output } : {}),
          },
    );
    if (globals.json) return printJson(info);
    const t = quote(tableRef);
    printLines(
      `Added ${describeColumn(info)}.`,
      `Nothing ran yet. Preview the requests: oxygen columns run ${t} ${quote(info.name)} --dry-run --limit 3`,
      `Then run it: oxygen columns run ${t} ${quote(info.name)}`,
    );
  });
}

/** One line about a column: what it runs and what its cells hold. */
function describeColumn(c: ColumnInfo): string {
  if (c.kind === 'waterfall') {
    return `waterfall column ${c.name}: runs waterfall ${c.waterfall}${c.map ? ` with map ${JSON.stringify(c.map)}` : ''}`;
  }
  const holds = c.record_label
    ? `; its cells hold ${c.record_label}`
    : '; its cells hold no value (give --output <path> for one)';
  return `action column ${c.name}: ${c.provider} ${c.action} through ${c.integration}, map ${JSON.stringify(c.map)}${holds}`;
}

/** `oxygen columns list <table>` */
export async function listColumns(globals: Globals, tableRef: string): Promise<void> {
  await withLocalOrg(globals, 'columns list', async (org) => {
    const columns = await org.columns.list(tableRef);
    if (globals.json) return printJson(columns);
    if (columns.length === 0) {
      return printLines(`Table ${tableRef} has no action or waterfall columns. Add one: ${ADD_EXAMPLE}`);
    }
    printLines(
      table(
        ['NAME', 'KIND', 'RUNS', 'VALUE', 'MAP', 'ADDED'],
        columns.map((c) => [
          c.name,
          c.kind,
          c.kind === 'action' ? `${c.integration} ${c.action}` : `waterfall ${c.waterfall}`,
          c.kind === 'action' ? c.record_label : null,
          c.map ? JSON.stringify(c.map) : null,
          when(c.created_at),
        ]),
      ),
    );
  });
}

/** `oxygen columns remove <table> <column>` */
export async function remove(globals: Globals, tableRef: string, column: string): Promise<void> {
  await withLocalOrg(globals, 'columns remove', async (org) => {
    const info = await org.columns.remove(tableRef, column);
    if (globals.json) return printJson(info);
    printLines(
      `Removed column ${info.name} and its cells from ${tableRef}; the provider records they mirrored are not touched.`,
    );
  });
}

interface RunFlags {
  rows?: string;
  where?: string[];
  limit?: string;
  dryRun?: boolean;
  concurrency?: string;
  force?: boolean;
}

/** `oxygen columns run <table> <column> [--rows ids] [--where cond]... [--limit n] [--dry-run] [--concurrency n] [--force]` */
export async function run(
  globals: Globals,
  tableRef: string,
  column: string,
  flags: RunFlags,
): Promise<void> {
  const rows = list(flags.rows);
  if (rows !== undefined && rows.length === 0) {
    throw new ValidationError('--rows needs row ids, comma-separated.', {
      field: 'rows',
      hint: 'Row ids are in `oxygen tables show <table> --json` (`rows[].id`).',
    });
  }
  if (rows !== undefined && flags.where?.length) {
    throw new ValidationError('Give --rows or --where, not both.', { field: 'where' });
  }
  const where: RowCondition[] | undefined = flags.where?.map(parseWhere);
  const options: ColumnRunOptions = {
    rows,
    where,
    limit: wholeNumber('--limit', flags.limit, 1, Number.MAX_SAFE_INTEGER),
    concurrency: wholeNumber('--concurrency', flags.concurrency, 1, 32),
    force: flags.force === true,
  };
  await withLocalOrg(globals, 'columns run', async (org, runtime) => {
    if (flags.dryRun) {
      const report = await org.columns.run(tableRef, column, { ...options, dryRun: true });
      if (globals.json) return printJson(report);
      return printDryRun(report);
    }
    const info = await org.columns.get(tableRef, column);
    const progress = await runProgress(globals, info.name);
    const stop = interruptible(
      'Stopping: the rows in flight finish and are recorded; run the same command again to resume.',
    );
    let report: ColumnRunReport;
    try {
      report = await org.columns.run(tableRef, column, {
        ...options,
        dryRun: false,
        onProgress: progress.update,
        signal: stop.signal,
      });
    } finally {
      stop.dispose();
      progress.end();
    }
    if (globals.json) printJson(report);
    else printLines(...(await summary(runtime, info, report)));
    if (report.halted) {
      process.stderr.write(
        `error: the run stopped: ${report.halted.provider_message ?? report.halted.message} Every other row would fail the same way; fix that and run again (rows already synced are skipped).\n`,
      );
      process.exitCode = EXIT_CODES[report.halted.code as keyof typeof EXIT_CODES] ?? 1;
    } else if (report.aborted) {
      process.exitCode = 130;
    }
  });
}

/**
 * Progress on stderr, never stdout: a bar (cli-progress) when stderr is a terminal; otherwise a
 * plain line every five seconds for people, and nothing with --json (a program reads the report).
 */
async function runProgress(
  globals: Globals,
  column: string,
): Promise<{ update: (p: ColumnRunProgress) => void; end: () => void }> {
  if (process.stderr.isTTY) {
    const { default: cliProgress } = await import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${column} [{bar}] {value}/{total} rows | {synced} synced, {failed} failed, {skipped} skipped | {rate} rows/s | ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    const started = performance.now();
    let begun = false;
    return {
      update: (p) => {
        const payload = {
          synced: p.synced,
          failed: p.failed,
          skipped: p.skipped,
          rate: ((p.synced + p.failed) / Math.max((performance.now() - started) / 1000, 0.001)).toFixed(1),
        };
        if (!begun) {
          bar.start(p.total, p.done, payload);
          begun = true;
        } else bar.update(p.done, payload);
      },
      end: () => {
        if (begun) bar.stop();
      },
    };
  }
  if (globals.json) return { update: () => {}, end: () => {} };
  // The first line after five seconds: a short run prints none.
  let last = Date.now();
  let printed = false;
  let latest: ColumnRunProgress | undefined;
  const line = (p: ColumnRunProgress) =>
    `${column}: ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} rows (${p.synced} synced, ${p.failed} failed, ${p.skipped} skipped)\n`;
  return {
    update: (p) => {
      latest = p;
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      printed = true;
      process.stderr.write(line(p));
    },
    end: () => {
      if (latest && printed) process.stderr.write(line(latest));
    },
  };
}

/** What a person reads after a run: counts, time and rate, the provider's limit, failures, what next. */
async function summary(runtime: Runtime, info: ColumnInfo, r: ColumnRunReport): Promise<string[]> {
  const t = quote(r.table);
  const c = quote(r.column);
  const runs = info.kind === 'action' ? `${info.provider} ${info.action}` : `waterfall ${info.waterfall}`;
  const lines = [`Ran ${r.column} (${runs}) on table ${r.table}: ${plural(r.total, 'row')}.`];
  lines.push(
    `  synced   ${r.synced.toLocaleString('en-US')}`,
    `  failed   ${r.failed.toLocaleString('en-US')}`,
    `  skipped  ${r.skipped.toLocaleString('en-US')} (already synced with the same input${r.stale ? `; ${r.stale} changed since, not re-sent because the action is not an upsert: --force sends them` : ''})`,
  );
  if (r.remaining > 0) lines.push(`  not run  ${r.remaining.toLocaleString('en-US')}`);
  if (r.sent > 0) {
    const seconds = r.elapsed_ms / 1000;
    lines.push(
      `Took ${seconds.toFixed(1)} s for ${plural(r.sent, 'row')} sent (${r.rows_per_second} rows/s)${r.credits ? `; ${plural(r.credits, 'credit')} charged` : ''}.`,
    );
    const limit = await rateLimitNote(runtime, info, r);
    if (limit) lines.push(limit);
  }
  if (r.failed > 0) {
    lines.push(
      '',
      `${plural(r.failed, 'row')} failed; each failed cell holds the provider's error:`,
      ...r.failures.map((f) => `  ${f.row_id}  ${f.error}`),
    );
    if (r.failed > r.failures.length) lines.push(`  ... and ${r.failed - r.failures.length} more.`);
    lines.push(
      `See them: oxygen tables show ${t}. Fix the rows, then run again: synced rows are skipped, failed ones are sent again.`,
    );
  }
  if (r.aborted) {
    lines.push(
      '',
      `Stopped before the end: ${plural(r.remaining, 'row')} not run. Run the same command again to resume (synced rows are skipped).`,
    );
  } else if (r.halted) {
    lines.push('', `Stopped by an error every row would repeat; ${plural(r.remaining, 'row')} not run.`);
  } else if (r.failed === 0 && r.sent > 0) {
    lines.push(`Every row sent is synced. See the cells: oxygen tables show ${t}`);
  } else if (r.sent === 0 && r.total > 0) {
    lines.push(
      `Nothing to send: every row is already synced with this input. --force sends them again: oxygen columns run ${t} ${c} --force`,
    );
  }
  return lines;
}

/** Says how the provider's declared rate limit bounds the run, when it did. */
async function rateLimitNote(runtime: Runtime, info: ColumnInfo, r: ColumnRunReport): Promise<string | null> {
  if (info.kind !== 'action') return null;
  const provider = await runtime.plugins.get(info.provider).catch(() => undefined);
  const burst = provider?.rateLimits?.filter((l) => !l.match && !l.methods?.length);
  if (!burst?.length) return null;
  const tightest = burst.reduce((a, b) => (a.limit / a.intervalMs <= b.limit / b.intervalMs ? a : b));
  const perSecond = (tightest.limit / tightest.intervalMs) * 1000;
  const declared =
    tightest.description ??
    `${provider!.name} allows ${tightest.limit} requests per ${tightest.intervalMs / 1000} s.`;
  const bound = r.sent > tightest.limit && r.rows_per_second >= perSecond * 0.6;
  return `Rate limit: ${declared.replace(/\.?$/, '.')} Oxygen keeps this connection within it (at most ${tightest.limit} requests per ${tightest.intervalMs / 1000} s: ${perSecond.toFixed(1)} rows/s on a long run)${bound ? ", and that is what set this run's pace" : ''}.`;
}

function printDryRun(r: ColumnDryRunReport): void {
  const lines = [
    `Dry run of ${r.column} on table ${r.table}: nothing was sent and nothing changed.`,
    `${plural(r.total, 'row')} covered, ${r.skipped.toLocaleString('en-US')} already synced with the same input (a run skips them), ${plural(r.rows.length, 'row')} would be sent.`,
  ];
  const shown = r.rows.slice(0, 3);
  for (const row of shown) {
    lines.push('', `row ${row.row_id}${row.error ? `: cannot be sent: ${row.error}` : ''}`);
    const requests = row.steps
      ? row.steps.flatMap((s) => [
          `  step ${s.step} ${s.integration} ${s.action}${s.error ? `: ${s.error}` : ''}`,
          ...s.requests.map(
            (q) => `    ${q.method} ${q.url} ${q.body === undefined ? '' : JSON.stringify(q.body)}`,
          ),
        ])
      : (row.requests ?? []).map(
          (q) => `  ${q.method} ${q.url} ${q.body === undefined ? '' : JSON.stringify(q.body)}`,
        );
    lines.push(...requests.map((l) => l.trimEnd()));
  }
  if (r.rows.length > shown.length)
    lines.push(
      '',
      `... and ${plural(r.rows.length - shown.length, 'more row')}; --json lists every row's requests.`,
    );
  const invalid = r.rows.filter((row) => row.error).length;
  if (invalid > 0)
    lines.push(
      '',
      `${plural(invalid, 'row')} cannot be sent as they are (their input is invalid); a run records them failed.`,
    );
  printLines(...lines);
}
