/**
 * The webhook ingress: `POST /webhooks/:provider/:endpoint`, where providers deliver events.
 * No API token: the provider's signature (or, for Instantly, the secret header it echoes)
 * authenticates each delivery, checked by the provider plugin's own verification code. The body
 * is kept byte for byte (signatures cover the exact bytes), whatever its content type.
 *
 * The runtime stores the delivery (events, log rows and trigger jobs, in one transaction) before
 * it returns; trigger URLs are called later by the delivery worker, so the provider gets its
 * answer as soon as the delivery is durable.
 *
 * @module
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError } from '@oxygen/core';
import { newId, type Runtime } from '@oxygen/runtime';
import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody, statusOf, toOxygenError } from '../errors.js';
import { ErrorSchema } from '../schemas.js';

/** The largest delivery body accepted, in bytes (1 MiB); larger ones are answered 413. */
export const WEBHOOK_BODY_LIMIT = 1024 * 1024;

/** What the ingress routes need. */
export interface WebhookRouteOptions {
  runtime: Runtime;
}

const WebhookParams = z.object({
  provider: z
    .string()
    .min(1)
    .max(100)
    .meta({ description: 'The provider id (`hubspot`, `attio`, `instantly`).', example: 'instantly' }),
  endpoint: z.string().min(1).max(200).meta({
    description:
      'The endpoint id from the URL `oxygen integrations events list` shows: a subscription id (`sub_…`) for providers that sign with a per-subscription secret, the connection id for HubSpot.',
  }),
});

const WebhookAccepted = z
  .object({
    accepted: z.number().int().meta({ description: 'Events stored and routed to triggers.' }),
    duplicate: z
      .number()
      .int()
      .meta({ description: 'Events already received (a provider retry), delivered once.' }),
    ignored: z.number().int().meta({
      description:
        'Events stored but not enabled, not declared, or without a trigger (see the deliveries log).',
    }),
    rejected: z
      .number()
      .int()
      .meta({ description: "Events whose data did not match the event's declared schema." }),
  })
  .meta({ id: 'WebhookReceipt' });

const WebhookRefused = z
  .object({
    error: z.looseObject({
      code: z.string().meta({
        description:
          'Why: `missing_signature`, `bad_signature`, `stale_timestamp`, `malformed` or `no_secret`.',
      }),
      message: z.string(),
    }),
  })
  .meta({
    id: 'WebhookRefusal',
    description: 'A refused delivery; it is recorded as `rejected` in the deliveries log with this reason.',
  });

/** Headers of which Node's `req.headers` keeps the first only, when repeated. */
const FIRST_ONLY = new Set([
  'age',
  'authorization',
  'content-length',
  'content-type',
  'etag',
  'expires',
  'from',
  'host',
  'if-modified-since',
  'if-unmodified-since',
  'last-modified',
  'location',
  'max-forwards',
  'proxy-authorization',
  'referer',
  'retry-after',
  'server',
  'user-agent',
]);

/**
 * The headers as the plugins read them, as Node's `req.headers` would join them (lower-case
 * names, repeats joined with `, `, the first only of the headers Node keeps once), built from
 * `rawHeaders`: reading `req.headers` would build a second object of them per request.
 */
function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    const seen = out[name];
    if (seen === undefined) out[name] = value;
    else if (!FIRST_ONLY.has(name)) out[name] = name === 'cookie' ? `${seen}; ${value}` : `${seen}, ${value}`;
  }
  return out;
}

/**
 * The URL the provider called. HubSpot's v3 signature covers it, so it must be the URL the
 * provider was given: the runtime's public URL (what `events enable` registered) when set, else
 * the scheme and host of the request (honouring `X-Forwarded-*` only with `trustProxy`).
 */
function fullUrl(runtime: Runtime, request: FastifyRequest): string {
  const base = runtime.publicUrl?.replace(/\/+$/, '') ?? `${request.protocol}://${request.host}`;
  return `${base}${request.url}`;
}

/** What one delivery is answered: the status and the JSON body (a receipt or a refusal). */
interface Answer {
  status: number;
  body: unknown;
  /** Why it was refused (`bad_signature`, ...), for the log. */
  refused?: string;
}

/**
 * Stores one delivery through the runtime and says what to answer. Shared by the Fastify route
 * and {@link webhookFastPath}, so both answer alike. Throws what the runtime throws (unknown
 * endpoint: `NotFoundError`).
 */
async function answerDelivery(
  runtime: Runtime,
  provider: string,
  endpoint: string,
  request: { method: string; url: string; headers: Record<string, string>; rawBody: Buffer },
): Promise<Answer> {
  const outcome = await runtime.receiveWebhook(provider, endpoint, request);
  if (outcome.status !== 200) {
    const code = outcome.reason ?? 'rejected';
    return {
      status: outcome.status,
      body: { error: { code, message: outcome.detail ?? 'The delivery was refused.' } },
      refused: code,
    };
  }
  return {
    status: 200,
    body: {
      accepted: outcome.accepted,
      duplicate: outcome.duplicate,
      ignored: outcome.ignored,
      rejected: outcome.rejected,
    },
  };
}

