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
// Each timed slice also reports processor time per event (µs) of the load generator (this
// process), the servers and PostgreSQL, read from /proc: this shared machine's speed drifts by up
// to 2x between minutes, so rates swing, while the split of the cost per event says where it went.
//
// --baseline <checkout> measures another built checkout of the project (say the main branch in a
// git worktree) in both phases too: its own two servers on their own database take the same
// alternating rounds, so that a change and its baseline are timed on the same minutes.
// BENCH_SQL runs a statement on this checkout's database after set-up (to try a schema change;
// a --baseline's database is left as its migrations made it).
//
// Usage: node bench/webhook-ingest/run.mjs [--events 40000] [--warmup 20000] [--rounds 4] [--concurrency 64] [--ingest-only] [--baseline <checkout>]
// Needs PostgreSQL (OXYGEN_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test);
// a database is created for the run and dropped after it.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const EVENTS = arg('events', 40_000);
// Measured: a fresh server's processor time per event was about 2.5x its steady value over its first
// 5,000 events, 1.2x over the next 5,000, steady after about 10,000 (that is 20,000 for two).
const WARMUP = arg('warmup', 20_000);
const ROUNDS = arg('rounds', 4);
const CONCURRENCY = arg('concurrency', 64);
// --ingest-only: phase 1 alone (for profiling the ingress); the run then checks only phase 1.
const INGEST_ONLY = process.argv.includes('--ingest-only');
const ADMIN_URL = process.env.OXYGEN_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const baselineArg = process.argv.indexOf('--baseline');
const BASELINE = baselineArg > 0 ? resolve(process.argv[baselineArg + 1]) : undefined;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const cliDir = fileURLToPath(new URL('../../apps/cli/', import.meta.url));
const requireFromCli = createRequire(join(cliDir, 'package.json'));
const load = (name) => import(pathToFileURL(requireFromCli.resolve(name)).href);
const { startAttioSandbox } = await load('@oxygen/provider-attio/sandbox');
const requireFromRuntime = createRequire(
  fileURLToPath(new URL('../../packages/runtime/package.json', import.meta.url)),
);
const pg = (await import(pathToFileURL(requireFromRuntime.resolve('pg')).href)).default;

const masterKey = randomBytes(32).toString('base64');
const publicUrl = 'https://oxygen-bench.test';
const children = [];
const cleanups = [];

// Processor time, so that a run says where each event's cost went (rates drift with this shared
// machine's speed; processor time per event much less). Linux /proc; elsewhere it is omitted.
const TICK_US = 10_000; // USER_HZ is 100 on Linux
/**
 * A process's processor time in µs: `cpu` (utime + stime) and `sys` (stime: in the kernel, for
 * its syscalls), both 0 when it is gone (or there is no /proc).
 */
function processCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const sys = Number(fields[12]) * TICK_US;
    return { cpu: Number(fields[11]) * TICK_US + sys, sys };
  } catch {
    return { cpu: 0, sys: 0 };
  }
}
/** The processes whose name is `postgres` (the database's backends and its writers). */
function postgresPids() {
  try {
    return readdirSync('/proc').filter(
      (d) => /^\d+$/.test(d) && readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres',
    );
  } catch {
    return [];
  }
}
/** A snapshot of processor time: this process (the load generator), the servers, PostgreSQL. */
function cpuSnapshot(serverPids) {
  const self = process.cpuUsage();
  const pgPids = postgresPids();
  return {
    generator: self.user + self.system,
    servers: serverPids
      .map(processCpu)
      .reduce((sum, t) => ({ cpu: sum.cpu + t.cpu, sys: sum.sys + t.sys }), { cpu: 0, sys: 0 }),
    postgres: new Map(pgPids.map((pid) => [pid, processCpu(pid)])),
  };
}
/** µs of processor time per event between two snapshots, by process group. */
function cpuPerEvent(before, after, events) {
  const postgres = { cpu: 0, sys: 0 };
  // Backends started during the run count from 0; ones that ended are lost (none do here).
  for (const [pid, t] of after.postgres) {
    postgres.cpu += t.cpu - (before.postgres.get(pid)?.cpu ?? 0);
    postgres.sys += t.sys - (before.postgres.get(pid)?.sys ?? 0);
  }
  const per = (us) => Math.round(us / events);
  return {
    generator: per(after.generator - before.generator),
    servers: per(after.servers.cpu - before.servers.cpu),
    postgres: per(postgres.cpu),
    // Of which in the kernel (syscalls: sockets, WAL writes and flushes).
    servers_sys: per(after.servers.sys - before.servers.sys),
    postgres_sys: per(postgres.sys),
  };
}

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
        resolve({ ...JSON.parse(out), pid: child.pid }); // one JSON value, possibly over several lines
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
async function blast(targets, bodies, pids = []) {
  const cpuBefore = cpuSnapshot(pids);
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
  const cpu = cpuPerEvent(cpuBefore, cpuSnapshot(pids), bodies.length);
  for (const a of agents) a.destroy();
  return { events: bodies.length, seconds, cpu, statuses: Object.fromEntries(statuses) };
}

