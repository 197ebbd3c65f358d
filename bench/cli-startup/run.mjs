#!/usr/bin/env node
// CLI start-up benchmark: `oxygen --version` and `oxygen integrations list --json` (embedded store,
// 3 connections) timed as whole processes against `node -e 0`. Prints medians and ratios.
// Usage: node bench/cli-startup/run.mjs [--runs 15]
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
const cliDir = fileURLToPath(new URL('../../apps/cli/', import.meta.url));
const bin = join(cliDir, 'bin/oxygen.js');
const requireFromCli = createRequire(join(cliDir, 'package.json'));
const { startHubSpotSandbox } = await import(
  pathToFileURL(requireFromCli.resolve('@oxygen/provider-hubspot/sandbox')).href
);

const home = mkdtempSync(join(tmpdir(), 'oxygen-bench-'));
const sandboxes = [];
try {
  // Three HubSpot portals, one connection each, all in the default organization.
  for (const portalId of [1001, 1002, 1003]) {
    const sandbox = await startHubSpotSandbox({ portalId });
    sandboxes.push(sandbox);
    // Asynchronously: the sandbox answers from this process.
    const connecting = promisify(execFile)(
      process.execPath,
      [bin, 'integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'],
      { env: { ...process.env, OXYGEN_HOME: home, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url } },
    );
    connecting.child.stdin.end(sandbox.token);
    await connecting;
  }
  const env = { ...process.env, OXYGEN_HOME: home };
  const listed = JSON.parse(
    spawnSync(process.execPath, [bin, 'integrations', 'list', '--json'], { env, encoding: 'utf8' }).stdout,
  );
  if (listed.length !== 3) throw new Error(`expected 3 connections, found ${listed.length}`);

  const cases = [
    ['node -e 0', ['-e', '0']],
    ['oxygen --version', [bin, '--version']],
    ['oxygen integrations list --json', [bin, 'integrations', 'list', '--json']],
  ];
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  };
  const results = [];
  for (const [name, args] of cases) {
    for (let i = 0; i < 2; i++) spawnSync(process.execPath, args, { env }); // warm the file cache
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const t = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { env });
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    }
    results.push({ name, median_ms: Math.round(median(times) * 10) / 10 });
  }
  const base = results[0].median_ms;
  console.log(`cli-startup: median of ${RUNS} whole processes (Node ${process.version})`);
  for (const r of results) {
    console.log(
      `${r.name.padEnd(34)} ${String(r.median_ms).padStart(7)} ms   ${(r.median_ms / base).toFixed(2)}x node -e 0`,
    );
  }
} finally {
  for (const s of sandboxes) await s.close();
  rmSync(home, { recursive: true, force: true });
}
