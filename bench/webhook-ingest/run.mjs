#!/usr/bin/env node
// Webhook ingest benchmark: signed Attio deliveries per second accepted by two `oxygen serve`
// processes on one PostgreSQL database (verified, de-duplicated, normalized, stored with its
// trigger delivery and queue job, all committed before the 2xx), against a bare Node HTTP server
// that only checks the HMAC. Same load generator, same kind of pre-signed bodies, same
// concurrency. Phase 1 measures the ingress alone (servers started with --no-worker): that rate
// over the bare server's is the ratio. Phase 2 runs the servers as deployed, delivery workers on,
// and waits until every accepted event reached the trigger URL. Zero lost = every 2xx stored and
// delivered.
//
// Every target first gets --warmup events, not timed, so that the rates compare warm processes;
// the bare and the Oxygen servers then take the timed events in --rounds alternating slices.
//
// Usage: node bench/webhook-ingest/run.mjs [--events 20000] [--warmup 5000] [--rounds 4] [--concurrency 64] [--ingest-only]
// Needs PostgreSQL (OXYGEN_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test);
// a database is created for the run and dropped after it.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 20_000);
const WARMUP = arg('warmup', 5_000);
const ROUNDS = arg('rounds', 4);
const CONCURRENCY = arg('concurrency', 64);
// --ingest-only: phase 1 alone (for profiling the ingress); the run then checks only phase 1.
const INGEST_ONLY = process.argv.includes('--ingest-only');
const ADMIN_URL = process.env.OXYGEN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

const cliDir = fileURLToPath(new URL('../../apps/cli/', import.meta.url));
const bin = join(cliDir, 'bin/oxygen.js');
const requireFromCli = createRequire(join(cliDir, 'package.json'));
const load = (name) => import(pathToFileURL(requireFromCli.resolve(name)).href);
const { startAttioSandbox } = await load('@oxygen/provider-attio/sandbox');
const { createRuntime } = await load('@oxygen/runtime');
const requireFromRuntime = createRequire(
  fileURLToPath(new URL('../../packages/runtime/package.json', import.meta.url)),
);
const pg = (await import(pathToFileURL(requireFromRuntime.resolve('pg')).href)).default;

const database = `oxygen_bench_${randomBytes(4).toString('hex')}`;
const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
const masterKey = randomBytes(32).toString('base64');
const publicUrl = 'https://oxygen-bench.test';
const children = [];
/** The signing secret Attio's sandbox returned for the bench's subscription. */
let secret;
const cleanups = [];