/** Adds up blast results: statuses, and time spent on the timed events. */
function tally(runs, timed) {
  const statuses = {};
  for (const r of runs)
    for (const [status, n] of Object.entries(r.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const seconds = timed.reduce((sum, r) => sum + r.seconds, 0);
  const events = timed.reduce((sum, r) => sum + r.events, 0);
  const cpu = {};
  for (const key of ['generator', 'servers', 'postgres', 'servers_sys', 'postgres_sys'])
    cpu[key] = Math.round(timed.reduce((sum, r) => sum + r.cpu[key] * r.events, 0) / events);
  return { rate: events / seconds, cpu_us_per_event: cpu, statuses, accepted: statuses[200] ?? 0 };
}

/**
 * Measures each of `systems` ({ name, targets, pids, secret }) on `EVENTS` events, after `WARMUP` untimed ones
 * (the JIT compiles the hot paths of a fresh process; a long-running server has long done so).
 * With several systems the timed events go in `ROUNDS` alternating slices, so that a slow
 * minute of a shared machine weighs on every system alike instead of on whichever ran then.
 */
async function measure(systems) {
  const runs = new Map(systems.map((s) => [s.name, { all: [], timed: [] }]));
  for (const s of systems) {
    if (WARMUP > 0)
      runs
        .get(s.name)
        .all.push(await blast(s.targets, signedBodies(s.secret, WARMUP, `${s.name}-warmup`), s.pids));
  }
  const rounds = systems.length > 1 ? ROUNDS : 1;
  for (let round = 0; round < rounds; round++) {
    const size = Math.floor(EVENTS / rounds) + (round < EVENTS % rounds ? 1 : 0);
    for (const s of systems) {
      const run = await blast(s.targets, signedBodies(s.secret, size, `${s.name}-${round}`), s.pids);
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

/**
 * A database set up through `checkout`'s own runtime, as an internal app would (Attio connected,
 * `record.created` enabled, a trigger to `triggerUrl`), and how to start that checkout's servers
 * on it. Returns the ingress path and the signing secret Attio's sandbox gave the subscription.
 */
async function prepare(checkout, attio, triggerUrl) {
  const database = `oxygen_bench_${randomBytes(4).toString('hex')}`;
  const databaseUrl = Object.assign(new URL(ADMIN_URL), { pathname: `/${database}` }).toString();
  await admin(`create database ${database}`);
  cleanups.push(() => admin(`drop database if exists ${database} with (force)`));
  const dir = join(checkout, 'apps/cli/');
  const fromCli = createRequire(join(dir, 'package.json'));
  const { createRuntime } = await import(pathToFileURL(fromCli.resolve('@oxygen/runtime')).href);
  const env = { OXYGEN_PROVIDER_ATTIO_BASE_URL: attio.url, OXYGEN_MASTER_KEY: masterKey };
  const runtime = await createRuntime({ databaseUrl, env, publicUrl, resolveFrom: [dir] });
  const org = runtime.org('bench');
  await org.connect('attio', { apiKey: attio.token });
  const { subscription } = await org.events.enable({ source: 'attio', event: 'record.created' });
  await org.triggers.add({ source: 'attio', event: 'record.created', url: triggerUrl });
  await runtime.close();
  if (process.env.BENCH_SQL && checkout === ROOT) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(process.env.BENCH_SQL);
    await client.end();
  }
  const webhook = [...attio.webhooks.byId.values()].find((w) => w.target_url === subscription.url);
  const home = mkdtempSync(join(tmpdir(), 'oxygen-bench-'));
  cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
  return {
    databaseUrl,
    secret: webhook.secret,
    path: new URL(subscription.url).pathname,
    bin: join(dir, 'bin/oxygen.js'),
    env: { DATABASE_URL: databaseUrl, OXYGEN_MASTER_KEY: masterKey, OXYGEN_HOME: home },
  };
}

try {
  const attio = await startAttioSandbox({ workspaceName: 'Bench' });
  cleanups.push(() => attio.close());

  // The trigger URL: counts what the delivery workers bring (a baseline's go to their own path).
  const received = new Set();
  const receiver = http.createServer((req, res) => {
    const id = req.headers['webhook-id'];
    req.resume();
    req.on('end', () => {
      if (req.url === '/hook') received.add(id);
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => receiver.close(r)));
  const triggerUrl = `http://127.0.0.1:${receiver.address().port}/hook`;

  const oxygen = await prepare(ROOT, attio, triggerUrl);
  const { databaseUrl, secret, path } = oxygen;

  // Bare server: reads the body, checks the HMAC in constant time, answers 200.
  const bare = await startChild([fileURLToPath(new URL('./bare-server.mjs', import.meta.url))], {
    BENCH_SECRET: secret,
  });

  // Two Oxygen servers on one PostgreSQL database (a checkout's: this one unless told).
  const startServers = (worker, target = oxygen) =>
    Promise.all(
      [0, 1].map(() =>
        startChild(
          [
            ...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []),
            // Extra Node/V8 flags for the servers (profiling, tracing), e.g. "--trace-deopt".
            ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
            target.bin,
            'serve',
            '--port',
            '0',
            '--public-url',
            publicUrl,
            '--json',
            ...(worker ? [] : ['--no-worker']),
          ],
          target.env,
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
  const system = (name, target, servers) => ({
    name,
    secret: target.secret,
    targets: servers.map((s) => new URL(target.path, s.url)),
    pids: servers.map((s) => s.pid),
  });
  let servers = await startServers(false);
  const systems = [
    { name: 'bare', secret, targets: [new URL(path, bare.url)], pids: [bare.pid] },
    system('ingest', oxygen, servers),
  ];
  const baseline = BASELINE ? await prepare(BASELINE, attio, `${triggerUrl}-baseline`) : undefined;
  if (baseline) systems.push(system('baseline', baseline, await startServers(false, baseline)));
  const phase1 = await measure(systems);
  const bareRun = phase1.bare;
  const ingest = phase1.ingest;
  await stopServers();
  const storedIngest = await storedEvents();
  const ratio = ingest.rate / bareRun.rate;
  const cpuText = ({ cpu_us_per_event: c }) =>
    `processor µs per event: generator ${c.generator}, server ${c.servers} (${c.servers_sys} in the kernel), PostgreSQL ${c.postgres} (${c.postgres_sys} in the kernel)`;
  const summary = `bare HMAC server ${Math.round(bareRun.rate)}/s (${cpuText(bareRun)}); Oxygen ingest (2 servers, PostgreSQL) ${Math.round(ingest.rate)}/s (${cpuText(ingest)}), ratio ${ratio.toFixed(2)} (target 0.5)`;
  const baselineRun = phase1.baseline;
  if (baselineRun) {
    console.log(
      `baseline ${BASELINE}: ${Math.round(baselineRun.rate)}/s (${cpuText(baselineRun)}), ratio ${(baselineRun.rate / bareRun.rate).toFixed(2)}; this checkout ${(ingest.rate / baselineRun.rate).toFixed(3)}x the baseline's rate.`,
    );
  }

  if (INGEST_ONLY) {
    const lost = ingest.accepted - storedIngest;
    console.log(`${summary}; ${lost} lost (ingest only).`);
    if (lost !== 0 || ingest.accepted !== WARMUP + EVENTS) process.exitCode = 1;
  } else {
    // Phase 2, as deployed: the same servers with their delivery workers, which start on phase 1's
    // queued deliveries too; every trigger delivery must arrive.
    servers = await startServers(true);
    // A baseline's servers, workers on too, take the same alternating rounds; both sets' workers
    // drain all along, so each set is timed while the other's deliver (its drain is not waited for).
    const deployedSystems = [system('deployed', oxygen, servers)];
    if (baseline) deployedSystems.push(system('baseline', baseline, await startServers(true, baseline)));
    const phase2 = await measure(deployedSystems);
    const deployed = phase2.deployed;
    if (phase2.baseline) {
      console.log(
        `baseline ${BASELINE} with delivery workers: ${Math.round(phase2.baseline.rate)}/s (${cpuText(phase2.baseline)}); this checkout ${(deployed.rate / phase2.baseline.rate).toFixed(3)}x the baseline's rate.`,
      );
    }
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
      bare_hmac_server: {
        events_per_second: Math.round(bareRun.rate),
        cpu_us_per_event: bareRun.cpu_us_per_event,
        statuses: bareRun.statuses,
      },
      oxygen_ingest_2_servers_postgres: {
        events_per_second: Math.round(ingest.rate),
        cpu_us_per_event: ingest.cpu_us_per_event,
        statuses: ingest.statuses,
      },
      ratio: Number(ratio.toFixed(2)),
      target_ratio: 0.5,
      ...(baselineRun && {
        baseline: {
          checkout: BASELINE,
          events_per_second: Math.round(baselineRun.rate),
          cpu_us_per_event: baselineRun.cpu_us_per_event,
          ratio: Number((baselineRun.rate / bareRun.rate).toFixed(2)),
        },
      }),
      ...(phase2.baseline && {
        baseline_with_delivery_workers: {
          events_per_second: Math.round(phase2.baseline.rate),
          cpu_us_per_event: phase2.baseline.cpu_us_per_event,
        },
      }),
      oxygen_with_delivery_workers: {
        events_per_second: Math.round(deployed.rate),
        cpu_us_per_event: deployed.cpu_us_per_event,
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
