/**
 * Calls to a provider's OAuth token and revocation endpoints (RFC 6749 §4.1.3 and §6, RFC 7009):
 * form-encoded, through core's HTTP context so network failures are typed and nothing secret
 * (client secret, code, verifier, tokens) reaches an error message.
 *
 * @module
 */

import {
  AuthError,
  type Credential,
  createHttpContext,
  type OAuth2Scheme,
  type OxygenError,
  type ProviderDefinition,
  ProviderError,
  parseRetryAfter,
  RateLimitError,
  redactText,
} from '@oxygen/core';
import type { OAuthClient, OAuthEndpoints } from './endpoints.js';

/**
 * An OAuth credential as the vault holds it: core's `oauth2` credential, plus the organization's
 * own OAuth app when it connected with one (absent: the platform's app, read from the
 * environment whenever it is needed, so rotating the platform's secret needs no reconnect).
 */
export type OAuthCredential = Extract<
  Credential,
  {
    /** Tokens from an OAuth 2.0 authorization. */
    type: 'oauth2';
  }
> & {
  /** The organization's own OAuth app, needed to refresh and revoke. */
  client?:
    | {
        /** The app's client id. */
        client_id: string;
        /** The app's client secret; sealed with the rest of the credential. */
        client_secret: string;
      }
    | undefined;
};

/** What a token endpoint granted. */
export interface TokenSet {
  /** The bearer token for API calls. */
  access_token: string;
  /** Absent when the provider issues none (LinkedIn for most apps, Attio). */
  refresh_token?: string | undefined;
  /** Seconds the access token lives; absent when it does not expire (Attio). */
  expires_in?: number | undefined;
  /** The token type the provider reported (`bearer`). */
  token_type?: string | undefined;
  /** Granted scopes, from the answer's `scope` (space separated) or `scopes` (a list). */
  scopes?: string[] | undefined;
}

/** A token endpoint's refusal, as far as its body says (RFC 6749 §5.2 or the provider's own shape). */
export interface TokenFailure {
  /** HTTP status. */
  status: number;
  /** `error` (RFC 6749), else the provider's own code (HubSpot's `status`, then `category`). */
  code?: string | undefined;
  /** `error_description`, else `message`, redacted. */
  message: string;
  /** The provider's request or correlation id. */
  requestId?: string | undefined;
  /** Milliseconds the provider asked to wait (429). */
  retryAfterMs?: number | undefined;
}

const TIMEOUT_MS = 30_000;

/** RFC 6749 error codes that blame the client or the request, not the grant. */
const CLIENT_SIDE = new Set([
  'invalid_client',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_request',
  'invalid_scope',
]);

/**
 * True when a refresh was refused because the grant itself is dead (RFC 6749 `invalid_grant`:
 * revoked, expired or already-rotated refresh token): the connection is then `expired` and only
 * a reconnect helps. Providers that do not follow RFC 6749's codes count when a 400 or 401 names
 * the refresh token or the grant (HubSpot: `400 {"status":"BAD_REFRESH_TOKEN", ...}`). A bad
 * client, a 429 or a 5xx is not a dead grant.
 */
export function isRefusedGrant(failure: TokenFailure): boolean {
  if (failure.status >= 500 || failure.status === 429) return false;
  const code = failure.code?.toLowerCase();
  if (code === 'invalid_grant') return true;
  if (code && CLIENT_SIDE.has(code)) return false;
  if (failure.status !== 400 && failure.status !== 401) return false;
  return /refresh[\s_-]?token|invalid[\s_-]?grant/i.test(`${failure.code ?? ''} ${failure.message}`);
}

interface TokenCall {
  provider: ProviderDefinition;
  scheme: OAuth2Scheme;
  url: string;
  client: OAuthClient;
  /**
   * The form fields in the order they are sent; `'client'` marks where `client_id` and
   * `client_secret` go (left out when the client authenticates with HTTP Basic).
   */
  form: ([string, string | undefined | null] | 'client')[];
  /** Values to redact from anything that could be shown. */
  secrets: string[];
  timeoutMs?: number | undefined;
}

type TokenAnswer = { ok: true; body: unknown } | { ok: false; failure: TokenFailure };

