/**
 * What the OAuth flows, token refresh and verification need from the runtime. The runtime passes
 * itself through this narrow view, so these modules never import `runtime.ts` (no cycle) and the
 * vault stays private to it.
 *
 * @module
 */

import type { Connection, Credential, ProviderDefinition, RetryPolicy } from '@oxygen/core';
import type { Store, StoredConnection } from '../store/index.js';

/** The runtime's internals the auth modules use. */
export interface AuthHost {
  /** The store (connections, `oauth_states`). */
  readonly store: Store;
  /** Finds a loaded plugin by provider id (throws `NotFoundError` for an unknown one). */
  getProvider(id: string): Promise<ProviderDefinition>;
  /** Environment to read `OXYGEN_*` variables from. */
  readonly env: NodeJS.ProcessEnv;
  /** Seals a connection's credential (vault envelope bound to the organization and connection). */
  seal(row: Pick<Connection, 'organization_id' | 'id'>, credential: Credential): string;
  /** Opens a connection's credential; throws `AuthError` when there is none. */
  open(row: StoredConnection): Credential;
  /** Seals any secret text, bound to `aad` (additional authenticated data). */
  sealSecret(text: string, aad: string): string;
  /** Opens an envelope sealed by {@link AuthHost.sealSecret} with the same `aad`. */
  openSecret(envelope: string, aad: string): string;
  /** Base URL and retry policy provider calls use. */
  callDefaults(provider: ProviderDefinition): Promise<{
    /** The provider's base URL after `OXYGEN_PROVIDER_<ID>_BASE_URL`. */
    baseUrl: string;
    /** The retry policy from the runtime's options; `undefined` for the defaults. */
    retry: RetryPolicy | undefined;
  }>;
}

/** Strips the credential: what leaves the runtime. */
export function withoutCredential(row: StoredConnection): Connection {
  const { credential: _secret, ...connection } = row;
  return connection;
}
