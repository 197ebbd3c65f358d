/**
 * One behavioural suite for the store, run against every dialect (see store.sqlite.test.ts and
 * store.postgres.test.ts). `open` must open the same, initially empty, database each time.
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConflictError, NotFoundError, ValidationError } from '@oxygen/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_NAMES, type NewConnection, newId, type Store } from '../src/store/index.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Registers the store suite under `name`. */
export function describeStore(name: string, open: () => Promise<Store>): void {
  describe(name, () => {
    let store: Store;
    let concurrent: Store[] = [];

    beforeAll(async () => {
      // The database is fresh: these opens race to create and migrate it.
      concurrent = await Promise.all([open(), open(), open()]);
      store = concurrent[0]!;
    });
    afterAll(async () => {
      await Promise.all(concurrent.map((s) => s.close()));
    });

    const conn = (org: string, extra: Partial<NewConnection> = {}): NewConnection => ({
      id: newId('conn'),
      organization_id: org,
      provider: 'hubspot',
      auth_mode: 'byok',
      ...extra,
    });
    const freshOrg = async () => (await store.organizations.ensure(newId('org'))).id;

    it('opens concurrently on a fresh database; every store works', async () => {
      const ids = await Promise.all(
        concurrent.map((s) => s.organizations.ensure(newId('org')).then((o) => o.id)),
      );
      for (const s of concurrent) {
        for (const id of ids) expect(await s.organizations.get(id)).toMatchObject({ id });
      }
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        store.db,
      );
      expect(rows.map((r) => r.name)).toEqual(MIGRATION_NAMES);
    });

    it('opens again without redoing migrations (idempotent) and sees the same data', async () => {
      const org = await store.organizations.ensure(newId('org'), 'Acme');
      const row = await store.connections.insert(conn(org.id));
      for (let i = 0; i < 2; i++) {
        const again = await open();
        try {
          expect(again.dialect).toBe(store.dialect);
          expect(await again.organizations.get(org.id)).toEqual(org);
          expect(await again.connections.get(org.id, row.id)).toEqual(row);
          const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(again.db);
          expect(rows.map((r) => r.name).sort()).toEqual(MIGRATION_NAMES);
        } finally {
          await again.close();
        }
      }
    });

    it('organizations: ensure creates once and keeps the first name; get and list', async () => {
      const id = newId('org');
      expect(await store.organizations.get(id)).toBeUndefined();
      const created = await store.organizations.ensure(id, 'First');
      expect(created).toEqual({ id, name: 'First', created_at: expect.stringMatching(/Z$/) });
      expect(await store.organizations.ensure(id, 'Second')).toEqual(created);
      expect((await store.organizations.ensure(newId('org'))).name).toMatch(/^org_/);
      const list = await store.organizations.list();
      expect(list).toContainEqual(created);
      const sorted = [...list].sort((a, b) =>
        a.created_at === b.created_at ? (a.id < b.id ? -1 : 1) : a.created_at < b.created_at ? -1 : 1,
      );
      expect(list).toEqual(sorted);
    });

    it('connections: insert fills defaults; get round-trips with nulls and empty scopes', async () => {
      const org = await freshOrg();
      const before = new Date().toISOString();
      const row = await store.connections.insert(conn(org));
      expect(row).toEqual({
        id: row.id,
        organization_id: org,
        provider: 'hubspot',
        auth_mode: 'byok',
        status: 'connected',
        account_label: null,
        scopes: [],
        connected_at: expect.any(String),
        last_verified_at: null,
        last_error: null,
        expires_at: null,
        credential: null,
      });
      expect(row.connected_at >= before).toBe(true);
      expect(row.connected_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(await store.connections.get(org, row.id)).toEqual(row);
      expect(await store.connections.get(org, 'conn_missing')).toBeUndefined();
    });

    it('connections: every field round-trips, scopes as an array, timestamps as ISO UTC', async () => {
      const org = await freshOrg();
      const row = await store.connections.insert(
        conn(org, {
          provider: 'attio',
          auth_mode: 'managed',
          status: 'error',
          account_label: 'Acme workspace',
          scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'ünïcødé'],
          connected_at: '2026-01-02T03:04:05+02:00',
          last_verified_at: '2026-01-02T01:04:06.000Z',
          last_error: 'HTTP 500 from attio',
          credential: 'v1.abc.def.ghi.jkl',
          expires_at: '2026-03-03T05:00:00+02:00',
        }),
      );
      expect(row).toMatchObject({
        provider: 'attio',
        auth_mode: 'managed',
        status: 'error',
        account_label: 'Acme workspace',
        scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'ünïcødé'],
        connected_at: '2026-01-02T01:04:05.000Z',
        last_verified_at: '2026-01-02T01:04:06.000Z',
        last_error: 'HTTP 500 from attio',
        credential: 'v1.abc.def.ghi.jkl',
        expires_at: '2026-03-03T03:00:00.000Z',
      });
      expect(await store.connections.get(org, row.id)).toEqual(row);
    });

    it('connections: list is ordered by connected_at then id, and filters by provider and status', async () => {
      const org = await freshOrg();
      const late = await store.connections.insert(conn(org, { connected_at: '2026-03-01T00:00:00.000Z' }));
      const early = await store.connections.insert(
        conn(org, { provider: 'instantly', connected_at: '2026-01-01T00:00:00.000Z', status: 'expired' }),
      );
      const tieA = await store.connections.insert(conn(org, { connected_at: '2026-02-01T00:00:00.000Z' }));
      const tieB = await store.connections.insert(conn(org, { connected_at: '2026-02-01T00:00:00.000Z' }));
      expect(tieA.id < tieB.id).toBe(true);
      const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
      expect(ids(await store.connections.list(org))).toEqual([early.id, tieA.id, tieB.id, late.id]);
      expect(ids(await store.connections.list(org, { provider: 'hubspot' }))).toEqual([
        tieA.id,
        tieB.id,
        late.id,
      ]);
      expect(ids(await store.connections.list(org, { status: 'expired' }))).toEqual([early.id]);
      expect(await store.connections.list(org, { provider: 'hubspot', status: 'expired' })).toEqual([]);
      expect(await store.connections.list(newId('org'))).toEqual([]);
    });

    it('connections: update patches only the given fields; null clears; unknown row gives undefined', async () => {
      const org = await freshOrg();
      const row = await store.connections.insert(
        conn(org, { account_label: 'portal 1', scopes: ['a'], credential: 'v1.k.old' }),
      );
      const failed = await store.connections.update(org, row.id, {
        status: 'error',
        last_error: 'HTTP 401',
        scopes: ['a', 'b'],
      });
      expect(failed).toEqual({ ...row, status: 'error', last_error: 'HTTP 401', scopes: ['a', 'b'] });
      const verified = await store.connections.update(org, row.id, {
        status: 'connected',
        last_error: null,
        last_verified_at: '2026-05-05T05:05:05.000Z',
        account_label: null,
        credential: 'v1.k.new',
        expires_at: '2026-07-04T05:05:05.000Z',
      });
      expect(verified).toEqual({
        ...row,
        status: 'connected',
        scopes: ['a', 'b'],
        last_error: null,
        account_label: null,
        last_verified_at: '2026-05-05T05:05:05.000Z',
        credential: 'v1.k.new',
        expires_at: '2026-07-04T05:05:05.000Z',
      });
      const disconnected = await store.connections.update(org, row.id, {
        status: 'disconnected',
        credential: null,
        expires_at: null,
      });
      expect(disconnected?.credential).toBeNull();
      expect(disconnected?.expires_at).toBeNull();
      expect(await store.connections.update(org, row.id, {})).toEqual(disconnected);
      expect(await store.connections.get(org, row.id)).toEqual(disconnected);
      expect(await store.connections.update(org, 'conn_missing', { status: 'error' })).toBeUndefined();
    });

    it('isolates organizations: B cannot get, list or update A’s connection', async () => {
      const a = await freshOrg();
      const b = await freshOrg();
      const row = await store.connections.insert(conn(a, { credential: 'v1.secret.envelope' }));
      await store.connections.insert(conn(b, { provider: 'attio' }));
      expect(await store.connections.get(b, row.id)).toBeUndefined();
      expect((await store.connections.list(b)).map((r) => r.id)).not.toContain(row.id);
      expect(await store.connections.list(b, { provider: 'hubspot' })).toEqual([]);
      expect(
        await store.connections.update(b, row.id, { status: 'disconnected', credential: null }),
      ).toBeUndefined();
      expect(await store.connections.get(a, row.id)).toEqual(row);
      expect((await store.connections.list(a)).map((r) => r.id)).toEqual([row.id]);
    });

    it('rejects bad writes with typed errors', async () => {
      const org = await freshOrg();
      const missingOrg = newId('org');
      await expect(store.connections.insert(conn(missingOrg))).rejects.toSatisfy(NotFoundError.isInstance);
      const row = await store.connections.insert(conn(org));
      await expect(store.connections.insert(conn(org, { id: row.id }))).rejects.toSatisfy(
        ConflictError.isInstance,
      );
      const bad = [
        conn(org, { status: 'fine' as never }),
        conn(org, { auth_mode: 'oauth' as never }),
        conn(org, { scopes: 'a b' as never }),
        conn(org, { connected_at: 'yesterday' }),
        conn(org, { expires_at: 'in 60 days' }),
        conn(org, { id: '' }),
      ];
      for (const b of bad)
        await expect(store.connections.insert(b)).rejects.toSatisfy(ValidationError.isInstance);
      await expect(store.connections.update(org, row.id, { status: 'gone' as never })).rejects.toSatisfy(
        ValidationError.isInstance,
      );
      expect(await store.connections.get(org, row.id)).toEqual(row);
    });

    it('transactions commit on success and roll back when the function throws', async () => {
      const org = await freshOrg();
      const committed = await store.transaction(async (tx) => {
        const row = await tx.connections.insert(conn(org));
        await tx.connections.update(org, row.id, { status: 'error', last_error: 'x' });
        return row.id;
      });
      expect((await store.connections.get(org, committed))?.status).toBe('error');

      const orgB = newId('org');
      let inside: string | undefined;
      await expect(
        store.transaction(async (tx) => {
          await tx.organizations.ensure(orgB);
          const row = await tx.connections.insert(conn(orgB));
          inside = row.id;
          await tx.connections.update(org, committed, { status: 'connected', last_error: null });
          expect(await tx.connections.get(orgB, row.id)).toEqual(row);
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(inside).toBeDefined();
      expect(await store.organizations.get(orgB)).toBeUndefined();
      expect(await store.connections.get(orgB, inside!)).toBeUndefined();
      expect((await store.connections.get(org, committed))?.status).toBe('error');
    });

    it('nested transactions join the outer one, and the whole rolls back together', async () => {
      const org = await freshOrg();
      let id = '';
      await expect(
        store.transaction((tx) =>
          tx.transaction(async (inner) => {
            id = (await inner.connections.insert(conn(org))).id;
            throw new Error('inner');
          }),
        ),
      ).rejects.toThrow('inner');
      expect(await store.connections.get(org, id)).toBeUndefined();
      await expect(store.transaction((tx) => tx.close())).rejects.toSatisfy(ValidationError.isInstance);
    });

    it('exposes its Kysely instance for later features', async () => {
      const org = await freshOrg();
      const { rows } = await sql<{
        n: number | string;
      }>`select count(*) as n from organizations where id = ${org}`.execute(store.db);
      expect(Number(rows[0]?.n)).toBe(1);
    });
  });
}

/** Minimal view of esbuild's API, used only to bundle child-process scripts. */
interface EsbuildLike {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/**
 * Bundles a TypeScript snippet (resolved from this test directory, so it may import
 * `../src/...`) into an ESM file that a plain `node` child process can run, and returns its path.
 * esbuild comes from tsup, a dev dependency of this package.
 */
export async function bundleScript(source: string): Promise<string> {
  const require = createRequire(import.meta.url);
  const esbuild = createRequire(require.resolve('tsup'))('esbuild') as EsbuildLike;
  const outDir = join(here, '..', 'node_modules', '.cache', 'oxygen-tests');
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, `child-${randomBytes(6).toString('hex')}.mjs`);
  await esbuild.build({
    stdin: { contents: source, resolveDir: here, loader: 'ts', sourcefile: 'child.ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    external: ['better-sqlite3', 'pg'],
    logLevel: 'silent',
  });
  return outfile;
}

/** Runs `node file ...args` and resolves with its exit code and output. */
export function runNode(
  file: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
