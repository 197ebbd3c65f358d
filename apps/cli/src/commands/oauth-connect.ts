/**
 * `oxygen integrations connect <provider>` with OAuth: the approval URL on stderr (and a browser
 * when there is one), a listener on `http://127.0.0.1:<port>/callback` for the provider's
 * redirect, then the runtime completes the flow (state checked, code exchanged, token verified,
 * connection stored). Through a shared server (`OXYGEN_API_URL`), the server's `/oauth/callback`
 * takes the redirect and the CLI waits for the outcome. Also decides between OAuth and an API key
 * when a provider takes both.
 */

import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthError, type Connection, OxygenError, ValidationError } from '@oxygen/core';
import {
  cancelledMessage,
  type OAuthClient,
  type OAuthStatus,
  type OrgRuntime,
  type ProviderInfo,
  type Runtime,
  safeEqual,
} from '@oxygen/runtime';
import { type CatalogBackend, isRemoteOAuth, type OrgBackend, type RemoteOAuth } from '../client/backend.js';
import { readStdin } from '../context.js';
import { type Globals, withSpinner } from '../output.js';

/** The connect options that concern the choice of scheme and OAuth. */
export interface ConnectOAuthOptions {
  /** `--oauth` */
  oauth?: boolean;
  /** `--api-key-stdin` */
  apiKeyStdin?: boolean;
  /** `false` with `--no-browser`. */
  browser?: boolean;
  /** `--timeout <seconds>` */
  timeout?: string;
  /** `--client-id <id>`: the organization's own OAuth app. */
  clientId?: string;
  /** `--client-secret-stdin` */
  clientSecretStdin?: boolean;
}

/** How long the listener waits for the approval by default, in seconds. */
export const DEFAULT_TIMEOUT_SECONDS = 300;

const interactive = () => !!process.stdin.isTTY && !!process.stderr.isTTY;

/**
 * Which scheme `connect` uses:
 * 1. `--api-key-stdin` → the API key; `--oauth` (or any OAuth-only flag: `--no-browser`,
 *    `--timeout`, `--client-id`, `--client-secret-stdin`) → OAuth; both → an error.
 * 2. Otherwise a provider with one way to connect uses it.
 * 3. A provider with both asks on a terminal (its first scheme preselected); without a terminal
 *    it uses its first scheme (HubSpot's is the private app token, which then wants --api-key-stdin).
 */
export async function chooseScheme(
  provider: Pick<ProviderInfo, 'id' | 'name' | 'auth'>,
  options: ConnectOAuthOptions,
): Promise<'oauth2' | 'api_key'> {
  const oauthFlags =
    options.oauth ||
    options.browser === false ||
    options.timeout !== undefined ||
    options.clientId !== undefined ||
    !!options.clientSecretStdin;
  if (oauthFlags && options.apiKeyStdin) {
    throw new ValidationError('Choose one way to connect: --api-key-stdin (an API key) or --oauth.', {
      hint: '--no-browser, --timeout, --client-id and --client-secret-stdin apply to OAuth only.',
    });
  }
  const types = provider.auth.byok.map((s) => s.type);
  if (options.apiKeyStdin) {
    if (!types.includes('api_key')) {
      throw new ValidationError(`${provider.name} does not take an API key.`, {
        hint: `Connect it with OAuth: oxygen integrations connect ${provider.id} --oauth`,
      });
    }
    return 'api_key';
  }
  if (oauthFlags) {
    if (!types.includes('oauth2')) {
      throw new ValidationError(`${provider.name} does not connect with OAuth.`, {
        hint: `Connect it with an API key: oxygen integrations connect ${provider.id} --api-key-stdin`,
      });
    }
    return 'oauth2';
  }
  const first = types[0] ?? 'api_key';
  if (!(types.includes('oauth2') && types.includes('api_key')) || !interactive()) return first;
  const { select, isCancel } = await import('@clack/prompts');
  const keyLabel = provider.auth.byok.find((s) => s.type === 'api_key')?.label ?? 'API key';
  const choice = await select<'oauth2' | 'api_key'>({
    message: `How do you want to connect ${provider.name}?`,
    options: [
      { value: 'oauth2', label: 'Approve in the browser (OAuth)' },
      { value: 'api_key', label: `Paste a ${keyLabel}` },
    ],
    initialValue: first,
    output: process.stderr,
  });
  if (isCancel(choice)) throw new ValidationError('Cancelled; nothing was stored.');
  return choice;
}

