/**
 * Token refresh: before a call whose access token expires within a minute, and once after a 401.
 *
 * One refresh per connection at a time, everywhere:
 * - in one process, concurrent calls share the refresh in flight (a map of pending promises);
 * - across processes sharing the store, the refresh runs inside a transaction that first locks
 *   the connection's row (PostgreSQL: `SELECT ... FOR UPDATE`; SQLite: a write as the first
 *   statement, which takes the database's write lock like `BEGIN IMMEDIATE`), then re-reads the
 *   credential: when another process refreshed it meanwhile, that token is used and no second
 *   request is sent. The lock is held across the token request, so two processes never spend one
 *   refresh token twice (a rotated refresh token would be lost).
 *
 * A refresh the provider refuses because the grant is dead (`invalid_grant`) sets the connection
 * `expired` with the provider's reason in `last_error`; any other failure sets `error`. A token
 * without a refresh token (LinkedIn for most apps) turns `expired` once past its expiry, without a
 * request.
 *
 * @module
 */

import { AuthError, type Credential, OxygenError, type ProviderDefinition } from '@oxygen/core';
import type { Store, StoredConnection } from '../store/index.js';
import { oauthEndpoints, oauthSchemeOf, platformOAuthClient } from './endpoints.js';
import type { AuthHost } from './host.js';
import {
  callCredential,
  credentialFrom,
  expiresAtOf,
  failureError,
  type OAuthCredential,
  requestRefresh,
} from './token.js';

/** A token expiring within this many milliseconds is refreshed before the call. */
export const REFRESH_MARGIN_MS = 60_000;

/** How long a process waits for another one's SQLite write lock before giving up. */
const SQLITE_LOCK_WAIT_MS = 60_000;

/** Errors whose connection status the refresher already recorded. */
const recorded = new WeakSet<object>();

/**
 * True when `error` came from the refresher after it set the connection's status and
 * `last_error` (so callers must not overwrite them).
 */
export function statusRecorded(error: unknown): boolean {
  return typeof error === 'object' && error !== null && recorded.has(error);
}

function record<E extends object>(error: E): E {
  recorded.add(error);
  return error;
}

/** True when the credential's access token expires within `marginMs` (never, without an expiry). */
export function expiresWithin(credential: { expires_at?: number | undefined }, marginMs: number): boolean {
  return credential.expires_at !== undefined && credential.expires_at - Date.now() <= marginMs;
}

function reconnect(row: Pick<StoredConnection, 'provider'>): string {
  return `Reconnect with \`oxygen integrations connect ${row.provider}\`.`;
}

type Outcome =
  | { ok: true; credential: Credential }
  | { ok: false; error: OxygenError; status?: 'expired' | 'error' | undefined };

/** Refreshes OAuth tokens for one runtime. Create one per runtime and share it. */
export class TokenRefresher {
  private readonly inFlight = new Map<string, Promise<Credential>>();

  constructor(private readonly host: AuthHost) {}

  /**
   * The credential to call with. An OAuth token expiring within {@link REFRESH_MARGIN_MS} is
   * refreshed first; one already expired without a refresh token sets the connection `expired`
   * and throws. With `dryRun`, nothing is refreshed or changed.
   *
   * @throws AuthError telling to reconnect when the token cannot be refreshed.
   */
  async fresh(
    row: StoredConnection,
    provider: ProviderDefinition,
    options: { dryRun?: boolean } = {},
  ): Promise<Credential> {
    const credential = this.host.open(row);
    if (credential.type !== 'oauth2') return credential;
    const oauth = credential as OAuthCredential;
    if (options.dryRun || !expiresWithin(oauth, REFRESH_MARGIN_MS)) return callCredential(oauth);
    if (!oauth.refresh_token) {
      if (!expiresWithin(oauth, 0)) return callCredential(oauth);
      const expiredAt = new Date(oauth.expires_at ?? Date.now()).toISOString();
      throw await this.markExpired(
        row,
        `The ${provider.name} access token expired at ${expiredAt} and ${provider.name} issued no refresh token.`,
      );
    }
    return this.refresh(row, provider, undefined);
  }

  /**
   * After the provider answered 401 to `rejected`: refreshes once (unless another call already
   * did, in which case that token comes back) so the caller can retry the call once. A token
   * without a refresh token sets the connection `expired`.
   *
   * @throws AuthError telling to reconnect when the token cannot be refreshed.
   */
  async afterUnauthorized(
    row: StoredConnection,
    provider: ProviderDefinition,
    rejected: Credential,
  ): Promise<Credential> {
    if (rejected.type !== 'oauth2') {
      throw new AuthError(`Integration ${row.id} does not use OAuth; there is nothing to refresh.`);
    }
    return this.refresh(row, provider, rejected.access_token);
  }

  /** Single flight per connection in this process; the database lock does the rest. */
  private async refresh(
    row: StoredConnection,
    provider: ProviderDefinition,
    rejectedToken: string | undefined,
  ): Promise<Credential> {
    const key = `${row.organization_id}:${row.id}`;
    for (let current = this.inFlight.get(key); current; current = this.inFlight.get(key)) {
      const credential = await current;
      // The refresh in flight gave a new token: use it, unless that is the token just refused.
      if (credential.type !== 'oauth2' || credential.access_token !== rejectedToken) return credential;
    }
    const flight = this.locked(row, provider, rejectedToken).finally(() => {
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    });
    this.inFlight.set(key, flight);
    return flight;
  }

