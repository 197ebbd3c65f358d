/**
 * `@oxygen/provider-instantly/sandbox`: a local, stateful fake of the part of Instantly's API v2
 * the plugin uses, over real HTTP (`node:http`, no dependencies besides zod and
 * `@oxygen/sandbox-kit`). It starts from a seeded workspace (campaigns, leads, emails with a
 * reply, sending accounts), checks API keys and their scopes, validates queries and bodies against
 * schemas written from Instantly's reference, answers in Instantly's shapes (Fastify error bodies,
 * `{ items, next_starting_after }` pages), enforces Instantly's rate limits on demand (including
 * the 20-a-minute limit of `GET /api/v2/emails`), records every request, can be told to fail, and
 * delivers webhooks the way Instantly does, retries included.
 *
 * @example
 * ```ts
 * import { startInstantlySandbox } from '@oxygen/provider-instantly/sandbox';
 * const sandbox = await startInstantlySandbox({ workspaceName: 'Acme Outbound' });
 * // point the plugin at sandbox.url with sandbox.token, then:
 * sandbox.failNext({ status: 429 });
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
  queryObject,
  type RecordedRequest,
  readRequest,
  send,
  serve,
  type WebhookAttempt,
  type WebhookRetrySettings,
  WebhookSender,
  withWebhookRetrySettings,
} from '@oxygen/sandbox-kit';
import type { z } from 'zod';
import {
  badRequest,
  forbidden,
  InstantlyError,
  injectedError,
  routeNotFound,
  tooManyRequests,
  unauthorized,
} from './errors.js';
import { ROUTES, type Route } from './routes.js';
import { fastifyMessage, idParam, noQuery } from './schemas.js';
import {
  type SandboxAccount,
  type SandboxCampaign,
  type SandboxEmail,
  type SandboxLead,
  SandboxStore,
  type SandboxWebhook,
  type SandboxWorkspace,
} from './store.js';
import {
  buildPayload,
  deliver,
  type EmitInstantlyWebhookOptions,
  INSTANTLY_WEBHOOK_RETRIES,
  type InstantlyEmittedDelivery,
  type InstantlyWebhookDelivery,
  type SendInstantlyWebhookOptions,
  withSecret,
} from './webhooks.js';

export {
  backoffSchedule,
  type WebhookAttempt,
  type WebhookAttempts,
  type WebhookOutcome,
  type WebhookSendOptions,
} from '@oxygen/sandbox-kit';
export { SANDBOX_SEED } from './store.js';
export {
  type EmitInstantlyWebhookOptions,
  INSTANTLY_WEBHOOK_RETRIES,
  type InstantlyEmittedDelivery,
  type InstantlyWebhookDelivery,
  PAYLOAD_EVENT_TYPE,
  type SandboxWebhookEvent,
  type SendInstantlyWebhookOptions,
} from './webhooks.js';
export type { SandboxAccount, SandboxCampaign, SandboxEmail, SandboxLead, SandboxWebhook, SandboxWorkspace };

/** An API key the sandbox accepts, with the scopes it was created with. */
export interface SandboxKey {
  token: string;
  /** `<resource>:<read|create|update|delete|all>` or `all:<action>`; default `['all:all']`. */
  scopes?: string[];
}

/** Instantly's rate limits, per workspace (every key shares them). */
export interface SandboxRateLimits {
  /** Default 100 (Instantly: 100 requests per second). */
  perSecond?: number;
  /** Default 6,000 (Instantly: 6,000 requests per minute). */
  perMinute?: number;
  /** Default 20 (Instantly: `GET /api/v2/emails`, 20 requests per minute). */
  emailsPerMinute?: number;
}

/** Options for {@link startInstantlySandbox}. */
export interface InstantlySandboxOptions {
  /** Port to listen on. Default 0: a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** API keys accepted: plain tokens (scope `all:all`) or keys with scopes. Default: one generated key. */
  tokens?: (string | SandboxKey)[];
  /** The name `GET /api/v2/workspaces/current` reports. Default `Acme Outbound`. */
  workspaceName?: string;
  /** Start from the seeded workspace ({@link SANDBOX_SEED}). Default true. */
  seed?: boolean;
  /** Emails and domains on the workspace blocklist: bulk adds count them `in_blocklist`. */
  blocklist?: string[];
  /** Milliseconds to wait before answering each request. Default 0. Settable later. */
  delayMs?: number;
  /** Answer 429 past Instantly's rate limits. Default false. Settable later. */
  enforceRateLimits?: boolean;
  /** Lower limits for tests; Instantly's by default. */
  rateLimits?: SandboxRateLimits;
  /**
   * The delay before each webhook retry, in milliseconds (its length is the number of retries).
   * Default {@link INSTANTLY_WEBHOOK_RETRIES}: 3 retries over 30 s. Tests pass small ones. Settable later.
   */
  webhookRetryDelaysMs?: number[];
  /** How long a webhook attempt may take before it counts as failed. Default 5,000. Settable later. */
  webhookTimeoutMs?: number;
}

