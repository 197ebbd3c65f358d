/**
 * `startServer`: a runtime plus the HTTP API, listening. What `oxygen serve` runs.
 *
 * @module
 */

import {
  createRuntime,
  type DeliverySettings,
  type DeliveryWorkerOptions,
  type Runtime,
} from '@oxygen/runtime';
import type { FastifyInstance } from 'fastify';
import { createServer, normalisePublicUrl, type ServerLoggerOptions } from './server.js';

/** Options for {@link startServer}. */
export interface StartServerOptions {
  /** Port to listen on; 0 picks a free one. Default 8080. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1` (put a TLS-terminating proxy in front for others). */
  host?: string;
  /** `$OXYGEN_HOME` for the embedded store and key. Default `OXYGEN_HOME` or `~/.oxygen`. */
  home?: string;
  /** PostgreSQL URL; default `DATABASE_URL`; without one the embedded SQLite store is used. */
  databaseUrl?: string;
  /**
   * PostgreSQL schema for the store (created when missing); the delivery queue's jobs go in
   * `<schema>_jobs`. Default: the connection's `search_path` for the store, `oxygen_jobs` for jobs.
   */
  schema?: string;
  /**
   * The URL people and providers reach the server at. Default `OXYGEN_PUBLIC_URL`, else
   * `http://<host>:<port>`. Only an explicit one (this or the variable) is given to providers as
   * the base of webhook URLs: enabling events without it is refused with a hint to set it.
   */
  publicUrl?: string;
  /** Run the trigger delivery worker in this process (default true); see `ServerOptions.worker`. */
  worker?: boolean | DeliveryWorkerOptions;
  /** Trigger delivery retries; default from `OXYGEN_DELIVERY_*` (8 attempts, 5 s backoff ×4). */
  delivery?: Partial<DeliverySettings>;
  /** Environment for the runtime (`OXYGEN_*` variables). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Directories to resolve plugin package names from (the CLI passes its own). */
  resolveFrom?: readonly string[];
  /** Log lines (redacted): default info lines on stdout. */
  logger?: boolean | ServerLoggerOptions;
  /** Trust `X-Forwarded-*` from a reverse proxy. Default false. */
  trustProxy?: boolean;
}

/** A running server. */
export interface RunningServer {
  /** The Fastify app. */
  app: FastifyInstance;
  /** The runtime it acts with. */
  runtime: Runtime;
  /** Where it listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** The public URL links and redirects are built from. */
  publicUrl: string;
  /** Stops listening (finishing requests in flight) and the delivery worker, then closes the queue and the store. */
  close(): Promise<void>;
}

function hostForUrl(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Opens the runtime (embedded store or PostgreSQL), builds the API and listens.
 *
 * @example
 * ```ts
 * import { startServer } from '@oxygen/server';
 *
 * const server = await startServer({ port: 8080, host: '127.0.0.1' });
 * console.log(`listening on ${server.url}`);
 * process.on('SIGTERM', () => server.close());
 * ```
 */
export async function startServer(options: StartServerOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const host = options.host ?? '127.0.0.1';
  const given = options.publicUrl ?? (env.OXYGEN_PUBLIC_URL?.trim() || undefined);
  // Checked before anything opens, so a bad URL is a clear error and not a half-started server.
  const explicit = given === undefined ? undefined : normalisePublicUrl(given);
  const runtime = await createRuntime({
    env,
    ...(options.home ? { home: options.home } : {}),
    ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}),
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}),
    ...(options.delivery ? { delivery: options.delivery } : {}),
    // The base of the webhook URLs registered with providers (and checked by HubSpot's v3 signature).
    ...(explicit ? { publicUrl: explicit } : {}),
  });
  let listening = '';
  try {
    const app = await createServer({
      runtime,
      publicUrl: explicit ?? (() => listening),
      logger: options.logger ?? true,
      trustProxy: options.trustProxy ?? false,
      ...(options.worker !== undefined ? { worker: options.worker } : {}),
    });
    try {
      await app.listen({ port: options.port ?? 8080, host });
    } catch (error) {
      await app.close();
      throw error;
    }
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : (options.port ?? 8080);
    listening = `http://${hostForUrl(host)}:${port}`;
    return {
      app,
      runtime,
      url: listening,
      publicUrl: explicit ?? listening,
      async close() {
        await app.close();
        await runtime.close();
      },
    };
  } catch (error) {
    await runtime.close();
    throw error;
  }
}