/** The organization's own OAuth app, when `--client-id` was given; its secret never comes from a flag. */
async function ownClient(options: ConnectOAuthOptions): Promise<OAuthClient | undefined> {
  if (options.clientId === undefined) {
    if (options.clientSecretStdin) {
      throw new ValidationError('--client-secret-stdin needs --client-id (the app the secret belongs to).', {
        field: 'client-id',
      });
    }
    return undefined;
  }
  let secret: string;
  if (options.clientSecretStdin) {
    secret = (await readStdin()).trim();
  } else if (interactive()) {
    const { password, isCancel } = await import('@clack/prompts');
    const value = await password({ message: 'OAuth client secret', output: process.stderr, mask: '•' });
    if (isCancel(value)) throw new ValidationError('Cancelled; nothing was stored.');
    secret = value.trim();
  } else {
    throw new ValidationError('No client secret for --client-id: stdin is not a terminal.', {
      hint: 'Pipe it in with --client-secret-stdin. Secrets are never taken as flag values.',
      field: 'client-secret',
    });
  }
  if (!secret) throw new ValidationError('The OAuth client secret is empty.', { field: 'client-secret' });
  return { clientId: options.clientId, clientSecret: secret };
}

function parseTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) {
    throw new ValidationError(`--timeout must be a number of seconds between 1 and 86400, not "${text}".`, {
      field: 'timeout',
    });
  }
  return seconds;
}

/**
 * The command that opens a URL in the user's browser, or `undefined` when there is no browser to
 * open: macOS always has one; elsewhere a graphical session must be running (`DISPLAY` or
 * `WAYLAND_DISPLAY`), or `xdg-open` would fall back to a terminal browser or fail.
 */
export function browserCommand(
  url: string,
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): [string, string[]] | undefined {
  if (platform === 'darwin') return ['open', [url]];
  if (platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open', [url]];
  return undefined;
}

function openBrowser(url: string): boolean {
  const command = browserCommand(url);
  if (!command) return false;
  try {
    const child = spawn(command[0], command[1], { stdio: 'ignore', detached: true });
    child.on('error', () => {}); // no opener installed: the printed URL is enough
    child.unref();
    return true;
  } catch {
    return false;
  }
}

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} · Oxygen</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    connection: 'close',
  });
  res.end(body);
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** Prints the approval URL on stderr, and opens it in a browser unless `--no-browser` (or none). */
function announce(url: string, provider: Pick<ProviderInfo, 'name'>, options: ConnectOAuthOptions): void {
  const opened = options.browser !== false && openBrowser(url);
  process.stderr.write(
    opened
      ? `Approve access to ${provider.name} in your browser. If it did not open, visit: ${url}\n`
      : `Open this URL in a browser to approve access to ${provider.name}: ${url}\n`,
  );
}

/** The error when nobody approved within `--timeout`. */
function noApproval(
  provider: Pick<ProviderInfo, 'name'>,
  timeoutSeconds: number,
  options: ConnectOAuthOptions,
): AuthError {
  return new AuthError(`No approval from ${provider.name} within ${timeoutSeconds} s; nothing was stored.`, {
    hint: `Run the command again and approve in the browser${options.timeout ? '' : ', or allow longer with --timeout <seconds>'}.`,
  });
}

/**
 * Connects `provider` with OAuth from the command line and returns the stored connection: on
 * this machine through a loopback listener, or, when the CLI talks to a shared server, through
 * the server's `/oauth/callback` while the CLI waits for the outcome.
 *
 * @throws AuthError on a refusal or when nobody approves within the timeout; the error the
 * connection failed with (the provider's reason) otherwise.
 */
