/**
 * `__PACKAGE__/sandbox`: a local, stateful fake of the part of __NAME__'s API the plugin uses, over
 * real HTTP (`node:http` through `@oxygen/sandbox-kit`). It checks API keys, validates what it is
 * sent, keeps contacts and webhooks in memory, answers in __NAME__'s shapes (errors, `x-request-id`,
 * `Retry-After` on 429s), records every request, delivers signed webhooks, and can be told to
 * fail. Keep it in step with __NAME__'s API reference: the plugin's tests run against it.
 *
 * @example
 * ```ts
 * import { start__PASCAL__Sandbox } from '__PACKAGE__/sandbox';
 * const sandbox = await start__PASCAL__Sandbox();
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

/** A contact the sandbox holds. */
export interface SandboxContact {
  id: string;
  email: string;
  name: string | null;
  created_at: string;
}

/** A webhook registered through `POST /v1/webhooks`. */
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

/** A failure to inject with {@link __PASCAL__Sandbox.failNext}. */
export interface FailNextOptions extends FailureMatch {
  status: number;
  /** Seconds sent as `Retry-After` (default 1 on a 429, none otherwise). */
  retryAfterSeconds?: number;
}

/** Options for {@link start__PASCAL__Sandbox}. */
export interface __PASCAL__SandboxOptions {
  /** Port to listen on. Default 0: a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** API keys accepted. Default: one generated. */
  keys?: string[];
  /** The account name `GET /v1/me` reports. Default `Sandbox Account`. */
  accountName?: string;
  /** Milliseconds to wait before answering each request. Default 0. */
  delayMs?: number;
}

