/**
 * Tables, action columns, mirroring and waterfalls, run against each store dialect with fixture
 * plugins (Rolodex, a CRM with an upsert keyed by email; Prospector, a managed-mode data provider)
 * served by one HTTP server that counts what it receives.
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { AuthError, ConflictError, NotFoundError, OxygenError, ValidationError } from '@oxygen/core';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ColumnRunProgress,
  MAX_CELL_EVENTS,
  mirrorEventToCells,
  type OrgRuntime,
  type Runtime,
  type RuntimeOptions,
  type TableRow,
} from '../src/index.js';
import { startTablesServer, type TablesServer } from './fixtures/tables-server.js';
import { fixture } from './runtime.suite.js';

/** Opens a runtime on the store under test (the same store every time). */
export type OpenTablesRuntime = (
  options: Pick<RuntimeOptions, 'env' | 'plugins' | 'retry'>,
) => Promise<Runtime>;

/** How a child process opens the same store (to kill it mid-run). */
export interface ChildStore {
  home?: string;
  databaseUrl?: string;
  schema?: string;
  masterKey?: string;
}

const plugins = [fixture('rolodex'), fixture('prospector')];
const uniqueOrg = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

async function failure(promise: Promise<unknown>): Promise<OxygenError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e,
  );
  expect(OxygenError.isInstance(error), String(error)).toBe(true);
  return error as OxygenError;
}

