/**
 * The endpoints the sandbox serves. Each route names its method, path, who may call it
 * (nobody in particular, a member token, or the platform's managed key), whether it is a
 * versioned (`/rest`) API with LinkedIn's required headers, and the scope it needs; the server
 * does authentication, version checks, throttling and error bodies.
 *
 * In reality the OAuth endpoints live on `www.linkedin.com`, the member APIs on
 * `api.linkedin.com`, and the data provider on its own host; the sandbox serves all of them on
 * one origin, under the same paths.
 *
 * @module
 */

import type { z } from 'zod';
import {
  accessDenied,
  dataProviderError,
  fieldError,
  illegalArgument,
  LinkedInError,
  notFound,
  oauthError,
} from './errors.js';
import {
  grantToken,
  ISSUER,
  memberClaims,
  pkceMatches,
  type SandboxRefreshToken,
  type SigningKey,
} from './oauth.js';
import {
  authorizationCodeForm,
  authorizeQuery,
  commentBody,
  enrichmentQuery,
  KNOWN_SCOPES,
  postBody,
  reactionBody,
  refreshTokenForm,
  restliIssue,
} from './schemas.js';
import {
  type IdSequence,
  profileSlug,
  randomToken,
  renderLittleText,
  type SandboxCode,
  type SandboxComment,
  type SandboxMember,
  type SandboxPost,
  type SandboxProfile,
  type SandboxReaction,
  type SandboxToken,
} from './state.js';

/** What the routes read and change. */
export interface SandboxState {
  /** The sandbox's base URL (for discovery documents). */
  url: string;
  clientId: string;
  clientSecret: string;
  /** Registered redirect URIs; empty: any absolute http(s) URI is accepted. */
  redirectUris: string[];
  members: Map<string, SandboxMember>;
  /** The member who is signed in to "linkedin.com" and approves authorization requests. */
  signedIn: string;
  consent: 'approve' | 'deny';
  codes: Map<string, SandboxCode>;
  tokens: Map<string, SandboxToken>;
  refreshTokens: Map<string, SandboxRefreshToken>;
  issueRefreshTokens: boolean;
  tokenLifetimeSeconds: number;
  key: SigningKey;
  posts: Map<string, SandboxPost>;
  /** Deleted post URNs and their authors: deleting again answers 204, as LinkedIn documents. */
  deletedPosts: Map<string, string>;
  comments: Map<string, SandboxComment>;
  reactions: Map<string, SandboxReaction>;
  ids: IdSequence;
  profiles: SandboxProfile[];
  managedKey: string;
  dataProviderName: string;
  /** Form bodies received by the token endpoint. */
  tokenRequests: TokenRequest[];
}

/** A request to the token endpoint, as received. */
export interface TokenRequest {
  /** `content-type` header. */
  contentType: string | undefined;
  /** The form fields of the body (client secret included: the sandbox's own). */
  form: Record<string, string>;
  /** Query string parameters (LinkedIn forbids secrets there). */
  query: Record<string, string>;
  /** The status the sandbox answered. */
  status: number;
}

/** A request as a route sees it. */
export interface RouteRequest {
  params: string[];
  query: URLSearchParams;
  headers: Record<string, string>;
  raw: string;
  /** The caller's token, for `auth: 'member'` routes. */
  token?: SandboxToken | undefined;
  /** The `LinkedIn-Version` of a versioned call. */
  version?: string | undefined;
}

/** A route's answer. */
export interface RouteAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** One endpoint. */
export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  /** Who may call it. */
  auth: 'none' | 'member' | 'managed';
  /** A `/rest` API: needs `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`. */
  versioned?: boolean;
  /** Scope the member token needs. */
  scope?: string;
  /** Resource name in LinkedIn's 403 text (`posts.CREATE`); the throttle counts per resource. */
  resource: string;
  handle: (req: RouteRequest, state: SandboxState) => RouteAnswer;
}