/** The ingress route. Registered at the root, in its own context (its own body parser). */
export const webhookRoutes: FastifyPluginAsyncZod<WebhookRouteOptions> = async (app, { runtime }) => {
  // In this context only: every content type (and none) is read as raw bytes, never parsed.
  app.removeAllContentTypeParsers();
  // The answers are a few counters built here, not user data: plain JSON.stringify, not a zod
  // parse per delivery (the schemas below still document them in /openapi.json).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.addContentTypeParser(
    '*',
    { parseAs: 'buffer', bodyLimit: WEBHOOK_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/webhooks/:provider/:endpoint',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT,
      // One line per delivery would flood the log under load; the deliveries log has every one.
      logLevel: 'warn',
      schema: {
        operationId: 'receiveWebhook',
        tags: ['webhooks'],
        summary: 'Where providers deliver events (the URL `oxygen integrations events list` shows).',
        description: `Not for API clients: the provider POSTs here. No API token; the delivery is verified exactly as the provider documents (HubSpot v3/v2 signatures and timestamp window, Attio's body HMAC, Instantly's echoed secret header). The body is read raw (any content type, at most ${WEBHOOK_BODY_LIMIT} bytes; larger is 413). A verified delivery is stored, de-duplicated by the provider's event id and answered 200 before any trigger is called; a refused one is answered 401 (signature) or 400 (malformed) and recorded as \`rejected\`. Unknown endpoints are 404 and nothing is stored.`,
        security: [],
        params: WebhookParams,
        response: {
          200: WebhookAccepted,
          400: WebhookRefused,
          401: WebhookRefused,
          '4xx': ErrorSchema,
          '5xx': ErrorSchema,
        },
      },
    },
    async (request, reply) => {
      const { provider, endpoint } = request.params;
      const body = request.body;
      const answer = await answerDelivery(runtime, provider, endpoint, {
        method: request.method,
        url: fullUrl(runtime, request),
        headers: headersOf(request.raw),
        rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
      });
      if (answer.refused) {
        request.log.warn({ provider, reason: answer.refused }, `webhook delivery refused: ${answer.refused}`);
      }
      // biome-ignore lint/suspicious/noExplicitAny: the body matches the response schema of its status
      return reply.code(answer.status).send(answer.body as any);
    },
  );
};

/** `/webhooks/<provider>/<endpoint>`, optionally with a query string. */
const WEBHOOK_PATH = /^\/webhooks\/([^/?#]+)\/([^/?#]+)(?:\?.*)?$/;

/** What {@link webhookFastPath} needs. */
export interface WebhookFastPathOptions {
  runtime: Runtime;
  /** Where refusals and failures are logged (the server's logger). */
  log: FastifyBaseLogger;
  /** Whether the server honours `X-Forwarded-*` (then the route, which does, serves). */
  trustProxy: boolean;
}

/**
 * The ingress without the framework: a request handler that takes `POST /webhooks/:provider/
 * :endpoint` straight off Node's HTTP server (the hottest route, where providers deliver in
 * bursts) and answers exactly what the Fastify route answers, from the same code; it returns
 * false for anything else, which the server hands to Fastify. Routing, hooks, a logger and a
 * reply object per request are what this skips: measured on the webhook bench, they were a
 * tenth of the ingress's processor time.
 *
 * Requests it leaves to the route: other methods and paths, parameters too long or badly
 * encoded (the route's validation answers them), and, behind a proxy with no public URL set,
 * every delivery (the URL a signature covers then comes from `X-Forwarded-*`).
 */
export function webhookFastPath(
  options: WebhookFastPathOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { runtime, log } = options;
  return (req, res) => {
    if (req.method !== 'POST' || !req.url?.startsWith('/webhooks/')) return false;
    const match = WEBHOOK_PATH.exec(req.url);
    if (!match) return false;
    let provider: string;
    let endpoint: string;
    try {
      provider = decodeURIComponent(match[1]!);
      endpoint = decodeURIComponent(match[2]!);
    } catch {
      return false;
    }
    if (provider.length > 100 || endpoint.length > 200) return false;
    const base = runtime.publicUrl?.replace(/\/+$/, '');
    if (base === undefined && options.trustProxy) return false;
    const headers = headersOf(req);
    const url = `${base ?? `http://${headers.host ?? 'localhost'}`}${req.url}`;

    const requestId = newId('req');
    const send = (status: number, body: unknown, close = false) => {
      if (res.headersSent) return;
      const payload = JSON.stringify(body);
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(payload),
        'x-request-id': requestId,
        ...(close ? { connection: 'close' } : {}),
      });
      res.end(payload);
    };
    const fail = (error: unknown) => {
      const oxygen = toOxygenError(error, requestId);
      const status = statusOf(oxygen);
      if (status >= 500) {
        log.error(
          { reqId: requestId, code: oxygen.code, err: (oxygen as { cause?: unknown }).cause ?? error },
          oxygen.message,
        );
      }
      send(status, errorBody(oxygen));
    };
    const tooLarge = () => {
      // Answered at once; the rest of the body is not read (the connection closes after).
      send(
        413,
        errorBody(
          new ValidationError('Request body is too large.', {
            hint: 'See GET /openapi.json for the request format.',
          }),
        ),
        true,
      );
      res.once('finish', () => req.destroy());
    };

    const declared = Number(headers['content-length']);
    if (declared > WEBHOOK_BODY_LIMIT) {
      tooLarge();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > WEBHOOK_BODY_LIMIT) {
        if (!res.headersSent) tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {});
    req.on('end', () => {
      if (res.headersSent) return;
      answerDelivery(runtime, provider, endpoint, {
        method: 'POST',
        url,
        headers,
        rawBody: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
      }).then((answer) => {
        if (answer.refused) {
          log.warn(
            { reqId: requestId, provider, reason: answer.refused },
            `webhook delivery refused: ${answer.refused}`,
          );
        }
        send(answer.status, answer.body);
      }, fail);
    });
    return true;
  };
}
