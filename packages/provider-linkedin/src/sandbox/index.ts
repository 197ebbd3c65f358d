/**
 * `@oxygen/provider-linkedin/sandbox`: a local, stateful fake of what the LinkedIn plugin talks
 * to, over real HTTP (`node:http`, no dependencies besides zod and `@oxygen/sandbox-kit`):
 *
 * - LinkedIn's OAuth 2.0 + OpenID Connect: `GET /oauth/v2/authorization` (auto-approves as the
 *   signed-in member: 302 to `redirect_uri?code&state`), `POST /oauth/v2/accessToken`
 *   (form-encoded; access token for 60 days, comma-separated scope, RS256 ID token),
 *   discovery and JWKS, `GET /v2/userinfo`;
 * - the versioned member APIs: `POST /rest/posts`, `DELETE /rest/posts/{urn}`,
 *   `POST /rest/socialActions/{urn}/comments`, `POST /rest/reactions?actor=` (each requires
 *   `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`);
 * - the platform data provider's `GET /enrichment/v1/person` and `/account` (managed key only).
 *
 * In reality the OAuth endpoints are on `www.linkedin.com`, the APIs on `api.linkedin.com` and
 * the data provider on its own host: the sandbox serves them all on one origin.
 *
 * @example
 * ```ts
 * import { startLinkedInSandbox } from '@oxygen/provider-linkedin/sandbox';
 * const sandbox = await startLinkedInSandbox();
 * const { access_token } = sandbox.issueToken('yH3rQ9xZ2b');
 * // point the plugin at sandbox.url with { type: 'oauth2', access_token }, then:
 * sandbox.revokeToken(access_token); // next call: 401 REVOKED_ACCESS_TOKEN
 * await sandbox.close();
 * ```
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type FailureMatch,
  FailureQueue,
  type RecordedRequest,
  readRequest,
  send as sendJson,
  serve,
} from '@oxygen/sandbox-kit';
import {
  accessDenied,
  dataProviderError,
  emptyToken,
  expiredToken,
  injectedError,
  invalidToken,
  LinkedInError,
  notFound,
  protocolVersionMissing,
  revokedToken,
  throttled,
  versionInactive,
  versionMissing,
} from './errors.js';
import { createSigningKey, grantToken, type TokenResponse } from './oauth.js';
import { ROUTES, type Route, type SandboxState, type TokenRequest } from './routes.js';
import { KNOWN_SCOPES } from './schemas.js';
import {
  DEFAULT_MEMBERS,
  DEFAULT_PROFILES,
  IdSequence,
  renderLittleText,
  requestId,
  type SandboxComment,
  type SandboxMember,
  type SandboxMemberInput,
  type SandboxPost,
  type SandboxProfile,
  type SandboxReaction,
  type SandboxToken,
  toMember,
} from './state.js';

export type { TokenResponse } from './oauth.js';
export type { TokenRequest } from './routes.js';
export type {
  SandboxComment,
  SandboxMember,
  SandboxMemberInput,
  SandboxPost,
  SandboxProfile,
  SandboxReaction,
  SandboxToken,
} from './state.js';
export { renderLittleText };

/** A post that exists before any test runs. */
export interface SeedPost {
  /** Default: a new `urn:li:share:<id>`. */
  urn?: string;
  /** Author: a member `sub` or any `urn:li:person:`/`urn:li:organization:` URN. */
  author: string;
  commentary: string;
}

