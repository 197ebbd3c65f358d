/** `oxygen login` / `oxygen logout`: make the CLI a client of a shared Oxygen server. */

import { ValidationError } from '@oxygen/core';
import { HttpBackend } from '../client/http.js';
import { normaliseApiUrl, removeSession, saveSession, sessionPath } from '../client/session.js';
import { readStdin } from '../context.js';
import { type Globals, printJson, printLines } from '../output.js';

async function promptForToken(): Promise<string> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new ValidationError('No API token given: stdin is not a terminal.', {
      hint: 'Pipe it in with --token-stdin (e.g. printf %s "$TOKEN" | oxygen login --api-url <url> --token-stdin). Tokens are never taken as flag values.',
    });
  }
  const { password, isCancel } = await import('@clack/prompts');
  const value = await password({ message: 'Oxygen API token', output: process.stderr, mask: '•' });
  if (isCancel(value)) throw new ValidationError('Cancelled; nothing was saved.');
  return value;
}

/**
 * `oxygen login --api-url <url> [--token-stdin]`: checks the token with the server, then saves
 * both in `$OXYGEN_HOME/api.json` (mode 0600, the token sealed with the vault). From then on the
 * `integrations`, `providers` and `credits` commands talk to that server.
 */
export async function login(
  globals: Globals,
  options: { apiUrl?: string; tokenStdin?: boolean },
): Promise<void> {
  if (!options.apiUrl) {
    throw new ValidationError('Name the server with --api-url <url>.', { field: 'api-url' });
  }
  const apiUrl = normaliseApiUrl(options.apiUrl, '--api-url');
  const token = (options.tokenStdin ? await readStdin() : await promptForToken()).trim();
  if (!token) {
    throw new ValidationError('The API token is empty.', {
      field: 'token',
      hint: 'Create one on the server with `oxygen tokens create --org <id>`.',
    });
  }
  const url = new URL(apiUrl);
  if (url.protocol === 'http:' && !/^(127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/.test(url.hostname)) {
    process.stderr.write(
      `warning: ${apiUrl} is plain http: the token and any API key cross the network in clear; prefer https.\n`,
    );
  }
  const me = await new HttpBackend(apiUrl, token).whoAmI();
  const file = saveSession({ apiUrl, token, organizationId: me.organization_id });
  const result = {
    api_url: apiUrl,
    organization_id: me.organization_id,
    organization_name: me.organization_name,
    admin: me.admin,
    file,
  };
  if (globals.json) return printJson(result);
  printLines(
    `Logged in to ${apiUrl} as organization ${me.organization_name} (${me.organization_id})${me.admin ? ' with an admin token' : ''}.`,
    'The integrations, providers and credits commands now talk to that server; `oxygen logout` goes back to the local store.',
  );
}

/** `oxygen logout`: forgets the saved server and token (the token itself stays valid until revoked). */
export async function logout(globals: Globals): Promise<void> {
  const file = sessionPath();
  const removed = removeSession();
  if (globals.json) return printJson({ logged_out: removed, file });
  printLines(
    removed
      ? 'Logged out: commands use the local store again. The token stays valid until `oxygen tokens revoke` on the server.'
      : 'Not logged in to a server.',
  );
  if (process.env.OXYGEN_API_URL || process.env.OXYGEN_API_TOKEN) {
    process.stderr.write(
      'note: OXYGEN_API_URL / OXYGEN_API_TOKEN are set, so commands still talk to that server.\n',
    );
  }
}
