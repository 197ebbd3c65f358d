/**
 * Auth scheme builders. A provider lists the schemes an organization can connect with
 * (`byok`) and, where the platform holds a key of its own, how managed mode finds it.
 *
 * @module
 */

import type { Credential } from './connection.js';

/** A static key the user pastes (private app token, API key). */
export interface ApiKeyScheme {
  /** Discriminant: a static key. */
  type: 'api_key';
  /** What the provider calls it, shown in prompts ("Private app access token"). */
  label: string;
  /** Header that carries it. Default `authorization`. */
  header: string;
  /** Prefix before the key in that header (`Bearer`), or `''` for the bare key. */
  scheme: string;
  /** Where the user finds the key, shown in prompts. */
  helpUrl?: string | undefined;
}

/** OAuth 2.0 authorization code flow. */
export interface OAuth2Scheme {
  /** Discriminant: the OAuth 2.0 authorization code flow. */
  type: 'oauth2';
  /** The provider's authorization endpoint the user is sent to. */
  authorizeUrl: string;
  /** The provider's token endpoint, for the code exchange and refreshes. */
  tokenUrl: string;
  /** The provider's token revocation endpoint, called on disconnect when present. */
  revokeUrl?: string | undefined;
  /** Scopes always requested. */
  scopes: string[];
  /** Scopes requested when the user grants them, not required. */
  optionalScopes?: string[] | undefined;
  /** Use PKCE (S256). Default true. */
  pkce: boolean;
  /** How the client authenticates at the token endpoint. Default `body`. */
  clientAuth: 'body' | 'basic';
}

/** Any scheme an organization can bring its own credential with. */
export type ByokScheme = ApiKeyScheme | OAuth2Scheme;

/** Managed mode: the platform's own key, charged to the organization in credits. */
export interface ManagedScheme {
  /** Discriminant: the platform's own key. */
  type: 'managed';
  /** Environment variable holding the platform's key. Default `OXYGEN_MANAGED_<ID>_KEY`. */
  keyEnv?: string | undefined;
  /** How the platform's key is sent. Default: bearer in `authorization`. */
  header: string;
  /** Prefix before the key in that header (`Bearer`), or `''` for the bare key. */
  scheme: string;
}

/** The auth a provider supports. */
export interface ProviderAuth {
  /** Bring-your-own-key schemes, in order of preference. Empty if managed only. */
  byok: ByokScheme[];
  /** Present when the platform can call this provider with its own key. */
  managed?: ManagedScheme | undefined;
}

/**
 * Declares an API-key scheme.
 *
 * @example
 * ```ts
 * apiKey({ label: 'Private app access token', header: 'authorization', scheme: 'Bearer' })
 * ```
 */
export function apiKey(options: {
  label: string;
  header?: string;
  scheme?: string;
  helpUrl?: string;
}): ApiKeyScheme {
  return {
    type: 'api_key',
    label: options.label,
    header: (options.header ?? 'authorization').toLowerCase(),
    scheme: options.scheme ?? 'Bearer',
    helpUrl: options.helpUrl,
  };
}

/**
 * Declares an OAuth 2.0 authorization-code scheme.
 *
 * @example
 * ```ts
 * oauth2({
 *   authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
 *   tokenUrl: 'https://api.hubapi.com/oauth/v3/token',
 *   scopes: ['crm.objects.contacts.read'],
 * })
 * ```
 */
export function oauth2(options: {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  scopes: string[];
  optionalScopes?: string[];
  pkce?: boolean;
  clientAuth?: 'body' | 'basic';
}): OAuth2Scheme {
  return {
    type: 'oauth2',
    authorizeUrl: options.authorizeUrl,
    tokenUrl: options.tokenUrl,
    revokeUrl: options.revokeUrl,
    scopes: options.scopes,
    optionalScopes: options.optionalScopes,
    pkce: options.pkce ?? true,
    clientAuth: options.clientAuth ?? 'body',
  };
}

/**
 * Declares that the platform can call this provider with its own key (managed mode).
 *
 * @example
 * ```ts
 * managed({ keyEnv: 'OXYGEN_MANAGED_LINKEDIN_KEY' })
 * ```
 */
export function managed(options: { keyEnv?: string; header?: string; scheme?: string } = {}): ManagedScheme {
  return {
    type: 'managed',
    keyEnv: options.keyEnv,
    header: (options.header ?? 'authorization').toLowerCase(),
    scheme: options.scheme ?? 'Bearer',
  };
}

/** The environment variable a provider's managed key is read from. */
export function managedKeyEnv(providerId: string, scheme: ManagedScheme): string {
  return scheme.keyEnv ?? `OXYGEN_MANAGED_${envName(providerId)}_KEY`;
}

/** `hub-spot` → `HUB_SPOT`: the provider id as it appears in environment variable names. */
export function envName(providerId: string): string {
  return providerId.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * The HTTP headers that carry a credential.
 * API keys go in the scheme's header; OAuth tokens and managed keys as bearer tokens.
 */
export function authHeaders(
  scheme: ApiKeyScheme | OAuth2Scheme | ManagedScheme,
  credential: Credential,
): Record<string, string> {
  if (credential.type === 'oauth2') {
    return { authorization: `Bearer ${credential.access_token}` };
  }
  const header = scheme.type === 'oauth2' ? 'authorization' : scheme.header;
  const prefix = scheme.type === 'oauth2' ? 'Bearer' : scheme.scheme;
  return { [header]: prefix ? `${prefix} ${credential.key}` : credential.key };
}
