#!/usr/bin/env node
// The quickstart demo: the `oxygen` CLI against HubSpot's local sandbox on the embedded store.
// Every step is a real `oxygen` process; the transcript shows each command and what it printed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';

const bin = fileURLToPath(new URL('../bin/oxygen.js', import.meta.url));
const sandbox = await startHubSpotSandbox();
const home = mkdtempSync(join(tmpdir(), 'oxygen-demo-'));
const env = { ...process.env, OXYGEN_HOME: home, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url };

function step(title, args, stdin) {
  process.stdout.write(
    `\n# ${title}\n$ oxygen ${args.map((a) => (/[\s{"]/.test(a) ? `'${a}'` : a)).join(' ')}\n`,
  );
  const r = spawnSync(process.execPath, [bin, ...args], { env, input: stdin ?? '', encoding: 'utf8' });
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
  step('The provider catalog', ['providers', 'list']);
  step(
    'Connect HubSpot with a private app token (piped on stdin, never a flag)',
    ['integrations', 'connect', 'hubspot', '--api-key-stdin'],
    sandbox.token,
  );
  step('List integrations', ['integrations', 'list']);
  step('What HubSpot can do', ['integrations', 'actions', 'hubspot']);
  const input = '{"email":"ada@example.com","firstname":"Ada","lastname":"Lovelace"}';
  step('Dry run: nothing is sent, the exact request is shown (token redacted)', [
    'integrations',
    'run',
    'hubspot',
    'contact.upsert',
    '--input',
    input,
    '--dry-run',
  ]);
  step('Run it for real', ['integrations', 'run', 'hubspot', 'contact.upsert', '--input', input, '--json']);
  step('Find it again', [
    'integrations',
    'run',
    'hubspot',
    'contact.search',
    '--input',
    '{"filters":[{"property":"email","operator":"EQ","value":"ada@example.com"}]}',
    '--json',
  ]);
  step('Disconnect: the credential is destroyed', ['integrations', 'disconnect', 'hubspot', '--json']);
  process.stdout.write('\nDemo complete.\n');
} finally {
  await sandbox.close();
  rmSync(home, { recursive: true, force: true });
}
