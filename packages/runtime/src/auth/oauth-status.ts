/**
 * How a started OAuth authorization ended, as its organization can read it: the outcome is
 * recorded on the `oauth_states` row (migration `0006_oauth_state_outcome`) when
 * `completeOAuth` finishes, so whoever started the flow (the CLI talking to a shared
 * server, whose `/oauth/callback` receives the redirect) can wait for it. A flow is named by its
 * id (`oauth_…`), which is not a secret: reading it takes the organization's own access, and
 * another organization's flow is "not found".
 *
 * @module
 */

import { EventEmitter } from 'node:events';
import { type ErrorCode, NotFoundError, OxygenError } from '@oxygen/core';
import type { Selectable } from 'kysely';
import type { StoredConnection } from '../store/index.js';
import type { OAuthStatesTable } from '../store/types.js';
import type { AuthHost } from './host.js';

/** Where a started OAuth authorization stands. */
export type OAuthFlowStatus = 'pending' | 'connected' | 'failed' | 'expired';

/** Every {@link OAuthFlowStatus}, in the order a flow can reach them. */
export const OAUTH_FLOW_STATUSES: readonly OAuthFlowStatus[] = ['pending', 'connected', 'failed', 'expired'];

/** Why a flow failed: the public fields of the error `completeOAuth` threw. Never a secret. */
export interface OAuthFailure {
  /** The stable error code (`auth`, `provider`, `validation`, ...). */
  code: ErrorCode;
  /** The one-line message. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** The provider's own reason (e.g. `access_denied: The user denied access`). */
  provider_message?: string;
  /** The provider's request id. */
  request_id?: string;
  /** The provider's HTTP status. */
  status?: number;
  /** The field at fault, for validation errors. */
  field?: string;
  /** Structured details the error carries (e.g. the provider's status and error code). */
  data?: Record<string, unknown>;
}

/**
 * A started OAuth authorization as its organization sees it.
 *
 * - `pending`: not completed yet (waiting for the person's approval, or being completed now).
 * - `connected`: `connection` is the connection it made or updated (as it is now).
 * - `failed`: `error` says why (the provider refused, the code exchange or verification failed,
 *   or the flow was cancelled); nothing was stored.
 * - `expired`: nobody completed it before `expires_at`; nothing was stored.
 */
export interface OAuthStatus<C = StoredConnection> {
  /** The flow's id (`oauth_…`), as `OAuthStart.id` gave it. */
  id: string;
  /** The provider being connected. */
  provider: string;
  /** Where it stands. */
  status: OAuthFlowStatus;
  /** When the approval stops being accepted (ISO 8601, UTC). */
  expires_at: string;
  /** With `connected`: the connection. */
  connection?: C;
  /** With `failed`: why. */
  error?: OAuthFailure;
}

/** Options for waiting on a flow's outcome. */
export interface OAuthStatusOptions {
  /**
   * How long to wait while the flow is `pending`, in milliseconds (a long poll). Default 0:
   * answer at once.
   */
  waitMs?: number;
  /** Stops waiting (the answer is then the status as it is). */
  signal?: AbortSignal;
}

/** The shape of a flow id (`newId('oauth')`). */
const FLOW_ID = /^oauth_[0-9A-Z]{26}$/;

/** How often a waiting reader looks at the store again when no completion in this process woke it. */
const POLL_MS = 500;

/**
 * Completions in this process wake readers waiting on the same flow at once; readers in other
 * processes (servers sharing the PostgreSQL store) see it at their next look.
 */
const outcomes = new EventEmitter();
outcomes.setMaxListeners(0);

/**
 * The message a cancelled flow's failure carries.
 *
 * @example
 * ```ts
 * cancelledMessage('hubspot'); // 'The OAuth connection to hubspot was cancelled before it completed; nothing was stored.'
 * ```
 */
export function cancelledMessage(providerId: string): string {
  return `The OAuth connection to ${providerId} was cancelled before it completed; nothing was stored.`;
}

