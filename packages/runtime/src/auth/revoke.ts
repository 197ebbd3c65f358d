/**
 * Revocation at the provider when a connection is disconnected.
 *
 * @module
 */

import { type OAuth2Scheme, OxygenError, ProviderError } from '@oxygen/core';
import type { StoredConnection } from '../store/index.js';
import { oauthEndpoints, platformOAuthClient } from './endpoints.js';
import type { AuthHost } from './host.js';
import { type OAuthCredential, revokeToken } from './token.js';

/**
 * What disconnecting did at the provider:
 * - `revoked`: the provider accepted the revocation;
 * - `failed`: it did not, or could not be reached (see `error`); the local disconnect still happened;
 * - `not_supported`: the provider declares no revocation endpoint;
 * - `not_needed`: the connection holds no OAuth token (API key, managed, already disconnected).
 */
export interface RevokeReport {
  /** `revoked`, `failed`, `not_supported` or `not_needed` (see above). */
  status: 'revoked' | 'failed' | 'not_supported' | 'not_needed';
  /** Why the revocation failed (redacted, one line). */
  error?: OxygenError | undefined;
}

function failed(error: unknown): RevokeReport {
  if (OxygenError.isInstance(error)) return { status: 'failed', error };
  return {
    status: 'failed',
    error: new ProviderError(
      `Revoking the token failed: ${error instanceof Error ? error.message : String(error)}`,
    ),
  };
}

/**
 * Revokes a connection's OAuth grant at the provider's revoke URL (RFC 7009): the refresh token
 * when there is one (revoking it ends the grant), else the access token. Never throws: a failure
 * comes back as `{ status: 'failed', error }` so the caller can still disconnect locally.
 */
export async function revokeAtProvider(host: AuthHost, row: StoredConnection): Promise<RevokeReport> {
  if (!row.credential || row.auth_mode !== 'byok') return { status: 'not_needed' };
  try {
    const credential = host.open(row);
    if (credential.type !== 'oauth2') return { status: 'not_needed' };
    const oauth = credential as OAuthCredential;
    const provider = await host.getProvider(row.provider);
    const scheme = provider.auth.byok.find((s): s is OAuth2Scheme => s.type === 'oauth2');
    if (!scheme?.revokeUrl) return { status: 'not_supported' };
    const client = oauth.client
      ? { clientId: oauth.client.client_id, clientSecret: oauth.client.client_secret }
      : platformOAuthClient(provider, host.env);
    await revokeToken({
      provider,
      scheme,
      endpoints: oauthEndpoints(provider, scheme, host.env),
      client,
      token: oauth.refresh_token ?? oauth.access_token,
      tokenTypeHint: oauth.refresh_token ? 'refresh_token' : 'access_token',
    });
    return { status: 'revoked' };
  } catch (error) {
    return failed(error);
  }
}
