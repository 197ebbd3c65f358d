/**
 * Test helpers: a runtime on a fresh embedded store, the HubSpot sandbox, captured log lines, the
 * PostgreSQL test server, and a local trigger URL.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, type Runtime } from '@oxygen/runtime';
import pg from 'pg';

/** This package's directory: plugin package names resolve from here. */
export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** A fresh `$OXYGEN_HOME`. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'oxygen-server-test-'));
}

/**
 * A runtime on a fresh embedded store with HubSpot (API and OAuth endpoints) pointed at the
 * sandbox, and the sandbox's OAuth app as the platform's.
 */
export async function sandboxRuntime(
  home: string,
  sandbox: { url: string; oauth: { clientId: string; clientSecret: string } },
): Promise<Runtime> {
  return createRuntime({
    home,
    env: {
      OXYGEN_HOME: home,
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
      OXYGEN_HUBSPOT_CLIENT_ID: sandbox.oauth.clientId,
      OXYGEN_HUBSPOT_CLIENT_SECRET: sandbox.oauth.clientSecret,
    },
    resolveFrom: [packageDir],
    retry: { limit: 0 },
  });
}

/** Collects the server's log lines. */
export function logSink(): { lines: string[]; stream: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

/** Every byte of every file under `dir`, as latin1 text (to search for leaked secrets). */
export function allBytes(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');
}

/** The PostgreSQL test server (the same one every package's tests use). */
export const pgUrl = process.env.OXYGEN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
/** CI requires PostgreSQL: its suites fail instead of skipping when it is missing. */
export const pgRequired = process.env.OXYGEN_TEST_REQUIRE_POSTGRES === '1';

/** Undefined when PostgreSQL answers, else why not. */
export async function pgProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String((error as { code?: string }).code ?? 'unreachable');
  } finally {
    await client.end().catch(() => {});
  }
}

/** A fresh schema name for one test file. */
export function freshSchema(): string {
  return `oxygen_server_${randomBytes(6).toString('hex')}`;
}

/** Drops a test schema and the one pg-boss keeps its jobs in (`<schema>_jobs`). */
export async function dropSchemas(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
    await client.query(`drop schema if exists "${schema}_jobs" cascade`);
  } finally {
    await client.end();
  }
}

/** A free local port (for servers whose public URL must be known before they listen). */
export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls `read` until `done` holds or `ms` pass; returns the last value. */
export async function until<T>(
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  ms = 5_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** One POST a trigger receiver got. */
export interface TriggerHit {
  path: string;
  headers: Record<string, string>;
  body: string;
  /** `Date.now()` when it arrived. */
  at: number;
  /** What it answered. */
  status: number;
}

/** A local trigger URL: records every POST and answers scripted statuses per path (default 200). */
export interface TriggerReceiver {
  readonly url: string;
  readonly hits: TriggerHit[];
  /** The statuses `path` answers next, in order; then 200. */
  script(path: string, statuses: number[]): void;
  /** Hits on one path. */
  on(path: string): TriggerHit[];
  close(): Promise<void>;
}

/** Starts a trigger receiver on `port` (default a free one). */
export async function startTriggerReceiver(port = 0): Promise<TriggerReceiver> {
  const hits: TriggerHit[] = [];
  const scripts = new Map<string, number[]>();
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const status = scripts.get(path)?.shift() ?? 200;
      hits.push({
        path,
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
        status,
      });
      res.statusCode = status;
      res.end(status < 300 ? 'ok' : `answered ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    script: (path, statuses) => void scripts.set(path, [...statuses]),
    on: (path) => hits.filter((h) => h.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
