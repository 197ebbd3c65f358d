/**
 * `createServer`: the Fastify app. Routes live in `routes/`; this file wires validation,
 * serialization, the OpenAPI document, authentication, errors and the redacted logger.
 *
 * @module
 */

import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import fastifySwagger from '@fastify/swagger';
import { NotFoundError, OxygenError, ValidationError } from '@oxygen/core';
import {
  type DeliveryWorker,
  type DeliveryWorkerOptions,
  newId,
  type Runtime,
  type TokenIdentity,
} from '@oxygen/runtime';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import pkg from '../package.json' with { type: 'json' };
import { errorBody, requestValidationError, statusOf, toOxygenError } from './errors.js';
import { apiRoutes } from './routes/api.js';
import { connectPageRoutes } from './routes/connect-page.js';
import { oauthCallbackRoutes } from './routes/oauth.js';
import { webhookFastPath, webhookRoutes } from './routes/webhooks.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who the request's API token speaks for (set on every `/v1` route). */
    identity: TokenIdentity | null;
  }
}

/** Where log lines go and how many. */
export interface ServerLoggerOptions {
  /** pino level: `fatal`, `error`, `warn`, `info` (default), `debug`, `trace`, `silent`. */
  level?: string;
  /** A destination with `write(line)`; default stdout. */
  stream?: { write(line: string): void };
}

/** Options for {@link createServer}. */
export interface ServerOptions {
  /** The runtime the server acts with (its store, vault and plugins). */
  runtime: Runtime;
  /**
   * The URL people and providers reach this server at, without a trailing slash
   * (`https://oxygen.example.com`): connect links and the OAuth redirect URI are built from it,
   * and connect-page posts must come from its origin. A function is read when needed (a server on
   * port 0 knows its URL only after it listens).
   */
  publicUrl: string | (() => string);
  /** `false` (the default) for no logs, `true` for info lines on stdout, or options. Secrets are redacted. */
  logger?: boolean | ServerLoggerOptions;
  /** Trust `X-Forwarded-*` from a reverse proxy terminating TLS in front of the server. Default false. */
  trustProxy?: boolean;
  /**
   * Run a delivery worker in this process (default `true`): trigger deliveries the webhook ingress
   * queued are attempted and retried here, and the worker stops when the server closes. On
   * PostgreSQL any number of servers can run one; on the embedded SQLite store run exactly one
   * (pass `false` to the others, or options such as `{ concurrency: 16 }`).
   */
  worker?: boolean | DeliveryWorkerOptions;
}

/** The paths whose values are replaced by `[REDACTED]` in every log line. */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.body.api_key',
  'req.body.csrf',
  'req.body.client.client_secret',
  'body.api_key',
  'body.csrf',
  'api_key',
  'token',
];

/**
 * A URL as it may be logged: a connect link's secret and every query value are replaced, so
 * OAuth codes and states never reach the log.
 */
export function redactUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const safePath = path.replace(/^\/connect\/[^/]+/, '/connect/[REDACTED]');
  if (query === undefined) return safePath;
  const keys = [...new URLSearchParams(query).keys()];
  return `${safePath}?${keys.map((k) => `${encodeURIComponent(k)}=[REDACTED]`).join('&')}`;
}

function loggerConfig(logger: ServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return {
    level: options.level ?? 'info',
    ...(options.stream ? { stream: options.stream } : {}),
    redact: { paths: [...REDACTED_LOG_PATHS], censor: '[REDACTED]' },
    serializers: {
      req: (request: { method: string; url: string; ip?: string; socket?: { remoteAddress?: string } }) => ({
        method: request.method,
        url: redactUrl(request.url),
        remoteAddress: request.ip ?? request.socket?.remoteAddress,
      }),
    },
  };
}

/** The server's public URL, validated and without a trailing slash. */
export function normalisePublicUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(`The public URL "${value}" is not a URL.`, {
      hint: 'Pass the URL people reach the server at, e.g. --public-url https://oxygen.example.com',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ValidationError(`The public URL must be http or https, not ${url.protocol}.`);
  }
  if (url.search || url.hash) throw new ValidationError('The public URL takes no query or fragment.');
  return url.toString().replace(/\/+$/, '');
}

/**
 * Builds the HTTP API: `/v1/...` (one route per CLI operation, each authenticated with an
 * organization API token), `GET /openapi.json`, `GET /oauth/callback`, the hosted API-key
 * connect page (`/connect/:link`) and the webhook ingress (`POST /webhooks/:provider/:endpoint`),
 * and starts a trigger delivery worker (see {@link ServerOptions.worker}) that stops when the app
 * closes. Call `listen` on the result, or `inject` in tests.
 *
 * @example
 * ```ts
 * import { createRuntime } from '@oxygen/runtime';
 * import { createServer } from '@oxygen/server';
 *
 * const runtime = await createRuntime();
 * const app = await createServer({ runtime, publicUrl: 'http://127.0.0.1:8080', logger: true });
 * await app.listen({ port: 8080, host: '127.0.0.1' });
 * // later: await app.close(); await runtime.close();
 * ```
 */
