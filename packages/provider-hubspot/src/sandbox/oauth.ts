/**
 * The sandbox's OAuth 2.0 app: HubSpot's authorization code flow with PKCE, on the sandbox's own
 * origin.
 *
 * - `GET /oauth/authorize` — in HubSpot this page is on `app.hubspot.com` and asks a person to
 *   choose an account and approve; here it checks the query (`client_id`, `redirect_uri`,
 *   `scope`, `state`, and `code_challenge` with `code_challenge_method=S256` when PKCE is used)
 *   and approves at once: a 302 to `redirect_uri?code=...&state=...`.
 * - `POST /oauth/v3/token` — form-encoded (`application/x-www-form-urlencoded`), as
 *   `auth-oauth-v3.json` documents: `grant_type=authorization_code` (with `code`,
 *   `redirect_uri`, `client_id`, `client_secret`, `code_verifier`) or `grant_type=refresh_token`
 *   (with `refresh_token`, `client_id`, `client_secret`). Success is the spec's
 *   `AccessTokenResponse` (`access_token`, `refresh_token`, `expires_in`, `token_type`,
 *   `token_use`, `hub_id`, `user_id`, `scopes`). HubSpot does not rotate refresh tokens: a refresh
 *   returns the same one.
 * - `POST /oauth/v3/token/revoke` — form-encoded `token`, `token_type_hint`, `client_id`,
 *   `client_secret`; revoking a refresh token also ends the access tokens issued from it.
 *   Answers 200 with no body, also for a token it does not know (RFC 7009 §2.2).
 *
 * Refusals are 400s with the v3 spec's `Error` fields (`message`, `correlationId`, `category`)
 * plus the `status` code HubSpot's token endpoint is known to send (`BAD_REFRESH_TOKEN`,
 * `BAD_AUTH_CODE`, `BAD_CLIENT_ID`, ...): the v3 spec does not list its codes, so the sandbox keeps
 * the v1 names (`{"status":"BAD_REFRESH_TOKEN","message":"missing or invalid refresh token"}` is
 * what HubSpot answers a dead refresh token with). A dead refresh token is the OAuth
 * `invalid_grant` case: the connection must be made again.
 *
 * @module
 */

import { createHash, randomUUID } from 'node:crypto';
import { authenticationError, HubSpotError } from './errors.js';

/** Options for the sandbox's OAuth app (`startHubSpotSandbox({ oauth })`). */
export interface SandboxOAuthOptions {
  /** The app's client id. Default: a generated UUID. */
  clientId?: string;
  /** The app's client secret. Default: a generated UUID. */
  clientSecret?: string;
  /** Lifetime of issued access tokens in seconds (`expires_in`). Default 1800, as HubSpot's. */
  accessTokenTtlSeconds?: number;
  /** Redirect URLs registered with the app. Default: any http(s) URL is accepted. */
  redirectUris?: string[];
}

/** The sandbox's OAuth app, as tests see it. */
export interface SandboxOAuthApp {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Lifetime of access tokens issued from now on, in seconds. */
  accessTokenTtlSeconds: number;
}

/** An answer to an OAuth request. */
export interface OAuthAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface PendingCode {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string | undefined;
  expiresAt: number;
  used: boolean;
}

interface IssuedAccessToken {
  expiresAt: number;
  refreshToken: string;
  scopes: string[];
  revoked: boolean;
}

const CODE_TTL_MS = 5 * 60_000;
const SCOPE = /^[A-Za-z0-9._-]+$/;
const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;

/** A refusal at the token or revoke endpoint, in the v3 `Error` shape plus HubSpot's `status` code. */
function refusal(status: string, message: string): HubSpotError {
  const error = new HubSpotError(400, 'VALIDATION_ERROR', message);
  error.body = (correlationId: string) => ({ status, message, correlationId, category: 'VALIDATION_ERROR' });
  return error;
}

function tokenString(prefix: string): string {
  // HubSpot's tokens are opaque strings of up to ~300 characters; these are shorter but as opaque.
  return `${prefix}-${randomUUID()}-${randomUUID().slice(0, 8)}`;
}

