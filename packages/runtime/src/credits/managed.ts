/**
 * Managed mode: the platform's own provider key, read from the environment at call time and
 * never stored, printed or handed to plugin code; calls are paid in credits.
 *
 * @module
 */

import {
  type ActionDefinition,
  type AuthMode,
  ConfigError,
  type Connection,
  type ConnectionInfo,
  type ManagedScheme,
  managedKeyEnv,
  OxygenError,
  type ProviderDefinition,
  ValidationError,
} from '@oxygen/core';
import type { CallAuth } from '../engine/execute.js';
import type { Runtime } from '../runtime.js';
import { newId } from '../store/ids.js';
import type { Store, StoredConnection } from '../store/types.js';
import { type CreditEntry, chargeCredits, refundCredits } from './ledger.js';

/** The auth modes a provider offers, as a readable list (`byok (api_key, oauth2)`). */
function modesOf(provider: ProviderDefinition): string {
  const modes: string[] = [];
  if (provider.auth.managed) modes.push('managed');
  if (provider.auth.byok.length > 0) modes.push(`byok (${provider.auth.byok.map((s) => s.type).join(', ')})`);
  return modes.join(', ') || 'none';
}

/**
 * The provider's managed scheme.
 *
 * @throws `ValidationError` (field `auth_mode`) when the provider has no managed mode, naming the
 * modes it has.
 */
export function managedScheme(provider: ProviderDefinition): ManagedScheme {
  const scheme = provider.auth.managed;
  if (!scheme) {
    throw new ValidationError(`${provider.name} has no managed mode; its auth modes: ${modesOf(provider)}.`, {
      field: 'auth_mode',
      hint: `Connect your own account: oxygen integrations connect ${provider.id} --auth-mode byok`,
    });
  }
  return scheme;
}

/**
 * How a managed call authenticates: the provider's managed scheme and the platform key from
 * `OXYGEN_MANAGED_<PROVIDER>_KEY` (or the scheme's `keyEnv`), read now and kept in memory only.
 *
 * @throws `ValidationError` when the provider has no managed mode; `ConfigError` naming the
 * variable when the platform key is not set.
 */
export function managedCallAuth(provider: ProviderDefinition, env: NodeJS.ProcessEnv): CallAuth {
  const scheme = managedScheme(provider);
  const name = managedKeyEnv(provider.id, scheme);
  const key = env[name]?.trim();
  if (!key) {
    throw new ConfigError(
      `${provider.name}'s managed mode needs the platform key in ${name}, which is not set.`,
      {
        hint: `Set ${name} where Oxygen runs (the server or this shell), or connect your own account with --auth-mode byok.`,
        data: { env: name },
      },
    );
  }
  return { scheme, credential: { type: 'api_key', key } };
}

/**
 * Connects an organization in managed mode: no credential from the user. The platform key is
 * verified with the provider; the connection is stored with `auth_mode: 'managed'` and no
 * credential (the key is read from the environment at each call). An organization has at most one
 * live managed connection per provider: connecting again re-verifies it.
 */
export async function connectManaged(
  runtime: Runtime,
  organizationId: string,
  provider: ProviderDefinition,
): Promise<StoredConnection> {
  const auth = runtime.managedAuth(provider);
  const store = runtime.store;
  const existing = (await store.connections.list(organizationId, { provider: provider.id })).find(
    (c) => c.auth_mode === 'managed' && c.status !== 'disconnected',
  );
  const info: ConnectionInfo = {
    id: existing?.id ?? newId('conn'),
    organization_id: organizationId,
    provider: provider.id,
    auth_mode: 'managed',
    account_label: null,
    scopes: [],
  };
  const { executeVerify } = await import('../engine/execute.js');
  const verified = await executeVerify({
    provider,
    connection: info,
    auth,
    ...(await runtime.callDefaults(provider)),
  });
  const at = new Date().toISOString();
  if (existing) {
    const updated = await store.connections.update(organizationId, existing.id, {
      status: 'connected',
      account_label: verified.accountLabel,
      scopes: verified.scopes ?? [],
      last_verified_at: at,
      last_error: null,
      credential: null,
    });
    return updated!;
  }
  await store.organizations.ensure(organizationId);
  return store.connections.insert({
    ...info,
    status: 'connected',
    account_label: verified.accountLabel,
    scopes: verified.scopes ?? [],
    connected_at: at,
    last_verified_at: at,
    last_error: null,
    credential: null,
  });
}

