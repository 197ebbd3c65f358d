/**
 * The connection: a provider account connected to one organization.
 * Its fields are exactly the product doc's, plus `id`, `organization_id` and `expires_at`.
 *
 * @module
 */

/** Who pays and who holds the provider key. */
export const AUTH_MODES = ['managed', 'byok'] as const;
/** `managed`: Oxygen holds the key and charges credits. `byok`: the organization connects its own account. */
export type AuthMode = (typeof AUTH_MODES)[number];

/** Every status a connection can be in. */
export const CONNECTION_STATUSES = ['connected', 'disconnected', 'expired', 'error'] as const;
/**
 * - `connected`: the credential works.
 * - `disconnected`: the user disconnected it; the credential is destroyed.
 * - `expired`: the token can no longer be refreshed; reconnect.
 * - `error`: the last verification or call failed for another reason (see `last_error`).
 */
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/**
 * A connected provider account, as every command and API returns it. It never holds a secret.
 *
 * @example
 * ```json
 * { "id": "conn_01JD...", "organization_id": "default", "provider": "hubspot", "auth_mode": "byok",
 *   "status": "connected", "account_label": "portal 62515", "scopes": [],
 *   "connected_at": "2026-11-25T17:00:00.000Z", "last_verified_at": "2026-11-25T17:00:00.000Z", "last_error": null,
 *   "expires_at": null }
 * ```
 */
export interface Connection {
  /** Stable id (`conn_...`). */
  id: string;
  /** The organization that owns it. */
  organization_id: string;
  /** Provider id (`hubspot`). */
  provider: string;
  /** `managed` or `byok`. */
  auth_mode: AuthMode;
  /** `connected`, `disconnected`, `expired` or `error`. */
  status: ConnectionStatus;
  /** Provider-side identifier: workspace name, portal, email. */
  account_label: string | null;
  /** Granted OAuth scopes, if applicable; empty otherwise. */
  scopes: string[];
  /** When it was connected (ISO 8601, UTC). */
  connected_at: string;
  /** When the credential last proved to work (ISO 8601, UTC). */
  last_verified_at: string | null;
  /** What went wrong last, when `status` is `error` or `expired`. */
  last_error: string | null;
  /**
   * When the current OAuth access token stops working (ISO 8601, UTC), or `null` when the
   * credential does not expire (API keys, managed mode, tokens issued without `expires_in`) or
   * there is none (disconnected).
   *
   * The one field beyond the product doc's connection shape, added because some providers'
   * tokens lapse with no way to refresh them: LinkedIn access tokens last 60 days and most apps
   * get no refresh token, so `oxygen integrations list` shows this to let a user reconnect before
   * the connection turns `expired`. Where a refresh token exists it is the current token's expiry
   * and moves forward at each refresh. Stored in clear beside the sealed credential, so listing
   * never decrypts anything.
   */
  expires_at: string | null;
}

/**
 * The secret half of a connection. Only the runtime's vault and the HTTP context see it;
 * it is encrypted before it touches the store and never printed.
 */
export type Credential =
  | {
      /** A static key (API key, private app token). */
      type: 'api_key';
      /** The key itself. */
      key: string;
    }
  | {
      /** Tokens from an OAuth 2.0 authorization. */
      type: 'oauth2';
      /** The bearer token sent with every call. */
      access_token: string;
      /** Exchanged for a new access token when this one expires; absent when none was issued. */
      refresh_token?: string | undefined;
      /** Epoch milliseconds after which the access token is no longer valid. */
      expires_at?: number | undefined;
      /** The token type the provider reported (`bearer`). */
      token_type?: string | undefined;
    };

/** Every secret string inside a credential, for redaction. */
export function credentialSecrets(credential: Credential | undefined): string[] {
  if (!credential) return [];
  if (credential.type === 'api_key') return [credential.key];
  return [credential.access_token, credential.refresh_token].filter((s): s is string => !!s);
}