/** The public fields of an error (what `toJSON()` shows), as recorded on the state row. */
function failureOf(error: unknown): OAuthFailure {
  if (!OxygenError.isInstance(error)) {
    return {
      code: 'internal',
      message: 'Completing the OAuth connection failed unexpectedly; nothing was stored.',
      hint: 'Start the connection again; if it fails again, check the server log.',
    };
  }
  const { code, message, hint, providerMessage, requestId, status, field, data } = error;
  return {
    code,
    message,
    ...(hint !== undefined ? { hint } : {}),
    ...(providerMessage !== undefined ? { provider_message: providerMessage } : {}),
    ...(requestId !== undefined ? { request_id: requestId } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(field !== undefined ? { field } : {}),
    ...(data !== undefined ? { data } : {}),
  };
}

/**
 * Records how a spent state's authorization ended (the connection, or the failure's public
 * fields) and wakes readers waiting on it in this process. Only the first outcome counts: a
 * row that already has one is left alone.
 *
 * @example
 * ```ts
 * await recordOAuthOutcome(host, row.id, { connectionId: connection.id });
 * await recordOAuthOutcome(host, row.id, { error }); // its code, message and public fields
 * ```
 */
export async function recordOAuthOutcome(
  host: Pick<AuthHost, 'store'>,
  id: string,
  outcome: { connectionId: string } | { error: unknown },
): Promise<void> {
  const set =
    'connectionId' in outcome
      ? { connection_id: outcome.connectionId }
      : (() => {
          const { code, message, ...detail } = failureOf(outcome.error);
          return { error_code: code, error_message: message, error_detail: JSON.stringify(detail) };
        })();
  await host.store.db
    .updateTable('oauth_states')
    .set(set)
    .where('id', '=', id)
    .where('connection_id', 'is', null)
    .where('error_code', 'is', null)
    .execute();
  outcomes.emit(id);
}

async function findRow(
  host: Pick<AuthHost, 'store'>,
  organizationId: string,
  id: string,
): Promise<Selectable<OAuthStatesTable>> {
  const row =
    typeof id === 'string' && id.length <= 200
      ? await host.store.db
          .selectFrom('oauth_states')
          .selectAll()
          .where('id', '=', id)
          .where('organization_id', '=', organizationId)
          .executeTakeFirst()
      : undefined;
  if (!row) {
    // Another organization's flow is reported exactly like one never started.
    // Only an id is echoed: a state (a secret) passed by mistake must not reach a message.
    const named = FLOW_ID.test(id) ? `${id} ` : '';
    throw new NotFoundError(`No OAuth connection ${named}in organization ${organizationId}.`, {
      hint: 'Use the id `POST /v1/integrations/oauth/start` answered; a flow is forgotten a day after it expires.',
    });
  }
  return row;
}

async function statusOf(
  host: Pick<AuthHost, 'store'>,
  row: Selectable<OAuthStatesTable>,
): Promise<OAuthStatus> {
  const base = { id: row.id, provider: row.provider, expires_at: row.expires_at };
  if (row.connection_id !== null) {
    const connection = await host.store.connections.get(row.organization_id, row.connection_id);
    return { ...base, status: 'connected', ...(connection ? { connection } : {}) };
  }
  if (row.error_code !== null) {
    let detail: Omit<OAuthFailure, 'code' | 'message'> = {};
    try {
      const parsed: unknown = row.error_detail ? JSON.parse(row.error_detail) : {};
      if (parsed && typeof parsed === 'object') detail = parsed as typeof detail;
    } catch {}
    return {
      ...base,
      status: 'failed',
      error: {
        code: row.error_code as ErrorCode,
        message: row.error_message ?? 'The connection failed.',
        ...detail,
      },
    };
  }
  // A spent state without an outcome is being completed right now.
  if (row.used_at === null && row.expires_at <= new Date().toISOString())
    return { ...base, status: 'expired' };
  return { ...base, status: 'pending' };
}

/** Resolves after `ms`, when the flow's outcome is recorded in this process, or on abort. */
function nextLook(id: string, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      outcomes.off(id, done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    outcomes.on(id, done);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The status of the organization's OAuth flow `id`; with `waitMs`, waits up to that long while
 * it is `pending` (a completion in this process answers at once, one in another process within
 * half a second).
 *
 * @throws NotFoundError for an unknown id or another organization's flow.
 *
 * @example
 * ```ts
 * // What OrgRuntime.oauthStatus does:
 * const status = await oauthStatus(runtime.authHost(), 'org_1', start.id, { waitMs: 20_000 });
 * ```
 */
export async function oauthStatus(
  host: Pick<AuthHost, 'store'>,
  organizationId: string,
  id: string,
  options: OAuthStatusOptions = {},
): Promise<OAuthStatus> {
  const waitMs = Math.max(0, Number.isFinite(options.waitMs) ? Number(options.waitMs) : 0);
  const deadline = Date.now() + waitMs;
  for (;;) {
    const status = await statusOf(host, await findRow(host, organizationId, id));
    const left = deadline - Date.now();
    if (status.status !== 'pending' || left <= 0 || options.signal?.aborted) return status;
    await nextLook(id, Math.min(POLL_MS, left), options.signal);
  }
}

/**
 * Cancels the organization's OAuth flow `id` when nobody has completed it yet: its state is
 * spent (a later redirect is refused and stores nothing) and the flow reads `failed`. A flow that
 * already ended, expired, or is being completed right now is left as it is. Answers the status
 * after the attempt: `connected` when the approval won the race.
 *
 * @throws NotFoundError for an unknown id or another organization's flow.
 *
 * @example
 * ```ts
 * // What OrgRuntime.cancelOAuth does:
 * const status = await cancelOAuth(runtime.authHost(), 'org_1', start.id); // usually `failed` now
 * ```
 */
export async function cancelOAuth(
  host: Pick<AuthHost, 'store'>,
  organizationId: string,
  id: string,
): Promise<OAuthStatus> {
  const row = await findRow(host, organizationId, id);
  const now = new Date().toISOString();
  const cancelled = await host.store.db
    .updateTable('oauth_states')
    .set({
      used_at: now,
      error_code: 'auth',
      error_message: cancelledMessage(row.provider),
      error_detail: JSON.stringify({
        hint: `Start the connection again: oxygen integrations connect ${row.provider}`,
      }),
    })
    .where('id', '=', row.id)
    .where('organization_id', '=', organizationId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  if (Number(cancelled.numUpdatedRows) === 1) outcomes.emit(row.id);
  return statusOf(host, await findRow(host, organizationId, id));
}
