/**
 * What `integrations`, `providers` and `credits` commands need, as two small interfaces that
 * both modes satisfy: the local runtime (`OrgRuntime` and `Runtime` themselves, unchanged) and a
 * shared server over HTTP (`HttpBackend`). The commands render either the same way.
 */

import type { OrgCredits, OrgRuntime, Runtime } from '@oxygen/runtime';

/** One organization's integrations and credits. `OrgRuntime` is one; `HttpBackend` is the other. */
export interface OrgBackend
  extends Pick<OrgRuntime, 'list' | 'get' | 'connect' | 'actions' | 'run' | 'disconnect'> {
  /** The organization calls act for (in client mode: the API token's, known after the first call). */
  readonly organizationId: string;
  /** Balance, grants (admin) and history. */
  readonly credits: Pick<OrgCredits, 'balance' | 'grant' | 'history'>;
}

/** The provider catalog. `Runtime` is one; `HttpBackend` is the other. */
export type CatalogBackend = Pick<Runtime, 'providers' | 'provider'>;