/** The OAuth side of the sandbox: authorize, token and revoke endpoints and the tokens they issue. */
export class SandboxOAuth implements SandboxOAuthApp {
  readonly clientId: string;
  readonly clientSecret: string;
  accessTokenTtlSeconds: number;
  /** Token endpoint requests received, by `grant_type` (counted on arrival, refused ones too). */
  readonly tokenRequests: Record<string, number> = {};
  /** Revocation requests received. */
  revokeRequests = 0;
  private readonly redirectUris: string[] | undefined;
  private readonly codes = new Map<string, PendingCode>();
  private readonly accessTokens = new Map<string, IssuedAccessToken>();
  private readonly refreshTokens = new Map<string, { scopes: string[]; revoked: boolean }>();

  constructor(
    options: SandboxOAuthOptions,
    private readonly portalId: number,
  ) {
    this.clientId = options.clientId ?? randomUUID();
    this.clientSecret = options.clientSecret ?? randomUUID();
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 1800;
    this.redirectUris = options.redirectUris;
  }

  /**
   * Answers the request when it is one of the OAuth endpoints; `undefined` otherwise.
   * Throws `HubSpotError` for refusals the server renders in HubSpot's error shape.
   */
  handle(method: string, url: URL, headers: Record<string, string>, raw: string): OAuthAnswer | undefined {
    if (method === 'GET' && url.pathname === '/oauth/authorize') return this.authorize(url.searchParams);
    if (method === 'POST' && url.pathname === '/oauth/v3/token') return this.token(headers, raw);
    if (method === 'POST' && url.pathname === '/oauth/v3/token/revoke') return this.revoke(headers, raw);
    return undefined;
  }

  /**
   * Checks a bearer token the CRM routes received: `undefined` when it is a live access token
   * this app issued, else the 401 HubSpot answers (`EXPIRED_AUTHENTICATION` for an expired one).
   */
  authenticate(token: string): HubSpotError | undefined {
    const issued = this.accessTokens.get(token);
    if (!issued || issued.revoked) return authenticationError();
    const ago = Date.now() - issued.expiresAt;
    if (ago >= 0) {
      return new HubSpotError(
        401,
        'EXPIRED_AUTHENTICATION',
        `The OAuth token used to make this call expired ${Math.floor(ago / 60_000)} minute(s) ago.`,
      );
    }
    return undefined;
  }

  /** The scopes an access token this app issued was granted; `undefined` for any other token. */
  scopesOf(token: string): string[] | undefined {
    return this.accessTokens.get(token)?.scopes;
  }

  /** Every access token issued so far stops working, as if its lifetime had passed. */
  expireAccessTokens(): void {
    const past = Date.now() - 1;
    for (const token of this.accessTokens.values()) token.expiresAt = Math.min(token.expiresAt, past);
  }

  /** Every refresh token issued so far is refused from now on (`BAD_REFRESH_TOKEN`), as when the app is uninstalled. */
  revokeRefreshTokens(): void {
    for (const token of this.refreshTokens.values()) token.revoked = true;
  }

  /** Forgets codes, tokens and counters. */
  reset(): void {
    this.codes.clear();
    this.accessTokens.clear();
    this.refreshTokens.clear();
    for (const key of Object.keys(this.tokenRequests)) delete this.tokenRequests[key];
    this.revokeRequests = 0;
  }

