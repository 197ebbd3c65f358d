/** `oxygen integrations ...`: connections and the actions they run. */

import type { Connection } from '@oxygen/core';
import { ValidationError } from '@oxygen/core';
import type { DryRunReport, OrgRuntime, RunReport } from '@oxygen/runtime';
import { parseJsonArg, readStdin, withBackend } from '../context.js';
import { type Globals, printJson, printLines, table, when, withSpinner } from '../output.js';
import type { ConnectOAuthOptions } from './oauth-connect.js';

function connectionRows(connections: Connection[]) {
  return table(
    ['ID', 'PROVIDER', 'MODE', 'STATUS', 'ACCOUNT', 'VERIFIED', 'LAST ERROR'],
    connections.map((c) => [
      c.id,
      c.provider,
      c.auth_mode,
      c.status,
      c.account_label,
      when(c.last_verified_at),
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
  options: { input?: string; dryRun?: boolean },
): Promise<void> {
  const input = await parseJsonArg('--input', options.input);
  await withBackend(globals, async (org) => {
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
