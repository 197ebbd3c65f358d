/**
 * Tables, action columns, mirroring and waterfalls as a user runs them: the built `oxygen` binary
 * in its own process, an embedded store in a fresh `$OXYGEN_HOME`, the HubSpot (and Attio)
 * sandboxes standing in for the providers. Each scenario has its own sandbox (its own "account")
 * and home, so the scenarios run at once.
 *
 * The 1,000-row run takes about 90 s on purpose: HubSpot allows 100 requests per 10 s per
 * account, the plugin declares it (keeping any 100 requests 10.5 s apart, for network jitter), and
 * the sandbox here enforces it (429 past it). One `contact.upsert` per row means about 9.5 rows a
 * second, which is what a user with a real HubSpot account sees; the test checks that pace, and
 * that not one request was refused, instead of lifting the limit.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AttioSandbox, startAttioSandbox } from '@oxygen/provider-attio/sandbox';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, oxygen, tempHome } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/oxygen.js', import.meta.url));
const UPSERT = '/crm/v3/objects/contacts/batch/upsert';
const SEARCH = '/crm/v3/objects/contacts/search';
/** Shaped like an email for the plugin, refused by HubSpot (no top-level domain). */
const BAD_EMAIL = 'lead0500@example';

const sandboxes: { close: () => Promise<void> }[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
});

interface Cell {
  value: string | null;
  error: string | null;
  provenance: {
    outputs: { sync_status: string; last_synced_at: string | null };
    kind: string;
    integration: string | null;
    connection_id: string | null;
    auth_mode: string | null;
    action: string | null;
    record_label: string | null;
    request_ids: string[];
    error: { code: string; provider_message?: string; status?: number } | null;
    waterfall?: string;
    steps?: { step: number; integration: string; action: string; outcome: string; reason: string | null }[];
  };
}
interface Row {
  id: string;
  values: Record<string, unknown>;
  cells: Record<string, Cell>;
}
interface RunReport {
  total: number;
  sent: number;
  synced: number;
  failed: number;
  skipped: number;
  remaining: number;
  aborted: boolean;
  halted: unknown;
  elapsed_ms: number;
  action_ms: number;
  rows_per_second: number;
  failures: { row_id: string; error: string; code: string }[];
}

/** A user's shell: one home, one set of provider URLs. */
function shell(env: NodeJS.ProcessEnv) {
  const run = (args: string[], stdin?: string): Promise<CliResult> => oxygen(args, { env, stdin });
  const json = async <T>(args: string[], stdin?: string): Promise<T> => {
    const r = await run([...args, '--json'], stdin);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.json() as T;
  };
  return { env, run, json };
}

