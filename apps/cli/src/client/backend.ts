/**
 * What `integrations`, `providers`, `credits`, `integrations events` and `workflows triggers`
 * commands need, as two small interfaces that
 * both modes satisfy: the local runtime (`OrgRuntime` and `Runtime` themselves, unchanged) and a
 * shared server over HTTP (`HttpBackend`). The commands render either the same way.
 */

import type { Connection } from '@oxygen/core';
import type {
  OAuthClient,
  OAuthStatus,
  OrgCredits,
  OrgEvents,
  OrgRuntime,
  OrgTriggers,
  Runtime,
} from '@oxygen/runtime';

/** One organization's integrations and credits. `OrgRuntime` is one; `HttpBackend` is the other. */
export interface OrgBackend
  extends Pick<OrgRuntime, 'list' | 'get' | 'connect' | 'actions' | 'run' | 'disconnect'> {
  /** The organization calls act for (in client mode: the API token's, known after the first call). */
  readonly organizationId: string;
  /** Balance, grants (admin) and history. */
  readonly credits: Pick<OrgCredits, 'balance' | 'grant' | 'history'>;
  /** The event catalog, enabling and disabling events, the deliveries log and replays. */
  readonly events: Pick<OrgEvents, 'list' | 'enable' | 'disable' | 'deliveries' | 'replay'>;
  /** Workflow triggers: URLs that matching events are POSTed to, signed. */
  readonly triggers: Pick<OrgTriggers, 'add' | 'list' | 'remove'>;
}

/** The provider catalog. `Runtime` is one; `HttpBackend` is the other. */
export type CatalogBackend = Pick<Runtime, 'providers' | 'provider'>;

/** An OAuth connection started on a shared server, as `HttpBackend.startOAuth` answers it. */
export interface RemoteOAuthStart {
  /** The flow id (`oauth_…`) to wait on; not a secret. */
  id: string;
  /** The provider approval URL to open in a browser. */
  url: string;
  /** When the approval stops being accepted (ISO 8601, UTC). */
  expires_at: string;
  /** Where the provider sends the browser back: the server's `/oauth/callback`. */
  redirect_uri: string;
}

/**
 * OAuth through a shared server (`HttpBackend`): the server receives the provider's redirect and
 * completes the connection; the CLI starts the flow and waits for its outcome.
 */
export interface RemoteOAuth {
  /** `POST /v1/integrations/oauth/start` with the server's own callback as the redirect. */
  startOAuth(providerId: string, options?: { client?: OAuthClient }): Promise<RemoteOAuthStart>;
  /** `GET /v1/integrations/oauth/:id`, waiting up to `waitSeconds` while it is pending. */
  oauthStatus(id: string, options?: { waitSeconds?: number }): Promise<OAuthStatus<Connection>>;
  /** `POST /v1/integrations/oauth/:id/cancel`: nothing completes it after this. */
  cancelOAuth(id: string): Promise<OAuthStatus<Connection>>;
}

/**
 * True for a backend that connects with OAuth through a shared server.
 *
 * @example
 * ```ts
 * if (isRemoteOAuth(org)) await org.startOAuth('hubspot'); // the server's callback completes it
 * ```
 */
export function isRemoteOAuth(backend: object): backend is RemoteOAuth {
  const b = backend as Partial<Record<keyof RemoteOAuth, unknown>>;
  return (
    typeof b.startOAuth === 'function' &&
    typeof b.oauthStatus === 'function' &&
    typeof b.cancelOAuth === 'function'
  );
}
