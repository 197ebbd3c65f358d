#!/usr/bin/env node
// Column-run benchmark: `oxygen columns run` of a contact.upsert action column over a table of
// imported rows, against the HubSpot sandbox (one request per row). Prints rows per second and
// how the run's wall-clock time splits between the action calls (the provider request, and the
// wait for the rate limiter before it) and everything outside them (Oxygen reading rows,
// rendering inputs, writing `queued` and the mirrored cells), from the run report's `action_ms`
// and `elapsed_ms`.
//
// Two runs over the same rows, each in a fresh store:
//   A. the HubSpot plugin as shipped: HubSpot's declared 100 requests / 10 s per account, which
//      is what a user's run gets;
//   B. the same plugin with its rate limits removed (loaded as a separate bench-only plugin, the
//      sandbox does not enforce limits here): what the runner itself sustains, i.e. Oxygen's own
//      cost per row.
//
// Usage: node bench/column-run/run.mjs [--rows 1000] [--concurrency 4] [--latency 0]
//   --latency: milliseconds the sandbox waits before each answer (HubSpot's own response time;
//   0 measures Oxygen alone). Run A takes about rows / 9.5 seconds.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const ROWS = arg('rows', 1000);
const CONCURRENCY = arg('concurrency', 4);
const LATENCY = arg('latency', 0);

const cliDir = fileURLToPath(new URL('../../apps/cli/', import.meta.url));
const bin = join(cliDir, 'bin/oxygen.js');
const requireFromCli = createRequire(join(cliDir, 'package.json'));
const { startHubSpotSandbox } = await import(
  pathToFileURL(requireFromCli.resolve('@oxygen/provider-hubspot/sandbox')).href
);
const hubspotEntry = requireFromCli.resolve('@oxygen/provider-hubspot');
const hubspot = (await import(pathToFileURL(hubspotEntry).href)).default;

/** Runs the CLI; resolves with its parsed JSON output (rejects with stderr on failure). */
function oxygen(args, env, stdin = '') {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args, '--json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out))
        : reject(new Error(`oxygen ${args.join(' ')} exited ${code}: ${err}`)),
    );
    child.stdin.end(stdin);
  });
}

