/**
 * `@oxygen/provider-hubspot/sandbox`: a local, stateful fake of the part of HubSpot's API the
 * plugin uses, over real HTTP (`node:http`, no dependencies besides zod and
 * `@oxygen/sandbox-kit`): contacts, companies, deals and notes (CRM objects v3), associations
 * (v4), owners, properties and account details. It checks bearer tokens and their scopes,
 * validates queries and bodies, answers in HubSpot's shapes (errors, correlation ids, rate-limit
 * headers), records every request, and can be told to fail. It also sends signed webhook
 * deliveries the way HubSpot does, retries included, to the target URL set as in the app's
 * settings ({@link HubSpotSandbox.setWebhookTarget}).
 *
 * @example
 * ```ts
 * import { startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
 * const sandbox = await startHubSpotSandbox();
 * // point the plugin at sandbox.url with sandbox.token, then:
 * sandbox.failNext({ status: 429, retryAfterSeconds: 1 });
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
  parseJson,
  pause,
  type RecordedRequest,
  readRequest,
  send as sendJson,
  serve,
  type WebhookAttempt,
  type WebhookRetrySettings,
  WebhookSender,
  type WebhookSendOptions,
  withWebhookRetrySettings,
} from '@oxygen/sandbox-kit';
import type { z } from 'zod';
import { AssociationStore } from './associations.js';
import {
  authenticationError,
  HubSpotError,
  injectedError,
  missingScopesError,
  validationError,
} from './errors.js';
import { SandboxOAuth, type SandboxOAuthApp, type SandboxOAuthOptions } from './oauth.js';
import { DEFAULT_OWNERS, type SandboxOwner } from './owners.js';
import {
  type CustomPropertyInput,
  customProperty,
  DEFAULT_GROUP,
  OBJECT_TYPES,
  type ObjectType,
  STANDARD_PROPERTIES,
} from './properties.js';
import { ROUTES, type Route, type SandboxState } from './routes.js';
import { noQuery } from './schemas.js';
import { ObjectStore, type SandboxRecord } from './store.js';
import {
  completeEvent,
  deliverHubSpotWebhook,
  HUBSPOT_WEBHOOK_RETRIES,
  type HubSpotWebhookDelivery,
  type SandboxWebhookEventInput,
  type SendHubSpotWebhookOptions,
} from './webhooks.js';

export {
  backoffSchedule,
  type WebhookAttempt,
  type WebhookAttempts,
  type WebhookOutcome,
  type WebhookSendOptions,
} from '@oxygen/sandbox-kit';
export type { SandboxOAuthApp, SandboxOAuthOptions } from './oauth.js';
export type { SandboxOwner } from './owners.js';
export type { CustomPropertyInput, ObjectType, PropertyType } from './properties.js';
export type { SandboxRecord } from './store.js';
export {
  HUBSPOT_WEBHOOK_RETRIES,
  type HubSpotWebhookDelivery,
  type SandboxWebhookEventInput,
  type SendHubSpotWebhookOptions,
} from './webhooks.js';

/** Options for {@link startHubSpotSandbox}. */
export interface HubSpotSandboxOptions {
  /** Port to listen on. Default 0: a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Bearer tokens accepted. Default: one generated `pat-na1-sandbox-<uuid>`. */
  tokens?: string[];
  /** The account id `GET /account-info/v3/details` reports. Default 62515. */
  portalId?: number;
  /** Emails refused as invalid (`INVALID_EMAIL`), besides any that are not shaped like an email. */
  rejectEmails?: string[];
  /**
   * Custom properties accepted on writes and listed by `GET /crm/v3/properties/{type}`, besides
   * the built-in subset of HubSpot's defaults: a name (a text property) or a definition
   * (`{ name, label, type, options, hasUniqueValue }`).
   */
  customProperties?: Partial<Record<ObjectType, CustomPropertyInput[]>>;
  /** The account's owners (`GET /crm/v3/owners`). Default: three active owners and one archived. */
  owners?: SandboxOwner[];
  /**
   * Scopes granted to private app tokens, by token. A token listed here gets 403 `MISSING_SCOPES`
   * on routes its scopes do not cover; unlisted tokens may call everything. (OAuth access tokens
   * always carry the scopes they were granted.)
   */
  tokenScopes?: Record<string, string[]>;
  /**
   * Status of a batch upsert in which every input failed: 207 with `errors` (HubSpot's reference,
   * the default) or 400 with the first error as the body.
   */
  batchErrorStatus?: 207 | 400;
  /** Milliseconds to wait before answering each request. Default 0. Settable later. */
  delayMs?: number;
  /** Answer 429 past 100 requests per 10 s per token, or 4 searches per second. Default false. */
  enforceRateLimits?: boolean;
  /**
   * The OAuth app the sandbox's `/oauth/authorize`, `/oauth/v3/token` and
   * `/oauth/v3/token/revoke` serve (client id and secret generated when not given; access tokens
   * live 1800 s by default). Access tokens it issues are accepted by every CRM route.
   */
  oauth?: SandboxOAuthOptions;
  /**
   * The app's webhook target URL, as set in its Webhooks settings: where `emitWebhook` delivers.
   * Default none (set it later with {@link HubSpotSandbox.setWebhookTarget}).
   */
  webhookTargetUrl?: string;
  /**
   * The delay before each webhook retry, in milliseconds (its length is the number of retries).
   * Default {@link HUBSPOT_WEBHOOK_RETRIES}: 10 retries over 24 hours. Tests pass small ones.
   * Settable later.
   */
  webhookRetryDelaysMs?: number[];
  /** How long a webhook attempt may take before it counts as failed. Default 5,000. Settable later. */
  webhookTimeoutMs?: number;
}