/** Parses a JSON body and checks it with a Rest.li schema (422 `ERROR :: /path :: ...`). */
function restliBody<S extends z.ZodType>(schema: S, raw: string): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw illegalArgument('Cannot parse request entity: the body is not valid JSON.');
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const { path, reason } = issue ? restliIssue(issue) : { path: '', reason: 'invalid' };
  throw fieldError(path, reason);
}

function memberUrnOf(req: RouteRequest): string {
  return `urn:li:person:${req.token?.sub ?? ''}`;
}

/** The post a URN names: the post's own URN or its activity URN. */
function findPost(state: SandboxState, urn: string): SandboxPost | undefined {
  return state.posts.get(urn) ?? [...state.posts.values()].find((p) => p.activityUrn === urn);
}

function redirect(to: URL): RouteAnswer {
  return { status: 302, headers: { location: to.toString() } };
}

function authorize(req: RouteRequest, state: SandboxState): RouteAnswer {
  const query = Object.fromEntries(req.query);
  if (query.client_id !== state.clientId) {
    throw oauthError(400, 'invalid_client', 'The client_id is not registered for any application.');
  }
  const redirectUri = typeof query.redirect_uri === 'string' ? query.redirect_uri : '';
  let target: URL;
  try {
    target = new URL(redirectUri);
    if (!/^https?:$/.test(target.protocol) || target.hash) throw new Error('not absolute');
  } catch {
    throw oauthError(
      400,
      'invalid_request',
      'The redirect_uri must be an absolute http(s) URL without a fragment.',
    );
  }
  const registered = `${target.origin}${target.pathname}`;
  if (state.redirectUris.length > 0 && !state.redirectUris.includes(registered)) {
    throw oauthError(400, 'invalid_request', 'The redirect_uri does not match the registered value.');
  }
  const fail = (error: string, description: string) => {
    target.searchParams.set('error', error);
    target.searchParams.set('error_description', description);
    if (query.state) target.searchParams.set('state', query.state);
    return redirect(target);
  };
  const parsed = authorizeQuery.safeParse(query);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail('invalid_request', `Invalid or missing parameter "${issue?.path.join('.') ?? ''}".`);
  }
  const scopes = parsed.data.scope.split(' ').filter(Boolean);
  const unknown = scopes.find((s) => !(KNOWN_SCOPES as readonly string[]).includes(s));
  if (unknown)
    return fail('unauthorized_scope_error', `Scope "${unknown}" is not authorized for your application`);
  if (state.consent === 'deny')
    return fail('user_cancelled_authorize', 'The user cancelled the authorization');
  const code = randomToken(48);
  state.codes.set(code, {
    code,
    sub: state.signedIn,
    clientId: parsed.data.client_id,
    redirectUri,
    scopes: [...new Set(scopes)],
    nonce: parsed.data.nonce,
    codeChallenge: parsed.data.code_challenge,
    codeChallengeMethod: parsed.data.code_challenge
      ? (parsed.data.code_challenge_method ?? 'plain')
      : undefined,
    expiresAt: Date.now() + 30 * 60_000,
  });
  target.searchParams.set('code', code);
  if (parsed.data.state !== undefined) target.searchParams.set('state', parsed.data.state);
  return redirect(target);
}

function accessToken(req: RouteRequest, state: SandboxState): RouteAnswer {
  const contentType = req.headers['content-type'];
  const form = /^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')
    ? Object.fromEntries(new URLSearchParams(req.raw))
    : {};
  const record: TokenRequest = { contentType, form, query: Object.fromEntries(req.query), status: 0 };
  state.tokenRequests.push(record);
  try {
    const answer = exchange(req, form, state);
    record.status = answer.status;
    return answer;
  } catch (error) {
    if (error instanceof LinkedInError) record.status = error.status;
    throw error;
  }
}