/** One store, one sandbox account, one table of ROWS leads, one run of the column. */
async function scenario({ provider, plugin }) {
  const home = mkdtempSync(join(tmpdir(), 'oxygen-bench-column-'));
  const sandbox = await startHubSpotSandbox({ delayMs: LATENCY });
  try {
    const env = {
      OXYGEN_HOME: home,
      [`OXYGEN_PROVIDER_${provider.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_BASE_URL`]: sandbox.url,
    };
    if (plugin) writeFileSync(join(home, 'config.json'), JSON.stringify({ plugins: [plugin] }));
    await oxygen(['integrations', 'connect', provider, '--api-key-stdin'], env, sandbox.token);
    const lines = ['email,first_name,last_name,company'];
    for (let i = 1; i <= ROWS; i++) lines.push(`bench${i}@example.com,First${i},Last${i},Company ${i}`);
    const csv = join(home, 'leads.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    const imported = await oxygen(['tables', 'import', 'leads', '--csv', csv], env);
    await oxygen(
      [
        'columns',
        'add',
        'leads',
        'hubspot_contact_id',
        '--integration',
        provider,
        '--action',
        'contact.upsert',
        '--map',
        '{"email":"{{row.email}}","firstname":"{{row.first_name}}","lastname":"{{row.last_name}}","company":"{{row.company}}"}',
      ],
      env,
    );
    // The connect's verify request counts in HubSpot's 10 s window too: start outside it.
    await new Promise((r) => setTimeout(r, plugin ? 0 : 10_500));
    const report = await oxygen(
      ['columns', 'run', 'leads', 'hubspot_contact_id', '--concurrency', String(CONCURRENCY)],
      env,
    );
    const upserts = sandbox.requests.filter((r) => r.path === '/crm/v3/objects/contacts/batch/upsert').length;
    if (report.synced !== ROWS || sandbox.contacts.size !== ROWS || upserts !== ROWS) {
      throw new Error(
        `expected ${ROWS} synced rows, contacts and requests; got ${report.synced}, ${sandbox.contacts.size}, ${upserts}`,
      );
    }
    return { imported, report };
  } finally {
    await sandbox.close();
    rmSync(home, { recursive: true, force: true });
  }
}

const pct = (x) => `${(x * 100).toFixed(1)}%`;
/** Wall-clock share of the run inside action calls: the summed call time spread over the workers. */
const insideShare = (r) => Math.min(1, r.action_ms / (r.elapsed_ms * CONCURRENCY));

process.stdout.write(
  `column-run: ${ROWS} imported rows, one HubSpot contact.upsert request each, concurrency ${CONCURRENCY}, sandbox latency ${LATENCY} ms\n`,
);
const burst = hubspot.rateLimits.find((l) => !l.match && !l.methods);
process.stdout.write(
  `A. HubSpot plugin as shipped (${burst.limit} requests per ${burst.intervalMs / 1000} s per connection; about ${Math.round(ROWS / ((burst.limit / burst.intervalMs) * 1000))} s for this run)…\n`,
);
const a = await scenario({ provider: 'hubspot' });

// The bench-only plugin: HubSpot's actions and sandbox, without the declared limits.
const pluginDir = mkdtempSync(join(tmpdir(), 'oxygen-bench-plugin-'));
const pluginFile = join(pluginDir, 'hubspot-unthrottled.mjs');
writeFileSync(
  pluginFile,
  `import hubspot from ${JSON.stringify(pathToFileURL(hubspotEntry).href)};\nexport default { ...hubspot, id: 'hubspot-unthrottled', name: 'HubSpot (bench: no rate limit)', rateLimits: [], webhooks: undefined, events: [] };\n`,
);
process.stdout.write('B. Same plugin with its rate limits removed (bench only)…\n');
let b;
try {
  b = await scenario({ provider: 'hubspot-unthrottled', plugin: pluginFile });
} finally {
  rmSync(pluginDir, { recursive: true, force: true });
}

const row = (label, { report: r }) => {
  const inside = insideShare(r);
  return `${label}  ${String(r.rows_per_second).padStart(8)} rows/s  ${(r.elapsed_ms / 1000).toFixed(1).padStart(7)} s  inside action calls ${pct(inside).padStart(6)}  outside ${pct(1 - inside).padStart(6)}`;
};
// Per-call time without the limiter (B) says how much of A's call time was waiting for it.
const callMs = b.report.action_ms / b.report.sent;
const waitShare =
  Math.max(0, a.report.action_ms - callMs * a.report.sent) / (a.report.elapsed_ms * CONCURRENCY);
const oxygenMsPerRow = (b.report.elapsed_ms * CONCURRENCY - b.report.action_ms) / b.report.sent;
process.stdout.write(
  [
    '',
    row('A. declared limit ', a),
    row('B. no rate limit  ', b),
    '',
    `Import of ${ROWS} rows: ${a.imported.inserted} rows stored.`,
    `A is the rate a user gets: HubSpot allows ${burst.limit} requests per 10 s per account, and the plugin keeps any ${burst.limit} requests ${burst.intervalMs / 1000} s apart (room for network jitter), so a run averages ${((burst.limit / burst.intervalMs) * 1000).toFixed(1)} rows/s however fast Oxygen is: ${burst.limit} rows at once, then one every ${Math.round(burst.intervalMs / burst.limit)} ms once the window is full. About ${pct(waitShare)} of A's wall-clock time is spent waiting for the rate limiter inside the action calls; only ${pct(1 - insideShare(a.report))} is outside them.`,
    `B is what the runner sustains without the limit at this latency and concurrency: ${b.report.rows_per_second} rows/s, with ${pct(1 - insideShare(b.report))} of the time outside the provider call (about ${oxygenMsPerRow.toFixed(1)} ms of Oxygen work per row and worker: reading the row, writing the queued and the mirrored cell).`,
    `The runner alone goes ${(b.report.rows_per_second / a.report.rows_per_second).toFixed(0)}x faster than HubSpot's limit lets it: with a real account the limit, not Oxygen, sets the pace (a higher HubSpot tier or a batch action is what moves it).`,
    '',
  ].join('\n'),
);
