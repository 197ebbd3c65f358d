/**
 * The per-call HTTP context: one got instance per action call, carrying everything a plugin
 * must not write itself (base URL, auth, rate limits, retries, timeouts, redaction, error mapping,
 * dry-run recording).
 *
 * @module
 */

import got, { type Got, type RequestError } from 'got';
import {
  AuthError,
  ConflictError,
  NetworkError,
  NotFoundError,
  OxygenError,
  ProviderError,
  RateLimitError,
  ValidationError,
} from './errors.js';
import type { ParsedProviderError, ProviderDefinition } from './provider.js';
import { redactHeaders, redactText, redactValue } from './redact.js';

/** A request as a dry run shows it: secrets redacted. */
export interface RecordedRequest {
  /** The HTTP method, upper case. */
  method: string;
  /** The full URL, secrets redacted. */
  url: string;
  /** The request headers, secrets redacted. */
  headers: Record<string, string>;
  /** The JSON or form body, parsed when it is JSON and redacted; absent without a body. */
  body?: unknown;
}

/** One request that was actually sent, for provenance and `--verbose`. */
export interface CallRecord {
  /** The HTTP method, upper case. */
  method: string;
  /** The final URL, secrets redacted. */
  url: string;
  /** The HTTP status of the last answer, or `null` when none arrived. */
  status: number | null;
  /** The provider's request or correlation id, when it sent one. */
  requestId: string | null;
  /** Time of the last attempt, in milliseconds. */
  durationMs: number;
  /** Attempts made, retries included. */
  attempts: number;
}

/** Retry policy for 429 and 5xx answers and network failures. */
export interface RetryPolicy {
  /** Retries after the first attempt. Default 3. */
  limit?: number;
  /** First backoff delay; doubles each retry, with jitter. Default 500 ms. */
  baseDelayMs?: number;
  /** Longest backoff, and the longest `Retry-After` honoured. Default 30 s. */
  maxDelayMs?: number;
  /**
   * Whether a 5xx or a network failure on a non-idempotent request (POST, PATCH) may be retried.
   * A 429 is always retried: the provider did not process the request. Default false.
   */
  retryUnsafe?: boolean;
}

/** Options for {@link createHttpContext}. */
export interface HttpContextOptions {
  /** The provider called: names it in errors, parses its error bodies, finds its request ids. */
  provider: Pick<ProviderDefinition, 'id' | 'name' | 'parseError' | 'requestIdHeader'>;
  /** The provider API base URL. */
  baseUrl: string;
  /** Auth and any other fixed headers. */
  headers?: Record<string, string>;
  /** Every secret that must never appear in errors or recordings. */
  secrets?: string[];
  /** Awaited before every attempt (including retries) with the request path. */
  rateLimiter?: ((path: string, method: string) => Promise<void>) | undefined;
  /** When and how often to retry; see {@link RetryPolicy} for the defaults. */
  retry?: RetryPolicy;
  /** Whole-request timeout per attempt. Default 30 s. */
  timeoutMs?: number;
  /** When set, nothing is sent: requests are redacted into this list and the call halts. */
  recorder?: RecordedRequest[] | undefined;
  /** User-Agent sent to the provider. */
  userAgent?: string;
}

/** What {@link createHttpContext} returns. */
export interface HttpContext {
  /** The got instance handed to plugin code as `ctx.http`. */
  http: Got;
  /** Every request sent through it, in order. */
  calls: CallRecord[];
}

const DRY_RUN_HALT = Symbol.for('oxygen.dry-run-halt');

/** Thrown inside a dry run once a request has been recorded: nothing is sent. */
export class DryRunHalt extends Error {
  /** The global marker (`Symbol.for('oxygen.dry-run-halt')`) that {@link isDryRunHalt} checks. */
  readonly [DRY_RUN_HALT] = true;
  constructor() {
    super('dry run: request recorded, not sent');
    this.name = 'DryRunHalt';
  }
}