  private async locked(
    row: StoredConnection,
    provider: ProviderDefinition,
    rejectedToken: string | undefined,
  ): Promise<Credential> {
    const outcome = await this.inLockedRow(row, async (tx, current): Promise<Outcome> => {
      if (!current || current.status === 'disconnected' || !current.credential) {
        return {
          ok: false,
          error: new AuthError(`Integration ${row.id} (${row.provider}) is disconnected.`, {
            hint: reconnect(row),
          }),
        };
      }
      const credential = this.host.open(current);
      if (credential.type !== 'oauth2') return { ok: true, credential };
      const oauth = credential as OAuthCredential;
      const stillGood =
        rejectedToken !== undefined
          ? oauth.access_token !== rejectedToken
          : !expiresWithin(oauth, REFRESH_MARGIN_MS);
      // Another call or process refreshed it while this one waited for the lock.
      if (stillGood) return { ok: true, credential: callCredential(oauth) };

      const fail = async (status: 'expired' | 'error', error: OxygenError, lastError = error.message) => {
        await tx.connections.update(current.organization_id, current.id, { status, last_error: lastError });
        return { ok: false as const, error, status };
      };
      if (!oauth.refresh_token) {
        const message =
          rejectedToken !== undefined
            ? `${provider.name} refused the access token and issued no refresh token.`
            : `The ${provider.name} access token expired and ${provider.name} issued no refresh token.`;
        return fail(
          'expired',
          new AuthError(`Integration ${row.id} (${row.provider}) expired: ${message}`, {
            hint: reconnect(row),
          }),
          message,
        );
      }
      try {
        const scheme = oauthSchemeOf(provider);
        const client = oauth.client
          ? { clientId: oauth.client.client_id, clientSecret: oauth.client.client_secret }
          : platformOAuthClient(provider, this.host.env);
        const answer = await requestRefresh({
          provider,
          scheme,
          endpoints: oauthEndpoints(provider, scheme, this.host.env),
          client,
          refreshToken: oauth.refresh_token,
        });
        if (!answer.ok) {
          const refused = failureError(
            provider,
            'to refresh the access token',
            answer.failure,
            answer.refused ? reconnect(row) : 'Try again later; if it persists, reconnect.',
          );
          if (!answer.refused) return fail('error', refused);
          return fail(
            'expired',
            new AuthError(`Integration ${row.id} (${row.provider}) expired: ${refused.message}`, {
              hint: reconnect(row),
              providerMessage: refused.providerMessage,
              requestId: refused.requestId,
              data: refused.data,
            }),
            refused.message,
          );
        }
        const next = credentialFrom(answer.tokens, oauth);
        await tx.connections.update(current.organization_id, current.id, {
          credential: this.host.seal(current, next),
          expires_at: expiresAtOf(next),
          ...(answer.tokens.scopes ? { scopes: answer.tokens.scopes } : {}),
          ...(current.status !== 'connected' ? { status: 'connected' as const, last_error: null } : {}),
        });
        return { ok: true, credential: callCredential(next) };
      } catch (error) {
        if (!OxygenError.isInstance(error)) throw error;
        return fail('error', error, `Could not refresh the ${provider.name} access token: ${error.message}`);
      }
    });
    if (outcome.ok) return outcome.credential;
    throw outcome.status ? record(outcome.error) : outcome.error;
  }

  /** Sets the connection `expired` (no refresh possible) and returns the error to throw. */
  private async markExpired(row: StoredConnection, message: string): Promise<AuthError> {
    await this.host.store.connections.update(row.organization_id, row.id, {
      status: 'expired',
      last_error: message,
    });
    return record(
      new AuthError(`Integration ${row.id} (${row.provider}) expired: ${message}`, { hint: reconnect(row) }),
    );
  }

  /**
   * Runs `fn` in a transaction holding the connection's row lock, with the row as re-read under
   * that lock. On SQLite, a process that finds the write lock taken waits (busy_timeout), and
   * tries again until {@link SQLITE_LOCK_WAIT_MS} has passed.
   */
  private async inLockedRow<T>(
    row: StoredConnection,
    fn: (tx: Store, current: StoredConnection | undefined) => Promise<T>,
  ): Promise<T> {
    const store = this.host.store;
    const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await store.transaction(async (tx) => {
          await lockConnection(tx, row);
          return fn(tx, await tx.connections.get(row.organization_id, row.id));
        });
      } catch (error) {
        const code = String((error as { code?: unknown }).code ?? '');
        if (!code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
        await new Promise((r) => setTimeout(r, Math.min(25 * 2 ** attempt, 250)));
      }
    }
  }
}

/** Takes the connection row's lock inside a transaction. */
async function lockConnection(tx: Store, row: Pick<StoredConnection, 'organization_id' | 'id'>) {
  if (tx.dialect === 'postgres') {
    await tx.db
      .selectFrom('connections')
      .select('id')
      .where('organization_id', '=', row.organization_id)
      .where('id', '=', row.id)
      .forUpdate()
      .execute();
    return;
  }
  // SQLite has no row locks: a write as the transaction's first statement takes the database's
  // write lock now (as BEGIN IMMEDIATE would), before anything is read.
  await tx.db
    .updateTable('connections')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('organization_id', '=', row.organization_id)
    .where('id', '=', row.id)
    .execute();
}
