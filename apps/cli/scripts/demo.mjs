#!/usr/bin/env node
// The quickstart demo: the `oxygen` CLI against HubSpot's local sandbox on the embedded store.
// Every step is a real `oxygen` process; the transcript shows each command and what it printed.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';

const bin = fileURLToPath(new URL('../bin/oxygen.js', import.meta.url));
const sandbox = await startHubSpotSandbox();
const home = mkdtempSync(join(tmpdir(), 'oxygen-demo-'));
const env = { ...process.env, OXYGEN_HOME: home, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url };

// The sandbox answers from this process, so each CLI process runs asynchronously beside it.
function exec(args, stdin) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

async function step(title, args, stdin) {
  const shown = args.map((a) => (/[\s{"]/.test(a) ? `'${a}'` : a)).join(' ');
  process.stdout.write(`\n# ${title}\n$ oxygen ${shown}\n`);
  const r = await exec(args, stdin);
  process.stdout.write(r.stdout);
  if (r.stderr) process.stdout.write(r.stderr);
  if (r.status !== 0) {
    process.stdout.write(`(exit ${r.status})\n`);
    throw new Error(`demo step failed: oxygen ${args.join(' ')}`);
  }
  return r.stdout;
}

try {
  process.stdout.write(`HubSpot sandbox at ${sandbox.url}; OXYGEN_HOME=${home}\n`);
  await step('The provider catalog', ['providers', 'list']);
  await step(
    'Connect HubSpot with a private app token (piped on stdin, never a flag)',
    ['integrations', 'connect', 'hubspot', '--api-key-stdin'],
    sandbox.token,
  );
  await step('List integrations', ['integrations', 'list']);
  await step('What HubSpot can do', ['integrations', 'actions', 'hubspot']);
  const input = '{"email":"ada@example.com","firstname":"Ada","lastname":"Lovelace"}';
  await step('Dry run: nothing is sent, the exact request is shown (token redacted)', [
    'integrations',
    'run',
    'hubspot',
    'contact.upsert',
    '--input',
    input,
    '--dry-run',
  ]);
  await step('Run it for real', [
    'integrations',
    'run',
    'hubspot',
    'contact.upsert',
    '--input',
    input,
    '--json',
  ]);
  await step('Find it again', [
    'integrations',
    'run',
    'hubspot',
    'contact.search',
    '--input',
    '{"filters":[{"property":"email","operator":"EQ","value":"ada@example.com"}]}',
    '--json',
  ]);
  await step('Disconnect: the credential is destroyed', ['integrations', 'disconnect', 'hubspot', '--json']);
  process.stdout.write('\nDemo complete.\n');
} finally {
  await sandbox.close();
  rmSync(home, { recursive: true, force: true });
}