async function post(call: TokenCall): Promise<TokenAnswer> {
  const target = new URL(call.url);
  const headers: Record<string, string> = {};
  const form: Record<string, string> = {};
  const basic = call.scheme.clientAuth === 'basic';
  for (const field of call.form) {
    if (field === 'client') {
      if (basic) continue;
      form.client_id = call.client.clientId;
      form.client_secret = call.client.clientSecret;
    } else if (field[1] !== undefined && field[1] !== null) {
      form[field[0]] = field[1];
    }
  }
  if (basic) {
    // RFC 6749 §2.3.1: each part form-encoded, then base64 of "id:secret".
    const pair = `${encodeURIComponent(call.client.clientId)}:${encodeURIComponent(call.client.clientSecret)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
  }
  const secrets = [...call.secrets, call.client.clientSecret].filter(Boolean);
  const { http } = createHttpContext({
    provider: call.provider,
    baseUrl: target.origin,
    headers,
    secrets,
    // A code is single-use and a refresh may rotate the refresh token: never send one twice.
    retry: { limit: 0 },
    timeoutMs: call.timeoutMs ?? TIMEOUT_MS,
  });
  const response = await http.post(`${target.pathname.slice(1)}${target.search}`, {
    form,
    throwHttpErrors: false,
    responseType: 'text',
  });
  const body = parseBody(response.body);
  if (response.statusCode >= 200 && response.statusCode < 300) return { ok: true, body };
  return {
    ok: false,
    failure: describeFailure(
      call.provider,
      response.statusCode,
      body,
      response.headers as Record<string, string | string[] | undefined>,
      secrets,
    ),
  };
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function header(headers: Record<string, string | string[] | undefined>, name: string | undefined) {
  const value = name ? headers[name.toLowerCase()] : undefined;
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a token endpoint's error body: RFC 6749 `{error, error_description}` or the provider's own shape. */
export function describeFailure(
  provider: Pick<ProviderDefinition, 'requestIdHeader'>,
  status: number,
  body: unknown,
  headers: Record<string, string | string[] | undefined>,
  secrets: readonly string[],
): TokenFailure {
  let code: string | undefined;
  let message: string | undefined;
  let requestId: string | undefined;
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const o = body as Record<string, unknown>;
    const providerStatus = str(o.status);
    code =
      str(o.error) ??
      (providerStatus && providerStatus !== 'error' ? providerStatus : undefined) ??
      str(o.category) ??
      str(o.errorType);
    message = str(o.error_description) ?? str(o.message) ?? str(o.error) ?? str(o.detail);
    requestId = str(o.correlationId) ?? str(o.requestId) ?? str(o.request_id);
  } else if (typeof body === 'string') {
    message = body.trim().slice(0, 300) || undefined;
  }
  requestId ??=
    header(headers, provider.requestIdHeader) ??
    header(headers, 'x-request-id') ??
    header(headers, 'request-id');
  return {
    status,
    code: code && redactText(code, secrets),
    message: redactText(message ?? `HTTP ${status}`, secrets).replace(/\s+/g, ' '),
    requestId,
    retryAfterMs: parseRetryAfter(headers['retry-after']),
  };
}

/** The typed error for a token endpoint's refusal. Never carries `status` (see the refresh code). */
export function failureError(
  provider: Pick<ProviderDefinition, 'name'>,
  what: string,
  failure: TokenFailure,
  hint: string,
): OxygenError {
  const message = `${provider.name} refused ${what} (HTTP ${failure.status}${failure.code ? ` ${failure.code}` : ''}): ${failure.message}`;
  const details = {
    hint,
    providerMessage: failure.message,
    requestId: failure.requestId,
    data: { provider_status: failure.status, ...(failure.code ? { provider_code: failure.code } : {}) },
  };
  if (failure.status === 429)
    return new RateLimitError(message, { ...details, retryAfterMs: failure.retryAfterMs });
  if (failure.status >= 500) return new ProviderError(message, details);
  return new AuthError(message, details);
}

function scopesOf(value: unknown): string[] | undefined {
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s.length > 0);
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  return undefined;
}

/** Reads a token endpoint's success answer; only `access_token` is required. */
export function parseTokenSet(body: unknown, provider: Pick<ProviderDefinition, 'name'>): TokenSet {
  const o = body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  const access = str(o?.access_token);
  if (!o || !access) {
    throw new ProviderError(`${provider.name}'s token endpoint answered without an access_token.`, {
      hint: 'The provider changed its answer, or the token URL points at something else; check OXYGEN_PROVIDER_<ID>_BASE_URL.',
    });
  }
  const expiresIn = typeof o.expires_in === 'string' ? Number(o.expires_in) : o.expires_in;
  return {
    access_token: access,
    refresh_token: str(o.refresh_token),
    expires_in:
      typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : undefined,
    token_type: str(o.token_type),
    scopes: scopesOf(o.scopes) ?? scopesOf(o.scope),
  };
}

/**
 * The credential a token answer makes. A refresh answer without a refresh token keeps the old
 * one (providers that do not rotate); one without `expires_in` never expires.
 */
export function credentialFrom(
  tokens: TokenSet,
  previous?: OAuthCredential,
  client?: OAuthCredential['client'],
): OAuthCredential {
  const credential: OAuthCredential = {
    type: 'oauth2',
    access_token: tokens.access_token,
    refresh_token: tokens.refresh_token ?? previous?.refresh_token,
    expires_at: tokens.expires_in !== undefined ? Date.now() + tokens.expires_in * 1000 : undefined,
    token_type: tokens.token_type ?? previous?.token_type,
  };
  const app = client ?? previous?.client;
  if (app) credential.client = app;
  return credential;
}

