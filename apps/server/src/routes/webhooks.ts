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

import type { Runtime } from '@oxygen/runtime';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
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

/** The headers as the plugins read them: lower-case names, repeated headers joined. */
function headersOf(request: FastifyRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
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
      const outcome = await runtime.receiveWebhook(provider, endpoint, {
        method: request.method,
        url: fullUrl(runtime, request),
        headers: headersOf(request),
        rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
      });
      if (outcome.status !== 200) {
        request.log.warn({ provider, reason: outcome.reason }, `webhook delivery refused: ${outcome.reason}`);
        return reply.code(outcome.status).send({
          error: {
            code: outcome.reason ?? 'rejected',
            message: outcome.detail ?? 'The delivery was refused.',
          },
        });
      }
      return {
        accepted: outcome.accepted,
        duplicate: outcome.duplicate,
        ignored: outcome.ignored,
        rejected: outcome.rejected,
      };
    },
  );
};
