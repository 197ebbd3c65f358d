/**
 * What the tables code needs from the runtime: the store, the organization's action runner and
 * connections, and the plugins.
 *
 * @module
 */

import type { ProviderDefinition } from '@oxygen/core';
import type { OrgRuntime } from '../runtime.js';
import type { Store } from '../store/types.js';

/** The runtime as the tables code sees it, for one organization. */
export interface TablesHost {
  /** The store the tables live in. */
  readonly store: Store;
  /** The organization every read and write is scoped to. */
  readonly organizationId: string;
  /** The organization's runtime: each cell runs through `run` (credits, limits, error mapping). */
  readonly org: Pick<OrgRuntime, 'run' | 'get'>;
  /** A loaded provider by id. */
  provider(id: string): Promise<ProviderDefinition>;
}
