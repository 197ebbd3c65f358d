/**
 * `oxygen-provider-pipelane/sandbox`: a local, stateful fake of Pipelane's API v2 (`API.md`) over
 * real HTTP (`node:http` through `@oxygen/sandbox-kit`). It checks `X-Api-Token`, validates what it
 * is sent, keeps deals and webhooks in memory, answers in Pipelane's shapes (`success`/`data`,
 * `{ success: false, error, error_code }`, `X-Request-Id`, `Retry-After` on 429s), records every
 * request, delivers signed `deal.stage_changed` events, and can be told to fail.
 *
 * @example
 * ```ts
 * import { startPipelaneSandbox } from 'oxygen-provider-pipelane/sandbox';
 * const sandbox = await startPipelaneSandbox();
 * // point the plugin at sandbox.url with sandbox.key, then:
 * sandbox.failNext({ status: 429, retryAfterSeconds: 1 });
 * await sandbox.close();
 * ```
 *
 * @module
 */

import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  type FailureMatch,
  FailureQueue,
  parseJson,
  pause,
  type RecordedRequest,
  readRequest,
  send,
  serve,
} from '@oxygen/sandbox-kit';

const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'];
const CLOSED = ['won', 'lost'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A deal the sandbox holds, in Pipelane's shape. */
export interface SandboxDeal {
  id: number;
  title: string;
  value: number;
  currency: string;
  stage: string;
  person_email: string | null;
  add_time: string;
  update_time: string;
}

/** A webhook registered through `POST /v2/webhooks`. */
export interface SandboxWebhook {
  id: string;
  url: string;
  events: string[];
  secret: string;
}

/** One webhook delivery the sandbox made. */
export interface SandboxDelivery {
  webhookId: string;
  url: string;
  body: string;
  /** The receiver's HTTP status, or null when it could not be reached. */
  status: number | null;
}

/** A failure to inject with {@link PipelaneSandbox.failNext}. */
export interface FailNextOptions extends FailureMatch {
  status: number;
  /** Seconds sent as `Retry-After` (default 1 on a 429, none otherwise). */
  retryAfterSeconds?: number;
}

/** Options for {@link startPipelaneSandbox}. */
export interface PipelaneSandboxOptions {
  /** Port to listen on. Default 0: a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** API tokens accepted. Default: one generated. */
  keys?: string[];
  /** The company name `GET /v2/users/me` reports. Default `Sandbox Company`. */
  companyName?: string;
  /** Milliseconds to wait before answering each request. Default 0. */
  delayMs?: number;
}

/** A running sandbox. */
export interface PipelaneSandbox {
  /** Base URL to use in place of `https://api.pipelane.example` (no trailing slash). */
  readonly url: string;
  /** An API token the sandbox accepts. */
  readonly key: string;
  /** Deals by id. Tests may read and change them. */
  readonly deals: Map<number, SandboxDeal>;
  /** Webhooks by id. */
  readonly webhooks: Map<string, SandboxWebhook>;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Every webhook delivery made, in order. */
  readonly deliveries: SandboxDelivery[];
  /** Milliseconds to wait before answering each request; settable. */
  delayMs: number;
  /** Adds a deal directly (no webhook is sent). */
  seedDeal(deal: { title: string } & Partial<Omit<SandboxDeal, 'add_time' | 'update_time'>>): SandboxDeal;
  /** Makes the next matching request(s) fail with `status`, in Pipelane's error shape. */
  failNext(options: FailNextOptions): void;
  /** Resolves once every webhook delivery started so far has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** An error the handlers throw; the server answers it in Pipelane's failure shape. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'bad_request',
  429: 'rate_limited',
};

function failure(status: number, code: string, message: string) {
  return { status, body: { success: false, error: message, error_code: code } };
}

/**
 * Starts the sandbox on a free port (unless `port` says otherwise).
 *
 * @example
 * ```ts
 * const sandbox = await startPipelaneSandbox({ companyName: 'Acme Ltd' });
 * sandbox.seedDeal({ title: 'Acme - 50 seats', value: 12000, stage: 'qualified' });
 * ```
 */
export async function startPipelaneSandbox(options: PipelaneSandboxOptions = {}): Promise<PipelaneSandbox> {
  const keys = options.keys ?? [randomBytes(20).toString('hex')];
  const deals = new Map<number, SandboxDeal>();
  const webhooks = new Map<string, SandboxWebhook>();
  const requests: RecordedRequest[] = [];
  const deliveries: SandboxDelivery[] = [];
  const pending = new Set<Promise<void>>();
  const failures = new FailureQueue<FailNextOptions>();
  let nextId = 1;

  function seedDeal(
    d: { title: string } & Partial<Omit<SandboxDeal, 'add_time' | 'update_time'>>,
  ): SandboxDeal {
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const id = d.id ?? nextId;
    nextId = Math.max(nextId, id + 1);
    const deal: SandboxDeal = {
      id,
      title: d.title,
      value: d.value ?? 0,
      currency: d.currency ?? 'EUR',
      stage: d.stage ?? 'lead',
      person_email: d.person_email ?? null,
      add_time: now,
      update_time: now,
    };
    deals.set(id, deal);
    return deal;
  }

  /** POSTs a signed event to every webhook subscribed to its type; never blocks the answer. */
  function emit(type: string, data: Record<string, unknown>): void {
    for (const hook of webhooks.values()) {
      if (!hook.events.includes(type)) continue;
      const body = JSON.stringify({
        id: `evt_${randomUUID()}`,
        type,
        created_at: new Date().toISOString(),
        data,
      });
      const signature = createHmac('sha256', hook.secret).update(body).digest('hex');
      const delivery: SandboxDelivery = { webhookId: hook.id, url: hook.url, body, status: null };
      deliveries.push(delivery);
      const sending = fetch(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'pipelane-signature': signature },
        body,
      })
        .then((res) => {
          delivery.status = res.status;
        })
        .catch(() => undefined)
        .finally(() => pending.delete(sending));
      pending.add(sending);
    }
  }

  function route(method: string, path: string, query: Record<string, string | string[]>, body: unknown) {
    if (method === 'GET' && path === '/v2/users/me') {
      return {
        status: 200,
        body: {
          success: true,
          data: {
            id: 7,
            email: 'sandbox@pipelane.example',
            company_name: options.companyName ?? 'Sandbox Company',
          },
        },
      };
    }
    if (method === 'GET' && path === '/v2/deals') {
      const limit = query.limit === undefined ? 100 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        throw new ApiError(400, 'bad_request', 'limit must be an integer from 1 to 500.');
      }
      let offset = 0;
      if (query.cursor !== undefined) {
        const decoded = JSON.parse(Buffer.from(String(query.cursor), 'base64url').toString() || 'null') as {
          o?: unknown;
        } | null;
        if (!decoded || !Number.isInteger(decoded.o))
          throw new ApiError(400, 'bad_request', 'cursor is not valid.');
        offset = decoded.o as number;
      }
      if (query.stage !== undefined && !STAGES.includes(String(query.stage))) {
        throw new ApiError(400, 'bad_request', `stage must be one of ${STAGES.join(', ')}.`);
      }
      const all = [...deals.values()]
        .filter((d) => query.stage === undefined || d.stage === query.stage)
        .sort((a, b) => a.id - b.id);
      const next =
        offset + limit < all.length
          ? Buffer.from(JSON.stringify({ o: offset + limit })).toString('base64url')
          : null;
      return {
        status: 200,
        body: {
          success: true,
          data: all.slice(offset, offset + limit),
          additional_data: { next_cursor: next },
        },
      };
    }
    if (method === 'POST' && path === '/v2/deals') {
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b.title !== 'string' || b.title.length < 1 || b.title.length > 255) {
        throw new ApiError(400, 'bad_request', 'title is required (1-255 characters).');
      }
      if (b.value !== undefined && (typeof b.value !== 'number' || b.value < 0)) {
        throw new ApiError(400, 'bad_request', 'value must be a number of at least 0.');
      }
      if (b.currency !== undefined && (typeof b.currency !== 'string' || !/^[A-Z]{3}$/.test(b.currency))) {
        throw new ApiError(400, 'bad_request', 'currency must be an ISO 4217 code.');
      }
      if (b.stage !== undefined && !STAGES.includes(String(b.stage))) {
        throw new ApiError(400, 'bad_request', `stage must be one of ${STAGES.join(', ')}.`);
      }
      if (
        b.person_email !== undefined &&
        (typeof b.person_email !== 'string' || !EMAIL.test(b.person_email))
      ) {
        throw new ApiError(400, 'bad_request', 'person_email must be an email address.');
      }
      const deal = seedDeal({
        id: nextId,
        title: b.title,
        ...(b.value !== undefined ? { value: b.value as number } : {}),
        ...(b.currency !== undefined ? { currency: b.currency as string } : {}),
        ...(b.stage !== undefined ? { stage: b.stage as string } : {}),
        ...(b.person_email !== undefined ? { person_email: b.person_email as string } : {}),
      });
      return { status: 201, body: { success: true, data: deal } };
    }
    const dealPath = /^\/v2\/deals\/([^/]+)$/.exec(path);
    if (method === 'PATCH' && dealPath) {
      const deal = deals.get(Number(dealPath[1]));
      if (!deal) throw new ApiError(404, 'not_found', `Deal ${dealPath[1]} not found.`);
      const b = (body ?? {}) as Record<string, unknown>;
      if (!STAGES.includes(String(b.stage))) {
        throw new ApiError(400, 'bad_request', `stage must be one of ${STAGES.join(', ')}.`);
      }
      if (CLOSED.includes(deal.stage) && b.stage !== deal.stage) {
        throw new ApiError(409, 'conflict', `Deal ${deal.id} is ${deal.stage} and cannot move.`);
      }
      const previous = deal.stage;
      deal.stage = String(b.stage);
      deal.update_time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      if (previous !== deal.stage)
        emit('deal.stage_changed', { deal: { ...deal }, previous_stage: previous });
      return { status: 200, body: { success: true, data: deal } };
    }
    if (method === 'POST' && path === '/v2/webhooks') {
      const b = (body ?? {}) as { url?: unknown; events?: unknown };
      if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) {
        throw new ApiError(400, 'bad_request', 'url is required and must be an http(s) URL.');
      }
      if (
        !Array.isArray(b.events) ||
        b.events.length === 0 ||
        b.events.some((e) => e !== 'deal.stage_changed')
      ) {
        throw new ApiError(400, 'bad_request', 'events must list event types: deal.stage_changed.');
      }
      const hook: SandboxWebhook = {
        id: `wh_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
        url: b.url,
        events: b.events as string[],
        secret: randomBytes(24).toString('base64url'),
      };
      webhooks.set(hook.id, hook);
      return { status: 201, body: { success: true, data: hook } };
    }
    const webhook = /^\/v2\/webhooks\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && webhook) {
      const id = decodeURIComponent(webhook[1] ?? '');
      if (!webhooks.delete(id)) throw new ApiError(404, 'not_found', `Webhook ${id} not found.`);
      return { status: 204, body: undefined };
    }
    throw new ApiError(404, 'not_found', `No route ${method} ${path}.`);
  }

  const server = await serve(
    async (req, res) => {
      const request = await readRequest(req);
      const body = parseJson(request.raw);
      requests.push({
        method: request.method,
        path: request.path,
        query: request.query,
        headers: request.headers,
        body,
      });
      res.setHeader('x-request-id', randomUUID());
      await pause(sandbox.delayMs);
      const injected = failures.take(request.path);
      if (injected) {
        const retryAfter = injected.retryAfterSeconds ?? (injected.status === 429 ? 1 : undefined);
        if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
        const code = CODES[injected.status] ?? 'internal';
        const answer = failure(injected.status, code, `Injected ${injected.status} (${code}).`);
        return send(res, answer.status, answer.body);
      }
      if (!keys.includes(request.headers['x-api-token'] ?? '')) {
        const answer = failure(401, 'unauthorized', 'The API token is missing or invalid.');
        return send(res, answer.status, answer.body);
      }
      try {
        const answer = route(request.method, request.path, request.query, body);
        send(res, answer.status, answer.body);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const answer = failure(error.status, error.code, error.message);
        send(res, answer.status, answer.body);
      }
    },
    (res, error) => {
      const answer = failure(500, 'internal', `Sandbox bug: ${String(error)}`);
      send(res, answer.status, answer.body);
    },
    { port: options.port ?? 0, host: options.host ?? '127.0.0.1' },
  );

  const sandbox: PipelaneSandbox = {
    url: server.url,
    key: keys[0] as string,
    deals,
    webhooks,
    requests,
    deliveries,
    delayMs: options.delayMs ?? 0,
    seedDeal,
    failNext: (f: FailNextOptions) => failures.push(f),
    settled: async () => {
      while (pending.size > 0) await Promise.all(pending);
    },
    close: async () => {
      await Promise.all(pending);
      await server.close();
    },
  };
  return sandbox;
}