function exchange(req: RouteRequest, form: Record<string, string>, state: SandboxState): RouteAnswer {
  if (req.query.has('client_secret')) {
    throw oauthError(
      400,
      'invalid_request',
      'client_secret must be sent in the request body, never in the URL.',
    );
  }
  const missing = (schema: z.ZodObject) => {
    const result = schema.safeParse(form);
    if (result.success) return;
    const name = String(result.error.issues[0]?.path[0] ?? 'grant_type');
    throw oauthError(400, 'invalid_request', `A required parameter "${name}" is missing`);
  };
  if (!form.grant_type)
    throw oauthError(400, 'invalid_request', 'A required parameter "grant_type" is missing');
  const clientOk = () => {
    if (form.client_id !== state.clientId || form.client_secret !== state.clientSecret) {
      throw oauthError(401, 'invalid_client', 'Client authentication failed');
    }
  };
  if (form.grant_type === 'authorization_code') {
    missing(authorizationCodeForm);
    clientOk();
    const code = state.codes.get(form.code ?? '');
    if (code) state.codes.delete(code.code); // single use, even when the exchange fails
    const member = code ? state.members.get(code.sub) : undefined;
    if (
      !code ||
      !member ||
      code.expiresAt < Date.now() ||
      code.clientId !== form.client_id ||
      code.redirectUri !== form.redirect_uri ||
      !pkceMatches(code, form.code_verifier)
    ) {
      throw oauthError(
        400,
        'invalid_request',
        'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists',
      );
    }
    return {
      status: 200,
      body: grantToken({
        tokens: state.tokens,
        refreshTokens: state.refreshTokens,
        key: state.key,
        member,
        clientId: code.clientId,
        scopes: code.scopes,
        lifetimeSeconds: state.tokenLifetimeSeconds,
        issueRefreshToken: state.issueRefreshTokens,
        nonce: code.nonce,
      }),
    };
  }
  if (form.grant_type === 'refresh_token') {
    missing(refreshTokenForm);
    clientOk();
    const record = state.refreshTokens.get(form.refresh_token ?? '');
    const member = record ? state.members.get(record.sub) : undefined;
    if (!record || !member || record.expiresAt < Date.now() || record.clientId !== form.client_id) {
      throw oauthError(400, 'invalid_request', 'The provided refresh token is invalid or expired.');
    }
    return {
      status: 200,
      body: grantToken({
        tokens: state.tokens,
        refreshTokens: state.refreshTokens,
        key: state.key,
        member,
        clientId: record.clientId,
        scopes: record.scopes,
        lifetimeSeconds: state.tokenLifetimeSeconds,
        issueRefreshToken: false,
        refresh: { token: form.refresh_token as string, record },
      }),
    };
  }
  throw oauthError(400, 'unsupported_grant_type', `The grant_type "${form.grant_type}" is not supported.`);
}

function createPost(req: RouteRequest, state: SandboxState): RouteAnswer {
  const body = restliBody(postBody, req.raw);
  if (body.author !== memberUrnOf(req)) throw accessDenied(`posts.CREATE.${req.version}`);
  const shown = body.commentary.replace(/\\(.)/g, '$1');
  if (shown.length > 3000) {
    throw fieldError('commentary', `length ${shown.length} exceeds the maximum allowed length of 3000`);
  }
  const id = state.ids.take();
  const urn = `urn:li:share:${id}`;
  const { text, mentions } = renderLittleText(body.commentary);
  state.posts.set(urn, {
    urn,
    activityUrn: `urn:li:activity:${state.ids.take()}`,
    author: body.author,
    commentary: body.commentary,
    text,
    mentions,
    visibility: body.visibility,
    article: body.content?.article,
    lifecycleState: body.lifecycleState,
    version: req.version,
    createdAt: Date.now(),
  });
  return { status: 201, headers: { 'x-restli-id': urn } };
}

function deletePost(req: RouteRequest, state: SandboxState): RouteAnswer {
  const urn = decodeURIComponent(req.params[0] ?? '');
  const post = state.posts.get(urn);
  const deletedBy = state.deletedPosts.get(urn);
  if (!post && deletedBy === memberUrnOf(req)) return { status: 204 }; // deletion is idempotent
  if (!post) throw notFound(`Post ${urn} does not exist.`);
  if (post.author !== memberUrnOf(req)) throw accessDenied(`posts.DELETE.${req.version}`);
  state.posts.delete(urn);
  state.deletedPosts.set(urn, post.author);
  for (const [id, c] of state.comments)
    if (findPost(state, c.object) === undefined) state.comments.delete(id);
  for (const [id, r] of state.reactions) {
    if (r.root === urn || r.root === post.activityUrn) state.reactions.delete(id);
  }
  return { status: 204 };
}