  private authorize(query: URLSearchParams): OAuthAnswer {
    const clientId = query.get('client_id');
    if (clientId !== this.clientId) {
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        'Authorization failed because the client_id is unknown.',
      );
    }
    const redirect = query.get('redirect_uri') ?? '';
    let back: URL;
    try {
      back = new URL(redirect);
    } catch {
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        'Authorization failed because redirect_uri is missing or invalid.',
      );
    }
    if ((back.protocol !== 'http:' && back.protocol !== 'https:') || back.hash) {
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        'Authorization failed because redirect_uri is missing or invalid.',
      );
    }
    if (this.redirectUris && !this.redirectUris.includes(redirect)) {
      throw new HubSpotError(
        400,
        'VALIDATION_ERROR',
        "Authorization failed because redirect_uri does not match the app's redirect URLs.",
      );
    }
    const state = query.get('state');
    const fail = (error: string, description: string): OAuthAnswer => {
      back.searchParams.set('error', error);
      back.searchParams.set('error_description', description);
      if (state) back.searchParams.set('state', state);
      return { status: 302, headers: { location: back.toString() } };
    };
    if (!state) return fail('invalid_request', 'state is required');
    const responseType = query.get('response_type');
    if (responseType !== null && responseType !== 'code')
      return fail('unsupported_response_type', 'only code is supported');
    const scopes = [query.get('scope'), query.get('optional_scope')]
      .flatMap((s) => (s ?? '').split(' '))
      .filter(Boolean);
    if (!query.get('scope') || !scopes.every((s) => SCOPE.test(s))) {
      return fail('invalid_scope', 'scope must list one or more scopes separated by spaces');
    }
    const challenge = query.get('code_challenge') ?? undefined;
    const method = query.get('code_challenge_method');
    if (challenge !== undefined || method !== null) {
      if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
      if (!challenge || !PKCE_CHALLENGE.test(challenge)) {
        return fail('invalid_request', 'code_challenge must be 43 to 128 base64url characters');
      }
    }
    const code = randomUUID();
    this.codes.set(code, {
      clientId,
      redirectUri: redirect,
      scopes: [...new Set(scopes)],
      challenge,
      expiresAt: Date.now() + CODE_TTL_MS,
      used: false,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('state', state);
    return { status: 302, headers: { location: back.toString() } };
  }

  private form(headers: Record<string, string>, raw: string): URLSearchParams {
    const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
      throw refusal('BAD_REQUEST', 'The request body must be application/x-www-form-urlencoded.');
    }
    return new URLSearchParams(raw);
  }

  private checkClient(form: URLSearchParams): void {
    if (form.get('client_id') !== this.clientId)
      throw refusal('BAD_CLIENT_ID', 'missing or unknown client id');
    if (form.get('client_secret') !== this.clientSecret) {
      throw refusal('BAD_CLIENT_SECRET', 'missing or invalid client secret');
    }
  }

  private token(headers: Record<string, string>, raw: string): OAuthAnswer {
    const grant = new URLSearchParams(raw).get('grant_type') ?? '(none)';
    this.tokenRequests[grant] = (this.tokenRequests[grant] ?? 0) + 1;
    const form = this.form(headers, raw);
    if (grant !== 'authorization_code' && grant !== 'refresh_token') {
      throw refusal('BAD_GRANT_TYPE', 'grant_type must be authorization_code or refresh_token');
    }
    this.checkClient(form);
    if (grant === 'authorization_code') {
      const pending = this.codes.get(form.get('code') ?? '');
      if (!pending || pending.used || pending.expiresAt <= Date.now()) {
        throw refusal('BAD_AUTH_CODE', 'missing or unknown auth code');
      }
      pending.used = true;
      if (form.get('redirect_uri') !== pending.redirectUri) {
        throw refusal('BAD_REDIRECT_URI', 'redirect_uri does not match the one the code was issued for');
      }
      if (pending.challenge !== undefined) {
        const verifier = form.get('code_verifier') ?? '';
        const expected = createHash('sha256').update(verifier, 'ascii').digest('base64url');
        if (!verifier || expected !== pending.challenge) {
          throw refusal('BAD_AUTH_CODE', 'code_verifier does not match the code_challenge');
        }
      }
      const refreshToken = tokenString('na1-rt');
      this.refreshTokens.set(refreshToken, { scopes: pending.scopes, revoked: false });
      return this.issue(refreshToken, pending.scopes);
    }
    const refreshToken = form.get('refresh_token') ?? '';
    const known = this.refreshTokens.get(refreshToken);
    if (!known || known.revoked) throw refusal('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
    return this.issue(refreshToken, known.scopes);
  }

  private issue(refreshToken: string, scopes: string[]): OAuthAnswer {
    const accessToken = tokenString('na1-at');
    this.accessTokens.set(accessToken, {
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
      refreshToken,
      scopes,
      revoked: false,
    });
    return {
      status: 200,
      body: {
        token_type: 'bearer',
        refresh_token: refreshToken,
        access_token: accessToken,
        expires_in: this.accessTokenTtlSeconds,
        token_use: 'access_token',
        hub_id: this.portalId,
        user_id: 1,
        scopes,
      },
    };
  }

  private revoke(headers: Record<string, string>, raw: string): OAuthAnswer {
    this.revokeRequests++;
    const form = this.form(headers, raw);
    this.checkClient(form);
    const token = form.get('token') ?? '';
    if (!token) throw refusal('BAD_REQUEST', 'token is required');
    const refresh = this.refreshTokens.get(token);
    if (refresh) {
      refresh.revoked = true;
      for (const access of this.accessTokens.values())
        if (access.refreshToken === token) access.revoked = true;
    }
    const access = this.accessTokens.get(token);
    if (access) access.revoked = true;
    return { status: 200 };
  }
}