/** Options for {@link startLinkedInSandbox}. */
export interface LinkedInSandboxOptions {
  /** Port to listen on. Default 0: a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** The OAuth app's client id. Default `77sandboxclient`. */
  clientId?: string;
  /** The OAuth app's client secret. Default: a generated one. */
  clientSecret?: string;
  /** Redirect URIs registered on the app (compared without query). Default: any absolute http(s) URI. */
  redirectUris?: string[];
  /** Members who can sign in; the first is signed in. Default: Ada Lovelace (`sub` `yH3rQ9xZ2b`). */
  members?: SandboxMemberInput[];
  /** The platform's managed key the data provider accepts. Default: a generated `oxy_managed_...`. */
  managedKey?: string;
  /** Public profiles the data provider knows. Default: Ada Lovelace and Grace Hopper. */
  profiles?: SandboxProfile[];
  /** Posts that exist from the start (to comment on, react to, delete). */
  posts?: SeedPost[];
  /**
   * `LinkedIn-Version`s accepted, inclusive (YYYYMM). Default: the last 12 months up to the
   * current one (UTC), as LinkedIn supports each monthly version for about a year.
   */
  activeVersions?: { oldest: string; newest: string };
  /**
   * Daily call limits per resource, reset at midnight UTC: per application (all members) and
   * per member. Past either, LinkedIn answers 429 (no `Retry-After`). Default: none.
   */
  dailyLimits?: { application?: number; member?: number };
  /** Play an approved Marketing Developer Platform app: issue 365-day refresh tokens. Default false. */
  refreshTokens?: boolean;
  /** Access token lifetime in seconds. Default 5184000 (60 days). */
  tokenLifetimeSeconds?: number;
}

/** A request the sandbox received, as it arrived. */
export interface SandboxRequest extends RecordedRequest {
  /** Path without the query string, e.g. `/rest/posts`. */
  path: string;
  /** Path and query exactly as sent (percent-encoding kept), e.g. `/rest/reactions?actor=urn%3Ali%3A...`. */
  rawPath: string;
  /** Parsed JSON body, form fields for a form body, the raw text otherwise, undefined when empty. */
  body: unknown;
}

/** A failure to inject with {@link LinkedInSandbox.failNext}. */
export interface FailNextOptions extends FailureMatch {
  status: 401 | 403 | 404 | 429 | 500 | 502 | 503;
  /** Replaces the default message. */
  message?: string;
}

/** A running sandbox. */
export interface LinkedInSandbox {
  /** Base URL for everything: use it in place of `https://api.linkedin.com` and `https://www.linkedin.com`. */
  readonly url: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The key the data provider endpoints accept (managed mode). */
  readonly managedKey: string;
  /** Members by `sub`. */
  readonly members: Map<string, SandboxMember>;
  /** Every request received, oldest first (failed and unauthenticated ones included). */
  readonly requests: SandboxRequest[];
  /** Every request to the token endpoint, with its form fields. */
  readonly tokenRequests: TokenRequest[];
  /** Access tokens issued, by token. */
  readonly tokens: Map<string, SandboxToken>;
  /** Posts by URN. */
  readonly posts: Map<string, SandboxPost>;
  /** Comments by id. */
  readonly comments: Map<string, SandboxComment>;
  /** Reactions by id (`urn:li:reaction:(<actor>,<entity>)`). */
  readonly reactions: Map<string, SandboxReaction>;
  /** Whether the signed-in member approves authorization requests. Default `approve`. */
  consent: 'approve' | 'deny';
  /** Makes the next matching request(s) fail with a LinkedIn-shaped error. */
  failNext(options: FailNextOptions): void;
  /** Revokes an access token: calls with it answer 401 `REVOKED_ACCESS_TOKEN`. */
  revokeToken(token: string): void;
  /** Expires every access token issued so far: calls answer 401 `EXPIRED_ACCESS_TOKEN`. */
  expireTokens(): void;
  /**
   * Issues an access token for a member without the browser dance, as the token endpoint would
   * (default scopes: `openid profile email w_member_social`).
   */
  issueToken(member?: string | SandboxMember, options?: { scopes?: string[] }): TokenResponse;
  /** Signs another member in (the one authorization requests are approved as). */
  signIn(sub: string): void;
  /** Forgets posts, comments, reactions, tokens, codes, requests, counters and pending failures; seeds again. */
  reset(): void;
  /** Stops listening. */
  close(): Promise<void>;
}

const DEFAULT_SCOPES = [...KNOWN_SCOPES];

