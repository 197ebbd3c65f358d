import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { ConfigError } from '@oxygen/core';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { createRuntime, PgBossQueue } from '../src/index.js';
import { newId, openStore } from '../src/store/index.js';
import { describeCreditsAndRotationOnPostgres } from './credits.postgres.js';
import { describeEvents } from './events.suite.js';
import { describePostgresUnavailable, dropSchema, freshSchema, pgProblem, pgUrl } from './postgres.js';
import { describeRuntime } from './runtime.suite.js';
import { bundleScript, describeStore, runNode } from './store.suite.js';

const url = pgUrl;
const schema = freshSchema();
const problem = await pgProblem();

if (problem === undefined) {
  afterAll(() => dropSchema(schema));
  describeStore('store (postgres)', () => openStore({ databaseUrl: url, schema }));
  describeRuntime(
    'runtime (postgres)',
    (options) =>
      createRuntime({
        databaseUrl: url,
        schema,
        ...options,
        env: { ...options.env, OXYGEN_MASTER_KEY: randomBytes(32).toString('base64') },
      }),
    async (runtime) => {
      const rows = await runtime.store.db.selectFrom('connections').selectAll().execute();
      return JSON.stringify(rows);
    },
  );

  describeCreditsAndRotationOnPostgres(url, schema);

  describe('delivery queue (postgres)', () => {
    it('lets processes starting together on a fresh database all queue their jobs (pg-boss set-up races are retried)', async () => {
      const fresh = `${schema}_race`;
      const store = await openStore({ databaseUrl: url, schema: fresh });
      const queues = Array.from(
        { length: 4 },
        () => new PgBossQueue({ connectionString: url, schema: `${fresh}_jobs` }),
      );
      try {
        const results = await Promise.allSettled(
          queues.map((q, i) =>
            store.transaction((trx) =>
              q.enqueueMany(trx, [{ job: { id: `dlv_${i}`, attempt: 0 }, runAt: new Date().toISOString() }]),
            ),
          ),
        );
        expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual([
          'ok',
          'ok',
          'ok',
          'ok',
        ]);
        const { rows } = await sql<{
          n: string;
        }>`select count(*) as n from ${sql.table(`${fresh}_jobs.job`)}`.execute(store.db);
        expect(Number(rows[0]!.n)).toBe(4);
      } finally {
        for (const q of queues) await q.stop();
        await store.close();
        await dropSchema(`${fresh}_jobs`);
        await dropSchema(fresh);
      }
    });
  });

  // pg-boss keeps its jobs in `<schema>_jobs`.
  afterAll(() => dropSchema(`${schema}_jobs`));
  const eventsKey = randomBytes(32).toString('base64');
  describeEvents(
    'provider events (postgres)',
    (options) =>
      createRuntime({
        databaseUrl: url,
        schema,
        ...options,
        env: { ...options.env, OXYGEN_MASTER_KEY: eventsKey },
      }),
    async (runtime) => {
      const tables = ['event_subscriptions', 'event_triggers', 'events', 'event_deliveries'] as const;
      const rows = await Promise.all(tables.map((t) => runtime.store.db.selectFrom(t).selectAll().execute()));
      return JSON.stringify(rows);
    },
    async (runtime) => {
      await sql`delete from ${sql.table(`${schema}_jobs.job`)}`.execute(runtime.store.db);
    },
  );

  describe('store (postgres specifics)', () => {
    it('is safe when several processes open and migrate a fresh schema at once', async () => {
      const fresh = `${schema}_multi`;
      const script = await bundleScript(`
        import { newId, openStore } from '../src/store/index.js';
        const store = await openStore({ databaseUrl: process.argv[2], schema: process.argv[3] });
        await store.organizations.ensure('shared');
        await store.connections.insert({ id: newId('conn'), organization_id: 'shared', provider: 'hubspot', auth_mode: 'byok' });
        await store.close();
        console.log('ok');
      `);
      try {
        const runs = await Promise.all(Array.from({ length: 5 }, () => runNode(script, [url, fresh])));
        for (const run of runs) {
          expect({ code: run.code, stderr: run.stderr, stdout: run.stdout.trim() }).toEqual({
            code: 0,
            stderr: '',
            stdout: 'ok',
          });
        }
        const store = await openStore({ databaseUrl: url, schema: fresh });
        try {
          expect(store.dialect).toBe('postgres');
          expect(await store.connections.list('shared')).toHaveLength(5);
        } finally {
          await store.close();
        }
      } finally {
        rmSync(script, { force: true });
        await dropSchema(fresh);
      }
    });

    it('logs events without a per-row organization key, the subscriptions they come through keep theirs, and 0009 migrates down', async () => {
      const fresh = `${schema}_fk`;
      const store = await openStore({ databaseUrl: url, schema: fresh });
      const foreignKeys = async () =>
        (
          await sql<{ table: string }>`
            select conrelid::regclass::text as table from pg_constraint
            where contype = 'f' and connamespace = ${fresh}::regnamespace
              and confrelid = ${`${fresh}.organizations`}::regclass`.execute(store.db)
        ).rows
          .map((r) => r.table.replace(`${fresh}.`, ''))
          .sort();
      try {
        const after = await foreignKeys();
        expect(after).toContain('event_subscriptions');
        expect(after).toContain('event_triggers');
        expect(after).not.toContain('events');
        expect(after).not.toContain('event_deliveries');
        const { Migrator } = await import('kysely');
        const { migrationProvider } = await import('../src/store/migrations.js');
        const down = await new Migrator({
          db: store.db,
          provider: migrationProvider,
          migrationTableSchema: fresh,
        }).migrateTo('0008_tables');
        expect(down.error).toBeUndefined();
        expect(await foreignKeys()).toEqual([...after, 'event_deliveries', 'events'].sort());
      } finally {
        await store.close();
        await dropSchema(fresh);
      }
    });

    it('keeps schemas apart', async () => {
      const other = `${schema}_other`;
      const a = await openStore({ databaseUrl: url, schema });
      const b = await openStore({ databaseUrl: url, schema: other });
      try {
        const org = newId('org');
        await a.organizations.ensure(org);
        expect(await b.organizations.get(org)).toBeUndefined();
      } finally {
        await a.close();
        await b.close();
        await dropSchema(other);
      }
    });
  });
} else {
  describePostgresUnavailable('store and runtime', problem);
}

describe('store (postgres configuration errors)', () => {
  it('names the host, never the password, when the server cannot be reached', async () => {
    const error = await openStore({ databaseUrl: 'postgres://oxy:hunter2secret@127.0.0.1:1/oxygen' }).catch(
      (e: unknown) => e,
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).toContain('127.0.0.1:1');
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).not.toContain('hunter2secret');
    expect(message).not.toContain('\n');
    expect(JSON.stringify(error)).not.toContain('hunter2secret');
  });

  it('rejects a malformed or non-PostgreSQL URL without echoing it', async () => {
    for (const bad of ['not a url :pw', 'mysql://root:pw123@db:3306/x']) {
      const error = await openStore({ databaseUrl: bad }).catch((e: unknown) => e);
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as Error).message).not.toContain('pw');
    }
  });

  it('rejects an unsafe schema name', async () => {
    await expect(openStore({ databaseUrl: url, schema: 'x"; drop table y; --' })).rejects.toSatisfy(
      ConfigError.isInstance,
    );
  });
});
