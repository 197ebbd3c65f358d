/**
 * The OAuth 2.0 authorization code flow with PKCE (S256) and a single-use `state`: start it (an
 * approval URL and a `oauth_states` row), then complete it from the redirect (the state checked
 * and spent, the code exchanged, the token verified with the provider, the connection stored).
 *
 * @module
 */

import { AuthError, type ConnectionInfo, type Credential, redactText, ValidationError } from '@oxygen/core';
import type { Selectable } from 'kysely';
import { executeVerify } from '../engine/execute.js';
import { newId } from '../store/ids.js';
import type { StoredConnection } from '../store/index.js';
import type { OAuthStatesTable } from '../store/types.js';
import {
  checkOAuthClient,
  type OAuthClient,
  oauthEndpoints,
  oauthSchemeOf,
  platformOAuthClient,
} from './endpoints.js';
import type { AuthHost } from './host.js';
import { cancelledMessage, recordOAuthOutcome } from './oauth-status.js';
import { pkceChallenge, randomUrlSafe, sha256Hex } from './pkce.js';
import {
  callCredential,
  credentialFrom,
  exchangeCode,
  expiresAtOf,
  type OAuthCredential,
  revokeToken,
} from './token.js';

/** How long a started authorization can be completed: ten minutes. */
export const OAUTH_STATE_TTL_MS = 10 * 60_000;

/** Options for `OrgRuntime.startOAuth`. */
export interface StartOAuthOptions {
  /**
   * Where the provider sends the browser back (`http://127.0.0.1:<port>/callback` for the CLI,
   * the server's `/oauth/callback`). It must be registered with the OAuth app.
   */
  redirectUri: string;
  /**
   * The organization's own OAuth app. Default: the platform's, from `OXYGEN_<PROVIDER>_CLIENT_ID`
   * and `OXYGEN_<PROVIDER>_CLIENT_SECRET`. Its secret is sealed in the vault, never stored in clear.
   */
  client?: OAuthClient | undefined;
}

/** A started authorization. */
export interface OAuthStart {
  /**
   * The flow's id (`oauth_…`): not a secret; `OrgRuntime.oauthStatus(id)` reads how it ended, for
   * the organization that started it only.
   */
  id: string;
  /** The approval URL to open in a browser. */
  url: string;
  /** The `state` in that URL: the redirect must bring it back. Single use. */
  state: string;
  /** When the state stops being accepted (ISO 8601, UTC). */
  expires_at: string;
}

/** What `Runtime.completeOAuth` takes: the redirect's query parameters. */
export interface CompleteOAuthInput {
  /** The redirect's `state`. */
  state: string;
  /** The redirect's `code`, when the person approved. */
  code?: string | undefined;
  /** The redirect's `error` (`access_denied`, ...), when they did not. */
  error?: string | undefined;
  /** The redirect's `error_description`, if any. */
  errorDescription?: string | undefined;
  /**
   * The organization the caller acts for (the CLI knows it). When given, a state started by
   * another organization is refused as unknown. The server's callback omits it: the state names
   * the organization.
   */
  organizationId?: string | undefined;
}

/** The OAuth app as sealed in a state row. */
interface SealedClient {
  client_id: string;
  client_secret: string;
  /** `platform`: from the environment; `organization`: the organization's own app. */
  source: 'platform' | 'organization';
}

const stateAad = (organizationId: string, id: string) => `oauth_state:${organizationId}:${id}`;

function checkRedirectUri(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`The redirect URI "${value}" is not an absolute URL.`, {
      field: 'redirect_uri',
    });
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hash) {
    throw new ValidationError('The redirect URI must be an http(s) URL without a #fragment.', {
      field: 'redirect_uri',
    });
  }
  return url.toString();
}

