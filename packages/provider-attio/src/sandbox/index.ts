/**
 * `@oxygen/provider-attio/sandbox`: a local, stateful fake of the part of Attio's REST API the
 * plugin uses, over real HTTP (`node:http`, no dependencies besides zod and
 * `@oxygen/sandbox-kit`). It checks access tokens, validates query strings and bodies against the
 * documented shapes, keeps a workspace in memory (people and companies with their standard
 * attributes, lists and entries, notes, tasks), answers in Attio's shapes (records, values,
 * errors, `Retry-After` on 429s), records every request, and can be told to fail or to be slow.
 * It serves the webhooks API and sends signed webhook deliveries the way Attio does, retries
 * included.
 *
 * @example
 * ```ts
 * import { startAttioSandbox } from '@oxygen/provider-attio/sandbox';
 * const sandbox = await startAttioSandbox({ workspaceName: 'Acme' });
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
  queryObject,
  type RecordedRequest,
  readRequest,
  send,
  serve,
  type WebhookAttempt,
  type WebhookRetrySettings,
  WebhookSender,
  type WebhookSendOptions,
  withWebhookRetrySettings,
} from '@oxygen/sandbox-kit';
import type { z } from 'zod';
import { AttioError, injectedError, notFound, unauthorized, validationError } from './errors.js';
import type { WebhookStore } from './hooks.js';
import { ROUTES, type TokenInfo } from './routes.js';

export {
  backoffSchedule,
  type WebhookAttempt,
  type WebhookAttempts,
  type WebhookOutcome,
  type WebhookSendOptions,
} from '@oxygen/sandbox-kit';
export type {
  SandboxWebhook,
  WebhookCondition,
  WebhookFilter,
  WebhookStore,
  WebhookSubscription,
} from './hooks.js';
export {
  ATTIO_WEBHOOK_RETRIES,
  type AttioWebhookDelivery,
  type SendAttioWebhookOptions,
} from './webhooks.js';

import {
  type AttributeSpec,
  type ListSpec,
  type SandboxEntry,
  type SandboxNote,
  type SandboxRecord,
  type SandboxTask,
  Workspace,
} from './store.js';
import {
  ATTIO_WEBHOOK_RETRIES,
  type AttioWebhookDelivery,
  deliverAttioWebhook,
  type SendAttioWebhookOptions,
} from './webhooks.js';

export type {
  AttributeSpec,
  ListSpec,
  SandboxAttribute,
  SandboxEntry,
  SandboxList,
  SandboxMember,
  SandboxNote,
  SandboxObject,
  SandboxRecord,
  SandboxTask,
  StoredValue,
} from './store.js';

/** Every scope Attio defines, granted to sandbox tokens unless `scopes` says otherwise. */
export const ALL_SCOPES = [
  'user_management:read',
  'record_permission:read-write',
  'object_configuration:read-write',
  'list_entry:read-write',
  'list_configuration:read-write',
  'public_collection:read-write',
  'private_collection:read-write',
  'comment:read-write',
  'task:read-write',
  'note:read-write',
  'meeting:read-write',
  'call_recording:read-write',
  'webhook:read-write',
] as const;

/** Options for {@link startAttioSandbox}. */
export interface AttioSandboxOptions {
  /** Port to listen on. Default 0: a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Access tokens accepted. Default: one generated (64 hex characters, like Attio's). */
  tokens?: string[];
  /** The workspace name `GET /v2/self` reports. Default `Sandbox Workspace`. */
  workspaceName?: string;
  /** Scopes `GET /v2/self` reports for every token. Default: all of {@link ALL_SCOPES}. */
  scopes?: string[];
  /** Custom attributes for `people` and `companies`, besides the standard ones. */
  attributes?: { people?: AttributeSpec[]; companies?: AttributeSpec[] };
  /** Lists. Default: `sales_pipeline` (companies) with stage, priority, owner, next_step, deal_value. */
  lists?: ListSpec[];
  /** Workspace member emails (task assignees, actor references). Default `['owner@example.com']`. */
  members?: string[];
  /** Milliseconds to wait before answering each request. Default 0. Settable later. */
  delayMs?: number;
  /** Answer 429 past Attio's limits (100 reads, 25 writes per second per token). Default false. */
  enforceRateLimits?: boolean;
  /**
   * Where `emitWebhook` POSTs a webhook's deliveries, given its `target_url` (which Attio requires
   * to be https). Default: the `target_url` itself. Tests register `https://...` URLs, as Attio
   * requires, and map them here to a local http receiver.
   */
  deliveryUrl?: (targetUrl: string) => string;
  /**
   * The delay before each webhook retry, in milliseconds (its length is the number of retries).
   * Default {@link ATTIO_WEBHOOK_RETRIES}: 10 retries over about 3 days. Tests pass small ones.
   * Settable later.
   */
  webhookRetryDelaysMs?: number[];
  /** How long a webhook attempt may take before it counts as failed. Default 5,000. Settable later. */
  webhookTimeoutMs?: number;
}