/** True when `error` (or its cause) is a {@link DryRunHalt}. */
export function isDryRunHalt(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if ((e as Record<symbol, unknown>)[DRY_RUN_HALT] === true) return true;
  }
  return false;
}

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
const RETRY_STATUS = [408, 429, 500, 502, 503, 504];
const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE'] as const;

/**
 * Builds the got instance for one call.
 *
 * @example
 * ```ts
 * const { http, calls } = createHttpContext({
 *   provider: { id: 'acme', name: 'Acme' },
 *   baseUrl: 'https://api.acme.test',
 *   headers: { authorization: `Bearer ${key}` },
 *   secrets: [key],
 * });
 * const me = await http.get('me').json();
 * ```
 */
export function createHttpContext(options: HttpContextOptions): HttpContext {
  const secrets = options.secrets ?? [];
  const retry = {
    limit: options.retry?.limit ?? 3,
    baseDelayMs: options.retry?.baseDelayMs ?? 500,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    retryUnsafe: options.retry?.retryUnsafe ?? false,
  };
  const calls: CallRecord[] = [];
  const prefixUrl = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
  const recorder = options.recorder;

  const http = got.extend({
    prefixUrl,
    headers: {
      'user-agent': options.userAgent ?? 'oxygen-integrations',
      accept: 'application/json',
      ...options.headers,
    },
    timeout: { request: options.timeoutMs ?? 30_000 },
    retry: {
      limit: retry.limit,
      methods: [...ALL_METHODS],
      statusCodes: RETRY_STATUS,
      maxRetryAfter: retry.maxDelayMs,
      calculateDelay: ({ attemptCount, error, computedValue }) => {
        if (computedValue === 0 || isDryRunHalt(error)) return 0;
        const status = error.response?.statusCode;
        const method = error.options.method.toUpperCase();
        if (status !== 429 && !IDEMPOTENT.has(method) && !retry.retryUnsafe) return 0;
        const retryAfter = parseRetryAfter(error.response?.headers['retry-after']);
        if (retryAfter !== undefined) return retryAfter > retry.maxDelayMs ? 0 : Math.max(retryAfter, 1);
        const backoff = Math.min(retry.baseDelayMs * 2 ** (attemptCount - 1), retry.maxDelayMs);
        return Math.round(backoff / 2 + (Math.random() * backoff) / 2);
      },
    },
    hooks: {
      beforeRequest: [
        async (opts) => {
          const url = opts.url instanceof URL ? opts.url : new URL(String(opts.url));
          const method = opts.method.toUpperCase();
          if (recorder) {
            recorder.push(recordRequest(opts, url, method, secrets));
            throw new DryRunHalt();
          }
          await options.rateLimiter?.(url.pathname.slice(new URL(prefixUrl).pathname.length), method);
        },
      ],
      afterResponse: [
        (response) => {
          const final = response.ok || !RETRY_STATUS.includes(response.statusCode);
          if (final || response.retryCount >= retry.limit) {
            calls.push({
              method: response.request.options.method.toUpperCase(),
              url: redactText(response.url, secrets),
              status: response.statusCode,
              requestId: requestIdOf(options.provider, response.headers, undefined),
              durationMs: Math.round(response.timings.phases.total ?? 0),
              attempts: response.retryCount + 1,
            });
          }
          return response;
        },
      ],
      beforeError: [(error) => mapGotError(error, options.provider, secrets) as unknown as RequestError],
    },
  });
  return { http, calls };
}

function recordRequest(
  opts: { headers: unknown; json?: unknown; form?: unknown; body?: unknown },
  url: URL,
  method: string,
  secrets: string[],
): RecordedRequest {
  const recorded: RecordedRequest = {
    method,
    url: redactText(url.toString(), secrets),
    headers: redactHeaders(opts.headers as Record<string, unknown>, secrets),
  };
  let body: unknown = opts.json;
  if (body === undefined && opts.form) body = opts.form;
  if (body === undefined && typeof opts.body === 'string') {
    try {
      body = JSON.parse(opts.body);
    } catch {
      body = opts.body;
    }
  }
  if (body !== undefined) {
    recorded.body = redactValue(body, secrets);
    if (opts.json !== undefined && !recorded.headers['content-type']) {
      recorded.headers['content-type'] = 'application/json';
    }
  }
  return recorded;
}