/** Builds `base?name=value&...`, every value percent-encoded (spaces as `%20`, not `+`). */
function withQuery(base: string, params: [string, string | undefined][]): string {
  const url = new URL(base);
  const existing = url.search ? url.search.slice(1) : '';
  const added = params
    .filter((p): p is [string, string] => p[1] !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  url.search = '';
  return `${url.toString()}?${[existing, added].filter(Boolean).join('&')}`;
}

/**
 * Starts an authorization for `organizationId` with the provider's `oauth2(...)` scheme.
 *
 * The approval URL carries `response_type=code`, `client_id`, `redirect_uri`, `scope` (the
 * scheme's scopes, space separated), `optional_scope` when the scheme declares optional scopes
 * (HubSpot's parameter), `state`, and with PKCE `code_challenge` + `code_challenge_method=S256`.
 * The store keeps only the state's SHA-256; the PKCE verifier and the OAuth app are sealed.
 *
 * @throws ConfigError when no OAuth app is configured, ValidationError for a provider without
 * OAuth or a bad redirect URI, NotFoundError for an unknown provider.
 */
export async function startOAuth(
  host: AuthHost,
  organizationId: string,
  providerId: string,
  options: StartOAuthOptions,
): Promise<OAuthStart> {
  const provider = await host.getProvider(providerId);
  const scheme = oauthSchemeOf(provider);
  const redirectUri = checkRedirectUri(options.redirectUri);
  const client: SealedClient = options.client
    ? { ...toSealed(checkOAuthClient(options.client)), source: 'organization' }
    : { ...toSealed(platformOAuthClient(provider, host.env)), source: 'platform' };
  const endpoints = oauthEndpoints(provider, scheme, host.env);

  const id = newId('oauth');
  const state = randomUrlSafe(32);
  const verifier = scheme.pkce ? randomUrlSafe(32) : undefined;
  const created = new Date();
  const expires = new Date(created.getTime() + OAUTH_STATE_TTL_MS);
  const aad = stateAad(organizationId, id);

  await host.store.organizations.ensure(organizationId);
  // Spent and long-expired states are of no further use.
  await host.store.db
    .deleteFrom('oauth_states')
    .where('expires_at', '<', new Date(created.getTime() - 24 * 3600_000).toISOString())
    .execute();
  await host.store.db
    .insertInto('oauth_states')
    .values({
      id,
      state_hash: sha256Hex(state),
      organization_id: organizationId,
      provider: provider.id,
      redirect_uri: redirectUri,
      code_verifier: verifier ? host.sealSecret(verifier, aad) : null,
      client: host.sealSecret(JSON.stringify(client), aad),
      created_at: created.toISOString(),
      expires_at: expires.toISOString(),
      used_at: null,
    })
    .execute();

  const url = withQuery(endpoints.authorizeUrl, [
    ['response_type', 'code'],
    ['client_id', client.client_id],
    ['redirect_uri', redirectUri],
    ['scope', scheme.scopes.join(' ') || undefined],
    ['optional_scope', scheme.optionalScopes?.length ? scheme.optionalScopes.join(' ') : undefined],
    ['state', state],
    ['code_challenge', verifier ? pkceChallenge(verifier) : undefined],
    ['code_challenge_method', verifier ? 'S256' : undefined],
  ]);
  return { id, url, state, expires_at: expires.toISOString() };
}

function toSealed(client: OAuthClient): Omit<SealedClient, 'source'> {
  return { client_id: client.clientId, client_secret: client.clientSecret };
}

function refused(message: string, providerId?: string): AuthError {
  return new AuthError(message, {
    hint: `Start the connection again: oxygen integrations connect ${providerId ?? '<provider>'}`,
  });
}

/**
 * Completes an authorization from the provider's redirect and returns the stored connection.
 *
 * 1. The state must be known, unused, unexpired and (when `organizationId` is given) the
 *    caller's; otherwise an `AuthError`, and nothing is written.
 * 2. It is marked used atomically (`UPDATE ... WHERE used_at IS NULL`) before anything else, so a
 *    replayed redirect cannot race the first one.
 * 3. A redirect carrying `error` is refused with the provider's reason.
 * 4. The code is exchanged (with the PKCE verifier), the new token is verified with the provider's
 *    `verify`, and the connection is stored with its credential sealed. Connecting an account
 *    the organization already has updates that connection instead of adding a duplicate. When
 *    verification fails nothing is stored, and the new grant is revoked where the provider can.
 * 5. Once the state is spent, the outcome (the connection's id, or the failure's public fields) is
 *    recorded on its row for `oauthStatus` to read; a refusal before that (unknown, foreign,
 *    reused or expired state) changes nothing.
 */
export async function completeOAuth(host: AuthHost, input: CompleteOAuthInput): Promise<StoredConnection> {
  const state = typeof input.state === 'string' ? input.state.trim() : '';
  if (!state) throw new ValidationError('The OAuth redirect has no state.', { field: 'state' });
  const row = await host.store.db
    .selectFrom('oauth_states')
    .selectAll()
    .where('state_hash', '=', sha256Hex(state))
    .executeTakeFirst();
  if (!row || (input.organizationId !== undefined && row.organization_id !== input.organizationId)) {
    // Another organization's state is reported exactly like one never issued.
    throw refused('Unknown OAuth state: this approval was not started here. Nothing was stored.');
  }
  if (row.used_at !== null) {
    throw refused(
      row.error_message === cancelledMessage(row.provider)
        ? 'This OAuth approval was cancelled (whoever started it stopped waiting). Nothing was stored.'
        : 'This OAuth approval was already used; a state works once. Nothing was stored.',
      row.provider,
    );
  }
  const now = new Date();
  if (row.expires_at <= now.toISOString()) {
    throw refused(
      `This OAuth approval expired at ${row.expires_at} (approvals last ${OAUTH_STATE_TTL_MS / 60_000} minutes). Nothing was stored.`,
      row.provider,
    );
  }
  const spent = await host.store.db
    .updateTable('oauth_states')
    .set({ used_at: now.toISOString() })
    .where('id', '=', row.id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  if (Number(spent.numUpdatedRows) !== 1) {
    throw refused(
      'This OAuth approval was already used; a state works once. Nothing was stored.',
      row.provider,
    );
  }

  let connection: StoredConnection;
  try {
    connection = await finishOAuth(host, row, input, state);
  } catch (error) {
    // Best effort: the caller gets the error either way; a reader of the status sees it too.
    await recordOAuthOutcome(host, row.id, { error }).catch(() => {});
    throw error;
  }
  // The connection is stored: a failure to record it must not turn this success into an error.
  await recordOAuthOutcome(host, row.id, { connectionId: connection.id }).catch(() => {});
  return connection;
}

/** After the state is spent: the provider's refusal, or the code exchanged, verified and stored. */
async function finishOAuth(
  host: AuthHost,
  row: Selectable<OAuthStatesTable>,
  input: CompleteOAuthInput,
  state: string,
): Promise<StoredConnection> {
  const provider = await host.getProvider(row.provider);
  if (input.error) {
    const reason = [input.error, input.errorDescription].filter(Boolean).join(': ');
    throw new AuthError(
      `${provider.name} did not authorize the connection (${redactText(reason, [state])}).`,
      {
        hint: `Approve the access when ${provider.name} asks, or start again: oxygen integrations connect ${provider.id}`,
        providerMessage: redactText(reason, [state]),
      },
    );
  }
  const code = typeof input.code === 'string' ? input.code.trim() : '';
  if (!code) {
    throw new ValidationError(`The OAuth redirect from ${provider.name} has no code.`, { field: 'code' });
  }
  const scheme = oauthSchemeOf(provider);
  const aad = stateAad(row.organization_id, row.id);
  const client = JSON.parse(host.openSecret(row.client, aad)) as SealedClient;
  const verifier = row.code_verifier ? host.openSecret(row.code_verifier, aad) : null;
  const endpoints = oauthEndpoints(provider, scheme, host.env);
  const app = { clientId: client.client_id, clientSecret: client.client_secret };
  const tokens = await exchangeCode({
    provider,
    scheme,
    endpoints,
    client: app,
    code,
    redirectUri: row.redirect_uri,
    codeVerifier: verifier,
  });
  const credential = credentialFrom(
    tokens,
    undefined,
    client.source === 'organization'
      ? { client_id: client.client_id, client_secret: client.client_secret }
      : undefined,
  );
  try {
    return await storeOAuthConnection(host, row.organization_id, provider.id, credential, tokens.scopes);
  } catch (error) {
    // Nothing is stored: do not leave a live grant behind at the provider either (best effort).
    if (endpoints.revokeUrl) {
      await revokeToken({
        provider,
        scheme,
        endpoints,
        client: app,
        token: tokens.refresh_token ?? tokens.access_token,
        tokenTypeHint: tokens.refresh_token ? 'refresh_token' : 'access_token',
      }).catch(() => {});
    }
    throw error;
  }
}

/** Verifies the new token with the provider and stores (or updates) the connection. */
async function storeOAuthConnection(
  host: AuthHost,
  organizationId: string,
  providerId: string,
  credential: OAuthCredential,
  grantedScopes: string[] | undefined,
): Promise<StoredConnection> {
  const provider = await host.getProvider(providerId);
  const scheme = oauthSchemeOf(provider);
  const id = newId('conn');
  const info: ConnectionInfo = {
    id,
    organization_id: organizationId,
    provider: provider.id,
    auth_mode: 'byok',
    account_label: null,
    scopes: grantedScopes ?? [],
  };
  const verified = await executeVerify({
    provider,
    connection: info,
    auth: { scheme, credential: callCredential(credential) },
    ...(await host.callDefaults(provider)),
  });
  const scopes = grantedScopes ?? verified.scopes ?? [];
  const at = new Date().toISOString();
  await host.store.organizations.ensure(organizationId);
  const same = (await host.store.connections.list(organizationId, { provider: provider.id })).find(
    (c) => c.auth_mode === 'byok' && c.account_label === verified.accountLabel && c.status !== 'disconnected',
  );
  if (same) {
    const updated = await host.store.connections.update(organizationId, same.id, {
      status: 'connected',
      scopes,
      last_verified_at: at,
      last_error: null,
      credential: host.seal(same, credential as Credential),
      expires_at: expiresAtOf(credential),
    });
    if (updated) return updated;
  }
  return host.store.connections.insert({
    ...info,
    status: 'connected',
    account_label: verified.accountLabel,
    scopes,
    connected_at: at,
    last_verified_at: at,
    last_error: null,
    credential: host.seal(info, credential as Credential),
    expires_at: expiresAtOf(credential),
  });
}
