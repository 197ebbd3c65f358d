/**
 * Organizations, their API tokens, and connect links to the hosted API-key page: what the
 * server needs to act for many organizations at once.
 *
 * @module
 */

export {
  CONNECT_LINK_MAX_ATTEMPTS,
  CONNECT_LINK_MAX_TTL_MS,
  CONNECT_LINK_TTL_MS,
  type ConnectLink,
  type ConnectLinkState,
  ConnectLinks,
  type CreatedConnectLink,
  linkGone,
  type OpenedConnectLink,
} from './connect-links.js';
export { Organizations } from './organizations.js';
export {
  API_TOKEN_PREFIX,
  type ApiToken,
  ApiTokens,
  type CreatedApiToken,
  type TokenIdentity,
} from './tokens.js';