/** Milliseconds from a `Retry-After` header (seconds or an HTTP date). */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function requestIdOf(
  provider: HttpContextOptions['provider'],
  headers: Record<string, string | string[] | undefined>,
  parsed: ParsedProviderError | undefined,
): string | null {
  if (parsed?.requestId) return parsed.requestId;
  const names = [provider.requestIdHeader, 'x-request-id', 'request-id', 'x-correlation-id'];
  for (const name of names) {
    const v = name ? headers[name.toLowerCase()] : undefined;
    if (v) return Array.isArray(v) ? (v[0] ?? null) : v;
  }
  return null;
}

function parseBody(raw: unknown): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : raw;
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/**
 * Maps a got failure to core's typed errors, keeping the provider's message and request id.
 * Exported for the runtime's OAuth flows, which call token endpoints outside an action.
 */
export function mapGotError(
  error: RequestError,
  provider: HttpContextOptions['provider'],
  secrets: readonly string[],
): Error {
  if (isDryRunHalt(error)) return new DryRunHalt();
  if (OxygenError.isInstance(error)) return error;
  const response = error.response;
  if (!response) {
    const code = error.code ?? 'ERROR';
    const where = error.options?.url ? new URL(String(error.options.url)).origin : provider.name;
    const timedOut = code === 'ETIMEDOUT';
    return new NetworkError(
      timedOut
        ? `${provider.name} did not answer in time (${where}).`
        : `Could not reach ${provider.name} at ${where} (${code}).`,
      {
        hint: `Check the network, or the base URL override OXYGEN_PROVIDER_${provider.id.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_BASE_URL if you set one.`,
        data: { code },
      },
    );
  }
  const status = response.statusCode;
  const headers = response.headers as Record<string, string>;
  const body = parseBody(response.rawBody ?? response.body);
  let parsed: ParsedProviderError = {};
  try {
    parsed = provider.parseError?.(body, status, headers) ?? defaultParse(body);
  } catch {
    parsed = defaultParse(body);
  }
  const providerMessage = parsed.message ? redactText(parsed.message, secrets) : undefined;
  const requestId = requestIdOf(provider, headers, parsed) ?? undefined;
  const said = providerMessage ? `: ${providerMessage}` : '';
  const head = `${provider.name} answered ${status} ${STATUS_TEXT[status] ?? ''}`.trimEnd();
  const details = {
    providerMessage,
    requestId,
    status,
    field: parsed.field,
    data: parsed.providerCode ? { provider_code: parsed.providerCode } : undefined,
  };
  if (status === 401) {
    return new AuthError(`${head}${said}`, {
      ...details,
      hint: `The credential was refused. Reconnect with \`oxygen integrations connect ${provider.id}\`.`,
    });
  }
  if (status === 403) {
    return new AuthError(`${head}${said}`, {
      ...details,
      hint: 'The credential lacks a permission or scope this call needs; grant it and reconnect.',
    });
  }
  if (status === 404) return new NotFoundError(`${head}${said}`, details);
  if (status === 409) return new ConflictError(`${head}${said}`, details);
  if (status === 429) {
    return new RateLimitError(`${head}${said}`, {
      ...details,
      retryAfterMs: parseRetryAfter(headers['retry-after']),
      hint: 'The provider rate limit held after retries; wait and try again.',
    });
  }
  if (status === 400 || status === 422) return new ValidationError(`${head}${said}`, details);
  return new ProviderError(`${head}${said}`, details);
}

function defaultParse(body: unknown): ParsedProviderError {
  if (typeof body === 'string') return { message: body.slice(0, 500) || undefined };
  if (!body || typeof body !== 'object') return {};
  const o = body as Record<string, unknown>;
  const message = [o.message, o.error_description, o.error, o.detail].find((v) => typeof v === 'string') as
    | string
    | undefined;
  const requestId = [o.requestId, o.request_id, o.correlationId].find((v) => typeof v === 'string') as
    | string
    | undefined;
  return { message, requestId };
}
