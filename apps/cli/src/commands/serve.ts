/** `oxygen serve`: the HTTP API, the OAuth callback and the hosted connect page. */

import { ValidationError } from '@oxygen/core';
import { pluginDirs } from '../context.js';
import { type Globals, printJson, printLines } from '../output.js';

function parsePort(text: string): number {
  const port = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ValidationError(`--port must be a number from 0 to 65535, not "${text}".`, { field: 'port' });
  }
  return port;
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

/**
 * `oxygen serve [--port 8080] [--host 127.0.0.1] [--public-url <url>] [--no-worker]`: listens
 * until SIGINT or SIGTERM, on the embedded store or on PostgreSQL (`DATABASE_URL`), with a
 * trigger delivery worker unless `--no-worker`. Log lines (redacted) go to stderr; stdout gets
 * one line (one JSON value with `--json`) once it listens. On a signal it stops taking requests,
 * lets the worker finish the attempts in flight, closes the queue and the store, and exits.
 */
export async function serve(
  globals: Globals,
  options: { port?: string; host?: string; publicUrl?: string; worker?: boolean },
): Promise<void> {
  const port = parsePort(options.port ?? process.env.PORT ?? '8080');
  const host = options.host ?? '127.0.0.1';
  // Loaded here only: no other command pays for Fastify.
  const { startServer } = await import('@oxygen/server');
  const server = await startServer({
    port,
    host,
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    worker: options.worker !== false,
    resolveFrom: pluginDirs,
    logger: { level: globals.verbose ? 'debug' : 'info', stream: process.stderr },
  });
  const store = server.runtime.store.dialect;
  if (!LOOPBACK.test(host) && server.publicUrl.startsWith('http:')) {
    process.stderr.write(
      `warning: listening on ${host} over plain http: API tokens and keys would cross the network in clear; put a TLS-terminating proxy in front and pass --public-url https://…\n`,
    );
  }
  const worker = options.worker !== false;
  if (globals.json) printJson({ url: server.url, public_url: server.publicUrl, store, worker });
  else {
    printLines(
      `Oxygen server listening on ${server.url} (store: ${store === 'postgres' ? 'PostgreSQL' : 'embedded SQLite'}); public URL ${server.publicUrl}.`,
      `API: ${server.publicUrl}/v1 (OpenAPI: ${server.publicUrl}/openapi.json).`,
      server.runtime.publicUrl
        ? `Provider webhooks arrive at ${server.runtime.publicUrl}/webhooks/…`
        : 'Provider events need the URL providers reach this server at: pass --public-url https://… (or set OXYGEN_PUBLIC_URL).',
      worker
        ? 'Delivering trigger events from this process. Stop with Ctrl-C.'
        : 'Not delivering trigger events (--no-worker): run a server with a worker on the same store. Stop with Ctrl-C.',
    );
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      server.close().then(resolve, (error: unknown) => {
        process.stderr.write(`error: stopping the server failed: ${(error as Error).message}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
