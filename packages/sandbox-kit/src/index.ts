/**
 * `@oxygen/sandbox-kit`: the provider-neutral `node:http` plumbing every provider sandbox shares.
 * It reads and describes incoming requests, answers JSON, keeps a queue of one-shot injected
 * failures, waits a configured delay, and listens on and closes a local server. For sandboxes that
 * send webhooks, {@link WebhookSender} delivers them with a provider's retries (see
 * {@link backoffSchedule} and {@link withWebhookRetrySettings}). It knows nothing about any
 * provider: error bodies, headers, routes, authentication and signatures stay in each sandbox.
 * No dependencies besides Node.
 *
 * @example
 * ```ts
 * import { FailureQueue, readRequest, send, serve } from '@oxygen/sandbox-kit';
 *
 * const failures = new FailureQueue<{ status: number }>();
 * const server = await serve(
 *   async (req, res) => {
 *     const request = await readRequest(req);
 *     const failure = failures.take(request.path);
 *     if (failure) return send(res, failure.status, { error: 'injected' });
 *     send(res, 200, { path: request.path, query: request.query });
 *   },
 *   (res, error) => send(res, 500, { error: `sandbox bug: ${String(error)}` }),
 * );
 * failures.push({ status: 503, path: '/ping' });
 * (await fetch(`${server.url}/ping`)).status; // 503
 * await server.close();
 * ```
 *
 * @module
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export * from './retries.js';

/** `content-type` {@link send} uses unless told otherwise. */
export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

/**
 * Answers with `body` as JSON: sets the status, sets `content-type` (to `contentType`) only when
 * there is a body, and ends the response. An `undefined` body answers with no content.
 */
export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  contentType: string = JSON_CONTENT_TYPE,
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.statusCode = status;
  if (text) res.setHeader('content-type', contentType);
  res.end(text);
}

/** Reads the whole request body as UTF-8 text (`''` when there is none). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Parses `raw` as JSON; the raw text when it is not JSON; `undefined` when it is empty. */
export function parseJson(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** The request's headers with lower-cased names; repeated headers joined with `, `. */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Query parameters as an object: a string for a parameter given once, an array for a repeated one. */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

/** A request a sandbox received, as it arrived: what a sandbox's `requests` log holds. */
export interface RecordedRequest {
  /** Upper-cased, e.g. `POST`. */
  method: string;
  /** Path without the query string. */
  path: string;
  /** See {@link queryObject}. */
  query: Record<string, string | string[]>;
  /** Header names lower-cased. */
  headers: Record<string, string>;
  /** Parsed JSON body, the raw text when it is not JSON, or undefined when empty. */
  body: unknown;
}

/** A request read by {@link readRequest}. */
export interface IncomingRequest {
  /** Upper-cased, e.g. `POST`. */
  method: string;
  /** The URL resolved against `http://sandbox` (only path and query are meaningful). */
  url: URL;
  /** Path without the query string, e.g. `/v2/objects`. */
  path: string;
  /** Path and query exactly as sent (percent-encoding kept). */
  rawPath: string;
  /** See {@link queryObject}. */
  query: Record<string, string | string[]>;
  /** See {@link flatHeaders}. */
  headers: Record<string, string>;
  /** The body as text (`''` when empty). */
  raw: string;
}

/** Reads a request's body, then describes it: method, URL, path, query, headers and raw body. */
export async function readRequest(req: IncomingMessage): Promise<IncomingRequest> {
  const raw = await readBody(req);
  const url = new URL(req.url ?? '/', 'http://sandbox');
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    url,
    path: url.pathname,
    rawPath: req.url ?? '/',
    query: queryObject(url.searchParams),
    headers: flatHeaders(req),
    raw,
  };
}

/** Waits `ms` milliseconds; returns at once when `ms` is 0 or less. */
export async function pause(ms: number): Promise<void> {
  if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
}

/** What every injected failure may say: how many requests it hits, and which paths. */
export interface FailureMatch {
  /** How many matching requests fail. Default 1. */
  count?: number;
  /** Only requests to this path (exact, or a pattern) fail. Default: any. */
  path?: string | RegExp;
}

/**
 * Failures queued by a sandbox's `failNext`, taken one request at a time: the oldest pending
 * failure whose `path` matches is returned, and dropped once it has been returned `count` times.
 */
export class FailureQueue<F extends FailureMatch> {
  readonly #pending: { failure: F; remaining: number }[] = [];

  /** Queues a copy of `failure` for the next `failure.count` (default 1) matching requests. */
  push(failure: F): void {
    this.#pending.push({ failure: { ...failure }, remaining: failure.count ?? 1 });
  }

  /** The failure the request to `path` must answer with, or `undefined` when none applies. */
  take(path: string): F | undefined {
    const index = this.#pending.findIndex(({ failure: f }) =>
      f.path === undefined ? true : typeof f.path === 'string' ? f.path === path : f.path.test(path),
    );
    const entry = this.#pending[index];
    if (!entry) return undefined;
    if (--entry.remaining <= 0) this.#pending.splice(index, 1);
    return entry.failure;
  }

  /** Forgets every pending failure. */
  clear(): void {
    this.#pending.length = 0;
  }

  /** How many failures are pending. */
  get size(): number {
    return this.#pending.length;
  }
}

/** Where {@link serve} listens. */
export interface ServeOptions {
  /** Port to listen on. Default 0: a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
}

/** A server started by {@link serve}. */
export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:53124` (IPv6 hosts in brackets). */
  readonly url: string;
  /** The underlying server. */
  readonly server: Server;
  /** Stops listening and closes every open connection, keep-alive ones included. */
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on `options.host`:`options.port` (default a free port on 127.0.0.1) that
 * runs `handle` for each request. When `handle` throws or rejects, `crash` answers instead (a
 * sandbox bug, usually a 500 in the provider's error shape). Rejects when it cannot listen.
 */
export async function serve(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  crash: (res: ServerResponse, error: unknown) => void,
  options: ServeOptions = {},
): Promise<RunningServer> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => crash(res, error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
