import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ConfigError } from '@oxygen/core';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, SCHEMA_VERSION } from '../src/store/index.js';
import { bundleScript, describeStore, runNode } from './store.suite.js';

const root = mkdtempSync(join(tmpdir(), 'oxygen-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describeStore('store (sqlite)', () => openStore({ home: join(root, 'suite') }));

describe('store (sqlite specifics)', () => {
  it('creates <home> with mode 0700 and oxygen.db with mode 0600', async () => {
    const home = join(root, 'fresh', 'nested');
    const store = await openStore({ home });
    await store.close();
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(statSync(join(home, 'oxygen.db')).mode & 0o777).toBe(0o600);
  });

  it('sets WAL, busy_timeout and foreign keys, and records the schema version', async () => {
    const store = await openStore({ sqlitePath: join(root, 'pragmas', 'x.db') });
    try {
      expect(store.dialect).toBe('sqlite');
      const one = async (pragma: string) =>
        Object.values(
          (await sql.raw<Record<string, unknown>>(`pragma ${pragma}`).execute(store.db)).rows[0] ?? {},
        )[0];
      expect(await one('journal_mode')).toBe('wal');
      expect(await one('busy_timeout')).toBe(5000);
      expect(await one('foreign_keys')).toBe(1);
      expect(await one('user_version')).toBe(SCHEMA_VERSION);
      const { rows } = await sql<{
        name: string;
      }>`select name from sqlite_master where type = 'index' and tbl_name = 'connections' and name not like 'sqlite_%'`.execute(
        store.db,
      );
      expect(rows.map((r) => r.name)).toContain('connections_organization_provider_idx');
    } finally {
      await store.close();
    }
  });

  it("works in memory with sqlitePath ':memory:'", async () => {
    const store = await openStore({ sqlitePath: ':memory:' });
    await store.organizations.ensure('default');
    expect((await store.organizations.list()).map((o) => o.id)).toEqual(['default']);
    await store.close();
    await store.close(); // idempotent
  });

  it('refuses a file written by a newer schema with a ConfigError', async () => {
    const path = join(root, 'newer.db');
    const store = await openStore({ sqlitePath: path });
    await sql.raw(`pragma user_version = ${SCHEMA_VERSION + 1}`).execute(store.db);
    await store.close();
    await expect(openStore({ sqlitePath: path })).rejects.toSatisfy(
      (e: unknown) => ConfigError.isInstance(e) && /newer/.test(e.message),
    );
  });

  it('reports a path it cannot create as a ConfigError', async () => {
    const blocker = join(root, 'blocker');
    await (await openStore({ sqlitePath: blocker })).close();
    // <blocker> is a file, so <blocker>/x/oxygen.db cannot be created.
    await expect(openStore({ home: join(blocker, 'x') })).rejects.toSatisfy(ConfigError.isInstance);
  });

  it('reports a file that is not a SQLite database as a ConfigError', async () => {
    const path = join(root, 'not-a-db', 'oxygen.db');
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(
      path,
      'this is not a database, just some text that is long enough to have a header\n'.repeat(20),
    );
    await expect(openStore({ sqlitePath: path })).rejects.toSatisfy(
      (e: unknown) => ConfigError.isInstance(e) && e.message.includes(path),
    );
  });

  it('is safe when several processes open and migrate a fresh file at once', async () => {
    const script = await bundleScript(`
      import { newId, openStore } from '../src/store/index.js';
      const store = await openStore({ sqlitePath: process.argv[2] });
      await store.organizations.ensure('shared');
      await store.connections.insert({ id: newId('conn'), organization_id: 'shared', provider: 'hubspot', auth_mode: 'byok' });
      await store.close();
      console.log('ok');
    `);
    try {
      const path = join(root, 'multi', 'oxygen.db');
      const runs = await Promise.all(Array.from({ length: 6 }, () => runNode(script, [path])));
      for (const run of runs)
        expect({ code: run.code, stderr: run.stderr, stdout: run.stdout.trim() }).toEqual({
          code: 0,
          stderr: '',
          stdout: 'ok',
        });
      const store = await openStore({ sqlitePath: path });
      try {
        expect(await store.connections.list('shared')).toHaveLength(6);
        const { rows } = await sql<{ n: number }>`select count(*) as n from kysely_migration`.execute(
          store.db,
        );
        expect(rows[0]?.n).toBe(SCHEMA_VERSION);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(script, { force: true });
    }
  });

  it('does not create anything for an in-memory store', () => {
    expect(existsSync(join(root, ':memory:'))).toBe(false);
  });
});