/**
 * When a credential's access token expires, as the store keeps it beside the sealed credential
 * (ISO 8601, UTC), or `null` when it does not expire (API keys, tokens without `expires_in`).
 *
 * @example
 * ```ts
 * expiresAtOf({ type: 'oauth2', access_token: 't', expires_at: Date.UTC(2026, 0, 1) }); // '2026-01-01T00:00:00.000Z'
 * expiresAtOf({ type: 'api_key', key: 'k' }); // null
 * ```
 */
export function expiresAtOf(credential: Credential | OAuthCredential): string | null {
  if (credential.type !== 'oauth2' || typeof credential.expires_at !== 'number') return null;
  return Number.isFinite(credential.expires_at) ? new Date(credential.expires_at).toISOString() : null;
}

/** What the HTTP context gets: the credential without the organization's app. */
export function callCredential(credential: OAuthCredential): Credential {
  const { client: _app, ...rest } = credential;
  return rest;
}

/** Options shared by the token endpoint calls. */
export interface TokenEndpointOptions {
  /** The provider, named in errors and used to parse its answers. */
  provider: ProviderDefinition;
  /** The provider's OAuth scheme (how the client authenticates: body or HTTP Basic). */
  scheme: OAuth2Scheme;
  /** The endpoints after environment overrides. */
  endpoints: OAuthEndpoints;
  /** The OAuth app making the call. */
  client: OAuthClient;
  /** Whole-request timeout. Default 30 s. */
  timeoutMs?: number | undefined;
}

/**
 * Exchanges an authorization code (RFC 6749 §4.1.3): `grant_type=authorization_code`, `code`,
 * `redirect_uri`, the client (in the body, or HTTP Basic when the scheme says `basic`) and the
 * PKCE `code_verifier`.
 *
 * @throws AuthError when the provider refuses the code or the client, RateLimitError, ProviderError
 * (5xx or an answer without a token) or NetworkError.
 */
export async function exchangeCode(
  options: TokenEndpointOptions & { code: string; redirectUri: string; codeVerifier?: string | null },
): Promise<TokenSet> {
  const answer = await post({
    ...options,
    url: options.endpoints.tokenUrl,
    form: [
      ['grant_type', 'authorization_code'],
      ['code', options.code],
      ['redirect_uri', options.redirectUri],
      'client',
      ['code_verifier', options.codeVerifier],
    ],
    secrets: [options.code, options.codeVerifier ?? ''],
  });
  if (!answer.ok) {
    throw failureError(
      options.provider,
      'the authorization code',
      answer.failure,
      `Start the connection again (oxygen integrations connect ${options.provider.id}); if it keeps failing, check the OAuth app's client id, secret and redirect URL.`,
    );
  }
  return parseTokenSet(answer.body, options.provider);
}

/** What a refresh came to. */
export type RefreshAnswer =
  | {
      /** The provider granted new tokens. */
      ok: true;
      /** What it granted. */
      tokens: TokenSet;
    }
  | {
      /** The provider refused. */
      ok: false;
      /** What its answer said. */
      failure: TokenFailure;
      /** True when the grant is dead ({@link isRefusedGrant}): reconnect. */
      refused: boolean;
    };

/**
 * Refreshes an access token (RFC 6749 §6): `grant_type=refresh_token`, `refresh_token` and the
 * client. Refusals come back as values; a network failure throws `NetworkError`.
 */
export async function requestRefresh(
  options: TokenEndpointOptions & { refreshToken: string },
): Promise<RefreshAnswer> {
  const answer = await post({
    ...options,
    url: options.endpoints.tokenUrl,
    form: [['grant_type', 'refresh_token'], ['refresh_token', options.refreshToken], 'client'],
    secrets: [options.refreshToken],
  });
  if (!answer.ok) return { ok: false, failure: answer.failure, refused: isRefusedGrant(answer.failure) };
  return { ok: true, tokens: parseTokenSet(answer.body, options.provider) };
}

/**
 * Revokes a token (RFC 7009): `token`, `token_type_hint` and the client, form-encoded, at the
 * scheme's revoke URL. HubSpot's `POST /oauth/v3/token/revoke` takes exactly these fields.
 *
 * @throws AuthError / RateLimitError / ProviderError when the provider refuses, NetworkError when
 * it cannot be reached.
 */
export async function revokeToken(
  options: TokenEndpointOptions & { token: string; tokenTypeHint: 'refresh_token' | 'access_token' },
): Promise<void> {
  const url = options.endpoints.revokeUrl;
  if (!url) throw new ProviderError(`${options.provider.name} declares no token revocation endpoint.`);
  const answer = await post({
    ...options,
    url,
    form: [['token', options.token], ['token_type_hint', options.tokenTypeHint], 'client'],
    secrets: [options.token],
  });
  if (!answer.ok) {
    throw failureError(
      options.provider,
      'to revoke the token',
      answer.failure,
      `Revoke the app's access in ${options.provider.name}'s settings if it still appears there.`,
    );
  }
}
