/**
 * Organizations, API tokens and connect links, on SQLite and (when reachable) PostgreSQL.
 */

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, NotFoundError, type OxygenError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECT_LINK_MAX_ATTEMPTS, createRuntime, type Runtime, type RuntimeOptions } from '../src/index.js';
import { type AcmeServer, startAcme } from './fixtures/server.js';
import { describePostgresUnavailable, dropSchema, freshSchema, pgProblem, pgUrl } from './postgres.js';
import { fixture } from './runtime.suite.js';

function describeOrgs(
  name: string,
  open: (options: Pick<RuntimeOptions, 'env' | 'plugins' | 'retry'>) => Promise<Runtime>,
  dumpStore: (runtime: Runtime) => Promise<string>,
): void {
  describe(name, () => {
    let acme: AcmeServer;
    let runtime: Runtime;
    const secrets: string[] = [];

    beforeAll(async () => {
      acme = await startAcme();
      runtime = await open({
        env: { OXYGEN_PROVIDER_ACME_BASE_URL: acme.url },
        plugins: [fixture('acme')],
        retry: { limit: 0 },
      });
    });
    afterAll(async () => {
      await runtime?.close();
      await acme?.close();
    });

    describe('organizations', () => {
      it('creates organizations with new ids and lists them oldest first', async () => {
        const a = await runtime.orgs.create('  Acme Inc.  ');
        const b = await runtime.orgs.create('Globex');
        expect(a).toEqual({
          id: expect.stringMatching(/^org_[0-9A-Z]{26}$/),
          name: 'Acme Inc.',
          created_at: expect.any(String),
        });
        expect(b.id).not.toBe(a.id);
        const ids = (await runtime.orgs.list()).map((o) => o.id);
        expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));
        expect(await runtime.orgs.get(a.id)).toEqual(a);
      });

      it('refuses an empty name and reports an unknown organization', async () => {
        await expect(runtime.orgs.create('   ')).rejects.toSatisfy((e) => ValidationError.isInstance(e));
        await expect(runtime.orgs.get('org_nope')).rejects.toSatisfy((e) => NotFoundError.isInstance(e));
      });
    });

    describe('API tokens', () => {
      it('shows a token once and stores only its hash', async () => {
        const org = await runtime.orgs.create('Tokens');
        const created = await runtime.tokens.create(org.id, { name: 'ci', admin: true });
        secrets.push(created.token);
        expect(created).toMatchObject({
          id: expect.stringMatching(/^tok_/),
          organization_id: org.id,
          name: 'ci',
          admin: true,
          revoked_at: null,
        });
        expect(created.token).toMatch(/^oxy_[A-Za-z0-9_-]{43}$/);
        const listed = await runtime.tokens.list(org.id);
        expect(listed).toHaveLength(1);
        expect(listed[0]).not.toHaveProperty('token');
        expect(JSON.stringify(listed)).not.toContain(created.token);
        expect(await dumpStore(runtime)).not.toContain(created.token);
      });

      it('authenticates a token for its organization only, and not after it is revoked', async () => {
        const a = await runtime.orgs.create('A');
        const b = await runtime.orgs.create('B');
        const ta = await runtime.tokens.create(a.id);
        const tb = await runtime.tokens.create(b.id, { admin: true });
        secrets.push(ta.token, tb.token);
        expect(await runtime.tokens.authenticate(ta.token)).toEqual({
          token_id: ta.id,
          organization_id: a.id,
          admin: false,
        });
        expect(await runtime.tokens.authenticate(tb.token)).toMatchObject({
          organization_id: b.id,
          admin: true,
        });
        expect((await runtime.tokens.list(a.id))[0]?.last_used_at).not.toBeNull();

        const revoked = await runtime.tokens.revoke(ta.id);
        expect(revoked.revoked_at).not.toBeNull();
        const error = await runtime.tokens.authenticate(ta.token).catch((e: unknown) => e);
        expect(AuthError.isInstance(error)).toBe(true);
        expect((error as Error).message).toContain('was revoked');
        expect((error as Error).message).not.toContain(ta.token);
        // Revoking twice keeps the first time.
        expect((await runtime.tokens.revoke(ta.id)).revoked_at).toBe(revoked.revoked_at);
        // The other organization's token is unaffected.
        expect((await runtime.tokens.authenticate(tb.token)).organization_id).toBe(b.id);
      });

      it.each([
        ['', 'is missing or malformed'],
        ['Bearer abc', 'is missing or malformed'],
        [`oxy_${'A'.repeat(42)}`, 'is missing or malformed'],
        [`oxy_${randomBytes(32).toString('base64url')}`, 'is not valid'],
      ])('refuses %j', async (token, why) => {
        const error = await runtime.tokens.authenticate(token).catch((e: unknown) => e);
        expect(AuthError.isInstance(error)).toBe(true);
        expect((error as Error).message).toContain(why);
      });

      it('needs an existing organization, and reports an unknown token id', async () => {
        await expect(runtime.tokens.create('org_missing')).rejects.toSatisfy((e) =>
          NotFoundError.isInstance(e),
        );
        await expect(runtime.tokens.revoke('tok_missing')).rejects.toSatisfy((e) =>
          NotFoundError.isInstance(e),
        );
      });
    });

    describe('connect links', () => {
      let orgId: string;
      beforeAll(async () => {
        orgId = (await runtime.orgs.create('Links')).id;
      });

      it('mints a link that opens with a fresh CSRF token and stores only hashes', async () => {
        const link = await runtime.connectLinks.create(orgId, 'acme');
        secrets.push(link.token);
        expect(link).toMatchObject({
          id: expect.stringMatching(/^link_/),
          provider: 'acme',
          state: 'active',
        });
        expect(Date.parse(link.expires_at) - Date.parse(link.created_at)).toBe(15 * 60_000);
        const first = await runtime.connectLinks.open(link.token);
        const second = await runtime.connectLinks.open(link.token);
        secrets.push(first.csrf, second.csrf);
        expect(first.provider).toEqual({ id: 'acme', name: 'Acme', key_label: expect.any(String) });
        expect(first.organization.id).toBe(orgId);
        expect(second.csrf).not.toBe(first.csrf);
        // Only the form served last can be submitted.
        await expect(
          runtime.connectLinks.submit(link.token, { csrf: first.csrf, apiKey: acme.key }),
        ).rejects.toSatisfy((e) => AuthError.isInstance(e) && /out of date/.test((e as Error).message));
        const dump = await dumpStore(runtime);
        for (const s of [link.token, first.csrf, second.csrf]) expect(dump).not.toContain(s);
      });

      it('refuses a wrong key with the provider reason, stores nothing, and lets the link be retried', async () => {
        const link = await runtime.connectLinks.create(orgId, 'acme');
        const before = (await runtime.org(orgId).list()).length;
        const { csrf } = await runtime.connectLinks.open(link.token);
        const error = await runtime.connectLinks
          .submit(link.token, { csrf, apiKey: 'acme-wrong-key-0000' })
          .catch((e: unknown) => e);
        expect(AuthError.isInstance(error)).toBe(true);
        expect((error as Error).message).toContain('Invalid API key');
        expect(await runtime.org(orgId).list()).toHaveLength(before);
        expect((await runtime.connectLinks.get(link.token)).state).toBe('active');

        // The CSRF token was spent: a retry needs the form served again.
        await expect(runtime.connectLinks.submit(link.token, { csrf, apiKey: acme.key })).rejects.toSatisfy(
          (e) => AuthError.isInstance(e),
        );
        const again = await runtime.connectLinks.open(link.token);
        const { connection, link: used } = await runtime.connectLinks.submit(link.token, {
          csrf: again.csrf,
          apiKey: acme.key,
        });
        expect(connection).toMatchObject({ organization_id: orgId, provider: 'acme', status: 'connected' });
        expect(connection.account_label).toBe('Acme Workspace');
        expect(used).toMatchObject({ state: 'used', connection_id: connection.id });
        expect((await runtime.org(orgId).list()).map((c) => c.id)).toContain(connection.id);
      });

      it('dies after use: opening or submitting again is "used"', async () => {
        const link = await runtime.connectLinks.create(orgId, 'acme');
        const { csrf } = await runtime.connectLinks.open(link.token);
        await runtime.connectLinks.submit(link.token, { csrf, apiKey: acme.key });
        for (const attempt of [
          () => runtime.connectLinks.open(link.token),
          () => runtime.connectLinks.submit(link.token, { csrf, apiKey: acme.key }),
        ]) {
          const error = await attempt().catch((e: unknown) => e);
          expect(NotFoundError.isInstance(error)).toBe(true);
          expect((error as OxygenError).data).toEqual({ link_state: 'used' });
        }
      });

      it('lets exactly one of two concurrent submissions through', async () => {
        const link = await runtime.connectLinks.create(orgId, 'acme');
        const { csrf } = await runtime.connectLinks.open(link.token);
        const results = await Promise.allSettled([
          runtime.connectLinks.submit(link.token, { csrf, apiKey: acme.key }),
          runtime.connectLinks.submit(link.token, { csrf, apiKey: acme.key }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(NotFoundError.isInstance(rejected.reason) || AuthError.isInstance(rejected.reason)).toBe(true);
      });

      it('expires', async () => {
        const link = await runtime.connectLinks.create(orgId, 'acme', { ttlMs: 50 });
        await new Promise((r) => setTimeout(r, 80));
        const error = await runtime.connectLinks.open(link.token).catch((e: unknown) => e);
        expect((error as OxygenError).data).toEqual({ link_state: 'expired' });
        expect((await runtime.connectLinks.get(link.token)).state).toBe('expired');
      });

      it(`dies after ${CONNECT_LINK_MAX_ATTEMPTS} refused keys`, async () => {
        const link = await runtime.connectLinks.create(orgId, 'acme');
        for (let i = 0; i < CONNECT_LINK_MAX_ATTEMPTS; i++) {
          const { csrf } = await runtime.connectLinks.open(link.token);
          await expect(
            runtime.connectLinks.submit(link.token, { csrf, apiKey: `acme-wrong-${i}` }),
          ).rejects.toSatisfy((e) => AuthError.isInstance(e));
        }
        const error = await runtime.connectLinks.open(link.token).catch((e: unknown) => e);
        expect((error as OxygenError).data).toEqual({ link_state: 'used' });
      });

      it('refuses unknown links, organizations and providers, and bad lifetimes', async () => {
        const unknown = await runtime.connectLinks
          .open(randomBytes(32).toString('base64url'))
          .catch((e: unknown) => e);
        expect(NotFoundError.isInstance(unknown)).toBe(true);
        expect((unknown as OxygenError).data).toBeUndefined();
        await expect(runtime.connectLinks.open('../../etc/passwd')).rejects.toSatisfy((e) =>
          NotFoundError.isInstance(e),
        );
        await expect(runtime.connectLinks.create('org_missing', 'acme')).rejects.toSatisfy((e) =>
          NotFoundError.isInstance(e),
        );
        await expect(runtime.connectLinks.create(orgId, 'salesforge')).rejects.toSatisfy((e) =>
          NotFoundError.isInstance(e),
        );
        await expect(runtime.connectLinks.create(orgId, 'acme', { ttlMs: 0 })).rejects.toSatisfy((e) =>
          ValidationError.isInstance(e),
        );
      });
    });

    it('never stores a token, link, CSRF token or API key in clear', async () => {
      const dump = await dumpStore(runtime);
      expect(secrets.length).toBeGreaterThan(5);
      for (const s of [...secrets, acme.key]) expect(dump).not.toContain(s);
    });
  });
}

const home = mkdtempSync(join(tmpdir(), 'oxygen-orgs-test-'));
describeOrgs(
  'orgs, tokens and connect links (sqlite)',
  (options) => createRuntime({ home, ...options }),
  async () =>
    readdirSync(home)
      .map((f) => readFileSync(join(home, f)).toString('latin1'))
      .join('\n'),
);

const problem = await pgProblem();
if (problem === undefined) {
  const schema = freshSchema();
  afterAll(() => dropSchema(schema));
  describeOrgs(
    'orgs, tokens and connect links (postgres)',
    (options) =>
      createRuntime({
        databaseUrl: pgUrl,
        schema,
        ...options,
        env: { ...options.env, OXYGEN_MASTER_KEY: randomBytes(32).toString('base64') },
      }),
    async (runtime) => {
      const tables = ['organizations', 'connections', 'api_tokens', 'connect_links'] as const;
      const dumps = await Promise.all(
        tables.map((t) => runtime.store.db.selectFrom(t).selectAll().execute()),
      );
      return JSON.stringify(dumps);
    },
  );
} else {
  describePostgresUnavailable('orgs, tokens and connect links', problem);
}
