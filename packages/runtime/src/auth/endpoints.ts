/**
 * Where an OAuth provider's endpoints are and which OAuth client (app) talks to them.
 *
 * @module
 */

import {
  ConfigError,
  envName,
  type OAuth2Scheme,
  type ProviderDefinition,
  ValidationError,
} from '@oxygen/core';

/** An OAuth client (app): the platform's, or an organization's own. */
export interface OAuthClient {
  /** The app's client id (public: it appears in the approval URL). */
  clientId: string;
  /** The app's client secret. Sealed in the vault whenever it is stored; never printed. */
  clientSecret: string;
}

/** A provider's OAuth endpoints after environment overrides. */
export interface OAuthEndpoints {
  /** Where the user approves access. */
  authorizeUrl: string;
  /** Where codes are exchanged and tokens refreshed. */
  tokenUrl: string;
  /** Where tokens are revoked on disconnect; absent when the provider has no such endpoint. */
  revokeUrl?: string | undefined;
}

/** The environment variables holding the platform's OAuth app for a provider. */
export function oauthClientEnv(providerId: string): {
  /** The variable holding the client id (`OXYGEN_<PROVIDER>_CLIENT_ID`). */
  clientId: string;
  /** The variable holding the client secret (`OXYGEN_<PROVIDER>_CLIENT_SECRET`). */
  clientSecret: string;
} {
  const id = envName(providerId);
  return { clientId: `OXYGEN_${id}_CLIENT_ID`, clientSecret: `OXYGEN_${id}_CLIENT_SECRET` };
}

/**
 * The platform's OAuth app for a provider, from `OXYGEN_<PROVIDER>_CLIENT_ID` and
 * `OXYGEN_<PROVIDER>_CLIENT_SECRET`.
 *
 * @throws ConfigError naming both variables when either is missing.
 */
export function platformOAuthClient(
  provider: Pick<ProviderDefinition, 'id' | 'name'>,
  env: NodeJS.ProcessEnv,
): OAuthClient {
  const names = oauthClientEnv(provider.id);
  const clientId = env[names.clientId]?.trim();
  const clientSecret = env[names.clientSecret]?.trim();
  if (!clientId || !clientSecret) {
    throw new ConfigError(
      `No OAuth app for ${provider.name}: set ${names.clientId} and ${names.clientSecret} (the platform's app), or connect with the organization's own app.`,
      {
        hint: `Create an OAuth app at ${provider.name} with the redirect URL Oxygen prints, then export ${names.clientId} and ${names.clientSecret}.`,
        data: { env: [names.clientId, names.clientSecret] },
      },
    );
  }
  return { clientId, clientSecret };
}

/** Checks an organization's own OAuth app before it is used or stored. */
export function checkOAuthClient(client: OAuthClient): OAuthClient {
  const clientId = typeof client.clientId === 'string' ? client.clientId.trim() : '';
  const clientSecret = typeof client.clientSecret === 'string' ? client.clientSecret.trim() : '';
  if (!clientId) throw new ValidationError('The OAuth client id is empty.', { field: 'client_id' });
  if (!clientSecret)
    throw new ValidationError('The OAuth client secret is empty.', { field: 'client_secret' });
  return { clientId, clientSecret };
}

/**
 * Replaces the scheme, host and port of `url` with `base`'s, keeping `url`'s path and query
 * after `base`'s own path: `https://api.hubapi.com/oauth/v3/token` with base
 * `http://127.0.0.1:5050/hubspot` becomes `http://127.0.0.1:5050/hubspot/oauth/v3/token`.
 */
export function rebase(url: string, base: string): string {
  const target = new URL(url);
  return `${base.replace(/\/+$/, '')}${target.pathname}${target.search}`;
}

/**
 * The OAuth endpoints to use for a provider, honouring the same overrides as API calls:
 *
 * - `OXYGEN_PROVIDER_<ID>_BASE_URL` (the API base URL override, e.g. a sandbox) also moves the
 *   token and revoke endpoints: their scheme, host and port become the override's (see
 *   {@link rebase}), so one variable points a whole provider, OAuth included, at a sandbox.
 * - The authorize URL is the page a person's browser opens. `OXYGEN_PROVIDER_<ID>_AUTHORIZE_URL`
 *   replaces it whole; without it, the base URL override moves it the same way as the token URL
 *   (a sandbox serves all three on one origin, although HubSpot's real authorize page lives on
 *   app.hubspot.com and its API on api.hubapi.com).
 */
export function oauthEndpoints(
  provider: Pick<ProviderDefinition, 'id'>,
  scheme: OAuth2Scheme,
  env: NodeJS.ProcessEnv,
): OAuthEndpoints {
  const id = envName(provider.id);
  const base = env[`OXYGEN_PROVIDER_${id}_BASE_URL`]?.trim() || undefined;
  const authorize = env[`OXYGEN_PROVIDER_${id}_AUTHORIZE_URL`]?.trim() || undefined;
  const move = (url: string) => (base ? rebase(url, base) : url);
  return {
    authorizeUrl: authorize ?? move(scheme.authorizeUrl),
    tokenUrl: move(scheme.tokenUrl),
    revokeUrl: scheme.revokeUrl ? move(scheme.revokeUrl) : undefined,
  };
}

/** The provider's OAuth 2.0 scheme, or a `ValidationError` saying how it connects instead. */
export function oauthSchemeOf(provider: ProviderDefinition): OAuth2Scheme {
  const scheme = provider.auth.byok.find((s): s is OAuth2Scheme => s.type === 'oauth2');
  if (!scheme) {
    const kinds = provider.auth.byok.map((s) => (s.type === 'api_key' ? 'an API key' : s.type));
    throw new ValidationError(`${provider.name} does not connect with OAuth.`, {
      hint: kinds.length
        ? `Connect it with ${kinds.join(' or ')}: oxygen integrations connect ${provider.id}`
        : `It runs in managed mode only: oxygen integrations connect ${provider.id} --auth-mode managed`,
    });
  }
  return scheme;
}