function createComment(req: RouteRequest, state: SandboxState): RouteAnswer {
  const target = decodeURIComponent(req.params[0] ?? '');
  const body = restliBody(commentBody, req.raw);
  if (body.actor !== memberUrnOf(req)) throw accessDenied(`socialActions.comments.CREATE.${req.version}`);
  const post = findPost(state, body.object);
  if (!post) throw notFound(`Post ${body.object} does not exist.`);
  if (target.startsWith('urn:li:comment:')) {
    const parent = [...state.comments.values()].find((c) => c.urn === target);
    if (!parent) throw notFound(`Comment ${target} does not exist.`);
    if (body.parentComment !== target) {
      throw illegalArgument('A reply must name the comment in the path as parentComment.');
    }
    if (findPost(state, parent.object) !== post) {
      throw illegalArgument('object must be the post the parent comment belongs to.');
    }
  } else {
    if (findPost(state, target) !== post) {
      throw illegalArgument('object must be the post named in the path.');
    }
    if (body.parentComment) throw illegalArgument('parentComment needs the parent comment URN in the path.');
  }
  const id = state.ids.take();
  const urn = `urn:li:comment:(${post.activityUrn},${id})`;
  const now = Date.now();
  state.comments.set(id, {
    id,
    urn,
    actor: body.actor,
    object: body.object,
    text: body.message.text,
    parentComment: body.parentComment,
    createdAt: now,
  });
  return {
    status: 201,
    headers: { 'x-restli-id': id },
    body: {
      actor: body.actor,
      commentUrn: urn,
      created: { actor: body.actor, time: now },
      id,
      lastModified: { actor: body.actor, time: now },
      message: { text: body.message.text, attributes: body.message.attributes ?? [] },
      object: body.object,
      ...(body.parentComment ? { parentComment: body.parentComment } : {}),
    },
  };
}

function createReaction(req: RouteRequest, state: SandboxState): RouteAnswer {
  const actor = req.query.get('actor');
  if (!actor) throw illegalArgument('The actor query parameter is required.');
  const body = restliBody(reactionBody, req.raw);
  if (actor !== memberUrnOf(req)) throw accessDenied(`reactions.CREATE.${req.version}`);
  let entity: string;
  if (body.root.startsWith('urn:li:comment:')) {
    const comment = [...state.comments.values()].find((c) => c.urn === body.root);
    if (!comment) throw notFound(`Comment ${body.root} does not exist.`);
    entity = comment.urn;
  } else {
    const post = findPost(state, body.root);
    if (!post) throw notFound(`Post ${body.root} does not exist.`);
    entity = post.activityUrn;
  }
  // One reaction per member and entity: reacting again replaces the type.
  const id = `urn:li:reaction:(${actor},${entity})`;
  const now = Date.now();
  const created = state.reactions.get(id)?.createdAt ?? now;
  state.reactions.set(id, {
    id,
    actor,
    root: body.root,
    reactionType: body.reactionType,
    createdAt: created,
  });
  return {
    status: 201,
    headers: { 'x-restli-id': id },
    body: {
      id,
      root: body.root,
      reactionType: body.reactionType,
      created: { actor, time: created },
      lastModified: { actor, time: now },
    },
  };
}