export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const { runtime } = options;
  const publicUrl =
    typeof options.publicUrl === 'function'
      ? () => normalisePublicUrl((options.publicUrl as () => string)())
      : (
          (fixed: string) => () =>
            fixed
        )(normalisePublicUrl(options.publicUrl));

  // Webhook deliveries are taken off the HTTP server before Fastify (see webhookFastPath), once
  // the server is ready.
  let ingress: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
  const app = Fastify({
    logger: loggerConfig(options.logger),
    trustProxy: options.trustProxy ?? false,
    serverFactory: (handler, factoryOptions) => {
      // Fastify passes its own options, defaults filled in; the typings leave them unknown.
      const opts = factoryOptions as {
        http?: object;
        keepAliveTimeout?: number;
        requestTimeout?: number;
        connectionTimeout?: number;
        maxRequestsPerSocket?: number;
      };
      const server = createHttpServer(opts.http ?? {}, (req, res) => {
        if (!ingress?.(req, res)) handler(req, res);
      });
      // What Fastify sets on the servers it makes itself.
      server.keepAliveTimeout = opts.keepAliveTimeout ?? 72_000;
      server.requestTimeout = opts.requestTimeout ?? 0;
      server.setTimeout(opts.connectionTimeout ?? 0);
      if (opts.maxRequestsPerSocket) server.maxRequestsPerSocket = opts.maxRequestsPerSocket;
      return server;
    },
    // Time-sortable, from the runtime's pooled random bytes (no CSPRNG call per request).
    genReqId: () => newId('req'),
    bodyLimit: 1024 * 1024,
    // Fastify 5 ignores client-sent request ids by default; the id is ours alone.
    requestIdHeader: false,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('identity', null);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    let oxygen: OxygenError;
    if (hasZodFastifySchemaValidationErrors(error)) {
      oxygen = requestValidationError(error.validation, error.validationContext ?? 'body');
    } else if (isResponseSerializationError(error)) {
      oxygen = toOxygenError(error, request.id);
    } else if (
      !OxygenError.isInstance(error) &&
      typeof error.statusCode === 'number' &&
      error.statusCode < 500
    ) {
      // Fastify's own 4xx (unparseable JSON, body too large, unsupported media type): its message is safe.
      oxygen = new ValidationError(error.message.replace(/\.?$/, '.'), {
        hint: 'See GET /openapi.json for the request format.',
      });
      reply.code(error.statusCode);
      request.log.info({ code: oxygen.code }, oxygen.message);
      return reply.send(errorBody(oxygen));
    } else {
      oxygen = toOxygenError(error, request.id);
    }
    const status = statusOf(oxygen);
    if (status >= 500) {
      const cause = oxygen === error ? error : ((oxygen as { cause?: unknown }).cause ?? error);
      request.log.error({ code: oxygen.code, err: cause }, oxygen.message);
    } else {
      request.log.info({ code: oxygen.code }, oxygen.message);
    }
    return reply.code(status).send(errorBody(oxygen));
  });

  app.setNotFoundHandler((request, reply) => {
    const path = redactUrl(request.url).split('?')[0];
    return reply.code(404).send(
      errorBody(
        new NotFoundError(`No route ${request.method} ${path}.`, {
          hint: 'See GET /openapi.json for the routes.',
        }),
      ),
    );
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Oxygen Integrations API',
        version: pkg.version,
        description:
          'Connected provider accounts of one organization: the `oxygen` CLI\'s operations, one route each. Every `/v1` route needs `Authorization: Bearer <organization API token>` (`oxygen tokens create --org <id>`) and acts for that token\'s organization only. Errors are `{ "error": { "code", "message", "hint"? } }` with a stable `code`. `POST /webhooks/{provider}/{endpoint}` is where providers deliver events: it takes no token, the provider\'s signature authenticates each delivery.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An organization API token (oxy_…).' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.get('/openapi.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-cache').send(app.swagger()),
  );
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));

  await app.register(apiRoutes, { prefix: '/v1', runtime, publicUrl });
  await app.register(connectPageRoutes, { runtime, publicUrl });
  await app.register(oauthCallbackRoutes, { runtime });
  await app.register(webhookRoutes, { runtime });

  let worker: DeliveryWorker | undefined;
  app.addHook('onClose', async () => {
    await worker?.stop();
    worker = undefined;
  });
  await app.ready();
  ingress = webhookFastPath({ runtime, log: app.log, trustProxy: Boolean(options.trustProxy) });
  if (options.worker !== false) {
    try {
      worker = await runtime.startDeliveryWorker(options.worker === true ? {} : (options.worker ?? {}));
    } catch (error) {
      await app.close();
      throw error;
    }
  }
  return app;
}