/** A request the sandbox received, as it arrived. */
export interface SandboxRequest extends RecordedRequest {
  /** Path without the query string, e.g. `/api/v2/leads/list`. */
  path: string;
}

/** A failure to inject with {@link InstantlySandbox.failNext}. */
export interface FailNextOptions extends FailureMatch {
  status: 401 | 402 | 403 | 404 | 429 | 500 | 503;
  /** Sent as `Retry-After` (Instantly documents none on its API 429s; use it to test the header). */
  retryAfterSeconds?: number;
  /** Replaces the default message. */
  message?: string;
}

/** A running sandbox. */
export interface InstantlySandbox extends WebhookRetrySettings {
  /** Base URL to use in place of `https://api.instantly.ai`, e.g. `http://127.0.0.1:53124`. */
  readonly url: string;
  /** A key the sandbox accepts (scope `all:all` unless configured otherwise). */
  readonly token: string;
  /** Every key it accepts. */
  readonly keys: readonly Required<SandboxKey>[];
  /** The workspace the keys belong to. */
  readonly workspace: SandboxWorkspace;
  /** Every request received, oldest first (including failed and unauthenticated ones). */
  readonly requests: SandboxRequest[];
  /** Campaigns by id. Tests may read and change them. */
  readonly campaigns: Map<string, SandboxCampaign>;
  /** Leads by id. */
  readonly leads: Map<string, SandboxLead>;
  /** Unibox emails by id. */
  readonly emails: Map<string, SandboxEmail>;
  /** Sending accounts by email. */
  readonly accounts: Map<string, SandboxAccount>;
  /** Milliseconds to wait before each answer. */
  delayMs: number;
  /** Whether Instantly's rate limits are enforced (429 past them). */
  enforceRateLimits: boolean;
  /** Makes the next matching request(s) fail with an Instantly-shaped error. */
  failNext(options: FailNextOptions): void;
  /** Adds a campaign (the plugin cannot create one) and returns it. */
  addCampaign(campaign: { name: string; status?: number; sendingAccounts?: string[] }): SandboxCampaign;
  /** Records a reply from a lead in its thread, as if the lead had answered, and returns the received email. */
  receiveReply(leadId: string, reply: { text: string; subject?: string; autoReply?: boolean }): SandboxEmail;
  /**
   * Delivers a webhook the way Instantly does: POST `url` with the event's payload built from the
   * sandbox's state, the custom `headers` echoed, nothing signed; retried on failure (see
   * {@link InstantlySandbox.webhookRetryDelaysMs}) with the same bytes. Resolves after the first
   * attempt, or after the last with `waitForRetries`.
   */
  sendWebhook(options: SendInstantlyWebhookOptions): Promise<InstantlyWebhookDelivery>;
  /** Webhook subscriptions registered with `POST /api/v2/webhooks`, by id. */
  readonly webhooks: Map<string, SandboxWebhook>;
  /**
   * Delivers an event to every registered subscription that wants it (its `event_type`, or
   * `all_events`; `reply_received` also gets `auto_reply_received`; no campaign or the event's
   * campaign), each to its `target_hook_url` with its custom `headers`, as Instantly does, and
   * retries each on failure like {@link InstantlySandbox.sendWebhook}. Returns one delivery per
   * subscription, in registration order; none match → `[]`.
   */
  emitWebhook(options: EmitInstantlyWebhookOptions): Promise<InstantlyEmittedDelivery[]>;
  /**
   * POSTs a delivery again, once, as Instantly's retry would (the same bytes and headers), outside
   * its retry schedule: the way to send the same event twice. Appends to `delivery.attempts`.
   */
  redeliverWebhook(delivery: InstantlyWebhookDelivery): Promise<WebhookAttempt>;
  /**
   * Restores the seeded workspace; forgets requests, pending failures and rate-limit windows;
   * cancels pending webhook retries.
   */
  reset(): void;
  /** Cancels pending webhook retries and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a sandbox on a free local port.
 *
 * @example
 * ```ts
 * const sandbox = await startInstantlySandbox({ workspaceName: 'Acme Outbound' });
 * const res = await fetch(`${sandbox.url}/api/v2/workspaces/current`, {
 *   headers: { authorization: `Bearer ${sandbox.token}` },
 * });
 * (await res.json()).name; // 'Acme Outbound'
 * ```
 */
export async function startInstantlySandbox(
  options: InstantlySandboxOptions = {},
): Promise<InstantlySandbox> {
  const keys: Required<SandboxKey>[] = (
    options.tokens?.length ? options.tokens : [`instantly-sandbox-${randomUUID()}`]
  ).map((k) =>
    typeof k === 'string'
      ? { token: k, scopes: ['all:all'] }
      : { token: k.token, scopes: k.scopes ?? ['all:all'] },
  );
  const store = new SandboxStore({
    workspaceName: options.workspaceName ?? 'Acme Outbound',
    seed: options.seed ?? true,
    blocklist: new Set((options.blocklist ?? []).map((e) => e.trim().toLowerCase())),
  });
  const limits = {
    perSecond: options.rateLimits?.perSecond ?? 100,
    perMinute: options.rateLimits?.perMinute ?? 6_000,
    emailsPerMinute: options.rateLimits?.emailsPerMinute ?? 20,
  };
  const requests: SandboxRequest[] = [];
  const failures = new FailureQueue<FailNextOptions>();
  // Request times in the last minute, workspace-wide; and GET /api/v2/emails apart.
  let hits: number[] = [];
  let emailHits: number[] = [];
  let delayMs = options.delayMs ?? 0;
  let enforceRateLimits = options.enforceRateLimits ?? false;
  const sender = new WebhookSender(INSTANTLY_WEBHOOK_RETRIES, {
    delaysMs: options.webhookRetryDelaysMs,
    timeoutMs: options.webhookTimeoutMs,
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { raw, url, method, headers, query } = await readRequest(req);
    requests.push({
      method,
      path: url.pathname,
      query,
      headers,
      body: parseJson(raw),
    });
    await pause(delayMs);

    try {
      const failure = failures.take(url.pathname);
      if (failure) {
        if (failure.retryAfterSeconds !== undefined)
          res.setHeader('retry-after', String(failure.retryAfterSeconds));
        throw injectedError(failure.status, failure.message);
      }
      const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
      if (!route) throw routeNotFound(method, url.pathname);
      const key = authenticate(headers.authorization);
      if (enforceRateLimits) checkRateLimits(method, url.pathname);
      if (!allows(key.scopes, route.scope)) throw forbidden(grantingScopes(route.scope));
      const params = route.pattern.exec(url.pathname)?.slice(1).map(decodeURIComponent) ?? [];
      for (const param of params) {
        if (!idParam.safeParse(param).success) throw badRequest('params/id must match format "uuid"');
      }
      const query = validate(route.query ?? noQuery, queryObject(url.searchParams), 'querystring');
      const body = parseBody(route, raw, headers['content-type']);
      const answer = route.handle({ params, query, body }, store);
      send(res, answer.status, answer.body);
    } catch (error) {
      if (!(error instanceof InstantlyError)) throw error;
      send(res, error.status, error.body());
    }
  }

  function authenticate(header: string | undefined): Required<SandboxKey> {
    if (!header) throw unauthorized(true);
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    const key = keys.find((k) => k.token === token);
    if (!key) throw unauthorized(false);
    return key;
  }

  function checkRateLimits(method: string, path: string): void {
    const now = Date.now();
    hits = hits.filter((t) => t > now - 60_000);
    const lastSecond = hits.filter((t) => t > now - 1_000).length;
    if (lastSecond >= limits.perSecond || hits.length >= limits.perMinute) throw tooManyRequests();
    if (method === 'GET' && path === '/api/v2/emails') {
      emailHits = emailHits.filter((t) => t > now - 60_000);
      if (emailHits.length >= limits.emailsPerMinute) throw tooManyRequests();
      emailHits.push(now);
    }
    hits.push(now);
  }

  const server = await serve(
    handle,
    (res, error) => {
      send(res, 500, {
        statusCode: 500,
        error: 'Internal Server Error',
        message: `sandbox bug: ${String(error)}`,
      });
    },
    options,
  );

  return withWebhookRetrySettings<InstantlySandbox>(sender, {
    url: server.url,
    token: keys[0]?.token as string,
    keys,
    get workspace() {
      return store.workspace;
    },
    requests,
    campaigns: store.campaigns,
    leads: store.leads,
    emails: store.emails,
    accounts: store.accounts,
    get delayMs() {
      return delayMs;
    },
    set delayMs(value: number) {
      delayMs = value;
    },
    get enforceRateLimits() {
      return enforceRateLimits;
    },
    set enforceRateLimits(value: boolean) {
      enforceRateLimits = value;
    },
    failNext(failure) {
      failures.push(failure);
    },
    addCampaign(campaign) {
      const now = store.now();
      const created: SandboxCampaign = {
        id: store.newId(),
        name: campaign.name,
        status: campaign.status ?? 0,
        campaign_schedule: {
          schedules: [
            {
              name: 'Weekdays',
              timing: { from: '09:00', to: '17:00' },
              days: { 1: true, 2: true, 3: true, 4: true, 5: true },
              timezone: 'America/Chicago',
            },
          ],
        },
        sequences: [],
        email_list: campaign.sendingAccounts ?? [...store.accounts.keys()].slice(0, 1),
        daily_limit: 50,
        stop_on_reply: true,
        open_tracking: true,
        link_tracking: true,
        organization: store.workspace.id,
        timestamp_created: now,
        timestamp_updated: now,
      };
      store.campaigns.set(created.id, created);
      return created;
    },
    receiveReply: (leadId, reply) => store.receiveReply(leadId, reply),
    sendWebhook: async (webhook) =>
      deliver(sender, { url: webhook.url, payload: buildPayload(store, webhook) }, webhook),
    webhooks: store.webhooks,
    emitWebhook: async (event) => {
      const payload = buildPayload(store, event);
      const subscription = event.event === 'auto_reply_received' ? 'reply_received' : event.event;
      const targets = [...store.webhooks.values()]
        .filter(
          (w) =>
            (w.event_type === subscription || w.event_type === 'all_events') &&
            (w.campaign === null || w.campaign === payload.campaign_id),
        )
        .sort((a, b) => a.id.localeCompare(b.id));
      const deliveries: InstantlyEmittedDelivery[] = [];
      for (const target of targets) {
        const delivery = { url: target.target_hook_url, payload, webhookId: target.id };
        const headers = withSecret(target.headers ?? {}, event.secret);
        deliveries.push(await deliver(sender, delivery, { ...event, headers }));
      }
      return deliveries;
    },
    redeliverWebhook: (delivery) => sender.redeliver(delivery),
    reset() {
      sender.cancel();
      store.reset();
      requests.length = 0;
      failures.clear();
      hits = [];
      emailHits = [];
    },
    close: () => {
      sender.cancel();
      return server.close();
    },
  });
}

/** True when a key with `scopes` may call an endpoint needing `[resource, action]`. */
function allows(scopes: string[], [resource, action]: Route['scope']): boolean {
  return grantingScopes([resource, action]).some((s) => scopes.includes(s));
}

/** The scopes that grant `[resource, action]`, as Instantly's reference lists them. */
function grantingScopes([resource, action]: Route['scope']): string[] {
  return [`${resource}:${action}`, `${resource}:all`, `all:${action}`, 'all:all'];
}

/** Validates with a zod schema, throwing Fastify's 400 for the first problem. */
function validate(schema: z.ZodType, value: unknown, where: 'body' | 'querystring'): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw badRequest(issue ? fastifyMessage(where, issue) : `${where} is invalid`);
}

/** Parses the body as Fastify would: JSON only, empty JSON refused, then the route's schema. */
function parseBody(route: Route, raw: string, contentType: string | undefined): unknown {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' && raw.trim() === '') {
    throw new InstantlyError(
      400,
      "Body cannot be empty when content-type is set to 'application/json'",
      'FST_ERR_CTP_EMPTY_JSON_BODY',
    );
  }
  if (raw.trim() !== '' && type !== 'application/json') {
    throw new InstantlyError(
      415,
      `Unsupported Media Type: ${type || 'none'}`,
      'FST_ERR_CTP_INVALID_MEDIA_TYPE',
    );
  }
  let json: unknown;
  if (raw.trim() !== '') {
    try {
      json = JSON.parse(raw);
    } catch {
      throw new InstantlyError(
        400,
        "Body is not valid JSON but content-type is set to 'application/json'",
        'FST_ERR_CTP_INVALID_JSON_BODY',
      );
    }
  }
  if (route.body === 'none') {
    // DELETE documents a `null` body; no other endpoint the sandbox serves takes one.
    if (json !== undefined && !(route.method === 'DELETE' && json === null)) {
      throw badRequest('body must be null');
    }
    return undefined;
  }
  if (json === undefined) throw badRequest('body must be object');
  return validate(route.body, json, 'body');
}