/** Options for {@link AttioSandbox.emitWebhook}: the event, and what to change to test a receiver's checks. */
export interface EmitAttioWebhookOptions extends WebhookSendOptions {
  /** The event, as Attio's webhook reference shapes it (`{ event_type, id: {...}, actor, ... }`). */
  event: Record<string, unknown> & { event_type: string };
  /** `Idempotency-Key` of every delivery; pass the same one to send a retry. Default: a new UUID per delivery. */
  idempotencyKey?: string;
  /** Replaces each body after signing (to test tampering). */
  tamperBody?: string;
  /** Signs with this instead of each webhook's own secret (to test a wrong secret). */
  secret?: string;
}

/** One delivery `emitWebhook` made, to one registered webhook. */
export interface AttioEmittedDelivery extends AttioWebhookDelivery {
  /** The webhook it went to. */
  webhookId: string;
  /** Its `target_url`. */
  targetUrl: string;
  /** The URL actually POSTed to (after `deliveryUrl`). */
  url: string;
}

/** A request the sandbox received, as it arrived. */
export interface SandboxRequest extends RecordedRequest {
  /** Path without the query string, e.g. `/v2/objects/people/records`. */
  path: string;
}

/** A failure to inject with {@link AttioSandbox.failNext}. */
export interface FailNextOptions extends FailureMatch {
  status: 401 | 403 | 404 | 409 | 429 | 500 | 502 | 503;
  /**
   * Seconds until a retry may succeed, sent as `Retry-After` in Attio's form: an HTTP date.
   * Default for 429: 1 (Attio's "usually the next second"); other statuses send none unless set.
   */
  retryAfterSeconds?: number;
  /** Replaces the default message. */
  message?: string;
}

/** A running sandbox. */
export interface AttioSandbox extends WebhookRetrySettings {
  /** Base URL to use in place of `https://api.attio.com` (no trailing slash). Paths start with /v2. */
  readonly url: string;
  /** A token the sandbox accepts. */
  readonly token: string;
  /** Every token it accepts. */
  readonly tokens: readonly string[];
  /** The workspace: objects, attributes, lists, members and everything stored. */
  readonly workspace: Workspace;
  /** Records by id. Tests may read and change them. */
  readonly records: Map<string, SandboxRecord>;
  /** List entries by id. */
  readonly entries: Map<string, SandboxEntry>;
  /** Notes by id. */
  readonly notes: Map<string, SandboxNote>;
  /** Tasks by id. */
  readonly tasks: Map<string, SandboxTask>;
  /** Every request received, oldest first (including failed and unauthenticated ones). */
  readonly requests: SandboxRequest[];
  /** Milliseconds to wait before each answer. */
  delayMs: number;
  /** Makes the next matching request(s) fail with an Attio-shaped error. */
  failNext(options: FailNextOptions): void;
  /**
   * Creates a record directly (not through HTTP, not logged), with values in any shape Attio
   * accepts. For fixtures: give `record_id` to know the id in advance.
   */
  seedRecord(
    object: string,
    values: Record<string, unknown>,
    options?: { record_id?: string },
  ): SandboxRecord;
  /**
   * Delivers a webhook event the way Attio does: POST `url` with `{ webhook_id, events: [event] }`,
   * signed with the webhook's `secret` in `Attio-Signature` and `X-Attio-Signature`, with an
   * `Idempotency-Key`; retried on failure (see {@link AttioSandbox.webhookRetryDelaysMs}) with the
   * same bytes and key. Resolves after the first attempt, or after the last with `waitForRetries`.
   */
  sendWebhook(options: SendAttioWebhookOptions): Promise<AttioWebhookDelivery>;
  /** Webhooks registered through `POST /v2/webhooks`, with their secrets. */
  readonly webhooks: WebhookStore;
  /**
   * Sends `event` the way Attio does to every registered webhook (active or degraded) with a
   * subscription to its `event_type` whose filter passes: one signed POST each, with that
   * webhook's own `webhook_id` and `secret`, each retried like {@link AttioSandbox.sendWebhook}.
   * Resolves once every receiver answered the first attempt (or every retry is done, with
   * `waitForRetries`), in the webhooks' creation order; none match → `[]`.
   */
  emitWebhook(options: EmitAttioWebhookOptions): Promise<AttioEmittedDelivery[]>;
  /**
   * POSTs a delivery again, once, as Attio's retry would (the same bytes, signature and
   * `Idempotency-Key`), outside its retry schedule: the way to send the same event twice. Appends
   * to `delivery.attempts`.
   */
  redeliverWebhook(delivery: AttioWebhookDelivery): Promise<WebhookAttempt>;
  /**
   * Forgets records, entries, notes, tasks, webhooks, requests, pending failures and rate counters;
   * cancels pending webhook retries.
   */
  reset(): void;
  /** Cancels pending webhook retries and stops listening. */
  close(): Promise<void>;
}