/** A CSV of `n` leads (`lead0001@example.com`, ...); `edit` may change a line's email. */
function leadsCsv(dir: string, n: number, email: (i: number) => string = (i) => lead(i)): string {
  const lines = ['email,first_name,last_name,company'];
  for (let i = 1; i <= n; i++) lines.push(`${email(i)},First${i},Last${i},"Company ${i}, Inc."`);
  const file = join(dir, `leads-${n}.csv`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
const lead = (i: number) => `lead${String(i).padStart(4, '0')}@example.com`;

async function allRows(sh: ReturnType<typeof shell>, table: string): Promise<Row[]> {
  return sh.json<Row[]>(['tables', 'export', table]);
}

const upserts = (sandbox: HubSpotSandbox) => sandbox.requests.filter((r) => r.path === UPSERT).length;

/** The sandbox contact ids by email. */
function contactIds(sandbox: HubSpotSandbox): Map<string, string> {
  return new Map(
    [...sandbox.contacts.values()].map((c) => [String(c.properties.email).toLowerCase(), c.id] as const),
  );
}

async function connectHubSpot(sh: ReturnType<typeof shell>, sandbox: HubSpotSandbox): Promise<void> {
  await sh.json(['integrations', 'connect', 'hubspot', '--api-key-stdin'], sandbox.token);
}

describe('oxygen tables, columns and waterfalls (built binary, embedded store)', () => {
  it.concurrent('imports 1,000 rows, syncs them through contact.upsert at HubSpot’s pace, mirrors ids and errors, reruns without duplicates', async () => {
    const sandbox = await startHubSpotSandbox({ enforceRateLimits: true });
    sandboxes.push(sandbox);
    const home = tempHome();
    const sh = shell({ OXYGEN_HOME: home, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url });
    await connectHubSpot(sh, sandbox);
    const connectedAt = Date.now();

    // Import: header row = columns, every record a row with a stable id.
    const csv = leadsCsv(home, 1000, (i) => (i === 500 ? BAD_EMAIL : lead(i)));
    const imported = await sh.json<{
      created: boolean;
      inserted: number;
      columns: string[];
      table: { name: string; row_count: number };
    }>(['tables', 'import', 'leads', '--csv', csv]);
    expect(imported).toMatchObject({
      created: true,
      inserted: 1000,
      columns: ['email', 'first_name', 'last_name', 'company'],
      table: { name: 'leads', row_count: 1000 },
    });
    const tables = await sh.json<{ name: string; row_count: number; columns: { name: string }[] }[]>([
      'tables',
      'list',
    ]);
    expect(tables).toMatchObject([{ name: 'leads', row_count: 1000 }]);

    const column = await sh.json<Record<string, unknown>>([
      'columns',
      'add',
      'leads',
      'hubspot_contact_id',
      '--integration',
      'hubspot',
      '--action',
      'contact.upsert',
      '--map',
      '{"email":"{{row.email}}","firstname":"{{row.first_name}}","lastname":"{{row.last_name}}","company":"{{row.company}}"}',
    ]);
    expect(column).toMatchObject({
      kind: 'action',
      provider: 'hubspot',
      action: 'contact.upsert',
      record_label: 'hubspot_contact_id',
    });

    // A dry run sends nothing and shows the exact request.
    const dry = await sh.json<{
      dry_run: true;
      rows: { requests: { method: string; url: string; body: unknown }[] }[];
    }>(['columns', 'run', 'leads', 'hubspot_contact_id', '--dry-run', '--limit', '1']);
    expect(dry.rows[0]!.requests).toEqual([
      {
        method: 'POST',
        url: `${sandbox.url}${UPSERT}`,
        headers: expect.objectContaining({ authorization: 'Bearer [REDACTED]' }),
        body: {
          inputs: [
            {
              idProperty: 'email',
              id: lead(1),
              properties: {
                email: lead(1),
                firstname: 'First1',
                lastname: 'Last1',
                company: 'Company 1, Inc.',
              },
            },
          ],
        },
      },
    ]);
    expect(upserts(sandbox)).toBe(0);

    // The connect's verify request is in HubSpot's 10 s window too; a run started inside it
    // would meet one 429 (retried). A user connects well before; wait the window out.
    await new Promise((r) => setTimeout(r, Math.max(0, connectedAt + 10_500 - Date.now())));
    const run = await sh.run(['columns', 'run', 'leads', 'hubspot_contact_id', '--json']);
    expect(run.code, run.stderr).toBe(0); // a run that ends is a success; its failures are in the report
    const report = run.json() as RunReport;
    expect(report).toMatchObject({
      total: 1000,
      sent: 1000,
      synced: 999,
      failed: 1,
      skipped: 0,
      remaining: 0,
    });
    expect(report.aborted).toBe(false);
    // Paced to HubSpot's limit: never more than 100 requests in 10 s.
    expect(report.elapsed_ms).toBeGreaterThanOrEqual(90_000);
    expect(report.rows_per_second).toBeLessThanOrEqual(10);
    // One request per row, no 429 (a refused request is retried, so it would be counted here).
    // Without the pacing, a run like this draws over a hundred; the margin only covers this test
    // process stalling for more than half a second on a loaded CI machine.
    expect(upserts(sandbox)).toBeLessThanOrEqual(1010);
    expect(sandbox.contacts.size).toBe(999);

    // Every cell is exactly the mirroring shape: the sandbox's record id, synced; the refused
    // email failed with HubSpot's own error text.
    const ids = contactIds(sandbox);
    const rows = await allRows(sh, 'leads');
    expect(rows).toHaveLength(1000);
    expect(new Set(rows.map((r) => r.id)).size).toBe(1000);
    const bad = rows.find((r) => r.values.email === BAD_EMAIL)!;
    for (const row of rows) {
      const cell = row.cells.hubspot_contact_id!;
      expect(Object.keys(cell).sort()).toEqual(['error', 'provenance', 'value']);
      if (row === bad) continue;
      expect(cell.value).toBe(ids.get(String(row.values.email)));
      expect(cell.error).toBeNull();
      expect(cell.provenance.outputs.sync_status).toBe('synced');
      expect(Date.parse(cell.provenance.outputs.last_synced_at!)).not.toBeNaN();
    }
    const badCell = bad.cells.hubspot_contact_id!;
    expect(badCell).toMatchObject({
      value: null,
      provenance: {
        outputs: { sync_status: 'failed', last_synced_at: null },
        action: 'contact.upsert',
        integration: 'hubspot',
        auth_mode: 'byok',
        error: { provider_message: expect.stringContaining(`Email address ${BAD_EMAIL} is invalid`) },
      },
    });
    expect(badCell.error).toContain(`Email address ${BAD_EMAIL} is invalid`);
    expect(badCell.provenance.request_ids).toHaveLength(1);
    expect(report.failures).toEqual([{ row_id: bad.id, error: badCell.error, code: 'validation' }]);
    const synced = rows[0]!.cells.hubspot_contact_id!.provenance;
    expect(synced).toMatchObject({
      kind: 'action',
      integration: 'hubspot',
      connection_id: expect.stringMatching(/^conn_/),
      auth_mode: 'byok',
      action: 'contact.upsert',
      record_label: 'hubspot_contact_id',
      error: null,
    });
    expect(synced.request_ids).toHaveLength(1);

    // `tables show`: readable cells for people, the raw shape with --json.
    const shown = await sh.run(['tables', 'show', 'leads', '--limit', '3']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^ROW\s+email\s+first_name\s+last_name\s+company\s+hubspot_contact_id$/m);
    expect(shown.stdout).toContain(`${rows[0]!.id}  ${lead(1)}`);
    expect(shown.stdout).toContain(`synced ${ids.get(lead(1))}`);
    expect(shown.stdout).toContain('Rows 1-3 of 1,000.');
    const badPage = await sh.run(['tables', 'show', 'leads', '--limit', '1', '--offset', '499']);
    expect(badPage.stdout).toContain(bad.id);
    expect(badPage.stdout).toContain('failed: ');
    const page = await sh.json<{ rows: Row[]; total: number; next_cursor: string | null }>([
      'tables',
      'show',
      'leads',
      '--limit',
      '2',
    ]);
    expect(page.total).toBe(1000);
    expect(page.rows.map((r) => r.id)).toEqual([rows[0]!.id, rows[1]!.id]);
    expect(page.rows[0]!.cells.hubspot_contact_id).toEqual(rows[0]!.cells.hubspot_contact_id);
    expect(page.next_cursor).toBe(rows[1]!.id);

    // `tables export --csv`: the data columns, then each computed column's value, status,
    // last sync and error.
    const exported = await sh.run(['tables', 'export', 'leads', '--csv']);
    expect(exported.code, exported.stderr).toBe(0);
    const lines = exported.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1001);
    expect(lines[0]).toBe(
      'email,first_name,last_name,company,hubspot_contact_id,hubspot_contact_id.sync_status,hubspot_contact_id.last_synced_at,hubspot_contact_id.error',
    );
    expect(lines[1]).toMatch(
      new RegExp(
        `^${lead(1)},First1,Last1,"Company 1, Inc.",${ids.get(lead(1))},synced,\\d{4}-\\d\\d-\\d\\dT[^,]+,$`,
      ),
    );
    expect(lines[500]).toMatch(
      new RegExp(`^${BAD_EMAIL},First500,.*,failed,,.*Email address ${BAD_EMAIL} is invalid`),
    );

    // A rerun sends only the failed row again (HubSpot refuses it again): no duplicate.
    const before = upserts(sandbox);
    const rerun = await sh.json<RunReport>(['columns', 'run', 'leads', 'hubspot_contact_id']);
    expect(rerun).toMatchObject({ total: 1000, sent: 1, synced: 0, failed: 1, skipped: 999 });
    expect(upserts(sandbox) - before).toBe(1);
    // --force sends synced rows again: HubSpot's upsert updates the same records.
    const forced = await sh.json<RunReport>([
      'columns',
      'run',
      'leads',
      'hubspot_contact_id',
      '--force',
      '--where',
      'email!=',
      '--limit',
      '5',
    ]);
    expect(forced).toMatchObject({ sent: 5, synced: 5, failed: 0 });
    expect(sandbox.contacts.size).toBe(999);
    const after = (await allRows(sh, 'leads')).slice(0, 5);
    for (const row of after)
      expect(row.cells.hubspot_contact_id!.value).toBe(ids.get(String(row.values.email)));

    // Human output of a run says what happened, failures included, and exits 0.
    const human = await sh.run(['columns', 'run', 'leads', 'hubspot_contact_id']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain("1 row failed; each failed cell holds the provider's error:");
    expect(human.stdout).toContain(`${bad.id}  `);
    expect(human.stdout).toMatch(/skipped\s+999/);
  }, 240_000);

  it.concurrent('stops cleanly on Ctrl-C (SIGINT) and resumes without re-sending the rows it finished', async () => {
    const sandbox = await startHubSpotSandbox();
    sandboxes.push(sandbox);
    const home = tempHome();
    const sh = shell({ OXYGEN_HOME: home, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url });
    await connectHubSpot(sh, sandbox);
    await sh.json(['tables', 'import', 'leads', '--csv', leadsCsv(home, 300)]);
    await sh.json([
      'columns',
      'add',
      'leads',
      'hubspot',
      '--integration',
      'hubspot',
      '--action',
      'contact.upsert',
      '--map',
      '{"email":"{{row.email}}"}',
    ]);

    // Interrupt once the run is past HubSpot's first 100 requests and pacing at 10 a second.
    const child = spawnCli(['columns', 'run', 'leads', 'hubspot', '--json'], sh.env);
    while (upserts(sandbox) < 130) await new Promise((r) => setTimeout(r, 20));
    child.process.kill('SIGINT');
    const first = await child.done;
    expect(first.code, first.stderr).toBe(130);
    expect(first.stderr).toContain('Stopping: the rows in flight finish and are recorded');
    const stopped = JSON.parse(first.stdout) as RunReport;
    expect(stopped.aborted).toBe(true);
    expect(stopped.failed).toBe(0);
    expect(stopped.synced).toBeGreaterThanOrEqual(130);
    expect(stopped.remaining).toBe(300 - stopped.synced);
    // Every request sent was finished and recorded before the process exited.
    expect(upserts(sandbox)).toBe(stopped.synced);
    const mid = await allRows(sh, 'leads');
    expect(mid.filter((r) => r.cells.hubspot?.provenance.outputs.sync_status === 'synced')).toHaveLength(
      stopped.synced,
    );
    expect(
      mid.filter((r) => r.cells.hubspot && r.cells.hubspot.provenance.outputs.sync_status !== 'synced'),
    ).toEqual([]);

    const resumed = await sh.json<RunReport>(['columns', 'run', 'leads', 'hubspot']);
    expect(resumed).toMatchObject({
      total: 300,
      skipped: stopped.synced,
      sent: 300 - stopped.synced,
      synced: 300 - stopped.synced,
      failed: 0,
      aborted: false,
    });
    // Each row was sent exactly once across both runs.
    expect(upserts(sandbox)).toBe(300);
    const sentEmails = sandbox.requests
      .filter((r) => r.path === UPSERT)
      .map((r) => (r.body as { inputs: { id: string }[] }).inputs[0]!.id);
    expect(new Set(sentEmails).size).toBe(300);
    const ids = contactIds(sandbox);
    for (const row of await allRows(sh, 'leads')) {
      expect(row.cells.hubspot).toMatchObject({
        value: ids.get(String(row.values.email)),
        error: null,
        provenance: { outputs: { sync_status: 'synced' } },
      });
    }
  }, 120_000);

  it.concurrent('runs a two-step waterfall: an empty first step falls through to the second, both in provenance', async () => {
    const hubspot = await startHubSpotSandbox();
    const attio: AttioSandbox = await startAttioSandbox();
    sandboxes.push(hubspot, attio);
    const home = tempHome();
    const sh = shell({
      OXYGEN_HOME: home,
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: hubspot.url,
      OXYGEN_PROVIDER_ATTIO_BASE_URL: attio.url,
    });
    await connectHubSpot(sh, hubspot);
    await sh.json(['integrations', 'connect', 'attio', '--api-key-stdin'], attio.token);
    // Ada is only in HubSpot, Grace only in Attio, Alan in neither.
    const ada = await sh.json<{ id: string }>([
      'integrations',
      'run',
      'hubspot',
      'contact.upsert',
      '--input',
      '{"email":"ada@analytical.example","firstname":"Ada"}',
    ]);
    const grace = await sh.json<{ id: string }>([
      'integrations',
      'run',
      'attio',
      'record.assert',
      '--input',
      '{"object":"people","values":{"email_addresses":["grace@navy.example"],"name":"Grace Hopper"}}',
    ]);
    const csv = join(home, 'people.csv');
    writeFileSync(
      csv,
      'name,email\nAda Lovelace,ada@analytical.example\nGrace Hopper,grace@navy.example\nAlan Turing,alan@bletchley.example\n',
    );
    await sh.json(['tables', 'import', 'people', '--csv', csv]);

    const wf = await sh.json<{
      name: string;
      output: string;
      steps: { integration: string; action: string }[];
    }>([
      'waterfalls',
      'create',
      'crm-record',
      '--step',
      'attio:record.query',
      '--step',
      'hubspot:contact.search',
      '--output',
      'results.0.id',
      '--step-map',
      '1={"object":"people","filter":{"email_addresses":"{{row.email}}"}}',
      '--step-map',
      '2={"filters":[{"property":"email","operator":"EQ","value":"{{row.email}}"}]}',
    ]);
    expect(wf).toMatchObject({
      name: 'crm-record',
      output: 'results.0.id',
      steps: [
        { integration: 'attio', action: 'record.query' },
        { integration: 'hubspot', action: 'contact.search' },
      ],
    });
    expect(await sh.json<{ name: string }[]>(['waterfalls', 'list'])).toMatchObject([{ name: 'crm-record' }]);
    await sh.json(['columns', 'add', 'people', 'crm_id', '--waterfall', 'crm-record']);
    const searchesBefore = hubspot.requests.filter((r) => r.path === SEARCH).length;

    const report = await sh.json<RunReport>(['columns', 'run', 'people', 'crm_id']);
    expect(report).toMatchObject({ total: 3, sent: 3, synced: 3, failed: 0 });
    const [adaRow, graceRow, alanRow] = await allRows(sh, 'people');
    // Ada: Attio answered with nothing, HubSpot found her; both steps recorded.
    expect(adaRow!.cells.crm_id).toMatchObject({
      value: ada.id,
      error: null,
      provenance: {
        outputs: { sync_status: 'synced' },
        kind: 'waterfall',
        waterfall: 'crm-record',
        integration: 'hubspot',
        action: 'contact.search',
        steps: [
          {
            step: 1,
            integration: 'attio',
            action: 'record.query',
            outcome: 'empty',
            reason: 'returned no results.0.id',
          },
          { step: 2, integration: 'hubspot', action: 'contact.search', outcome: 'found', reason: null },
        ],
      },
    });
    // Grace: found by the first step; the second was not tried.
    expect(graceRow!.cells.crm_id!.value).toBe(grace.id);
    expect(graceRow!.cells.crm_id!.provenance.steps).toMatchObject([{ step: 1, outcome: 'found' }]);
    // Alan: both steps answered with nothing: a finished lookup with no value.
    expect(alanRow!.cells.crm_id).toMatchObject({
      value: null,
      provenance: { outputs: { sync_status: 'synced' }, steps: [{ outcome: 'empty' }, { outcome: 'empty' }] },
    });
    expect(hubspot.requests.filter((r) => r.path === SEARCH).length - searchesBefore).toBe(2);

    const shown = await sh.run(['tables', 'show', 'people']);
    expect(shown.stdout).toContain(`synced ${ada.id} (step 2 hubspot)`);
    expect(shown.stdout).toContain(`synced ${grace.id} (step 1 attio)`);
    expect(shown.stdout).toContain('synced, nothing found');

    // In use, the waterfall cannot be removed; after its column is, it can.
    const refused = await sh.run(['waterfalls', 'remove', 'crm-record']);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('Waterfall crm-record is used by people.crm_id');
    await sh.json(['columns', 'remove', 'people', 'crm_id']);
    await sh.json(['waterfalls', 'remove', 'crm-record']);
    expect(await sh.json(['waterfalls', 'list'])).toEqual([]);
  }, 60_000);

  it.concurrent('says what is wrong: unknown table, column, input field, row column, condition', async () => {
    const sandbox = await startHubSpotSandbox();
    sandboxes.push(sandbox);
    const home = tempHome();
    const sh = shell({ OXYGEN_HOME: home, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url });
    await connectHubSpot(sh, sandbox);
    const created = await sh.json<{
      name: string;
      columns: { name: string; kind: string }[];
      row_count: number;
    }>(['tables', 'create', 'people', '--columns', 'email,name']);
    expect(created).toMatchObject({
      name: 'people',
      row_count: 0,
      columns: [
        { name: 'email', kind: 'data' },
        { name: 'name', kind: 'data' },
      ],
    });
    const empty = await sh.run(['tables', 'show', 'people']);
    expect(empty.stdout).toContain('Table people has no rows.');
    await sh.json([
      'columns',
      'add',
      'people',
      'hubspot',
      '--integration',
      'hubspot',
      '--action',
      'contact.upsert',
      '--map',
      '{"email":"{{row.email}}"}',
    ]);
    expect(await sh.json<{ name: string; kind: string }[]>(['columns', 'list', 'people'])).toMatchObject([
      { name: 'hubspot', kind: 'action' },
    ]);

    const cases: [string[], number, RegExp][] = [
      [['tables', 'show', 'nope'], 4, /No table "nope" in organization default/],
      [['tables', 'export', 'nope', '--csv'], 4, /No table "nope"/],
      [['tables', 'import', 'people'], 2, /--csv <file> is required/],
      [['tables', 'import', 'nope', '--csv', join(home, 'missing.csv')], 4, /No CSV file at/],
      [['tables', 'create', 'people'], 5, /already has a table "people"/],
      [
        ['columns', 'run', 'people', 'nope'],
        4,
        /Table people has no column "nope"\. Its action and waterfall columns: hubspot/,
      ],
      [['columns', 'run', 'people', 'email'], 4, /"email" is a data column of table people/],
      [['columns', 'run', 'nope', 'hubspot'], 4, /No table "nope"/],
      [
        [
          'columns',
          'add',
          'people',
          'c2',
          '--integration',
          'hubspot',
          '--action',
          'contact.upsert',
          '--map',
          '{"emial":"{{row.email}}"}',
        ],
        2,
        /"emial" is not an input field of this action.*"email" is required/,
      ],
      [
        [
          'columns',
          'add',
          'people',
          'c2',
          '--integration',
          'hubspot',
          '--action',
          'contact.upsert',
          '--map',
          '{"email":"{{row.mail}}"}',
        ],
        2,
        /reads column the table does not have: mail/,
      ],
      [
        ['columns', 'add', 'people', 'c2', '--integration', 'hubspot', '--action', 'contact.nope'],
        4,
        /HubSpot has no action "contact.nope"/,
      ],
      [
        ['columns', 'add', 'people', 'c2', '--action', 'contact.upsert'],
        2,
        /needs --integration <integration-id>/,
      ],
      [
        ['columns', 'add', 'people', 'c2', '--waterfall', 'w', '--action', 'x'],
        2,
        /--waterfall cannot be combined with --action/,
      ],
      [
        [
          'columns',
          'add',
          'people',
          'c2',
          '--integration',
          'hubspot',
          '--action',
          'contact.upsert',
          '--map',
          '{',
        ],
        2,
        /--map is not valid JSON/,
      ],
      [
        ['columns', 'run', 'people', 'hubspot', '--where', 'country=FR'],
        2,
        /Row condition on "country": the table has no such column/,
      ],
      [['columns', 'run', 'people', 'hubspot', '--rows', 'row_nope'], 4, /Table people has no row row_nope/],
      [
        ['columns', 'run', 'people', 'hubspot', '--concurrency', '0'],
        2,
        /--concurrency must be a whole number from 1 to 32/,
      ],
      [
        ['waterfalls', 'create', 'w', '--step', 'hubspot', '--output', 'id'],
        2,
        /"hubspot" is not a step; write <integration>:<action>/,
      ],
      [['waterfalls', 'create', 'w', '--step', 'hubspot:contact.search'], 2, /--output <path> is required/],
      [
        ['waterfalls', 'create', 'w', '--step', 'hubspot:contact.search', '--output', 'nope'],
        2,
        /has no output field "nope"/,
      ],
      [['waterfalls', 'remove', 'nope'], 4, /No waterfall "nope"/],
    ];
    for (const [args, code, message] of cases) {
      for (const json of [false, true]) {
        const r = await sh.run(json ? [...args, '--json'] : args);
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
        expect(r.stdout).toBe('');
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).not.toMatch(/\n\s+at /);
        if (json) {
          const error = (JSON.parse(r.stderr) as { error: { message: string; hint?: string } }).error;
          expect(`${error.message} ${error.hint ?? ''}`).toMatch(message);
        } else expect(r.stderr).toMatch(message);
      }
    }

    // Through a shared server these commands refuse to run, saying so.
    const remote = await oxygen(['tables', 'list', '--json'], {
      env: { ...sh.env, OXYGEN_API_URL: 'http://127.0.0.1:9', OXYGEN_API_TOKEN: 'oxy_test' },
    });
    expect(remote.code).toBe(9);
    expect(JSON.parse(remote.stderr).error.message).toBe(
      'Tables, columns and waterfalls are local-only for now: `oxygen tables list` cannot run through the server at http://127.0.0.1:9.',
    );

    // Export of an empty table with --json is an empty array; removing the table removes it.
    expect(await sh.json(['tables', 'export', 'people'])).toEqual([]);
    await sh.json(['columns', 'remove', 'people', 'hubspot']);
    expect(await sh.json(['columns', 'list', 'people'])).toEqual([]);
    await sh.json(['tables', 'remove', 'people']);
    expect(await sh.json(['tables', 'list'])).toEqual([]);
  });
});

describe('the docs', () => {
  it('name only real table, column and waterfall commands and flags (skill and README)', async () => {
    const docs = ['../skills/oxygen/SKILL.md', '../README.md'].map((p) =>
      readFileSync(fileURLToPath(new URL(p, import.meta.url)), 'utf8'),
    );
    const lines = docs
      .flatMap((d) =>
        [...d.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.replace(/\\\n\s*/g, ' ').split('\n')),
      )
      .map((l) => l.trim())
      .filter((l) => /^oxygen (tables|columns|waterfalls) /.test(l));
    expect(lines.length).toBeGreaterThanOrEqual(15);
    const help = new Map<string, string>();
    for (const line of lines) {
      const [, group, sub] = /^oxygen (\S+) (\S+)/.exec(line)!;
      const key = `${group} ${sub}`;
      if (!help.has(key)) {
        const r = await oxygen([group!, sub!, '--help'], { env: { OXYGEN_HOME: tempHome() } });
        expect(r.code, `${key}: ${r.stderr}`).toBe(0);
        help.set(key, r.stdout);
      }
      // Flags outside quotes (a map's JSON is not a flag).
      const flags = line.replace(/'[^']*'/g, '').match(/--[a-z][a-z-]*/g) ?? [];
      for (const flag of flags.filter((f) => f !== '--json'))
        expect(help.get(key), `${line}`).toContain(flag);
    }
    expect([...help.keys()].sort()).toEqual(
      expect.arrayContaining([
        'columns add',
        'columns list',
        'columns remove',
        'columns run',
        'tables create',
        'tables export',
        'tables import',
        'tables list',
        'tables show',
        'waterfalls create',
        'waterfalls list',
        'waterfalls remove',
      ]),
    );
  });
});

/** Starts the CLI and lets the test signal it before it ends. */
function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): { process: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout, stderr, json: () => JSON.parse(stdout) as unknown }),
    );
  });
  return { process: child, done };
}