/** A CSV of `n` leads; lead `i` is `lead<i>@example.com`. */
function leadsCsv(n: number, extra: (i: number) => string[] = () => []): string {
  const lines = ['email,first_name,last_name,company,employees'];
  for (let i = 1; i <= n; i++) {
    lines.push(
      [
        `lead${i}@example.com`,
        `First${i}`,
        `Last${i}`,
        `"Company ${i}, Inc."`,
        String(i % 50),
        ...extra(i),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function allRows(org: OrgRuntime, table: string): Promise<TableRow[]> {
  const out: TableRow[] = [];
  for await (const row of org.tables.export(table)) out.push(row);
  return out;
}

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Bundles a child-process script that imports `../src/...` (esbuild, from tsup). A `require` is
 * provided because got loads Node built-ins with it.
 */
async function bundleChild(source: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const esbuild = createRequire(require.resolve('tsup'))('esbuild') as {
    build(o: Record<string, unknown>): Promise<unknown>;
  };
  const outfile = join(
    here,
    '..',
    'node_modules',
    '.cache',
    'oxygen-tests',
    `tables-child-${randomBytes(6).toString('hex')}.mjs`,
  );
  await esbuild.build({
    stdin: { contents: source, resolveDir: here, loader: 'ts', sourcefile: 'child.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['better-sqlite3', 'pg'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'silent',
  });
  return outfile;
}

async function until<T>(read: () => T, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function describeTables(
  name: string,
  open: OpenTablesRuntime,
  child: ChildStore,
  /** Everything the store holds, as text, to search for leaked secrets. */
  dumpStore: (runtime: Runtime) => Promise<string>,
): void {
  describe(name, () => {
    let server: TablesServer;
    let runtime: Runtime;
    let env: NodeJS.ProcessEnv;
    const dir = mkdtempSync(join(tmpdir(), 'oxygen-tables-csv-'));
    const printed: string[] = [];

    beforeAll(async () => {
      server = await startTablesServer();
      env = {
        OXYGEN_PROVIDER_ROLODEX_BASE_URL: server.rolodexUrl,
        OXYGEN_PROVIDER_PROSPECTOR_BASE_URL: server.prospectorUrl,
        OXYGEN_MANAGED_PROSPECTOR_KEY: server.prospectorPlatformKey,
      };
      runtime = await open({ env, plugins, retry: { limit: 0 } });
    });
    afterAll(async () => {
      await runtime?.close();
      await server?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** An organization with Rolodex connected. */
    async function setup(prefix = 'tables') {
      const org = runtime.org(uniqueOrg(prefix));
      const rolodex = await org.connect('rolodex', { apiKey: server.rolodexKey });
      return { org, rolodex };
    }

    /** An organization with a `leads` table of `n` imported rows and a `crm_id` upsert column. */
    async function withLeads(n: number, prefix = 'leads') {
      const { org, rolodex } = await setup(prefix);
      const file = join(dir, `${org.organizationId}.csv`);
      writeFileSync(file, leadsCsv(n));
      const imported = await org.tables.importCsv('leads', file);
      await org.columns.add('leads', 'crm_id', {
        integration: 'rolodex',
        action: 'contact.upsert',
        map: {
          email: '{{row.email}}',
          first_name: '{{row.first_name}}',
          last_name: '{{row.last_name}}',
          company: '{{row.company}}',
        },
      });
      return { org, rolodex, imported, file };
    }

    describe('tables and rows', () => {
      it('creates, lists and shows a table; rows get stable ids and new keys become columns', async () => {
        const { org } = await setup();
        const created = await org.tables.create('people', { columns: ['email'] });
        expect(created).toMatchObject({
          name: 'people',
          organization_id: org.organizationId,
          columns: [{ name: 'email', kind: 'data' }],
          row_count: 0,
        });
        expect(created.id).toMatch(/^tbl_[0-9A-HJKMNP-TV-Z]{26}$/);
        const added = await org.tables.addRows('people', [
          { email: 'ada@example.com', score: 3 },
          { email: 'grace@example.com', tags: ['navy', 'cobol'], active: true },
          { email: 'alan@example.com' },
        ]);
        expect(added.ids).toHaveLength(3);
        for (const id of added.ids) expect(id).toMatch(/^row_[0-9A-HJKMNP-TV-Z]{26}$/);
        expect(added.new_columns).toEqual(['score', 'tags', 'active']);
        expect(added.table.columns.map((c) => c.name)).toEqual(['email', 'score', 'tags', 'active']);

        const page = await org.tables.show('people', { limit: 2 });
        expect(page.total).toBe(3);
        expect(page.rows.map((r) => r.id)).toEqual(added.ids.slice(0, 2));
        expect(page.rows[0]).toMatchObject({
          values: { email: 'ada@example.com', score: 3, tags: null, active: null },
          cells: {},
        });
        expect(page.rows[1]!.values.tags).toEqual(['navy', 'cobol']);
        const next = await org.tables.show('people', { limit: 2, after: page.next_cursor! });
        expect(next.rows.map((r) => r.id)).toEqual([added.ids[2]]);
        expect(next.next_cursor).toBeNull();
        const offset = await org.tables.show(created.id, { limit: 5, offset: 1 });
        expect(offset.rows.map((r) => r.id)).toEqual(added.ids.slice(1));
        expect(offset.offset).toBe(1);

        expect((await allRows(org, 'people')).map((r) => r.id)).toEqual(added.ids);
        expect(await org.tables.list()).toEqual([expect.objectContaining({ name: 'people', row_count: 3 })]);
        expect((await org.tables.row('people', added.ids[1]!)).values.email).toBe('grace@example.com');

        const updated = await org.tables.updateRow('people', added.ids[0]!, { score: 4, city: 'London' });
        expect(updated.id).toBe(added.ids[0]);
        expect(updated.values).toMatchObject({ email: 'ada@example.com', score: 4, city: 'London' });
        expect(await org.tables.deleteRows('people', [added.ids[2]!])).toEqual({ deleted: 1 });
        expect((await org.tables.get('people')).row_count).toBe(2);
      });

      it('refuses bad names, duplicates, unknown tables and rows with typed errors', async () => {
        const { org } = await setup();
        await org.tables.create('dup');
        expect(ConflictError.isInstance(await failure(org.tables.create('dup')))).toBe(true);
        const bad = await failure(org.tables.create('  '));
        expect(bad.code).toBe('validation');
        expect((await failure(org.tables.create('tbl_x'))).code).toBe('validation');
        const missing = await failure(org.tables.show('nope'));
        expect(NotFoundError.isInstance(missing)).toBe(true);
        expect(missing.message).toBe(`No table "nope" in organization ${org.organizationId}.`);
        expect(missing.hint).toContain('oxygen tables list');
        expect((await failure(org.tables.addRows('dup', [{ when: new Date() as never }]))).field).toBe(
          'rows.0.when',
        );
        expect((await failure(org.tables.row('dup', 'row_nope'))).code).toBe('not_found');
        expect((await failure(org.tables.show('dup', { limit: 0 }))).field).toBe('limit');
        expect((await failure(org.tables.deleteRows('dup', ['row_nope']))).code).toBe('not_found');
      });

      it('imports a 1,000-row CSV as a stream in batches, with quoted fields and a BOM', async () => {
        const { org } = await setup();
        const file = join(dir, 'thousand.csv');
        writeFileSync(file, `\uFEFF${leadsCsv(1000)}`);
        const progress: number[] = [];
        const result = await org.tables.importCsv('thousand', file, {
          batchSize: 300,
          onProgress: (n) => progress.push(n),
        });
        expect(result).toMatchObject({
          created: true,
          inserted: 1000,
          columns: ['email', 'first_name', 'last_name', 'company', 'employees'],
          new_columns: ['email', 'first_name', 'last_name', 'company', 'employees'],
          table: { name: 'thousand', row_count: 1000 },
        });
        expect(progress).toEqual([300, 600, 900, 1000]);
        const rows = await allRows(org, 'thousand');
        expect(rows).toHaveLength(1000);
        expect(rows[41]!.values).toEqual({
          email: 'lead42@example.com',
          first_name: 'First42',
          last_name: 'Last42',
          company: 'Company 42, Inc.',
          employees: '42',
        });

        // Importing into an existing table appends rows and new header columns; a stream works too.
        const more = await org.tables.importCsv(
          'thousand',
          Readable.from(['email,phone\n', 'x@example.com,"+44 20 7946 0000"\n', 'y@example.com,\n']),
        );
        expect(more).toMatchObject({ created: false, inserted: 2, new_columns: ['phone'] });
        expect(more.table.row_count).toBe(1002);
        const last = (await allRows(org, 'thousand')).at(-1)!;
        expect(last.values).toMatchObject({ email: 'y@example.com', phone: '', first_name: null });
      });

      it('keeps nothing from a CSV that turns out malformed, naming the line', async () => {
        const { org } = await setup();
        const bad = `${leadsCsv(700)}extra@example.com,A,B,C,1,surplus\n`;
        const error = await failure(org.tables.importCsv('broken', Readable.from([bad]), { batchSize: 100 }));
        expect(error.code).toBe('validation');
        expect(error.message).toBe('CSV line 702 has 6 fields; the header has 5.');
        expect(NotFoundError.isInstance(await failure(org.tables.get('broken')))).toBe(true);

        await org.tables.create('existing', { columns: ['email'] });
        await org.tables.addRows('existing', [{ email: 'keep@example.com' }]);
        const unclosed = await failure(
          org.tables.importCsv(
            'existing',
            Readable.from(['email,name\na@example.com,"Ada\nb@example.com,Bob\n']),
          ),
        );
        expect(unclosed.message).toMatch(/^The CSV is malformed/);
        const after = await org.tables.get('existing');
        expect(after.row_count).toBe(1);
        expect(after.columns.map((c) => c.name)).toEqual(['email']);

        expect(
          (await failure(org.tables.importCsv('dupes', Readable.from(['a,b,a\n1,2,3\n'])))).message,
        ).toBe('The CSV header names a more than once.');
        expect((await failure(org.tables.importCsv('empty', Readable.from([''])))).message).toMatch(
          /CSV is empty/,
        );
        expect((await failure(org.tables.importCsv('nofile', join(dir, 'missing.csv')))).code).toBe(
          'not_found',
        );
        expect(
          (await failure(org.tables.importCsv('nocreate', Readable.from(['a\n1\n']), { create: false })))
            .code,
        ).toBe('not_found');
      });
    });

    describe('action columns', () => {
      it('validates the map against the action input schema and the table, naming the field', async () => {
        const { org } = await setup();
        await org.tables.create('t', { columns: ['email', 'first_name', 'size'] });
        const add = (map: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
          failure(
            org.columns.add('t', 'crm', { integration: 'rolodex', action: 'contact.upsert', map, ...extra }),
          );

        const unknown = await add({ email: '{{row.email}}', firstname: '{{row.first_name}}' });
        expect(ValidationError.isInstance(unknown)).toBe(true);
        expect(unknown.field).toBe('firstname');
        expect(unknown.message).toContain('"firstname" is not an input field of this action');
        expect(unknown.message).toContain('first_name');

        const required = await add({ first_name: '{{row.first_name}}' });
        expect(required.field).toBe('email');
        expect(required.message).toContain('"email" is required by this action but the map does not set it');

        const columns = await add({ email: '{{row.mail}}', company: '{{row.org}} / {{row.email}}' });
        expect(columns.message).toBe(
          'The map for column crm (rolodex contact.upsert) reads columns the table does not have: mail, org.',
        );
        expect(columns.hint).toBe("The table's columns: email, first_name, size.");

        const template = await add({ email: '{{ email }}' });
        expect(template.field).toBe('email');
        expect(template.message).toContain('is not {{row.<column>}}');

        const constant = await add({ email: '{{row.email}}', employees: 'many' });
        expect(constant.field).toBe('employees');

        const output = await add({ email: '{{row.email}}' }, { output: 'contact.id' });
        expect(output.field).toBe('output');
        expect(output.message).toContain('has no output field "contact.id"');

        expect(
          (
            await failure(
              org.columns.add('t', 'x', { integration: 'rolodex', action: 'contact.nope', map: {} }),
            )
          ).code,
        ).toBe('not_found');
        expect(
          (
            await failure(
              org.columns.add('t', 'x', { integration: 'prospector', action: 'email.find', map: {} }),
            )
          ).code,
        ).toBe('not_found');
        expect(
          (
            await failure(
              org.columns.add('t', 'email', {
                integration: 'rolodex',
                action: 'contact.upsert',
                map: { email: '{{row.email}}' },
              }),
            )
          ).code,
        ).toBe('conflict');

        const ok = await org.columns.add('t', 'crm', {
          integration: 'rolodex',
          action: 'contact.upsert',
          map: { email: '{{row.email}}', employees: '{{row.size}}' },
        });
        expect(ok).toMatchObject({
          name: 'crm',
          kind: 'action',
          integration: 'rolodex',
          provider: 'rolodex',
          action: 'contact.upsert',
          record_label: 'rolodex_contact_id',
          output: null,
        });
        expect(await org.columns.list('t')).toEqual([ok]);
        expect((await org.tables.get('t')).columns.at(-1)).toEqual({ name: 'crm', kind: 'action' });
        // Data can no longer be written under the column's name.
        expect((await failure(org.tables.addRows('t', [{ crm: 'x' }]))).field).toBe('crm');
      });

      it('runs 1,000 imported rows: synced with the record id, the rejected email failed with the provider text, no duplicate on rerun', async () => {
        const { org, rolodex } = await withLeads(1000, 'run1000');
        server.reject.set(
          'lead500@example.com',
          'Email address lead500@example.com is on the suppression list.',
        );
        const before = server.upserts().length;
        const progress: ColumnRunProgress[] = [];
        const report = await org.columns.run('leads', 'crm_id', { onProgress: (p) => progress.push(p) });
        const rowsPerSecond = report.rows_per_second;
        console.log(
          `[${name}] 1,000-row column run against the fixture server: ${report.elapsed_ms} ms, ${rowsPerSecond} rows/s (concurrency 4; ${report.action_ms} ms inside action calls)`,
        );
        expect(report).toMatchObject({
          dry_run: false,
          total: 1000,
          sent: 1000,
          synced: 999,
          failed: 1,
          skipped: 0,
          remaining: 0,
          aborted: false,
          halted: null,
          credits: 0,
        });
        expect(report.failures).toEqual([
          {
            row_id: expect.stringMatching(/^row_/),
            error: 'Email address lead500@example.com is on the suppression list.',
            code: 'validation',
          },
        ]);
        expect(server.upserts().length - before).toBe(1000);
        expect(progress[0]).toMatchObject({ total: 1000, done: 0 });
        expect(progress.at(-1)).toMatchObject({
          total: 1000,
          done: 1000,
          synced: 999,
          failed: 1,
          running: 0,
        });

        const rows = await allRows(org, 'leads');
        const ids = new Set<string>();
        for (const row of rows) {
          const cell = row.cells.crm_id!;
          const email = row.values.email as string;
          if (email === 'lead500@example.com') continue;
          expect(cell.provenance.outputs.sync_status).toBe('synced');
          expect(cell.value).toBe(server.contacts.get(email)!.id);
          ids.add(cell.value!);
        }
        expect(ids.size).toBe(999);
        expect(server.contacts.size).toBe(999);

        const ok = rows[0]!.cells.crm_id!;
        expect(ok).toEqual({
          value: server.contacts.get('lead1@example.com')!.id,
          error: null,
          provenance: {
            outputs: { sync_status: 'synced', last_synced_at: expect.any(String) },
            kind: 'action',
            integration: 'rolodex',
            connection_id: rolodex.id,
            auth_mode: 'byok',
            action: 'contact.upsert',
            record_label: 'rolodex_contact_id',
            credits: 0,
            request_ids: [expect.stringMatching(/^req-rolodex-\d+$/)],
            duration_ms: expect.any(Number),
            input_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
            queued_at: expect.any(String),
            attempted_at: expect.any(String),
            error: null,
            events: [],
          },
        });
        expect(Date.parse(ok.provenance.outputs.last_synced_at!)).toBeGreaterThan(Date.now() - 60_000);
        const rejected = rows[499]!.cells.crm_id!;
        expect(rejected).toMatchObject({
          value: null,
          error: 'Email address lead500@example.com is on the suppression list.',
          provenance: {
            outputs: { sync_status: 'failed', last_synced_at: null },
            request_ids: [expect.stringMatching(/^req-rolodex-/)],
            error: {
              code: 'validation',
              status: 400,
              provider_message: 'Email address lead500@example.com is on the suppression list.',
              message:
                'Rolodex answered 400 Bad Request: Email address lead500@example.com is on the suppression list.',
            },
          },
        });
        // The mapped values reached the provider as mapped (a quoted CSV field included).
        expect(server.contacts.get('lead42@example.com')!.fields).toEqual({
          first_name: 'First42',
          last_name: 'Last42',
          company: 'Company 42, Inc.',
        });

        // A rerun sends only the failed row; synced rows with the same input are skipped.
        server.reject.delete('lead500@example.com');
        const sentBefore = server.upserts().length;
        const rerun = await org.columns.run('leads', 'crm_id');
        expect(rerun).toMatchObject({ total: 1000, sent: 1, synced: 1, failed: 0, skipped: 999 });
        expect(server.upserts().length - sentBefore).toBe(1);
        expect(server.contacts.size).toBe(1000);
        const fixed = (await org.tables.row('leads', rows[499]!.id)).cells.crm_id!;
        expect(fixed).toMatchObject({
          value: server.contacts.get('lead500@example.com')!.id,
          error: null,
          provenance: { outputs: { sync_status: 'synced' }, error: null },
        });

        // Forcing every row again is an upsert at the provider: same records, no duplicate.
        const forced = await org.columns.run('leads', 'crm_id', { force: true, concurrency: 8 });
        expect(forced).toMatchObject({ sent: 1000, synced: 1000, skipped: 0 });
        expect(server.contacts.size).toBe(1000);
        const again = await allRows(org, 'leads');
        expect(again.map((r) => r.cells.crm_id!.value)).toEqual(
          again.map((r) => server.contacts.get(r.values.email as string)!.id),
        );
        expect(server.contacts.get('lead1@example.com')!.updates).toBe(1);

        // The CSV export carries the mirrored cells.
        const text = await new Promise<string>((resolve, reject) => {
          let out = '';
          org.tables.exportCsv('leads').then((stream) => {
            stream.on('data', (d) => {
              out += d;
            });
            stream.on('end', () => resolve(out));
            stream.on('error', reject);
          }, reject);
        });
        const records = parse(text, { columns: true }) as Record<string, string>[];
        expect(records).toHaveLength(1000);
        expect(Object.keys(records[0]!)).toEqual([
          'email',
          'first_name',
          'last_name',
          'company',
          'employees',
          'crm_id',
          'crm_id.sync_status',
          'crm_id.last_synced_at',
          'crm_id.error',
        ]);
        expect(records[41]).toMatchObject({
          email: 'lead42@example.com',
          company: 'Company 42, Inc.',
          crm_id: server.contacts.get('lead42@example.com')!.id,
          'crm_id.sync_status': 'synced',
          'crm_id.error': '',
        });
        printed.push(JSON.stringify(rows.slice(0, 3)), JSON.stringify(report), text.slice(0, 2000));
      }, 120_000); // 2,000 action runs through the full runtime path; slow when CI runs every package at once

      it('re-sends a row whose mapped input changed, updating the same provider record', async () => {
        const { org } = await withLeads(5, 'changed');
        await org.columns.run('leads', 'crm_id');
        const rows = await allRows(org, 'leads');
        const id = rows[2]!.cells.crm_id!.value;
        const hash = rows[2]!.cells.crm_id!.provenance.input_hash;
        const before = server.upserts().length;
        await org.tables.updateRow('leads', rows[2]!.id, { first_name: 'Augusta' });
        // A column the map does not read changes nothing.
        await org.tables.updateRow('leads', rows[3]!.id, { employees: '7000' });
        const report = await org.columns.run('leads', 'crm_id');
        expect(report).toMatchObject({ sent: 1, synced: 1, skipped: 4, stale: 0 });
        expect(server.upserts().length - before).toBe(1);
        expect(JSON.parse(server.upserts().at(-1)!.body)).toMatchObject({
          email: 'lead3@example.com',
          first_name: 'Augusta',
        });
        const cell = (await org.tables.row('leads', rows[2]!.id)).cells.crm_id!;
        expect(cell.value).toBe(id);
        expect(cell.provenance.input_hash).not.toBe(hash);
        expect(server.contacts.get('lead3@example.com')!.fields.first_name).toBe('Augusta');
      });

      it('resumes an aborted run without re-sending the rows it finished', async () => {
        const { org } = await withLeads(200, 'abort');
        const before = server.upserts().length;
        const controller = new AbortController();
        server.delayMs = 3;
        server.maxInFlight = 0;
        server.onRequest = () => {
          if (server.upserts().length - before >= 60) controller.abort();
        };
        let first: Awaited<ReturnType<typeof org.columns.run>>;
        try {
          first = await org.columns.run('leads', 'crm_id', { signal: controller.signal });
        } finally {
          server.onRequest = undefined;
          server.delayMs = 0;
        }
        // Rows run 4 at a time (the default), never more.
        expect(server.maxInFlight).toBe(4);
        expect(first.aborted).toBe(true);
        expect(first.synced).toBeGreaterThanOrEqual(60);
        expect(first.synced).toBeLessThan(200);
        expect(first.remaining).toBe(200 - first.synced);
        const sentFirst = server.upserts().length - before;
        expect(sentFirst).toBe(first.synced);
        // Rows written `queued` that never started went back to having no cell.
        const cells = (await allRows(org, 'leads')).map((r) => r.cells.crm_id);
        expect(cells.filter((c) => c?.provenance.outputs.sync_status === 'synced')).toHaveLength(
          first.synced,
        );
        expect(cells.filter((c) => c === undefined)).toHaveLength(200 - first.synced);

        const second = await org.columns.run('leads', 'crm_id');
        expect(second).toMatchObject({
          skipped: first.synced,
          synced: 200 - first.synced,
          failed: 0,
          aborted: false,
        });
        expect(server.upserts().length - before).toBe(200);
        const perEmail = new Map<string, number>();
        for (const r of server.upserts().slice(before)) {
          const email = JSON.parse(r.body).email as string;
          perEmail.set(email, (perEmail.get(email) ?? 0) + 1);
        }
        expect(perEmail.size).toBe(200);
        expect([...perEmail.values()].every((n) => n === 1)).toBe(true);
      });

      it('resumes a run whose process was killed: queued rows are sent again, done rows are not', async () => {
        const { org } = await withLeads(120, 'killed');
        const script = await bundleChild(`
          import { createRuntime } from '../src/index.js';
          const [config, org] = [JSON.parse(process.argv[2]), process.argv[3]];
          const runtime = await createRuntime({
            home: config.home, databaseUrl: config.databaseUrl, schema: config.schema,
            plugins: config.plugins, retry: { limit: 0 },
            env: { ...process.env, ...config.env },
          });
          await runtime.org(org).columns.run('leads', 'crm_id', { concurrency: 4 });
          console.log('finished');
        `);
        const before = server.upserts().length;
        server.delayMs = 20;
        const config = {
          ...child,
          plugins,
          env: { ...env, ...(child.masterKey ? { OXYGEN_MASTER_KEY: child.masterKey } : {}) },
        };
        const proc = spawn(process.execPath, [script, JSON.stringify(config), org.organizationId], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let stderr = '';
        proc.stderr.on('data', (d) => {
          stderr += d;
        });
        const exited = new Promise<number | null>((r) => proc.on('close', (code) => r(code)));
        try {
          await until(
            () => server.upserts().length - before,
            (n) => n >= 40,
          );
          proc.kill('SIGKILL');
          expect(await exited, stderr).toBeNull();
        } finally {
          server.delayMs = 0;
          rmSync(script, { force: true });
        }
        await new Promise((r) => setTimeout(r, 50)); // answers to the dead process drain
        const sentByChild = server.upserts().length - before;
        const cells = (await allRows(org, 'leads')).map((r) => ({
          email: r.values.email as string,
          cell: r.cells.crm_id,
        }));
        const doneBefore = new Set(
          cells.filter((c) => c.cell?.provenance.outputs.sync_status === 'synced').map((c) => c.email),
        );
        const queued = cells.filter((c) => c.cell?.provenance.outputs.sync_status === 'queued');
        expect(doneBefore.size).toBeGreaterThan(0);
        expect(queued.length).toBeGreaterThan(0); // the killed run left its chunk queued
        expect(sentByChild).toBeLessThan(120);

        const resumed = await org.columns.run('leads', 'crm_id');
        expect(resumed).toMatchObject({ total: 120, skipped: doneBefore.size, failed: 0 });
        const counts = new Map<string, number>();
        for (const r of server.upserts().slice(before)) {
          const email = JSON.parse(r.body).email as string;
          counts.set(email, (counts.get(email) ?? 0) + 1);
        }
        // Rows stored as done were sent once; only rows in flight at the kill (at most 4) or
        // answered but not yet stored (at most one per worker) went twice.
        for (const email of doneBefore) expect(counts.get(email)).toBe(1);
        const twice = [...counts.values()].filter((n) => n > 1).length;
        expect(twice).toBeLessThanOrEqual(8);
        expect(counts.size).toBe(120);
        // Upserts: no duplicate record at the provider.
        expect([...server.contacts.keys()].filter((k) => k.startsWith('lead') && counts.has(k))).toHaveLength(
          120,
        );
        const final = (await allRows(org, 'leads')).map((r) => r.cells.crm_id!);
        expect(final.every((c) => c.provenance.outputs.sync_status === 'synced')).toBe(true);
      });

      it('dry-runs: the exact requests per row, nothing sent, nothing written', async () => {
        const { org } = await withLeads(3, 'dry');
        const rows = await allRows(org, 'leads');
        const before = server.requests.length;
        const dry = await org.columns.run('leads', 'crm_id', { dryRun: true });
        expect(server.requests.length).toBe(before);
        expect(dry).toMatchObject({ dry_run: true, table: 'leads', column: 'crm_id', total: 3, skipped: 0 });
        expect(dry.rows[0]).toEqual({
          row_id: rows[0]!.id,
          input: {
            email: 'lead1@example.com',
            first_name: 'First1',
            last_name: 'Last1',
            company: 'Company 1, Inc.',
          },
          requests: [
            {
              method: 'POST',
              url: `${server.rolodexUrl}/v1/contacts/upsert`,
              headers: expect.objectContaining({
                'x-api-key': expect.not.stringContaining(server.rolodexKey),
              }),
              body: {
                email: 'lead1@example.com',
                first_name: 'First1',
                last_name: 'Last1',
                company: 'Company 1, Inc.',
              },
            },
          ],
          credits: 0,
          error: null,
        });
        expect((await allRows(org, 'leads')).every((r) => Object.keys(r.cells).length === 0)).toBe(true);

        // After a real run, a dry run reports the rows it would skip.
        await org.columns.run('leads', 'crm_id');
        const after = await org.columns.run('leads', 'crm_id', { dryRun: true });
        expect(after).toMatchObject({ total: 3, skipped: 3, rows: [] });
        printed.push(JSON.stringify(dry));
      });

      it('runs only the rows asked for (ids, where, limit) and maps types from CSV text', async () => {
        const { org, rolodex } = await setup('filters');
        await org.tables.create('people');
        await org.tables.addRows('people', [
          {
            email: 'fr1@example.com',
            country: 'FR',
            size: '12',
            vip: 'TRUE',
            first: 'Ada',
            last: 'Lovelace',
          },
          { email: 'fr2@example.com', country: 'FR', size: '', vip: 'false', first: 'Émilie', last: '' },
          { email: 'us1@example.com', country: 'US', size: '3', vip: '', first: '', last: '' },
          { email: '', country: 'US', size: '1', vip: '', first: 'No', last: 'Email' },
        ]);
        await org.columns.add('people', 'crm', {
          integration: rolodex.id,
          action: 'contact.upsert',
          map: {
            email: '{{row.email}}',
            employees: '{{row.size}}',
            vip: '{{row.vip}}',
            company: '{{row.first}} {{row.last}}',
          },
        });
        const rows = await allRows(org, 'people');
        const before = server.upserts().length;
        const fr = await org.columns.run('people', 'crm', { where: { country: 'FR' } });
        expect(fr).toMatchObject({ total: 2, synced: 2 });
        const bodies = server
          .upserts()
          .slice(before)
          .map((r) => JSON.parse(r.body) as { email: string });
        expect(bodies.sort((x, y) => x.email.localeCompare(y.email))).toEqual([
          { email: 'fr1@example.com', employees: 12, vip: true, company: 'Ada Lovelace' },
          { email: 'fr2@example.com', vip: false, company: 'Émilie' },
        ]);
        const one = await org.columns.run('people', 'crm', { rows: [rows[2]!.id] });
        expect(one).toMatchObject({ total: 1, synced: 1 });
        // A row without an email fails validation before any request, naming the field.
        const rest = await org.columns.run('people', 'crm', {
          where: [{ column: 'crm.sync_status', op: 'empty' }],
        });
        expect(rest).toMatchObject({ total: 1, failed: 1 });
        const noEmail = (await org.tables.row('people', rows[3]!.id)).cells.crm!;
        expect(noEmail.error).toBe(
          'Invalid input for rolodex contact.upsert: "email" is required (expected string)',
        );
        expect(noEmail.provenance.error).toMatchObject({ code: 'validation', field: 'email' });
        expect(noEmail.provenance.request_ids).toEqual([]);
        expect(server.upserts().length - before).toBe(3);

        const limited = await org.columns.run('people', 'crm', { force: true, limit: 1 });
        expect(limited).toMatchObject({ total: 1, sent: 1 });

        expect((await failure(org.columns.run('people', 'crm', { rows: ['row_nope'] }))).code).toBe(
          'not_found',
        );
        const where = await failure(org.columns.run('people', 'crm', { where: { region: 'EU' } }));
        expect(where.field).toBe('where');
        expect(where.message).toBe('Row condition on "region": the table has no such column.');
        expect((await failure(org.columns.run('people', 'crm', { concurrency: 0 }))).field).toBe(
          'concurrency',
        );
        expect((await failure(org.columns.run('people', 'nope'))).code).toBe('not_found');
        expect((await failure(org.columns.run('people', 'email'))).message).toBe(
          '"email" is a data column of table people, not an action or waterfall column.',
        );
      });

      it('feeds one column into another: a note on the contact id the upsert mirrored', async () => {
        const { org } = await withLeads(3, 'chain');
        await org.columns.run('leads', 'crm_id');
        await org.columns.add('leads', 'note', {
          integration: 'rolodex',
          action: 'note.create',
          map: { contact_id: '{{row.crm_id}}', body: 'Imported lead {{row.first_name}}' },
        });
        const report = await org.columns.run('leads', 'note');
        expect(report).toMatchObject({ synced: 3, failed: 0 });
        const rows = await allRows(org, 'leads');
        const note = server.notes.find((n) => n.contact_id === rows[1]!.cells.crm_id!.value)!;
        expect(note.body).toBe('Imported lead First2');
        expect(rows[1]!.cells.note).toMatchObject({
          value: note.id,
          provenance: { record_label: 'rolodex_note_id' },
        });

        // note.create is not an upsert: a changed input is reported stale, not sent (a second note).
        await org.tables.updateRow('leads', rows[1]!.id, { first_name: 'Second' });
        const notes = server.notes.length;
        const stale = await org.columns.run('leads', 'note');
        expect(stale).toMatchObject({ total: 3, sent: 0, skipped: 3, stale: 1 });
        expect(server.notes.length).toBe(notes);
        const dry = await org.columns.run('leads', 'note', { dryRun: true });
        expect(dry).toMatchObject({ skipped: 3, stale: 1, rows: [] });
        // The upsert column, by contrast, sends the changed row again.
        expect(await org.columns.run('leads', 'crm_id')).toMatchObject({ sent: 1, stale: 0 });
        const forced = await org.columns.run('leads', 'note', { force: true, rows: [rows[1]!.id] });
        expect(forced).toMatchObject({ sent: 1, synced: 1 });
        expect(server.notes.at(-1)!.body).toBe('Imported lead Second');
      });

      it('stops at an error every row would repeat (the key revoked), reporting it', async () => {
        const { org } = await withLeads(40, 'revoked');
        server.revoked = true;
        let report: Awaited<ReturnType<typeof org.columns.run>>;
        try {
          report = await org.columns.run('leads', 'crm_id', { concurrency: 2 });
        } finally {
          server.revoked = false;
        }
        expect(report.halted).toMatchObject({ code: 'auth', status: 401 });
        expect(report.failed).toBeLessThanOrEqual(2);
        expect(report.remaining).toBe(40 - report.failed);
        const cells = (await allRows(org, 'leads')).map((r) => r.cells.crm_id);
        expect(cells.filter((c) => c?.provenance.outputs.sync_status === 'failed')[0]?.error).toBe(
          'The API key is invalid or was revoked.',
        );
        expect(cells.filter((c) => c === undefined)).toHaveLength(40 - report.failed);

        await org.disconnect('rolodex');
        const disconnected = await failure(org.columns.run('leads', 'crm_id'));
        expect(AuthError.isInstance(disconnected)).toBe(true);
        expect(disconnected.hint).toContain('oxygen integrations connect rolodex');
      });
    });

    describe('mirroring provider events', () => {
      it('appends events about a mirrored record to its cell, by record id or lead email', async () => {
        const { org, rolodex } = await withLeads(3, 'mirror');
        await org.columns.run('leads', 'crm_id');
        const rows = await allRows(org, 'leads');
        const id = rows[0]!.cells.crm_id!.value!;
        const event = {
          id: `evt_${randomBytes(8).toString('hex')}`,
          source: 'rolodex',
          type: 'contact.deleted',
          occurred_at: '2026-11-25T10:00:00.000Z',
          organization_id: org.organizationId,
          connection_id: rolodex.id,
          data: { object_id: id, change_flag: 'DELETED' },
        };
        const result = await mirrorEventToCells(runtime.store, event);
        expect(result.cells).toEqual([expect.objectContaining({ row_id: rows[0]!.id })]);
        await mirrorEventToCells(runtime.store, event); // a replay adds nothing
        const reply = {
          ...event,
          id: `evt_${randomBytes(8).toString('hex')}`,
          type: 'email.reply_received',
          occurred_at: '2026-11-25T11:00:00.000Z',
          data: { lead_email: 'LEAD2@example.com', reply_text: 'Interested!' },
        };
        expect((await org.tables.applyEvent(reply)).cells).toHaveLength(1);

        const after = await allRows(org, 'leads');
        expect(after[0]!.cells.crm_id!.provenance.events).toEqual([
          { type: 'contact.deleted', at: '2026-11-25T10:00:00.000Z', event_id: event.id },
        ]);
        expect(after[1]!.cells.crm_id!.provenance.events).toEqual([
          { type: 'email.reply_received', at: '2026-11-25T11:00:00.000Z', event_id: reply.id },
        ]);
        expect(after[2]!.cells.crm_id!.provenance.events).toEqual([]);
        // The mirroring shape itself is untouched.
        expect(after[0]!.cells.crm_id!.provenance.outputs.sync_status).toBe('synced');

        // Another connection's (or organization's) event with the same id matches nothing.
        expect(
          (
            await mirrorEventToCells(runtime.store, {
              ...event,
              id: 'evt_other',
              connection_id: 'conn_other',
            })
          ).cells,
        ).toEqual([]);
        expect(
          (
            await mirrorEventToCells(runtime.store, {
              ...event,
              id: 'evt_other2',
              organization_id: 'someone-else',
            })
          ).cells,
        ).toEqual([]);
        expect(
          (await failure(org.tables.applyEvent({ ...event, organization_id: 'someone-else' }))).code,
        ).toBe('validation');

        // A rerun of the column keeps the events; the list keeps the newest MAX_CELL_EVENTS.
        for (let i = 0; i < MAX_CELL_EVENTS + 5; i++) {
          await mirrorEventToCells(runtime.store, {
            ...event,
            id: `evt_many_${i}_${org.organizationId}`,
            type: 'contact.property_changed',
            occurred_at: new Date(Date.UTC(2026, 11, 1, 0, i)).toISOString(),
          });
        }
        await org.columns.run('leads', 'crm_id', { force: true, rows: [rows[0]!.id] });
        const events = (await org.tables.row('leads', rows[0]!.id)).cells.crm_id!.provenance.events;
        expect(events).toHaveLength(MAX_CELL_EVENTS);
        expect(events.at(-1)!.event_id).toBe(`evt_many_${MAX_CELL_EVENTS + 4}_${org.organizationId}`);
      });
    });

    describe('waterfalls', () => {
      async function setupWaterfall() {
        const { org, rolodex } = await setup('wf');
        const managed = await org.connect('prospector', { authMode: 'managed' });
        await org.credits.grant(100, 'waterfall test');
        const suffix = org.organizationId;
        const domain = (d: string) => `${d}-${suffix}.test`;
        await org.tables.create('people');
        const { ids } = await org.tables.addRows('people', [
          { name: 'Ada Lovelace', domain: domain('analytical') }, // only Rolodex knows her
          { name: 'Grace Hopper', domain: domain('navy') }, // Prospector knows her
          { name: 'Alan Turing', domain: domain('bletchley') }, // Prospector fails, Rolodex knows nobody
          { name: 'Nobody Known', domain: domain('void') }, // both answer empty
        ]);
        server.rolodexPeople.set(`Ada Lovelace|${domain('analytical')}`, 'ada@analytical.test');
        server.prospectorPeople.set(`Grace Hopper|${domain('navy')}`, 'grace@navy.test');
        server.failing.add(domain('bletchley'));
        return { org, rolodex, managed, ids, domain };
      }

      it('falls through empty and failed steps, recording every step, charging managed steps only', async () => {
        const { org, rolodex, managed, ids, domain } = await setupWaterfall();
        const wf = await org.waterfalls.create('work-email', {
          output: 'email',
          steps: [
            {
              integration: 'prospector',
              action: 'email.find',
              map: { full_name: '{{row.name}}', company_domain: '{{row.domain}}' },
            },
            { integration: 'rolodex', action: 'email.find' },
          ],
        });
        expect(wf).toMatchObject({
          id: expect.stringMatching(/^wf_/),
          name: 'work-email',
          output: 'email',
          steps: [
            { integration: 'prospector', provider: 'prospector', action: 'email.find' },
            { integration: 'rolodex', provider: 'rolodex', action: 'email.find' },
          ],
        });
        expect(await org.waterfalls.list()).toEqual([wf]);
        const column = await org.columns.add('people', 'work_email', {
          waterfall: 'work-email',
          map: { name: '{{row.name}}', domain: '{{row.domain}}' },
        });
        expect(column).toMatchObject({ kind: 'waterfall', waterfall: 'work-email', waterfall_id: wf.id });

        const balance = (await org.credits.balance()).balance;
        const before = server.requests.length;
        const report = await org.columns.run('people', 'work_email');
        expect(report).toMatchObject({ total: 4, synced: 3, failed: 1, credits: 6 });
        expect((await org.credits.balance()).balance).toBe(balance - 6);
        const sent = server.requests.slice(before);
        expect(sent.filter((r) => r.provider === 'prospector').every((r) => r.auth === 'managed')).toBe(true);
        expect(sent.filter((r) => r.provider === 'prospector')).toHaveLength(4);
        expect(sent.filter((r) => r.provider === 'rolodex')).toHaveLength(3); // Grace stopped at step 1

        const cells = new Map((await allRows(org, 'people')).map((r) => [r.id, r.cells.work_email!]));
        const ada = cells.get(ids[0]!)!;
        expect(ada).toMatchObject({
          value: 'ada@analytical.test',
          error: null,
          provenance: {
            outputs: { sync_status: 'synced', last_synced_at: expect.any(String) },
            kind: 'waterfall',
            waterfall: 'work-email',
            integration: 'rolodex',
            connection_id: rolodex.id,
            auth_mode: 'byok',
            action: 'email.find',
            record_label: 'email',
            credits: 2,
            steps: [
              {
                step: 1,
                integration: 'prospector',
                connection_id: managed.id,
                auth_mode: 'managed',
                action: 'email.find',
                outcome: 'empty',
                reason: 'returned no email',
                credits: 2,
                request_ids: [expect.stringMatching(/^req-prospector-/)],
              },
              {
                step: 2,
                integration: 'rolodex',
                auth_mode: 'byok',
                outcome: 'found',
                reason: null,
                credits: 0,
              },
            ],
          },
        });
        expect(ada.provenance.request_ids).toHaveLength(2);
        // Each step got its own map's input (rows run concurrently: find Ada's requests).
        expect(sent.filter((r) => r.provider === 'prospector').map((r) => JSON.parse(r.body))).toContainEqual(
          { full_name: 'Ada Lovelace', company_domain: domain('analytical') },
        );
        expect(sent.filter((r) => r.provider === 'rolodex').map((r) => r.path)).toContain(
          `/v1/emails/find?name=Ada+Lovelace&domain=${domain('analytical')}`,
        );

        const grace = cells.get(ids[1]!)!;
        expect(grace.value).toBe('grace@navy.test');
        expect(grace.provenance).toMatchObject({
          integration: 'prospector',
          auth_mode: 'managed',
          credits: 2,
        });
        expect(grace.provenance.steps).toHaveLength(1);

        const alan = cells.get(ids[2]!)!;
        expect(alan).toMatchObject({
          value: null,
          error:
            'No step returned email: step 1 prospector email.find: Upstream lookup failed.; step 2 rolodex email.find: returned no email',
          provenance: {
            outputs: { sync_status: 'failed', last_synced_at: null },
            credits: 0, // the failed managed call was refunded
            steps: [
              {
                outcome: 'failed',
                reason: 'Upstream lookup failed.',
                credits: 0,
                error: { code: 'provider', status: 500 },
              },
              { outcome: 'empty', reason: 'returned no email' },
            ],
          },
        });

        const nobody = cells.get(ids[3]!)!;
        expect(nobody).toMatchObject({
          value: null,
          error: null,
          provenance: {
            outputs: { sync_status: 'synced' },
            credits: 2,
            steps: [{ outcome: 'empty' }, { outcome: 'empty' }],
          },
        });

        // A rerun only retries the failed row.
        server.failing.delete(domain('bletchley'));
        const rerun = await org.columns.run('people', 'work_email');
        expect(rerun).toMatchObject({ total: 4, skipped: 3, synced: 1, failed: 0, credits: 2 });

        // The waterfall is in use: it cannot be removed until the column is.
        expect((await failure(org.waterfalls.remove('work-email'))).message).toBe(
          'Waterfall work-email is used by people.work_email.',
        );
        await org.columns.remove('people', 'work_email');
        expect((await org.waterfalls.remove(wf.id)).id).toBe(wf.id);
      });

      it('dry-runs every step of a waterfall', async () => {
        const { org, ids } = await setupWaterfall();
        await org.waterfalls.create('wf', {
          output: 'email',
          steps: [
            {
              integration: 'prospector',
              action: 'email.find',
              map: { full_name: '{{row.name}}', company_domain: '{{row.domain}}' },
            },
            {
              integration: 'rolodex',
              action: 'email.find',
              map: { name: '{{row.name}}', domain: '{{row.domain}}' },
            },
          ],
        });
        await org.columns.add('people', 'found', { waterfall: 'wf' });
        const before = server.requests.length;
        const dry = await org.columns.run('people', 'found', { dryRun: true, rows: [ids[0]!] });
        expect(server.requests.length).toBe(before);
        expect(dry.rows).toEqual([
          {
            row_id: ids[0],
            credits: 2,
            error: null,
            steps: [
              expect.objectContaining({
                step: 1,
                integration: 'prospector',
                credits: 2,
                requests: [expect.objectContaining({ method: 'POST' })],
              }),
              expect.objectContaining({
                step: 2,
                integration: 'rolodex',
                credits: 0,
                requests: [expect.objectContaining({ method: 'GET' })],
              }),
            ],
          },
        ]);
      });

      it('validates waterfalls: steps, output field, maps', async () => {
        const { org } = await setupWaterfall();
        expect((await failure(org.waterfalls.create('w', { output: 'email', steps: [] }))).field).toBe(
          'steps',
        );
        const output = await failure(
          org.waterfalls.create('w', {
            output: 'phone',
            steps: [{ integration: 'rolodex', action: 'email.find' }],
          }),
        );
        expect(output.field).toBe('output');
        expect(output.message).toBe(
          'Rolodex email.find has no output field "phone" (at "phone"; it has: email).',
        );
        const map = await failure(
          org.waterfalls.create('w', {
            output: 'email',
            steps: [
              {
                integration: 'rolodex',
                action: 'email.find',
                map: { name: '{{row.name}}', domian: '{{row.domain}}' },
              },
            ],
          }),
        );
        expect(map.field).toBe('domian');
        expect(
          (
            await failure(
              org.waterfalls.create('w', {
                output: 'email',
                steps: [{ integration: 'rolodex', action: 'nope' }],
              }),
            )
          ).code,
        ).toBe('not_found');
        await org.waterfalls.create('w', {
          output: 'email',
          steps: [{ integration: 'rolodex', action: 'email.find' }],
        });
        expect(
          (
            await failure(
              org.waterfalls.create('w', {
                output: 'email',
                steps: [{ integration: 'rolodex', action: 'email.find' }],
              }),
            )
          ).code,
        ).toBe('conflict');
        // A step without a map needs the column's; the column's map is checked against each step.
        expect((await failure(org.columns.add('people', 'c', { waterfall: 'w' }))).field).toBe('map');
        const cols = await failure(
          org.columns.add('people', 'c', {
            waterfall: 'w',
            map: { name: '{{row.name}}', domain: '{{row.site}}' },
          }),
        );
        expect(cols.message).toContain('reads column the table does not have: site');
        expect((await failure(org.columns.add('people', 'c', { waterfall: 'nope' }))).code).toBe('not_found');
      });
    });

    describe('organization isolation', () => {
      it("never shows, runs or mirrors into another organization's tables", async () => {
        const a = await withLeads(2, 'iso-a');
        await a.org.columns.run('leads', 'crm_id');
        const b = await setup('iso-b');
        const tableA = await a.org.tables.get('leads');
        const attempts: (() => Promise<unknown>)[] = [
          () => b.org.tables.show('leads'),
          () => b.org.tables.show(tableA.id),
          () => b.org.tables.get(tableA.id),
          () => b.org.tables.export(tableA.id).next(),
          () => b.org.columns.run(tableA.id, 'crm_id'),
          () => b.org.columns.list(tableA.id),
          () => b.org.tables.remove(tableA.id),
          () => b.org.tables.addRows(tableA.id, [{ email: 'x' }]),
          () => b.org.tables.exportCsv(tableA.id),
          () => b.org.tables.cells(tableA.id, 'crm_id'),
        ];
        for (const attempt of attempts) expect(NotFoundError.isInstance(await failure(attempt()))).toBe(true);
        const rowA = (await allRows(a.org, 'leads'))[0]!;
        expect((await failure(b.org.tables.row('leads', rowA.id))).code).toBe('not_found');
        // The same name is free in another organization.
        await b.org.tables.create('leads');
        expect(await b.org.tables.list()).toEqual([expect.objectContaining({ name: 'leads', row_count: 0 })]);
        // B's event about A's record id (through B's own connection) touches nothing of A's.
        const mirrored = await mirrorEventToCells(runtime.store, {
          id: 'evt_iso',
          type: 'contact.deleted',
          occurred_at: new Date().toISOString(),
          organization_id: b.org.organizationId,
          connection_id: b.rolodex.id,
          data: { object_id: rowA.cells.crm_id!.value },
        });
        expect(mirrored.cells).toEqual([]);
        expect((await a.org.tables.get('leads')).row_count).toBe(2);
      });
    });

    it('never stores or prints a credential', async () => {
      const dump = await dumpStore(runtime);
      for (const secret of [server.rolodexKey, server.prospectorKey, server.prospectorPlatformKey]) {
        expect(dump).not.toContain(secret);
        for (const text of printed) expect(text).not.toContain(secret);
      }
      expect(printed.length).toBeGreaterThan(2);
    });
  });
}