function enrichPerson(req: RouteRequest, state: SandboxState): RouteAnswer {
  const parsed = enrichmentQuery.safeParse(Object.fromEntries(req.query));
  if (!parsed.success) {
    throw dataProviderError(
      400,
      'INVALID_QUERY',
      'Give exactly one of linkedin_url (https://www.linkedin.com/in/<slug>) or email.',
    );
  }
  const query = parsed.data;
  const match =
    'linkedin_url' in query
      ? state.profiles.find((p) => profileSlug(p.linkedin_url) === profileSlug(query.linkedin_url))
      : state.profiles.find((p) => p.email?.toLowerCase() === query.email.toLowerCase());
  if (!match) {
    throw dataProviderError(
      404,
      'PERSON_NOT_FOUND',
      `No public profile matches ${'linkedin_url' in query ? query.linkedin_url : query.email}.`,
    );
  }
  const { email: _private, ...person } = match;
  return {
    status: 200,
    body: {
      person: {
        headline: null,
        title: null,
        company: null,
        location: null,
        updated_at: '2026-11-01T00:00:00.000Z',
        ...person,
      },
    },
  };
}

/** Every endpoint the sandbox serves; any other method and path is a 404. */
export const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/oauth\/v2\/authorization$/,
    auth: 'none',
    resource: 'authorization',
    handle: authorize,
  },
  {
    method: 'POST',
    pattern: /^\/oauth\/v2\/accessToken$/,
    auth: 'none',
    resource: 'accessToken',
    handle: accessToken,
  },
  {
    method: 'GET',
    pattern: /^\/oauth\/\.well-known\/openid-configuration$/,
    auth: 'none',
    resource: 'openid-configuration',
    handle: (_req, state) => ({
      status: 200,
      body: {
        issuer: ISSUER,
        authorization_endpoint: `${state.url}/oauth/v2/authorization`,
        token_endpoint: `${state.url}/oauth/v2/accessToken`,
        userinfo_endpoint: `${state.url}/v2/userinfo`,
        jwks_uri: `${state.url}/oauth/openid/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        scopes_supported: ['openid', 'profile', 'email'],
        claims_supported: [
          'iss',
          'aud',
          'iat',
          'exp',
          'sub',
          'name',
          'given_name',
          'family_name',
          'picture',
          'email',
          'email_verified',
          'locale',
        ],
      },
    }),
  },
  {
    method: 'GET',
    pattern: /^\/oauth\/openid\/jwks$/,
    auth: 'none',
    resource: 'jwks',
    handle: (_req, state) => ({ status: 200, body: { keys: [state.key.jwk] } }),
  },
  {
    method: 'GET',
    pattern: /^\/v2\/userinfo$/,
    auth: 'member',
    scope: 'openid',
    resource: 'userinfo.GET.NO_VERSION',
    handle: (req, state) => {
      const member = state.members.get(req.token?.sub ?? '');
      if (!member) throw notFound('Member not found.');
      return { status: 200, body: memberClaims(member, req.token?.scopes ?? []) };
    },
  },
  {
    method: 'POST',
    pattern: /^\/rest\/posts$/,
    auth: 'member',
    versioned: true,
    scope: 'w_member_social',
    resource: 'posts.CREATE',
    handle: createPost,
  },
  {
    method: 'DELETE',
    pattern: /^\/rest\/posts\/([^/]+)$/,
    auth: 'member',
    versioned: true,
    scope: 'w_member_social',
    resource: 'posts.DELETE',
    handle: deletePost,
  },
  {
    method: 'POST',
    pattern: /^\/rest\/socialActions\/([^/]+)\/comments$/,
    auth: 'member',
    versioned: true,
    scope: 'w_member_social',
    resource: 'socialActions.comments.CREATE',
    handle: createComment,
  },
  {
    method: 'POST',
    pattern: /^\/rest\/reactions$/,
    auth: 'member',
    versioned: true,
    scope: 'w_member_social',
    resource: 'reactions.CREATE',
    handle: createReaction,
  },
  {
    method: 'GET',
    pattern: /^\/enrichment\/v1\/person$/,
    auth: 'managed',
    resource: 'enrichment.person',
    handle: enrichPerson,
  },
  {
    method: 'GET',
    pattern: /^\/enrichment\/v1\/account$/,
    auth: 'managed',
    resource: 'enrichment.account',
    handle: (_req, state) => ({ status: 200, body: { account: { name: state.dataProviderName } } }),
  },
];