/**
 * The error for running an action in a mode it does not allow. It names a connection of the same
 * provider, in an allowed mode, that the organization could run it on, when there is one.
 */
export function authModeMismatch(
  provider: ProviderDefinition,
  // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
  action: ActionDefinition<any, any>,
  connection: Pick<Connection, 'id' | 'auth_mode' | 'organization_id'>,
  siblings: readonly Connection[],
): ValidationError {
  const allowed: AuthMode[] = action.authModes;
  const modes = allowed.length === 1 ? `${allowed[0]} mode only` : `${allowed.join(' or ')} mode`;
  const head = `${provider.name} ${action.slug} runs in ${modes}; integration ${connection.id} is ${connection.auth_mode}`;
  const usable = siblings.filter(
    (c) =>
      c.id !== connection.id &&
      allowed.includes(c.auth_mode) &&
      (c.status === 'connected' || c.status === 'error'),
  );
  const first = usable[0];
  if (first) {
    return new ValidationError(`${head}. Run it on ${first.id} (${first.auth_mode}).`, {
      field: 'auth_mode',
      hint: `oxygen integrations run ${first.id} ${action.slug} --input '...'`,
      data: { candidates: usable.map((c) => ({ id: c.id, auth_mode: c.auth_mode })) },
    });
  }
  const mode = allowed[0] ?? 'byok';
  return new ValidationError(
    `${head}, and organization ${connection.organization_id} has no ${allowed.join(' or ')} ${provider.name} integration.`,
    {
      field: 'auth_mode',
      hint: `Connect one with \`oxygen integrations connect ${provider.id} --auth-mode ${mode}\`, then run it on that integration.`,
    },
  );
}

/**
 * Charges a managed call before its provider request, when it costs anything. Returns the charge,
 * or `undefined` when nothing is charged: a byok connection, a dry run, a free action, or an input
 * the action will refuse before sending anything.
 *
 * @throws `OxygenError` `insufficient_credits` when the balance cannot pay.
 */
export async function chargeManagedCall(
  store: Store,
  row: Pick<StoredConnection, 'id' | 'organization_id' | 'auth_mode'>,
  provider: ProviderDefinition,
  // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
  action: ActionDefinition<any, any>,
  input: unknown,
  dryRun: boolean,
): Promise<CreditEntry | undefined> {
  if (dryRun || row.auth_mode !== 'managed' || !(action.credits > 0)) return undefined;
  // A bad input fails validation before any request: charging and refunding it is noise.
  if (!action.input.safeParse(input).success) return undefined;
  return chargeCredits(store, {
    organizationId: row.organization_id,
    connectionId: row.id,
    action: action.slug,
    amount: action.credits,
    label: `${provider.name} ${action.slug}`,
  });
}

/**
 * Gives back the charge of a call that failed. When even that fails, the error says so, naming
 * the charge, next to the call's own failure.
 */
export async function refundFailedCall(store: Store, charge: CreditEntry, failure: unknown): Promise<void> {
  const reason = failure instanceof Error ? failure.message : String(failure);
  try {
    await refundCredits(store, charge, `refund: the call failed: ${reason}`);
  } catch (error) {
    throw new OxygenError(
      'internal',
      `The call failed (${reason}) and its charge ${charge.id} could not be refunded: ${error instanceof Error ? error.message : String(error)}.`,
      { hint: 'Check the database, then grant the credits back with `oxygen credits grant`.', cause: error },
    );
  }
}
