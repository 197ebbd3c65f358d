/**
 * Re-verification of a connection: the provider's `verify` run again with the stored credential
 * (refreshed first when needed), and the connection's status, label, scopes and `last_error`
 * brought up to date.
 *
 * @module
 */

import {
  AuthError,
  type ConnectionInfo,
  OxygenError,
  type ProviderDefinition,
  type VerifyResult,
} from '@oxygen/core';
import { type CallAuth, executeVerify } from '../engine/execute.js';
import type { StoredConnection } from '../store/index.js';
import type { AuthHost } from './host.js';
import { statusRecorded, type TokenRefresher } from './refresh.js';

/** What a verification came to. */
export interface VerifyOutcome {
  /** The connection after the verification (status `connected`, `error` or `expired`). */
  row: StoredConnection;
  /** Why it failed, when it did; `null` when the credential works. */
  error: OxygenError | null;
}

/** True for the provider's 401 (the token was refused). */
export function isUnauthorized(error: unknown): boolean {
  return AuthError.isInstance(error) && error.status === 401;
}

/**
 * Runs the provider's `verify` for a stored connection and records the result: on success
 * `status: connected`, `last_verified_at`, `account_label`, `scopes` (the provider's, else the
 * ones granted) and no `last_error`; on failure `error` (or `expired` when the token cannot be
 * refreshed) with the reason. An OAuth token refused with a 401 is refreshed once and tried again.
 *
 * @param authFor - How the runtime authenticates a call for this connection (refreshing first).
 * @throws AuthError for a disconnected connection (nothing to verify).
 */
export async function verifyConnection(
  host: AuthHost,
  refresher: TokenRefresher,
  row: StoredConnection,
  provider: ProviderDefinition,
  authFor: (row: StoredConnection) => Promise<CallAuth>,
): Promise<VerifyOutcome> {
  if (row.status === 'disconnected') {
    throw new AuthError(
      `Integration ${row.id} (${row.provider}) is disconnected; there is nothing to verify.`,
      {
        hint: `Reconnect with \`oxygen integrations connect ${row.provider}\`.`,
      },
    );
  }
  const info: ConnectionInfo = {
    id: row.id,
    organization_id: row.organization_id,
    provider: row.provider,
    auth_mode: row.auth_mode,
    account_label: row.account_label,
    scopes: row.scopes,
  };
  const defaults = await host.callDefaults(provider);
  let result: VerifyResult;
  try {
    const auth = await authFor(row);
    try {
      result = await executeVerify({ provider, connection: info, auth, ...defaults });
    } catch (error) {
      if (!isUnauthorized(error) || auth.credential.type !== 'oauth2') throw error;
      const credential = await refresher.afterUnauthorized(row, provider, auth.credential);
      result = await executeVerify({
        provider,
        connection: info,
        auth: { scheme: auth.scheme, credential },
        ...defaults,
      });
    }
  } catch (error) {
    if (!OxygenError.isInstance(error)) throw error;
    const current = await host.store.connections.get(row.organization_id, row.id);
    if (statusRecorded(error) && current) return { row: current, error };
    const updated = await host.store.connections.update(row.organization_id, row.id, {
      status: 'error',
      last_error: error.message,
    });
    return { row: updated ?? current ?? row, error };
  }
  const current = await host.store.connections.get(row.organization_id, row.id);
  const updated = await host.store.connections.update(row.organization_id, row.id, {
    status: 'connected',
    last_verified_at: new Date().toISOString(),
    account_label: result.accountLabel,
    scopes: result.scopes ?? current?.scopes ?? row.scopes,
    last_error: null,
  });
  return { row: updated ?? row, error: null };
}