/** A running sandbox. */
export interface __PASCAL__Sandbox {
  /** Base URL to use in place of __NAME__'s (no trailing slash). */
  readonly url: string;
  /** An API key the sandbox accepts. */
  readonly key: string;
  /** Contacts by id. Tests may read and change them. */
  readonly contacts: Map<string, SandboxContact>;
  /** Webhooks by id. */
  readonly webhooks: Map<string, SandboxWebhook>;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Every webhook delivery made, in order. */
  readonly deliveries: SandboxDelivery[];
  /** Milliseconds to wait before answering each request; settable. */
  delayMs: number;
  /** Adds a contact directly (no webhook is sent). */
  seedContact(contact: { email: string; name?: string | null; id?: string }): SandboxContact;
  /** Makes the next matching request(s) fail with `status`, in __NAME__'s error shape. */
  failNext(options: FailNextOptions): void;
  /** Resolves once every webhook delivery started so far has finished. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/** An error the handlers throw; the server answers it in __NAME__'s error shape. */
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
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  422: 'invalid_request',
  429: 'rate_limited',
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Starts the sandbox on a free port (unless `port` says otherwise).
 *
 * @example
 * ```ts
 * const sandbox = await start__PASCAL__Sandbox({ accountName: 'Acme' });
 * sandbox.seedContact({ email: 'grace@example.com', name: 'Grace Hopper' });
 * ```
 */
export async function start__PASCAL__Sandbox(
  options: __PASCAL__SandboxOptions = {},
): Promise<__PASCAL__Sandbox> {
  const keys = options.keys ?? [`sk_sandbox_${randomBytes(16).toString('hex')}`];
  const contacts = new Map<string, SandboxContact>();
  const webhooks = new Map<string, SandboxWebhook>();
  const requests: RecordedRequest[] = [];
  const deliveries: SandboxDelivery[] = [];
  const pending = new Set<Promise<void>>();
  const failures = new FailureQueue<FailNextOptions>();

  function seedContact(c: { email: string; name?: string | null; id?: string }): SandboxContact {
    const contact: SandboxContact = {
      id: c.id ?? `con_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
      email: c.email,
      name: c.name ?? null,
      created_at: new Date().toISOString(),
    };
    contacts.set(contact.id, contact);
    return contact;
  }

  /** POSTs a signed event to every webhook subscribed to its type; never blocks the answer. */
  function emit(type: string, data: SandboxContact): void {
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
        headers: { 'content-type': 'application/json', 'x-__ID__-signature': signature },
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
    if (method === 'GET' && path === '/v1/me') {
      return {
        status: 200,
        body: { account: { id: 'acc_sandbox', name: options.accountName ?? 'Sandbox Account' } },
      };
    }
    if (method === 'GET' && path === '/v1/contacts') {
      const limit = query.limit === undefined ? 25 : Number(query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw new ApiError(400, 'invalid_request', 'limit must be an integer from 1 to 100.');
      }
      const offset =
        query.cursor === undefined ? 0 : Number(Buffer.from(String(query.cursor), 'base64url').toString());
      if (!Number.isInteger(offset) || offset < 0)
        throw new ApiError(400, 'invalid_request', 'cursor is not valid.');
      const all = [...contacts.values()].filter((c) => query.email === undefined || c.email === query.email);
      const data = all.slice(offset, offset + limit);
      const next =
        offset + limit < all.length ? Buffer.from(String(offset + limit)).toString('base64url') : null;
      return { status: 200, body: { data, next_cursor: next } };
    }
    if (method === 'POST' && path === '/v1/contacts') {
      const b = (body ?? {}) as { email?: unknown; name?: unknown };
      if (typeof b.email !== 'string' || !EMAIL.test(b.email)) {
        throw new ApiError(400, 'invalid_request', 'email is required and must be an email address.');
      }
      if (b.name !== undefined && typeof b.name !== 'string') {
        throw new ApiError(400, 'invalid_request', 'name must be a string.');
      }
      if ([...contacts.values()].some((c) => c.email === b.email)) {
        throw new ApiError(409, 'conflict', `A contact with email ${b.email} already exists.`);
      }
      const contact = seedContact({ email: b.email, name: b.name ?? null });
      emit('contact.created', contact);
      return { status: 201, body: contact };
    }
    if (method === 'POST' && path === '/v1/webhooks') {
      const b = (body ?? {}) as { url?: unknown; events?: unknown };
      if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) {
        throw new ApiError(400, 'invalid_request', 'url is required and must be an http(s) URL.');
      }
      if (
        !Array.isArray(b.events) ||
        b.events.length === 0 ||
        b.events.some((e) => e !== 'contact.created')
      ) {
        throw new ApiError(400, 'invalid_request', 'events must list event types: contact.created.');
      }
      const hook: SandboxWebhook = {
        id: `wh_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
        url: b.url,
        events: b.events as string[],
        secret: randomBytes(24).toString('base64url'),
      };
      webhooks.set(hook.id, hook);
      return { status: 201, body: hook };
    }
    const webhook = /^\/v1\/webhooks\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && webhook) {
      const id = decodeURIComponent(webhook[1] ?? '');
      if (!webhooks.delete(id)) throw new ApiError(404, 'not_found', `No webhook ${id}.`);
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
      res.setHeader('x-request-id', `req_${randomUUID()}`);
      await pause(sandbox.delayMs);
      const failure = failures.take(request.path);
      if (failure) {
        const retryAfter = failure.retryAfterSeconds ?? (failure.status === 429 ? 1 : undefined);
        if (retryAfter !== undefined) res.setHeader('retry-after', String(retryAfter));
        const code = CODES[failure.status] ?? 'internal_error';
        return send(res, failure.status, {
          error: { code, message: `Injected ${failure.status} (${code}).` },
        });
      }
      const auth = request.headers.authorization ?? '';
      if (!keys.some((k) => auth === `Bearer ${k}`)) {
        return send(res, 401, {
          error: { code: 'unauthorized', message: 'The API key is missing or invalid.' },
        });
      }
      try {
        const answer = route(request.method, request.path, request.query, body);
        send(res, answer.status, answer.body);
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        send(res, error.status, { error: { code: error.code, message: error.message } });
      }
    },
    (res, error) =>
      send(res, 500, { error: { code: 'internal_error', message: `Sandbox bug: ${String(error)}` } }),
    { port: options.port ?? 0, host: options.host ?? '127.0.0.1' },
  );

  const sandbox: __PASCAL__Sandbox = {
    url: server.url,
    key: keys[0] as string,
    contacts,
    webhooks,
    requests,
    deliveries,
    delayMs: options.delayMs ?? 0,
    seedContact,
    failNext: (failure: FailNextOptions) => failures.push(failure),
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