/**
 * Options for {@link HubSpotSandbox.emitWebhook}: the event (or a batch), and what to change to
 * test a receiver's checks. Give `event` or `events`, not both.
 */
export interface EmitHubSpotWebhookOptions extends WebhookSendOptions {
  /** One event: its `subscriptionType` and `objectId`; the rest is filled in as HubSpot would. */
  event?: SandboxWebhookEventInput;
  /** A batch (HubSpot sends up to 100 events per request). */
  events?: SandboxWebhookEventInput[];
  /** Signs with this instead of the sandbox OAuth app's client secret (to test a wrong secret). */
  secret?: string;
  /** Default `v3`. */
  signatureVersion?: 'v3' | 'v2';
  /** v3's `X-HubSpot-Request-Timestamp` of every attempt, epoch ms (set an old one to test the window). */
  timestamp?: number;
  /** Replaces the body after signing (to test tampering). */
  tamperBody?: string;
}

/** A request the sandbox received, as it arrived. */
export interface SandboxRequest extends RecordedRequest {
  /** Path without the query string, e.g. `/crm/v3/objects/contacts/search`. */
  path: string;
}

/** A failure to inject with {@link HubSpotSandbox.failNext}. */
export interface FailNextOptions extends FailureMatch {
  status: 400 | 401 | 403 | 404 | 409 | 429 | 500 | 502 | 503 | 504;
  /** Sent as `Retry-After` (on any status). */
  retryAfterSeconds?: number;
  /** For 429: HubSpot's `policyName`. Default `SECONDLY`. */
  policyName?: 'SECONDLY' | 'TEN_SECONDLY_ROLLING' | 'DAILY';
  /** Replaces the default message. */
  message?: string;
}