const READS_PER_SECOND = 100;
const WRITES_PER_SECOND = 25;

function slugOf(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'workspace'
  );
}

/**
 * Starts a sandbox on a free local port.
 *
 * @example
 * ```ts
 * const sandbox = await startAttioSandbox({ workspaceName: 'Acme' });
 * const res = await fetch(`${sandbox.url}/v2/self`, { headers: { authorization: `Bearer ${sandbox.token}` } });
 * (await res.json()).workspace_name; // 'Acme'
 * ```
 */
export async function startAttioSandbox(options: AttioSandboxOptions = {}): Promise<AttioSandbox> {
  const tokens = options.tokens?.length
    ? [...options.tokens]
    : [randomUUID().replace(/-/g, '') + randomUUID().replace(/-/g, '')];
  const workspaceName = options.workspaceName ?? 'Sandbox Workspace';
  const workspace = new Workspace({
    workspaceName,
    workspaceSlug: slugOf(workspaceName),
    attributes: options.attributes,
    lists: options.lists,
    members: options.members,
  });
  const tokenInfo = new Map<string, TokenInfo>(
    tokens.map((token) => [
      token,
      {
        token,
        scope: (options.scopes ?? ALL_SCOPES).join(' '),
        client_id: randomUUID(),
        issued_at: Math.floor(Date.now() / 1000),
      },
    ]),
  );
  const requests: SandboxRequest[] = [];
  const failures = new FailureQueue<FailNextOptions>();
  const hits = new Map<string, { reads: number[]; writes: number[] }>();
  let delayMs = options.delayMs ?? 0;
  const sender = new WebhookSender(ATTIO_WEBHOOK_RETRIES, {
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

    const failure = failures.take(url.pathname);
    if (failure) return sendFailure(res, failure);
    try {
      const route = ROUTES.find((r) => r.method === method && r.pattern.test(url.pathname));
      const token = tokenOf(headers.authorization);
      const info = token ? tokenInfo.get(token) : undefined;
      if (!info) {
        // the identity endpoint reports an unknown token as inactive rather than refusing it
        if (token && method === 'GET' && url.pathname === '/v2/self')
          return send(res, 200, { active: false });
        throw unauthorized();
      }
      if (!route) {
        const known = ROUTES.some((r) => r.pattern.test(url.pathname));
        throw notFound(
          known
            ? `${method} is not supported on ${url.pathname}.`
            : `No API endpoint ${method} ${url.pathname}. Paths start with /v2 (see https://docs.attio.com/rest-api).`,
        );
      }
      if (options.enforceRateLimits && overLimit(info.token, route.write)) {
        return sendFailure(res, { status: 429 });
      }
      const query = validate(route.query, queryObject(url.searchParams), 'Query parameter validation error.');
      let body: unknown;
      if (route.body) {
        const type = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
        if (type !== 'application/json') {
          throw validationError('Body payload validation error.', [
            {
              code: 'invalid_type',
              path: [],
              message: 'Expected a JSON body with content-type application/json',
            },
          ]);
        }
        let json: unknown;
        try {
          json = raw.trim() ? JSON.parse(raw) : undefined;
        } catch (error) {
          throw validationError(`Body is not valid JSON: ${(error as Error).message}`);
        }
        body = validate(route.body, json, 'Body payload validation error.');
      } else if (raw.trim()) {
        throw validationError(`${method} ${url.pathname} takes no body.`);
      }
      const params = (route.pattern.exec(url.pathname)?.slice(1) ?? []).map(decodeURIComponent) as [
        string,
        string,
        string,
      ];
      const answer = route.handle({ params, query, body, token: info }, workspace);
      send(res, answer.status, answer.body);
    } catch (error) {
      if (!(error instanceof AttioError)) throw error;
      send(res, error.status, error.body());
    }
  }

  function tokenOf(authorization: string | undefined): string | undefined {
    if (!authorization) return undefined;
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim();
    if (bearer) return bearer;
    // Attio also accepts HTTP Basic with the token as the username and an empty password
    const basic = /^Basic\s+(.+)$/i.exec(authorization)?.[1];
    if (!basic) return undefined;
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    return decoded.endsWith(':') ? decoded.slice(0, -1) : undefined;
  }

  function overLimit(token: string, write: boolean): boolean {
    const now = Date.now();
    const entry = hits.get(token) ?? { reads: [], writes: [] };
    hits.set(token, entry);
    const key = write ? 'writes' : 'reads';
    entry[key] = entry[key].filter((t) => t > now - 1000);
    entry[key].push(now);
    return entry[key].length > (write ? WRITES_PER_SECOND : READS_PER_SECOND);
  }

  function sendFailure(res: ServerResponse, failure: FailNextOptions): void {
    const seconds = failure.retryAfterSeconds ?? (failure.status === 429 ? 1 : undefined);
    if (seconds !== undefined) {
      // Attio sends Retry-After as an HTTP date (usually the next second)
      res.setHeader('retry-after', new Date(Date.now() + seconds * 1000).toUTCString());
    }
    send(res, failure.status, injectedError(failure.status, failure.message).body());
  }

  const server = await serve(
    handle,
    (res, error) => {
      send(res, 500, {
        status_code: 500,
        type: 'api_error',
        code: 'internal_server_error',
        message: `sandbox bug: ${String(error)}`,
      });
    },
    options,
  );

  return withWebhookRetrySettings<AttioSandbox>(sender, {
    url: server.url,
    token: tokens[0] as string,
    tokens,
    workspace,
    records: workspace.records,
    entries: workspace.entries,
    notes: workspace.notes,
    tasks: workspace.tasks,
    requests,
    get delayMs() {
      return delayMs;
    },
    set delayMs(value: number) {
      delayMs = value;
    },
    failNext(failure) {
      failures.push(failure);
    },
    seedRecord(object, values, seed = {}) {
      return workspace.createRecord(object, values, seed);
    },
    sendWebhook: (webhook) => deliverAttioWebhook(sender, webhook),
    webhooks: workspace.webhooks,
    emitWebhook: (emit) =>
      Promise.all(
        workspace.webhooks.matching(emit.event).map((webhook) =>
          deliverAttioWebhook(
            sender,
            {
              ...emit,
              url: options.deliveryUrl ? options.deliveryUrl(webhook.target_url) : webhook.target_url,
              secret: emit.secret ?? webhook.secret,
              webhookId: webhook.webhook_id,
            },
            { webhookId: webhook.webhook_id, targetUrl: webhook.target_url },
          ),
        ),
      ),
    redeliverWebhook: (delivery) => sender.redeliver(delivery),
    reset() {
      sender.cancel();
      workspace.reset();
      requests.length = 0;
      failures.clear();
      hits.clear();
    },
    close: () => {
      sender.cancel();
      return server.close();
    },
  });
}

/** Validates with a route schema, throwing Attio's 400 with every issue in `validation_errors`. */
function validate(schema: z.ZodType, value: unknown, message: string): unknown {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(
    message,
    result.error.issues.slice(0, 10).map((issue) => ({
      code: issue.code,
      path: [
        ...issue.path.map((k) => (typeof k === 'symbol' ? String(k) : k)),
        ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : []),
      ],
      message: issue.message,
      ...('expected' in issue && typeof issue.expected === 'string' ? { expected: issue.expected } : {}),
    })),
  );
}
