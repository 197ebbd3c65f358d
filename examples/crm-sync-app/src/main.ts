/**
 * `pnpm start [leads.csv]`: syncs the leads to HubSpot and prints each one's cell.
 *
 * With `HUBSPOT_TOKEN` set it talks to your HubSpot account and keeps its store in
 * `$OXYGEN_HOME` (default `./.oxygen`), so running it again resumes and retries failed rows.
 * Without it, it starts HubSpot's local sandbox and a throwaway store, so it runs anywhere.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime } from '@oxygen/runtime';
import { syncLeads } from './sync.js';

const here = dirname(fileURLToPath(import.meta.url));
const csv = resolve(process.argv[2] ?? join(here, '..', 'leads.csv'));
const token = process.env.HUBSPOT_TOKEN?.trim();

let home: string;
let env: NodeJS.ProcessEnv = process.env;
let hubspotToken = token;
let cleanup = async () => {};
if (token) {
  home = process.env.OXYGEN_HOME ?? resolve('.oxygen');
} else {
  const { startHubSpotSandbox } = await import('@oxygen/provider-hubspot/sandbox');
  const sandbox = await startHubSpotSandbox();
  hubspotToken = sandbox.token;
  home = mkdtempSync(join(tmpdir(), 'crm-sync-app-'));
  env = { ...process.env, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url };
  process.stderr.write(`No HUBSPOT_TOKEN: syncing to HubSpot's local sandbox at ${sandbox.url}.\n`);
  cleanup = async () => {
    await sandbox.close();
    rmSync(home, { recursive: true, force: true });
  };
}

const runtime = await createRuntime({
  home,
  env,
  plugins: ['@oxygen/provider-hubspot'],
  resolveFrom: [here],
});
try {
  const { imported, report, leads } = await syncLeads({
    runtime,
    csv,
    hubspotToken,
    onProgress: (done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\rsyncing ${done}/${total}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  console.log(
    `${imported ? `Imported ${csv}; synced` : 'Synced'} ${report.sent} lead(s) to HubSpot: ${report.synced} synced, ${report.failed} failed, ${report.skipped} already synced.`,
  );
  const width = Math.max(...leads.map((l) => l.email.length), 5);
  console.log(`${'EMAIL'.padEnd(width)}  STATUS  HUBSPOT CONTACT / ERROR`);
  for (const lead of leads) {
    console.log(
      `${lead.email.padEnd(width)}  ${lead.status.padEnd(6)}  ${lead.hubspot_contact_id ?? lead.error ?? ''}`,
    );
  }
} catch (error) {
  const e = error as { message?: string; hint?: string };
  process.stderr.write(`error: ${e.message ?? String(error)}${e.hint ? ` ${e.hint}` : ''}\n`);
  process.exitCode = 1;
} finally {
  await runtime.close();
  await cleanup();
}