/** A running sandbox. */
export interface HubSpotSandbox extends WebhookRetrySettings {
  /** Base URL to use in place of `https://api.hubapi.com`, e.g. `http://127.0.0.1:53124`. */
  readonly url: string;
  /** A token the sandbox accepts. */
  readonly token: string;
  /** Every token it accepts. */
  readonly tokens: readonly string[];
  readonly portalId: number;
  /** Every request received, oldest first (including failed and unauthenticated ones). */
  readonly requests: SandboxRequest[];
  /** Contacts by id. Tests may read and change them. */
  readonly contacts: Map<string, SandboxRecord>;
  /** Companies by id. */
  readonly companies: Map<string, SandboxRecord>;
  /** Deals by id. */
  readonly deals: Map<string, SandboxRecord>;
  /** Notes by id. */
  readonly notes: Map<string, SandboxRecord>;
  /** Ids of the `toType` records associated with a record, in the order they were associated. */
  associatedIds(fromType: ObjectType, fromId: string, toType: ObjectType): string[];
  /** Milliseconds to wait before each answer. */
  delayMs: number;
  /** The sandbox's OAuth app: its client id and secret, and the lifetime of new access tokens. */
  readonly oauth: SandboxOAuthApp;
  /** Requests to `POST /oauth/v3/token`, by `grant_type` (`authorization_code`, `refresh_token`). */
  readonly tokenRequests: Readonly<Record<string, number>>;
  /** Requests to `POST /oauth/v3/token/revoke`. */
  readonly revokeRequests: number;
  /** Every OAuth access token issued so far expires now (401 `EXPIRED_AUTHENTICATION` from then on). */
  expireAccessTokens(): void;
  /** Every OAuth refresh token issued so far is refused from now on (400 `BAD_REFRESH_TOKEN`). */
  revokeRefreshTokens(): void;
  /** Makes the next matching request(s) fail with a HubSpot-shaped error. */
  failNext(options: FailNextOptions): void;
  /**
   * Delivers a batch of webhook events the way HubSpot does: POST `url` with the JSON array,
   * signed with the client secret (default the sandbox app's) in v3 (default) or v2. Missing event
   * fields are filled in (`eventId` counting up, `portalId`, `occurredAt` now, `attemptNumber` 0).
   */
  sendWebhook(options: SendHubSpotWebhookOptions): Promise<HubSpotWebhookDelivery>;
  /** The app's webhook target URL (its Webhooks settings), or null when none is set. */
  readonly webhookTargetUrl: string | null;
  /**
   * Sets the app's webhook target URL, as in its Webhooks settings (HubSpot allows one per app);
   * null removes it.
   */
  setWebhookTarget(url: string | null): void;
  /**
   * Delivers an event (or a batch) the way HubSpot does to the app's target URL: a JSON array,
   * signed with the sandbox OAuth app's client secret (v3 by default), missing fields filled in
   * as for `sendWebhook`, and retried on a connection failure, a timeout, a 5xx or a 429 (see
   * {@link HubSpotSandbox.webhookRetryDelaysMs}) with the same `eventId`s and `attemptNumber` one
   * higher each time, re-signed. Every event type is delivered: the app is taken to subscribe to
   * all. Resolves with the one delivery after its first attempt (or its last, with
   * `waitForRetries`); no target URL set → `[]`.
   */
  emitWebhook(options: EmitHubSpotWebhookOptions): Promise<HubSpotWebhookDelivery[]>;
  /**
   * POSTs a delivery again, once, as HubSpot's retry would (the same events, `attemptNumber` one
   * higher, re-signed), outside its retry schedule: the way to send the same event twice. Appends
   * to `delivery.attempts`.
   */
  redeliverWebhook(delivery: HubSpotWebhookDelivery): Promise<WebhookAttempt>;
  /**
   * Forgets records, associations, requests and pending failures; ids start again; cancels
   * pending webhook retries.
   */
  reset(): void;
  /** Cancels pending webhook retries and stops listening. */
  close(): Promise<void>;
}

const DAILY_LIMIT = 250_000;
/** The `appId` the sandbox's webhook events carry. */
const WEBHOOK_APP_ID = 54321;
const BURST = { max: 100, intervalMs: 10_000 };
const SEARCH_PER_SECOND = 4;

