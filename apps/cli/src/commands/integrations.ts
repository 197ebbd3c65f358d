/** `oxygen integrations ...`: connections and the actions they run. */

import type { Connection } from '@oxygen/core';
import { NotFoundError, ValidationError } from '@oxygen/core';
import {
  collectAllPages,
  type DryRunReport,
  type OrgRuntime,
  type PageProgress,
  paginationOf,
  type RunReport,
} from '@oxygen/runtime';
import type { OrgBackend } from '../client/backend.js';
import { parseJsonArg, readStdin, withBackend } from '../context.js';
import { type Globals, printJson, printLines, table, when, withSpinner } from '../output.js';
import type { ConnectOAuthOptions } from './oauth-connect.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When an access token expires, relative to `now`: `in 59 days`, `in 5 hours`, `expired 2 days
 * ago`; `-` when it does not expire.
 */
export function expiresIn(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '-';
  const diff = at - now;
  const abs = Math.abs(diff);
  if (abs < MINUTE) return diff >= 0 ? 'in under a minute' : 'expired just now';
  const [n, unit] =
    abs >= 2 * DAY
      ? [Math.floor(abs / DAY), 'day']
      : abs >= 2 * HOUR
        ? [Math.floor(abs / HOUR), 'hour']
        : [Math.floor(abs / MINUTE), 'minute'];
  const span = `${n} ${unit}${n === 1 ? '' : 's'}`;
  return diff >= 0 ? `in ${span}` : `expired ${span} ago`;
}

function connectionRows(connections: Connection[]) {
  return table(
    ['ID', 'PROVIDER', 'MODE', 'STATUS', 'ACCOUNT', 'VERIFIED', 'EXPIRES', 'LAST ERROR'],
    connections.map((c) => [
      c.id,
      c.provider,
      c.auth_mode,
      c.status,
      c.account_label,
      when(c.last_verified_at),
      // A disconnected connection has no token left to expire.
      c.status === 'disconnected' ? '-' : expiresIn(c.expires_at),
      c.last_error ? c.last_error.slice(0, 60) : null,
    ]),
  );
}

/** `oxygen integrations list` */
export async function list(globals: Globals, options: { provider?: string }): Promise<void> {
  await withBackend(globals, async (org) => {
    const connections = await org.list(options.provider ? { provider: options.provider } : {});
    if (globals.json) return printJson(connections);
    if (connections.length === 0) {
      return printLines(
        `No integrations in organization ${org.organizationId}. Connect one: oxygen integrations connect hubspot`,
      );
    }
    printLines(connectionRows(connections));
  });
}

/** `oxygen integrations connect <provider>` */
export async function connect(
  globals: Globals,
  providerId: string,
  options: { apiKeyStdin?: boolean; authMode?: string } & ConnectOAuthOptions,
): Promise<void> {
  if (options.authMode && options.authMode !== 'byok' && options.authMode !== 'managed') {
    throw new ValidationError(`--auth-mode must be byok or managed, not "${options.authMode}".`, {
      field: 'auth-mode',
    });
  }
  await withBackend(globals, async (org, runtime) => {
    const provider = await runtime.provider(providerId);
    if (options.authMode === 'managed') {
      // The platform's key (OXYGEN_MANAGED_<PROVIDER>_KEY) is used: nothing is asked of the user.
      const managed = await withSpinner(globals, `Verifying with ${provider.name}…`, () =>
        org.connect(provider.id, { authMode: 'managed' }),
      );
      if (globals.json) return printJson(managed);
      return printLines(
        `Connected ${provider.name} in managed mode (${managed.account_label}) as ${managed.id}; calls are paid in credits (oxygen credits balance).`,
      );
    }
    const { chooseScheme, connectWithOAuth } = await import('./oauth-connect.js');
    if ((await chooseScheme(provider, options)) === 'oauth2') {
      const connection = await connectWithOAuth(globals, org, runtime, provider, options);
      if (globals.json) return printJson(connection);
      return printLines(
        `Connected ${provider.name} (${connection.account_label}) as ${connection.id} with OAuth.`,
      );
    }
    const apiKey = options.apiKeyStdin
      ? (await readStdin()).trim()
      : await promptForKey(provider.name, provider.auth.byok);
    const connection = await withSpinner(globals, `Verifying with ${provider.name}…`, () =>
      org.connect(provider.id, { apiKey, authMode: (options.authMode as 'byok' | undefined) ?? 'byok' }),
    );
    if (globals.json) return printJson(connection);
    printLines(`Connected ${provider.name} (${connection.account_label}) as ${connection.id}.`);
  });
}

async function promptForKey(name: string, schemes: { type: string; label: string }[]): Promise<string> {
  const scheme = schemes.find((s) => s.type === 'api_key');
  if (!scheme) return '';
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new ValidationError(`No ${scheme.label} given: stdin is not a terminal.`, {
      hint: `Pipe it in with --api-key-stdin (e.g. printf %s "$TOKEN" | oxygen integrations connect ... --api-key-stdin). Keys are never taken as flag values.${schemes.some((s) => s.type === 'oauth2') ? ' Or connect with OAuth: --oauth.' : ''}`,
    });
  }
  const { password, isCancel } = await import('@clack/prompts');
  const value = await password({ message: `${name} ${scheme.label}`, output: process.stderr, mask: '•' });
  if (isCancel(value)) throw new ValidationError('Cancelled; nothing was stored.');
  return value;
}

/** `oxygen integrations actions <integration-id>` */
export async function actions(globals: Globals, ref: string): Promise<void> {
  await withBackend(globals, async (org) => {
    const { integration, actions } = await org.actions(ref);
    if (globals.json) return printJson(actions);
    printLines(
      `${integration.provider} ${integration.id} (${integration.auth_mode}, ${integration.status})`,
      '',
      table(
        ['ACTION', 'EFFECT', 'MODES', 'CREDITS', 'TITLE'],
        actions.map((a) => [a.slug, a.effect, a.auth_modes.join(','), a.credits, a.title]),
      ),
      '',
      'Input schema of one action: oxygen integrations actions <integration-id> --json',
    );
  });
}

/** `oxygen integrations run <integration-id> <action-slug>` */
export async function run(
  globals: Globals,
  ref: string,
  slug: string,
  options: { input?: string; dryRun?: boolean; all?: boolean },
): Promise<void> {
  if (options.all && options.dryRun) {
    throw new ValidationError(
      '--all cannot be combined with --dry-run: a dry run sends nothing, so there is no next page to follow.',
      { field: 'all', hint: 'Dry-run the first page without --all, then run with --all.' },
    );
  }
  const input = await parseJsonArg('--input', options.input);
  await withBackend(globals, async (org) => {
    if (options.all) return runAll(globals, org, ref, slug, input);
    if (options.dryRun) {
      const report = await org.run(ref, slug, input, { dryRun: true });
      return globals.json ? printJson(report) : printDryRun(report);
    }
    const report = await withSpinner(globals, `Running ${slug}…`, () => org.run(ref, slug, input));
    if (globals.verbose) printVerbose(report);
    if (globals.json) return printJson(report.output);
    printLines(JSON.stringify(report.output, null, 2));
  });
}

/** `--all`: every page of a paginated action, printed as one value. */
async function runAll(globals: Globals, org: OrgBackend, ref: string, slug: string, input: unknown) {
  const { integration, actions } = await org.actions(ref);
  const action = actions.find((a) => a.slug === slug);
  if (!action) {
    throw new NotFoundError(`Unknown action "${slug}" for ${integration.provider}.`, {
      hint: `Available: ${actions.map((a) => a.slug).join(', ')}.`,
    });
  }
  const paging = paginationOf(action);
  if (!paging) {
    const paged = actions.filter((a) => paginationOf(a)).map((a) => a.slug);
    throw new ValidationError(
      `${integration.provider} ${slug} does not page (it takes no cursor and returns no next_cursor), so --all has nothing to follow.`,
      {
        field: 'all',
        hint: paged.length
          ? `Run it without --all. ${integration.provider} actions that page: ${paged.join(', ')}.`
          : `Run it without --all; no ${integration.provider} action pages.`,
      },
    );
  }
  const progress = pageProgress(globals);
  let credits = 0;
  let requestIds = 0;
  const started = performance.now();
  const all = await collectAllPages({
    input,
    listField: paging.listField,
    onPage: progress.update,
    runPage: async (page) => {
      const report = await org.run(ref, slug, page);
      credits += report.credits;
      requestIds += report.request_ids.length;
      return report.output;
    },
  }).finally(progress.end);
  if (globals.verbose) {
    process.stderr.write(
      `${integration.provider} ${slug} on ${integration.id} (${integration.auth_mode}): ${all.pages} pages, ${(all.output[paging.listField] as unknown[]).length} items, ${Math.round(performance.now() - started)} ms, ${credits} credits, ${requestIds} request ids\n`,
    );
  }
  if (globals.json) return printJson(all.output);
  printLines(JSON.stringify(all.output, null, 2));
}

/**
 * The `page N, M items…` progress line on stderr, for people only (nothing with --json): rewritten
 * in place on a terminal, one line per page otherwise.
 */
function pageProgress(globals: Globals): { update: (p: PageProgress) => void; end: () => void } {
  if (globals.json) return { update: () => {}, end: () => {} };
  const tty = !!process.stderr.isTTY;
  let open = false;
  return {
    update: (p) => {
      const line = `page ${p.page}, ${p.items} item${p.items === 1 ? '' : 's'}…`;
      if (tty) {
        process.stderr.write(`\r\x1b[2K${line}`);
        open = true;
      } else {
        process.stderr.write(`${line}\n`);
      }
    },
    end: () => {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}

function printVerbose(report: RunReport): void {
  process.stderr.write(
    `${report.integration.provider} ${report.action} on ${report.integration.id} (${report.integration.auth_mode}): ${report.duration_ms} ms, ${report.credits} credits, request ids: ${report.request_ids.join(', ') || '-'}\n`,
  );
}

function printDryRun(report: DryRunReport): void {
  const lines = [
    `Dry run: nothing was sent and nothing changed.`,
    `integration: ${report.integration.id} (${report.integration.provider}, ${report.integration.auth_mode}, ${report.integration.account_label ?? '-'})`,
    `action:      ${report.action}`,
    `credits:     ${report.credits}`,
    `input:       ${JSON.stringify(report.input)}`,
    '',
  ];
  for (const r of report.requests) {
    lines.push(`${r.method} ${r.url}`);
    for (const [k, v] of Object.entries(r.headers)) lines.push(`${k}: ${v}`);
    if (r.body !== undefined) lines.push('', JSON.stringify(r.body, null, 2));
    lines.push('');
  }
  lines.push('A dry run stops at the first request whose answer the action needs; later ones depend on it.');
  printLines(...lines);
}

/** `oxygen integrations disconnect <integration-id>` */
export async function disconnect(globals: Globals, ref: string): Promise<void> {
  await withBackend(globals, async (org) => {
    // The local runtime reports the revocation at the provider; a failure is a warning, since the
    // integration is disconnected here and its credential destroyed either way.
    const local = org as typeof org & Partial<Pick<OrgRuntime, 'disconnectReport'>>;
    let connection: Connection;
    if (typeof local.disconnectReport === 'function') {
      const report = await withSpinner(globals, 'Disconnecting…', () => local.disconnectReport!(ref));
      connection = report.connection;
      if (report.revoke.status === 'failed') {
        process.stderr.write(
          `warning: ${connection.provider} did not revoke the token (${report.revoke.error?.message ?? 'unknown error'}); revoke the app's access in ${connection.provider}'s settings if it still appears there.\n`,
        );
      }
    } else {
      connection = await org.disconnect(ref);
    }
    if (globals.json) return printJson(connection);
    printLines(`Disconnected ${connection.provider} ${connection.id}; its credential was destroyed.`);
  });
}