function yyyymm(date: Date): string {
  return `${date.getUTCFullYear()}${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}

/**
 * Starts a sandbox on a free local port.
 *
 * @example
 * ```ts
 * const sandbox = await startLinkedInSandbox({ clientId: 'app-1', clientSecret: 'secret-1' });
 * const auth = await fetch(
 *   `${sandbox.url}/oauth/v2/authorization?response_type=code&client_id=app-1&redirect_uri=${encodeURIComponent('http://127.0.0.1:9/cb')}&state=s1&scope=openid%20email`,
 *   { redirect: 'manual' },
 * );
 * const code = new URL(auth.headers.get('location')!).searchParams.get('code');
 * ```
 */
export async function startLinkedInSandbox(options: LinkedInSandboxOptions = {}): Promise<LinkedInSandbox> {
  const members = new Map<string, SandboxMember>();
  for (const m of options.members?.length ? options.members : DEFAULT_MEMBERS)
    members.set(m.sub, toMember(m));
  const now = new Date();
  const versions = options.activeVersions ?? {
    oldest: yyyymm(new Date(Date.UTC(now.getUTCFullYear() - 1, now.getUTCMonth(), 1))),
    newest: yyyymm(now),
  };
  const state: SandboxState = {
    url: '',
    clientId: options.clientId ?? '77sandboxclient',
    clientSecret: options.clientSecret ?? `WPL_AP1.${randomUUID().replaceAll('-', '')}`,
    redirectUris: options.redirectUris ?? [],
    members,
    signedIn: [...members.keys()][0] as string,
    consent: 'approve',
    codes: new Map(),
    tokens: new Map(),
    refreshTokens: new Map(),
    issueRefreshTokens: options.refreshTokens ?? false,
    tokenLifetimeSeconds: options.tokenLifetimeSeconds ?? 5_184_000,
    key: createSigningKey(),
    posts: new Map(),
    deletedPosts: new Map(),
    comments: new Map(),
    reactions: new Map(),
    ids: new IdSequence(),
    profiles: options.profiles ?? DEFAULT_PROFILES,
    managedKey: options.managedKey ?? `oxy_managed_${randomUUID().replaceAll('-', '')}`,
    dataProviderName: 'Oxygen data provider (sandbox)',
    tokenRequests: [],
  };
  const requests: SandboxRequest[] = [];
  const failures = new FailureQueue<FailNextOptions>();
  const counters = new Map<string, number>();

  function seed(): void {
    for (const p of options.posts ?? []) {
      const author = p.author.startsWith('urn:li:') ? p.author : `urn:li:person:${p.author}`;
      const urn = p.urn ?? `urn:li:share:${state.ids.take()}`;
      state.posts.set(urn, {
        urn,
        activityUrn: `urn:li:activity:${state.ids.take()}`,
        author,
        commentary: p.commentary,
        ...renderLittleText(p.commentary),
        visibility: 'PUBLIC',
        lifecycleState: 'PUBLISHED',
        version: undefined,
        createdAt: Date.now(),
      });
    }
  }
  seed();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { raw, url, method, headers, query, rawPath } = await readRequest(req);
    requests.push({
      method,
      path: url.pathname,
      rawPath,
      query,
      headers,
      body: parseBody(raw, headers['content-type']),
    });
    res.setHeader('x-li-uuid', requestId());
    try {
      const failure = failures.take(url.pathname);
      if (failure) throw injectedError(failure.status, url.pathname, failure.message);
      const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
      if (!route) {
        if (ROUTES.some((r) => r.pattern.test(url.pathname))) {
          throw new LinkedInError(405, { message: `Method ${method} is not allowed`, status: 405 });
        }
        throw notFound(`No resource at ${method} ${url.pathname} in the LinkedIn sandbox.`);
      }
      const token = authenticate(route, headers.authorization);
      const version = route.versioned ? checkVersion(headers) : undefined;
      if (route.scope && !token?.scopes.includes(route.scope)) {
        throw accessDenied(route.versioned ? `${route.resource}.${version}` : route.resource);
      }
      if (route.auth === 'member' && token) countCall(route, token.sub);
      const params = route.pattern.exec(url.pathname)?.slice(1) ?? [];
      const answer = route.handle({ params, query: url.searchParams, headers, raw, token, version }, state);
      for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
      send(res, answer.status, answer.body);
    } catch (error) {
      if (!(error instanceof LinkedInError)) throw error;
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      send(res, error.status, error.body);
    }
  }

  function authenticate(route: Route, authorization: string | undefined): SandboxToken | undefined {
    if (route.auth === 'none') return undefined;
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim();
    if (route.auth === 'managed') {
      if (bearer === state.managedKey) return undefined;
      throw dataProviderError(
        401,
        'INVALID_API_KEY',
        bearer && state.tokens.has(bearer)
          ? 'The data provider accepts only the platform key; LinkedIn member tokens are not accepted here.'
          : 'Missing or unknown API key.',
      );
    }
    if (!bearer) throw emptyToken();
    const token = state.tokens.get(bearer);
    if (!token) throw invalidToken();
    if (token.revoked) throw revokedToken();
    if (token.expiresAt <= Date.now()) throw expiredToken();
    return token;
  }

  function checkVersion(headers: Record<string, string>): string {
    const version = headers['linkedin-version']?.trim();
    if (!version) throw versionMissing();
    const month = /^(\d{6})(\.\d{2})?$/.exec(version)?.[1];
    if (!month || month < versions.oldest || month > versions.newest) throw versionInactive(version);
    const protocol = headers['x-restli-protocol-version']?.trim();
    if (protocol !== '2.0.0') throw protocolVersionMissing(protocol);
    return version;
  }

  function countCall(route: Route, sub: string): void {
    const limits = options.dailyLimits;
    if (!limits) return;
    const day = new Date().toISOString().slice(0, 10);
    const bump = (key: string) => {
      const n = (counters.get(key) ?? 0) + 1;
      counters.set(key, n);
      return n;
    };
    const app = bump(`${day}|app|${route.resource}`);
    const member = bump(`${day}|member|${sub}|${route.resource}`);
    if (limits.application !== undefined && app > limits.application) throw throttled('APPLICATION');
    if (limits.member !== undefined && member > limits.member) throw throttled('MEMBER');
  }

  const server = await serve(
    handle,
    (res, error) => {
      send(res, 500, { message: `sandbox bug: ${String(error)}`, status: 500 });
    },
    options,
  );
  state.url = server.url;

  return {
    url: state.url,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    managedKey: state.managedKey,
    members,
    requests,
    tokenRequests: state.tokenRequests,
    tokens: state.tokens,
    posts: state.posts,
    comments: state.comments,
    reactions: state.reactions,
    get consent() {
      return state.consent;
    },
    set consent(value: 'approve' | 'deny') {
      state.consent = value;
    },
    failNext(failure) {
      failures.push(failure);
    },
    revokeToken(token) {
      const record = state.tokens.get(token);
      if (!record) throw new Error('revokeToken: the sandbox never issued that token');
      record.revoked = true;
    },
    expireTokens() {
      const past = Date.now() - 1;
      for (const token of state.tokens.values()) token.expiresAt = past;
    },
    issueToken(member, issue = {}) {
      const sub = typeof member === 'string' ? member : (member?.sub ?? state.signedIn);
      const record = members.get(sub);
      if (!record) throw new Error(`issueToken: no sandbox member with sub "${sub}"`);
      return grantToken({
        tokens: state.tokens,
        refreshTokens: state.refreshTokens,
        key: state.key,
        member: record,
        clientId: state.clientId,
        scopes: issue.scopes ?? DEFAULT_SCOPES,
        lifetimeSeconds: state.tokenLifetimeSeconds,
        issueRefreshToken: state.issueRefreshTokens,
      });
    },
    signIn(sub) {
      if (!members.has(sub)) throw new Error(`signIn: no sandbox member with sub "${sub}"`);
      state.signedIn = sub;
    },
    reset() {
      state.posts.clear();
      state.deletedPosts.clear();
      state.comments.clear();
      state.reactions.clear();
      state.tokens.clear();
      state.codes.clear();
      state.refreshTokens.clear();
      state.tokenRequests.length = 0;
      state.ids.reset();
      state.consent = 'approve';
      state.signedIn = [...members.keys()][0] as string;
      requests.length = 0;
      failures.clear();
      counters.clear();
      seed();
    },
    close: () => server.close(),
  };
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!raw) return undefined;
  if (/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Answers JSON with LinkedIn's `content-type` (`application/json`, no charset). */
function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, 'application/json');
}