/**
 * Starts a sandbox on a free local port.
 *
 * @example
 * ```ts
 * const sandbox = await startHubSpotSandbox({ rejectEmails: ['bounce@example.com'] });
 * const res = await fetch(`${sandbox.url}/account-info/v3/details`, {
 *   headers: { authorization: `Bearer ${sandbox.token}` },
 * });
 * (await res.json()).portalId; // 62515
 * ```
 */
export async function startHubSpotSandbox(options: HubSpotSandboxOptions = {}): Promise<HubSpotSandbox> {
  const tokens = options.tokens?.length ? [...options.tokens] : [`pat-na1-sandbox-${randomUUID()}`];
  const rejectEmails = new Set((options.rejectEmails ?? []).map((e) => e.trim().toLowerCase()));
  const objectStore = (type: ObjectType) =>
    new ObjectStore(type, {
      rejectEmails,
      properties: [
        ...STANDARD_PROPERTIES[type],
        ...(options.customProperties?.[type] ?? []).map((p) => customProperty(p, DEFAULT_GROUP[type])),
      ],
    });
  const state: SandboxState = {
    stores: Object.fromEntries(OBJECT_TYPES.map((t) => [t, objectStore(t)])) as Record<
      ObjectType,
      ObjectStore
    >,
    associations: new AssociationStore(),
    owners: [...(options.owners ?? DEFAULT_OWNERS)],
    portalId: options.portalId ?? 62515,
    batchErrorStatus: options.batchErrorStatus ?? 207,
  };
  const oauth = new SandboxOAuth(options.oauth ?? {}, state.portalId);
  const requests: SandboxRequest[] = [];
  const failures = new FailureQueue<FailNextOptions>();
  const hits = new Map<string, { all: number[]; search: number[]; daily: number }>();
  let delayMs = options.delayMs ?? 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { raw, url, method, headers, query } = await readRequest(req);
    requests.push({
      method,
      path: url.pathname,
      query,
      headers,
      body: parseJson(raw),
    });

    const correlationId = randomUUID();
    res.setHeader('x-hubspot-correlation-id', correlationId);
    const token = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')?.[1]?.trim();
    const usage = countHit(token ?? '', url.pathname);
    setRateHeaders(res, usage);
    await pause(delayMs);

    const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
    const params = route?.pattern.exec(url.pathname)?.slice(1) ?? [];
    const failure = failures.take(url.pathname);
    if (failure) return sendFailure(res, failure, correlationId, route ? scopesOf(route, params) : []);
    try {
      const oauthAnswer = oauth.handle(method, url, headers, raw);
      if (oauthAnswer) {
        for (const [name, value] of Object.entries(oauthAnswer.headers ?? {})) res.setHeader(name, value);
        return send(res, oauthAnswer.status, oauthAnswer.body);
      }
      if (!token) throw authenticationError();
      if (!tokens.includes(token)) {
        const refused = oauth.authenticate(token);
        if (refused) throw refused;
      }
      const granted = tokens.includes(token) ? options.tokenScopes?.[token] : oauth.scopesOf(token);
      if (options.enforceRateLimits) {
        const over =
          usage.all > BURST.max
            ? 'TEN_SECONDLY_ROLLING'
            : usage.search > SEARCH_PER_SECOND
              ? 'SECONDLY'
              : null;
        if (over) return sendFailure(res, { status: 429, policyName: over }, correlationId);
      }
      if (!route) {
        throw new HubSpotError(
          404,
          'NOT_FOUND',
          `No endpoint for ${method} ${url.pathname} in the HubSpot sandbox.`,
        );
      }
      const required = scopesOf(route, params);
      if (granted && required.length > 0 && !required.some((s) => granted.includes(s))) {
        throw missingScopesError(required);
      }
      const query = validateQuery(route.query ?? noQuery, url.searchParams);
      let body: unknown;
      if (route.body) body = validateBody(route.body, raw);
      const answer = route.handle({ params, query, body }, state);
      send(res, answer.status, answer.body);
    } catch (error) {
      if (!(error instanceof HubSpotError)) throw error;
      send(res, error.status, error.body(correlationId));
    }
  }

  function sendFailure(
    res: ServerResponse,
    failure: FailNextOptions,
    correlationId: string,
    scopes: string[] = [],
  ): void {
    if (failure.retryAfterSeconds !== undefined)
      res.setHeader('retry-after', String(failure.retryAfterSeconds));
    if (failure.status !== 429) {
      const error = injectedError(failure.status, failure.message, scopes);
      send(res, failure.status, error.body(correlationId));
      return;
    }
    const policyName = failure.policyName ?? 'SECONDLY';
    res.setHeader('x-hubspot-ratelimit-remaining', '0');
    if (policyName === 'SECONDLY') res.setHeader('x-hubspot-ratelimit-secondly-remaining', '0');
    if (policyName === 'DAILY') res.setHeader('x-hubspot-ratelimit-daily-remaining', '0');
    const limit = { SECONDLY: 'secondly', TEN_SECONDLY_ROLLING: 'ten_secondly_rolling', DAILY: 'daily' }[
      policyName
    ];
    send(res, 429, {
      status: 'error',
      message: failure.message ?? `You have reached your ${limit} limit.`,
      errorType: 'RATE_LIMIT',
      correlationId,
      policyName,
      requestId: randomUUID(),
    });
  }

  function countHit(token: string, path: string) {
    const now = Date.now();
    const entry = hits.get(token) ?? { all: [], search: [], daily: 0 };
    hits.set(token, entry);
    entry.all = entry.all.filter((t) => t > now - BURST.intervalMs);
    entry.all.push(now);
    entry.daily++;
    if (path.endsWith('/search')) {
      entry.search = entry.search.filter((t) => t > now - 1000);
      entry.search.push(now);
    }
    return {
      all: entry.all.length,
      search: path.endsWith('/search') ? entry.search.length : 0,
      daily: entry.daily,
    };
  }

  const server = await serve(
    handle,
    (res, error) => {
      send(res, 500, {
        status: 'error',
        message: `sandbox bug: ${String(error)}`,
        category: 'INTERNAL_ERROR',
      });
    },
    options,
  );
  let webhookEventId = 0;
  let webhookTargetUrl = options.webhookTargetUrl ?? null;
  const sender = new WebhookSender(HUBSPOT_WEBHOOK_RETRIES, {
    delaysMs: options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
  });
  const completeEvents = (inputs: SandboxWebhookEventInput[]) => {
    const now = Date.now();
    return inputs.map((e) =>
      completeEvent(e, { eventId: ++webhookEventId, portalId: state.portalId, appId: WEBHOOK_APP_ID, now }),
    );
  };

  return withWebhookRetrySettings<HubSpotSandbox>(sender, {
    url: server.url,
    token: tokens[0] as string,
    tokens,
    portalId: state.portalId,
    requests,
    contacts: state.stores.contacts.records,
    companies: state.stores.companies.records,
    deals: state.stores.deals.records,
    notes: state.stores.notes.records,
    associatedIds: (fromType, fromId, toType) => [
      ...new Set(state.associations.from(fromType, fromId, toType).map((e) => e.toId)),
    ],
    get delayMs() {
      return delayMs;
    },
    set delayMs(value: number) {
      delayMs = value;
    },
    oauth,
    tokenRequests: oauth.tokenRequests,
    get revokeRequests() {
      return oauth.revokeRequests;
    },
    expireAccessTokens: () => oauth.expireAccessTokens(),
    revokeRefreshTokens: () => oauth.revokeRefreshTokens(),
    failNext(failure) {
      failures.push(failure);
    },
    sendWebhook: (webhook) =>
      deliverHubSpotWebhook(
        sender,
        { ...webhook, clientSecret: webhook.clientSecret ?? oauth.clientSecret },
        completeEvents(webhook.events),
      ),
    get webhookTargetUrl() {
      return webhookTargetUrl;
    },
    setWebhookTarget(url) {
      webhookTargetUrl = url;
    },
    emitWebhook: async (emit) => {
      if ((emit.event === undefined) === (emit.events === undefined)) {
        throw new Error('emitWebhook: give event or events (one of them)');
      }
      const inputs = emit.events ?? [emit.event as SandboxWebhookEventInput];
      if (webhookTargetUrl === null) return [];
      const delivery = await deliverHubSpotWebhook(
        sender,
        { ...emit, events: inputs, url: webhookTargetUrl, clientSecret: emit.secret ?? oauth.clientSecret },
        completeEvents(inputs),
      );
      return [delivery];
    },
    redeliverWebhook: (delivery) => sender.redeliver(delivery),
    reset() {
      sender.cancel();
      for (const objects of Object.values(state.stores)) objects.reset();
      state.associations.reset();
      state.owners = [...(options.owners ?? DEFAULT_OWNERS)];
      requests.length = 0;
      failures.clear();
      hits.clear();
      oauth.reset();
    },
    close: () => {
      sender.cancel();
      return server.close();
    },
  });
}

