/**
 * OAuth 2.0 and the credential lifecycle: the authorization code flow with PKCE and a single-use
 * state, token refresh (single flight across calls and processes), re-verification and
 * revocation. The runtime's `startOAuth`, `completeOAuth`, `verify` and `disconnect` use these.
 *
 * @module
 */

export type { OAuthStatesTable } from '../store/types.js';
export {
  checkOAuthClient,
  type OAuthClient,
  type OAuthEndpoints,
  oauthClientEnv,
  oauthEndpoints,
  oauthSchemeOf,
  platformOAuthClient,
  rebase,
} from './endpoints.js';
export type { AuthHost } from './host.js';
export {
  type CompleteOAuthInput,
  completeOAuth,
  OAUTH_STATE_TTL_MS,
  type OAuthStart,
  type StartOAuthOptions,
  startOAuth,
} from './oauth.js';
export {
  cancelledMessage,
  cancelOAuth,
  OAUTH_FLOW_STATUSES,
  type OAuthFailure,
  type OAuthFlowStatus,
  type OAuthStatus,
  type OAuthStatusOptions,
  oauthStatus,
  recordOAuthOutcome,
} from './oauth-status.js';
export { pkceChallenge, randomUrlSafe, safeEqual, sha256Hex } from './pkce.js';
export { expiresWithin, REFRESH_MARGIN_MS, statusRecorded, TokenRefresher } from './refresh.js';
export { type RevokeReport, revokeAtProvider } from './revoke.js';
export {
  callCredential,
  credentialFrom,
  describeFailure,
  exchangeCode,
  expiresAtOf,
  failureError,
  isRefusedGrant,
  type OAuthCredential,
  parseTokenSet,
  type RefreshAnswer,
  requestRefresh,
  revokeToken,
  type TokenEndpointOptions,
  type TokenFailure,
  type TokenSet,
} from './token.js';
export { isUnauthorized, type VerifyOutcome, verifyConnection } from './verify.js';
