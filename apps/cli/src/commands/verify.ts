/** `oxygen integrations verify <integration-id>`: re-runs the provider's verify and shows the result. */

import { AuthError, type Connection, type OxygenError, ValidationError } from '@oxygen/core';
import type { OrgRuntime } from '@oxygen/runtime';
import { withBackend } from '../context.js';
import { reportError } from '../errors.js';
import { type Globals, printJson, printLines, when, withSpinner } from '../output.js';

/**
 * Prints the connection as it stands after verification (one JSON value with `--json`). When the
 * credential no longer works, the connection still prints (status `error` or `expired`, with
 * `last_error`), then the reason goes to stderr as one line and the exit status says what kind of
 * failure it was (3 for a refused or expired credential).
 */
export async function verify(globals: Globals, ref: string): Promise<void> {
  await withBackend(globals, async (org) => {
    const local = org as typeof org & Partial<Pick<OrgRuntime, 'verifyReport' | 'verify'>>;
    let connection: Connection;
    let error: OxygenError | null = null;
    if (typeof local.verifyReport === 'function') {
      const report = await withSpinner(globals, 'Verifying…', () => local.verifyReport!(ref));
      connection = report.connection;
      error = report.error;
    } else if (typeof local.verify === 'function') {
      connection = await withSpinner(globals, 'Verifying…', () => local.verify!(ref));
    } else {
      throw new ValidationError('This Oxygen server does not offer verification.', {
        hint: 'Upgrade the server, or unset OXYGEN_API_URL / run `oxygen logout` to verify on this machine.',
      });
    }
    if (!error && connection.status !== 'connected') {
      error = new AuthError(
        `Integration ${connection.id} (${connection.provider}) is ${connection.status}${connection.last_error ? `: ${connection.last_error}` : '.'}`,
        { hint: `Reconnect with \`oxygen integrations connect ${connection.provider}\`.` },
      );
    }
    if (globals.json) printJson(connection);
    else {
      printLines(
        `${connection.provider} ${connection.id}: ${connection.status}${connection.account_label ? ` (${connection.account_label})` : ''}`,
        `  scopes:        ${connection.scopes.join(' ') || '-'}`,
        `  last verified: ${when(connection.last_verified_at)}`,
        ...(connection.last_error ? [`  last error:    ${connection.last_error}`] : []),
      );
    }
    if (error) process.exitCode = reportError(error, { json: globals.json, verbose: globals.verbose });
  });
}