function setRateHeaders(res: ServerResponse, usage: { all: number; daily: number }): void {
  res.setHeader('x-hubspot-ratelimit-daily', String(DAILY_LIMIT));
  res.setHeader('x-hubspot-ratelimit-daily-remaining', String(Math.max(0, DAILY_LIMIT - usage.daily)));
  res.setHeader('x-hubspot-ratelimit-interval-milliseconds', String(BURST.intervalMs));
  res.setHeader('x-hubspot-ratelimit-max', String(BURST.max));
  res.setHeader('x-hubspot-ratelimit-remaining', String(Math.max(0, BURST.max - usage.all)));
}

/** The scopes a route accepts for these path captures; `[]` when the type in the path is unknown. */
function scopesOf(route: Route, params: string[]): string[] {
  try {
    return route.scopes(params);
  } catch {
    return [];
  }
}

/** Validates the query string (repeated parameters joined with commas), throwing HubSpot's 400s. */
function validateQuery(schema: z.ZodType, params: URLSearchParams): Record<string, string> {
  const query = Object.fromEntries([...new Set(params.keys())].map((k) => [k, params.getAll(k).join(',')]));
  const result = schema.safeParse(query);
  if (result.success) return result.data as Record<string, string>;
  const errors = result.error.issues.slice(0, 10).map((issue) => {
    const name =
      issue.code === 'unrecognized_keys' ? issue.keys.join(',') : issue.path.map(String).join('.') || 'query';
    return {
      message: issue.code === 'unrecognized_keys' ? 'unknown query parameter' : issue.message,
      in: name,
    };
  });
  const first = errors[0];
  throw validationError(
    `Invalid query: ${first ? `${first.in}: ${first.message}` : 'the query is not valid'}`,
    errors,
  );
}

/** Parses and validates a JSON body, throwing HubSpot's 400s. */
function validateBody(schema: z.ZodType, raw: string): unknown {
  if (!raw.trim()) throw validationError('Invalid input JSON : No content to map due to end-of-input');
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw validationError(`Invalid input JSON on line 1: ${(error as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const errors = result.error.issues.slice(0, 10).map((issue) => {
    const where = [...issue.path, ...(issue.code === 'unrecognized_keys' ? [issue.keys.join(',')] : [])];
    return { message: issue.message, in: where.map(String).join('.') || 'body' };
  });
  const first = errors[0];
  throw validationError(
    `Invalid input: ${first ? `${first.in}: ${first.message}` : 'the body is not valid'}`,
    errors,
  );
}

/** Answers JSON with HubSpot's `content-type` (no space before `charset`). */
function send(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, 'application/json;charset=utf-8');
}