async function admin(sql) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Starts a child process and resolves with the first JSON line it prints. */
function startChild(args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out += c;
      try {
        resolve(JSON.parse(out)); // one JSON value, possibly over several lines
      } catch {
        // not complete yet
      }
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${err.slice(-2000)}`)));
  });
}

/** Sends every body once, `CONCURRENCY` at a time, round-robin over `targets`; returns the rate. */
async function blast(targets, bodies) {
  const agents = targets.map(() => new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY }));
  const statuses = new Map();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const target = targets[i % targets.length];
        const { body, headers } = bodies[i];
        const status = await new Promise((resolve, reject) => {
          const req = http.request(
            target,
            {
              method: 'POST',
              agent: agents[i % targets.length],
              headers: { ...headers, 'content-length': body.length },
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode));
            },
          );
          req.on('error', reject);
          req.end(body);
        });
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  for (const a of agents) a.destroy();
  return { events: bodies.length, seconds, statuses: Object.fromEntries(statuses) };
}

/** Adds up blast results: statuses, and time spent on the timed events. */
function tally(runs, timed) {
  const statuses = {};
  for (const r of runs)
    for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const seconds = timed.reduce((sum, r) => sum + r.seconds, 0);
  const events = timed.reduce((sum, r) => sum + r.events, 0);
  return { rate: events / seconds, statuses, accepted: statuses[200] ?? 0 };
}

/**
 * Measures each of `systems` ({ name, targets }) on `EVENTS` events, after `WARMUP` untimed ones
 * (the JIT compiles the hot paths of a fresh process; a long-running server has long done so).
 * With several systems the timed events go in `ROUNDS` alternating slices, so that a slow
 * minute of a shared machine weighs on every system alike instead of on whichever ran then.
 */
async function measure(systems) {
  const runs = new Map(systems.map((s) => [s.name, { all: [], timed: [] }]));
  for (const s of systems) {
    if (WARMUP > 0)
      runs.get(s.name).all.push(await blast(s.targets, signedBodies(secret, WARMUP, `${s.name}-warmup`)));
  }
  const rounds = systems.length > 1 ? ROUNDS : 1;
  for (let round = 0; round < rounds; round++) {
    const size = Math.floor(EVENTS / rounds) + (round < EVENTS % rounds ? 1 : 0);
    for (const s of systems) {
      const run = await blast(s.targets, signedBodies(secret, size, `${s.name}-${round}`));
      runs.get(s.name).all.push(run);
      runs.get(s.name).timed.push(run);
    }
  }
  return Object.fromEntries([...runs].map(([name, r]) => [name, tally(r.all, r.timed)]));
}

function signedBodies(secret, count, prefix) {
  return Array.from({ length: count }, (_, i) => {
    const body = Buffer.from(
      JSON.stringify({
        webhook_id: 'bench-webhook',
        events: [
          {
            event_type: 'record.created',
            id: { workspace_id: 'ws_bench', object_id: 'people', record_id: `${prefix}-${i}` },
            actor: { type: 'workspace-member', id: 'member_bench' },
          },
        ],
      }),
    );
    const signature = createHmac('sha256', secret).update(body).digest('hex');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'attio-signature': signature,
        'x-attio-signature': signature,
        'idempotency-key': randomUUID(),
      },
    };
  });
}

try {
  await admin(`create database ${database}`);
  cleanups.push(() => admin(`drop database if exists ${database} with (force)`));

  const attio = await startAttioSandbox({ workspaceName: 'Bench' });
  cleanups.push(() => attio.close());

  // The trigger URL: counts what the delivery workers bring.
  const received = new Set();
  const receiver = http.createServer((req, res) => {
    const id = req.headers['webhook-id'];
    req.resume();
    req.on('end', () => {
      received.add(id);
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => receiver.close(r)));

  // Set-up through the runtime, as an internal app would: connect Attio, enable, add a trigger.
  const env = { OXYGEN_PROVIDER_ATTIO_BASE_URL: attio.url, OXYGEN_MASTER_KEY: masterKey };
  const runtime = await createRuntime({ databaseUrl, env, publicUrl, resolveFrom: [cliDir] });
  const org = runtime.org('bench');
  await org.connect('attio', { apiKey: attio.token });
  const { subscription } = await org.events.enable({ source: 'attio', event: 'record.created' });
  await org.triggers.add({
    source: 'attio',
    event: 'record.created',
    url: `http://127.0.0.1:${receiver.address().port}/hook`,
  });
  await runtime.close();
  const webhook = [...attio.webhooks.byId.values()].find((w) => w.target_url === subscription.url);
  secret = webhook.secret;
  const path = new URL(subscription.url).pathname;

  // Bare server: reads the body, checks the HMAC in constant time, answers 200.
  const bare = await startChild([fileURLToPath(new URL('./bare-server.mjs', import.meta.url))], {
    BENCH_SECRET: secret,
  });

  // Two Oxygen servers on one PostgreSQL database.
  const home = mkdtempSync(join(tmpdir(), 'oxygen-bench-'));
  cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
  const serverEnv = { DATABASE_URL: databaseUrl, OXYGEN_MASTER_KEY: masterKey, OXYGEN_HOME: home };
  const startServers = (worker) =>
    Promise.all(
      [0, 1].map(() =>
        startChild(
          [
            ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []),
            // Extra Node/V8 flags for the servers (profiling, tracing), e.g. "--trace-deopt".
            ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
            bin,
            'serve',
            '--port',
            '0',
            '--public-url',
            publicUrl,
            '--json',
            ...(worker ? [] : ['--no-worker']),
          ],
          serverEnv,
        ),
      ),
    );
  const stopServers = async () => {
    // The bare server (the first child) runs until the end.
    for (const child of children.splice(1)) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const check = new pg.Client({ connectionString: databaseUrl });
  await check.connect();
  cleanups.push(() => check.end());
  const count = async (sql) => Number((await check.query(sql)).rows[0].n);
  const storedEvents = () => count(`select count(*) as n from events where organization_id = 'bench'`);

  // Phase 1, ingest: servers without delivery workers, so the rate is what the ingress itself
  // accepts (verified, de-duplicated, stored with its trigger delivery, committed).
  let servers = await startServers(false);
  const phase1 = await measure([
    { name: 'bare', targets: [new URL(path, bare.url)] },
    { name: 'ingest', targets: servers.map((s) => new URL(path, s.url)) },
  ]);
  const bareRun = phase1.bare;
  const ingest = phase1.ingest;
  await stopServers();
  const storedIngest = await storedEvents();
  const ratio = ingest.rate / bareRun.rate;
  const summary = `bare HMAC server ${Math.round(bareRun.rate)}/s; Oxygen ingest (2 servers, PostgreSQL) ${Math.round(ingest.rate)}/s, ratio ${ratio.toFixed(2)} (target 0.5)`;

  if (INGEST_ONLY) {
    const lost = ingest.accepted - storedIngest;
    console.log(`${summary}; ${lost} lost (ingest only).`);
    if (lost !== 0 || ingest.accepted !== WARMUP + EVENTS) process.exitCode = 1;
  } else {
    // Phase 2, as deployed: the same servers with their delivery workers, which start on phase 1's
    // queued deliveries too; every trigger delivery must arrive.
    servers = await startServers(true);
    const { deployed } = await measure([
      { name: 'deployed', targets: servers.map((s) => new URL(path, s.url)) },
    ]);
    const stored = await storedEvents();
    const drainStarted = performance.now();
    let pending = Number.POSITIVE_INFINITY;
    while (performance.now() - drainStarted < 180_000) {
      pending = await count(
        `select count(*) as n from event_deliveries where status in ('pending', 'retrying')`,
      );
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    const delivered = await count(`select count(*) as n from event_deliveries where status = 'delivered'`);

    const accepted = ingest.accepted + deployed.accepted;
    const lost = accepted - stored;
    const result = {
      events_per_run: EVENTS,
      warmup_events: WARMUP,
      concurrency: CONCURRENCY,
      bare_hmac_server: { events_per_second: Math.round(bareRun.rate), statuses: bareRun.statuses },
      oxygen_ingest_2_servers_postgres: {
        events_per_second: Math.round(ingest.rate),
        statuses: ingest.statuses,
      },
      ratio: Number(ratio.toFixed(2)),
      target_ratio: 0.5,
      oxygen_with_delivery_workers: {
        events_per_second: Math.round(deployed.rate),
        statuses: deployed.statuses,
        trigger_deliveries_delivered: delivered,
        received_by_trigger: received.size,
        pending_after_drain: pending,
        drain_seconds_after_last_event: Number(drainSeconds.toFixed(1)),
      },
      accepted,
      stored,
      lost,
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `${summary}; with delivery workers running ${Math.round(deployed.rate)}/s; ${lost} lost; ${received.size}/${accepted} delivered to the trigger.`,
    );
    if (lost !== 0 || accepted !== 2 * (WARMUP + EVENTS) || received.size !== accepted) process.exitCode = 1;
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  for (const fn of cleanups.reverse()) await fn().catch((e) => console.error(String(e)));
}