export async function connectWithOAuth(
  globals: Globals,
  org: OrgBackend,
  catalog: CatalogBackend,
  provider: Pick<ProviderInfo, 'id' | 'name'>,
  options: ConnectOAuthOptions,
): Promise<Connection> {
  const local = org as OrgBackend & Partial<Pick<OrgRuntime, 'startOAuth'>>;
  const runtime = catalog as CatalogBackend & Partial<Pick<Runtime, 'completeOAuth'>>;
  const startOAuth = local.startOAuth?.bind(local);
  const completeOAuth = runtime.completeOAuth?.bind(runtime);
  const timeoutSeconds = parseTimeout(options.timeout);
  if (!completeOAuth) {
    if (!isRemoteOAuth(org)) {
      throw new OxygenError('internal', 'This Oxygen backend cannot connect with OAuth.', {
        hint: 'Unset OXYGEN_API_URL / run `oxygen logout` to connect on this machine.',
      });
    }
    return connectThroughServer(globals, org, provider, options, timeoutSeconds);
  }
  if (!startOAuth) throw new OxygenError('internal', 'The local runtime cannot start OAuth.');
  const client = await ownClient(options);
  const server = createServer();
  const port = await listen(server);
  const redirectUri = `http://127.0.0.1:${port}/callback`;
  try {
    const start = await startOAuth(provider.id, { redirectUri, client });
    announce(start.url, provider, options);
    return await withSpinner(
      globals,
      `Waiting for your approval in ${provider.name}…`,
      () =>
        new Promise<Connection>((resolve, reject) => {
          let handled = false;
          const timer = setTimeout(() => {
            handled = true;
            reject(noApproval(provider, timeoutSeconds, options));
          }, timeoutSeconds * 1000);
          server.on('request', (req: IncomingMessage, res: ServerResponse) => {
            const url = new URL(req.url ?? '/', redirectUri);
            if (req.method !== 'GET' || url.pathname !== '/callback') {
              return page(res, 404, 'Not found', 'This address only takes the approval redirect.');
            }
            const state = url.searchParams.get('state') ?? '';
            if (!safeEqual(state, start.state)) {
              // Not this connection's redirect (a stale tab, or a forged request): refuse it, keep waiting.
              return page(
                res,
                400,
                'Connection refused',
                'This approval does not belong to the connection being made (state mismatch). Nothing was stored.',
              );
            }
            if (handled) {
              return page(
                res,
                409,
                'Already handled',
                'This approval was already received. You can close this tab.',
              );
            }
            handled = true;
            clearTimeout(timer);
            const get = (name: string) => url.searchParams.get(name) ?? undefined;
            completeOAuth({
              state,
              code: get('code'),
              error: get('error'),
              errorDescription: get('error_description'),
              organizationId: org.organizationId,
            }).then(
              (connection) => {
                const who = connection.account_label ? ` (${connection.account_label})` : '';
                page(
                  res,
                  200,
                  'Connected',
                  `${provider.name}${who} is connected to Oxygen. You can close this tab.`,
                );
                resolve(connection);
              },
              (error: unknown) => {
                const message = OxygenError.isInstance(error) ? error.message : 'Unexpected failure.';
                page(res, 400, 'Connection failed', `${message} Nothing was stored; run the command again.`);
                reject(error);
              },
            );
          });
        }),
    );
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Let the page that was just sent reach the browser before the sockets go.
      setTimeout(() => server.closeAllConnections(), 200).unref();
    });
  }
}

/** How long to wait past `--timeout` for a completion already under way when the CLI gave up. */
const IN_FLIGHT_GRACE_SECONDS = 20;

/** The connection a finished flow made, or the error it failed with; `undefined` while pending. */
function outcome(status: OAuthStatus<Connection>, provider: Pick<ProviderInfo, 'id' | 'name'>) {
  switch (status.status) {
    case 'connected':
      if (status.connection) return status.connection;
      throw new OxygenError(
        'internal',
        `The server reports ${provider.name} connected but sent no connection.`,
        {
          hint: `See it with: oxygen integrations list --provider ${provider.id}`,
        },
      );
    case 'failed': {
      const e = status.error;
      throw new OxygenError(e?.code ?? 'internal', e?.message ?? `Connecting ${provider.name} failed.`, {
        hint: e?.hint,
        field: e?.field,
        providerMessage: e?.provider_message,
        requestId: e?.request_id,
        status: e?.status,
        data: e?.data,
      });
    }
    case 'expired':
      throw new AuthError(
        `The approval for ${provider.name} expired before it was completed; nothing was stored.`,
        {
          hint: `Run the command again and approve in the browser: oxygen integrations connect ${provider.id} --oauth`,
        },
      );
    default:
      return undefined;
  }
}

/**
 * OAuth when the CLI talks to a shared server: the server starts the flow with its own
 * `/oauth/callback` as the redirect and completes it there; the CLI prints the approval URL and
 * long-polls `GET /v1/integrations/oauth/:id` until the flow ends or `--timeout` passes. On a
 * timeout the flow is cancelled, so an approval arriving later stores nothing (unless it got there
 * first, in which case its connection is the answer).
 */
async function connectThroughServer(
  globals: Globals,
  org: RemoteOAuth,
  provider: Pick<ProviderInfo, 'id' | 'name'>,
  options: ConnectOAuthOptions,
  timeoutSeconds: number,
): Promise<Connection> {
  const client = await ownClient(options);
  const start = await org.startOAuth(provider.id, client ? { client } : {});
  announce(start.url, provider, options);
  return withSpinner(globals, `Waiting for your approval in ${provider.name}…`, async () => {
    const deadline = Date.now() + timeoutSeconds * 1000;
    for (let left = deadline - Date.now(); left > 0; left = deadline - Date.now()) {
      const status = await org.oauthStatus(start.id, { waitSeconds: Math.min(left / 1000, 20) });
      const connection = outcome(status, provider);
      if (connection) return connection;
    }
    let status = await org.cancelOAuth(start.id);
    if (status.status === 'pending') {
      // The approval arrived and is being completed right now: its outcome is the answer.
      status = await org.oauthStatus(start.id, { waitSeconds: IN_FLIGHT_GRACE_SECONDS });
    }
    const cancelled = status.status === 'failed' && status.error?.message === cancelledMessage(provider.id);
    if (!cancelled) {
      const connection = outcome(status, provider);
      if (connection) return connection;
    }
    throw noApproval(provider, timeoutSeconds, options);
  });
}
