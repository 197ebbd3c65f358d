/**
 * The example app against HubSpot's sandbox: the sync function through `@oxygen/runtime`, and
 * `pnpm start` as a person runs it (the built `dist/main.js`, which starts its own sandbox).
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { createRuntime, type Runtime } from '@oxygen/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncLeads } from '../src/sync.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const csv = join(appDir, 'leads.csv');
const UPSERT = '/crm/v3/objects/contacts/batch/upsert';

let sandbox: HubSpotSandbox;
let runtime: Runtime;

beforeAll(async () => {
  sandbox = await startHubSpotSandbox();
  runtime = await createRuntime({
    home: mkdtempSync(join(tmpdir(), 'crm-sync-app-test-')),
    env: { OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url },
    plugins: ['@oxygen/provider-hubspot'],
    resolveFrom: [appDir],
  });
});

afterAll(async () => {
  await runtime?.close();
  await sandbox?.close();
});

describe('crm-sync-app', () => {
  it('syncs the CSV to HubSpot and mirrors each contact id, or HubSpot’s error, into the table', async () => {
    const { imported, report, leads } = await syncLeads({ runtime, csv, hubspotToken: sandbox.token });
    expect(imported).toBe(true);
    expect(report).toMatchObject({ total: 5, sent: 5, synced: 4, failed: 1 });
    const ids = new Map([...sandbox.contacts.values()].map((c) => [c.properties.email, c.id]));
    expect(ids.size).toBe(4);
    expect(leads.map((l) => l.email)).toEqual([
      'ada@analytical-engines.example',
      'grace.hopper@navy',
      'alan@bletchley.example',
      'katherine@nasa.example',
      'margaret@mit.example',
    ]);
    for (const lead of leads.filter((l) => l.email !== 'grace.hopper@navy')) {
      expect(lead).toMatchObject({ status: 'synced', hubspot_contact_id: ids.get(lead.email), error: null });
      expect(lead.last_synced_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    // HubSpot refuses an address without a top-level domain; the cell keeps its words.
    expect(leads[1]).toMatchObject({ status: 'failed', hubspot_contact_id: null });
    expect(leads[1]!.error).toContain('Email address grace.hopper@navy is invalid');
    expect(sandbox.contacts.get(ids.get('ada@analytical-engines.example')!)?.properties).toMatchObject({
      firstname: 'Ada',
      lastname: 'Lovelace',
      company: 'Analytical Engines',
    });
  });

  it('runs again without importing twice or re-sending synced leads', async () => {
    const before = sandbox.requests.filter((r) => r.path === UPSERT).length;
    const { imported, report, leads } = await syncLeads({ runtime, csv });
    expect(imported).toBe(false);
    // Only the failed lead is sent again (and HubSpot refuses it again).
    expect(report).toMatchObject({ total: 5, sent: 1, skipped: 4, failed: 1 });
    expect(sandbox.requests.filter((r) => r.path === UPSERT).length - before).toBe(1);
    expect(sandbox.contacts.size).toBe(4);
    expect(leads.filter((l) => l.status === 'synced')).toHaveLength(4);
  });

  it('`pnpm start` prints every lead with its HubSpot contact id or error', () => {
    const r = spawnSync(process.execPath, [join(appDir, 'dist/main.js')], {
      cwd: appDir,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("No HUBSPOT_TOKEN: syncing to HubSpot's local sandbox");
    expect(r.stdout).toContain('synced 5 lead(s) to HubSpot: 4 synced, 1 failed, 0 already synced.');
    expect(r.stdout).toMatch(/^ada@analytical-engines\.example\s+synced\s+\d+$/m);
    expect(r.stdout).toMatch(/^grace\.hopper@navy\s+failed\s+.*Email address grace\.hopper@navy is invalid/m);
  });
});
