/**
 * Managed mode and the credits ledger, run against each store dialect: connecting with the
 * platform key, charging per call before the provider request, refusing what the balance cannot
 * pay, refunding failed calls, concurrent calls never overdrawing, and the platform key never
 * leaving the runtime.
 */

import { randomBytes } from 'node:crypto';
import { AuthError, ConfigError, OxygenError, ProviderError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreditEntry, Runtime, RuntimeOptions } from '../src/index.js';
import { type EnrichServer, startEnrich } from './fixtures/managed/server.js';
import { fixture } from './runtime.suite.js';

/** Opens a runtime on the store under test. */
export type OpenRuntime = (options: Pick<RuntimeOptions, 'env' | 'plugins' | 'retry'>) => Promise<Runtime>;

const plugins = [fixture('managed'), fixture('acme')];
const uniqueOrg = (name: string) => `${name}-${randomBytes(4).toString('hex')}`;

export function describeCredits(
  name: string,
  open: OpenRuntime,
  /** Everything the store holds, as text, to search for leaked secrets. */
  dumpStore: (runtime: Runtime) => Promise<string>,
  /** How many runtimes (pools, as separate processes would have) share the concurrency test. */
  concurrentRuntimes = 1,
): void {
  describe(name, () => {
    let enrich: EnrichServer;
    let runtime: Runtime;
    let env: NodeJS.ProcessEnv;
    const printed: string[] = [];
    const keep = <T>(value: T): T => {
      printed.push(JSON.stringify(value));
      return value;
    };
    const failure = async (promise: Promise<unknown>): Promise<OxygenError> => {
      const error = await promise.then(
        () => {
          throw new Error('expected a failure');
        },
        (e: unknown) => e,
      );
      expect(OxygenError.isInstance(error), String(error)).toBe(true);
      const typed = error as OxygenError;
      printed.push(typed.message, JSON.stringify(typed.toJSON()));
      return typed;
    };
    const sentFor = (org: string, what = '/v1/people/enrich') =>
      enrich.requests.filter((r) => r.path.startsWith(what) && r.body.includes(org)).length;

    beforeAll(async () => {
      enrich = await startEnrich();
      env = { OXYGEN_PROVIDER_ENRICH_BASE_URL: enrich.url, OXYGEN_MANAGED_ENRICH_KEY: enrich.platformKey };
      runtime = await open({ env, plugins, retry: { limit: 0 } });
    });
    afterAll(async () => {
      await runtime?.close();
      await enrich?.close();
    });

    it('connects in managed mode with the platform key, storing no credential', async () => {
      const org = runtime.org(uniqueOrg('managed'));
      const before = enrich.requests.length;
      const connection = keep(await org.connect('enrich', { authMode: 'managed' }));
      expect(connection).toMatchObject({
        provider: 'enrich',
        auth_mode: 'managed',
        status: 'connected',
        account_label: 'Platform account',
        last_error: null,
      });
      expect(enrich.requests.slice(before)).toEqual([
        expect.objectContaining({ method: 'GET', path: '/v1/account', auth: 'managed' }),
      ]);
      const row = await runtime.store.connections.get(org.organizationId, connection.id);
      expect(row?.credential).toBeNull();
      // Connecting again re-verifies the same managed connection rather than adding one.
      const again = keep(await org.connect('enrich', { authMode: 'managed' }));
      expect(again.id).toBe(connection.id);
      expect(await org.list()).toHaveLength(1);
    });

    it('refuses managed mode for a provider without it, naming the modes it has', async () => {
      const org = runtime.org(uniqueOrg('nomanaged'));
      const error = await failure(org.connect('acme', { authMode: 'managed' }));
      expect(ValidationError.isInstance(error)).toBe(true);
      expect(error.message).toBe('Acme has no managed mode; its auth modes: byok (api_key).');
      expect(error.hint).toContain('--auth-mode byok');
      expect(await org.list()).toEqual([]);
    });

    it('names the variable when the platform key is missing, and stores nothing', async () => {
      const bare = await open({
        env: { OXYGEN_PROVIDER_ENRICH_BASE_URL: enrich.url },
        plugins,
        retry: { limit: 0 },
      });
      try {
        const org = bare.org(uniqueOrg('nokey'));
        const before = enrich.requests.length;
        const error = await failure(org.connect('enrich', { authMode: 'managed' }));
        expect(ConfigError.isInstance(error)).toBe(true);
        expect(error.message).toContain('OXYGEN_MANAGED_ENRICH_KEY');
        expect(enrich.requests.length).toBe(before);
        expect(await org.list()).toEqual([]);
      } finally {
        await bare.close();
      }
    });

    it('refuses a call the balance cannot pay before any provider request', async () => {
      const org = runtime.org(uniqueOrg('broke'));
      const c = await org.connect('enrich', { authMode: 'managed' });
      const before = enrich.requests.length;
      const error = await failure(
        org.run(c.id, 'person.enrich', { email: `ada@${org.organizationId}.test` }),
      );
      expect(error.code).toBe('insufficient_credits');
      expect(error.message).toMatch(/has 0 credits and Enrich person\.enrich costs 1 credit;/);
      expect(error.message).toContain(`oxygen credits grant <n> --org ${org.organizationId}`);
      expect(error.data).toEqual({ balance: 0, cost: 1 });
      expect(enrich.requests.length).toBe(before);
      expect(await org.credits.history()).toEqual([]);
      expect(await org.credits.balance()).toEqual({ organization_id: org.organizationId, balance: 0 });
    });

    it('dry-runs a managed call: reports its cost, charges nothing, sends nothing, redacts the key', async () => {
      const org = runtime.org(uniqueOrg('dry'));
      const c = await org.connect('enrich', { authMode: 'managed' });
      const before = enrich.requests.length;
      const report = keep(await org.run(c.id, 'company.lookup', { domain: 'acme.test' }, { dryRun: true }));
      expect(report).toMatchObject({
        dry_run: true,
        credits: 2,
        integration: { id: c.id, auth_mode: 'managed' },
        requests: [
          {
            method: 'GET',
            url: `${enrich.url}/v1/companies/acme.test`,
            headers: expect.objectContaining({ authorization: 'Bearer [REDACTED]' }),
          },
        ],
      });
      expect(report.requests[0]?.headers).not.toHaveProperty('x-api-key');
      expect(enrich.requests.length).toBe(before);
      expect(await org.credits.history()).toEqual([]);
    });

    it('charges each managed call its credits, with the managed header', async () => {
      const org = runtime.org(uniqueOrg('paying'));
      const c = await org.connect('enrich', { authMode: 'managed' });
      const granted = keep(await org.credits.grant(5, 'trial'));
      expect(granted).toMatchObject({
        organization_id: org.organizationId,
        balance: 5,
        entry: { kind: 'grant', delta: 5, note: 'trial', connection_id: null },
      });
      const report = keep(await org.run(c.id, 'person.enrich', { email: `ada@${org.organizationId}.test` }));
      expect(report.credits).toBe(1);
      expect(report.output).toEqual({ email: `ada@${org.organizationId}.test`, name: 'ada' });
      const sent = enrich.requests.at(-1)!;
      expect(sent).toMatchObject({ path: '/v1/people/enrich', auth: 'managed' });
      expect(sent.headers['x-api-key']).toBeUndefined();
      const lookup = keep(await org.run(c.id, 'company.lookup', { domain: 'acme.test' }));
      expect(lookup.credits).toBe(2);
      expect(await org.credits.balance()).toEqual({ organization_id: org.organizationId, balance: 2 });
      const history = keep(await org.credits.history());
      expect(history.map((e) => [e.kind, e.delta, e.action, e.connection_id])).toEqual([
        ['charge', -2, 'company.lookup', c.id],
        ['charge', -1, 'person.enrich', c.id],
        ['grant', 5, null, null],
      ]);
      expect(await org.credits.history(1)).toHaveLength(1);
    });

    it('refunds a failed provider call: the balance is unchanged', async () => {
      const org = runtime.org(uniqueOrg('refund'));
      const c = await org.connect('enrich', { authMode: 'managed' });
      await org.credits.grant(3);
      const error = await failure(
        org.run(c.id, 'person.enrich', { email: `fail@${org.organizationId}.test` }),
      );
      expect(ProviderError.isInstance(error)).toBe(true);
      expect(sentFor(org.organizationId)).toBe(1); // it did reach the provider
      expect((await org.credits.balance()).balance).toBe(3);
      const [refund, charge] = await org.credits.history();
      expect(charge).toMatchObject({ kind: 'charge', delta: -1, action: 'person.enrich' });
      expect(refund).toMatchObject({ kind: 'refund', delta: 1, refund_of: charge!.id, connection_id: c.id });
      expect(refund!.note).toContain('upstream exploded');
      // A bad input is refused before any request and never charged.
      const bad = await failure(org.run(c.id, 'person.enrich', { email: 'not-an-email' }));
      expect(bad.field).toBe('email');
      expect(await org.credits.history()).toHaveLength(3);
      expect((await org.credits.balance()).balance).toBe(3);
    });

    it('never charges byok calls', async () => {
      const org = runtime.org(uniqueOrg('byok'));
      const c = await org.connect('enrich', { apiKey: enrich.customerKey });
      expect(c).toMatchObject({ auth_mode: 'byok', account_label: 'Customer account' });
      const report = keep(await org.run(c.id, 'person.enrich', { email: `bo@${org.organizationId}.test` }));
      expect(report.credits).toBe(0);
      expect(enrich.requests.at(-1)).toMatchObject({ auth: 'byok' });
      const dry = await org.run(c.id, 'person.enrich', { email: 'bo@example.com' }, { dryRun: true });
      expect(dry.credits).toBe(0);
      expect(await org.credits.history()).toEqual([]);
    });

    it('names the connection in the right mode when an action does not run in this one', async () => {
      const org = runtime.org(uniqueOrg('modes'));
      const managed = await org.connect('enrich', { authMode: 'managed' });
      const alone = await failure(org.run(managed.id, 'list.export', { list: 'q3' }));
      expect(ValidationError.isInstance(alone)).toBe(true);
      expect(alone.message).toBe(
        `Enrich list.export runs in byok mode only; integration ${managed.id} is managed, and organization ${org.organizationId} has no byok Enrich integration.`,
      );
      expect(alone.hint).toContain('oxygen integrations connect enrich --auth-mode byok');
      const byok = await org.connect('enrich', { apiKey: enrich.customerKey });
      const before = enrich.requests.length;
      const named = await failure(org.run(managed.id, 'list.export', { list: 'q3' }));
      expect(named.message).toBe(
        `Enrich list.export runs in byok mode only; integration ${managed.id} is managed. Run it on ${byok.id} (byok).`,
      );
      const reverse = await failure(org.run(byok.id, 'company.lookup', { domain: 'acme.test' }));
      expect(reverse.message).toContain(`Run it on ${managed.id} (managed).`);
      expect(enrich.requests.length).toBe(before);
      expect((await org.run(byok.id, 'list.export', { list: 'q3' })).output).toEqual({ list: 'q3', rows: 7 });
    });

    it('refuses grants that are not positive whole numbers', async () => {
      const org = runtime.org(uniqueOrg('grant'));
      for (const amount of [0, -5, 1.5, Number.NaN, 2_000_000_000]) {
        const error = await failure(org.credits.grant(amount));
        expect(ValidationError.isInstance(error)).toBe(true);
        expect(error.field).toBe('amount');
      }
      expect(await org.credits.history()).toEqual([]);
    });

    it('lets exactly as many concurrent calls through as the balance pays, never overdrawing', async () => {
      const orgId = uniqueOrg('race');
      const c = await runtime.org(orgId).connect('enrich', { authMode: 'managed' });
      await runtime.org(orgId).credits.grant(10);
      const extra = await Promise.all(
        Array.from({ length: concurrentRuntimes - 1 }, () => open({ env, plugins, retry: { limit: 0 } })),
      );
      try {
        const runtimes = [runtime, ...extra];
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) =>
            runtimes[i % runtimes.length]!.org(orgId).run(c.id, 'person.enrich', {
              email: `p${i}@${orgId}.test`,
            }),
          ),
        );
        const ok = results.filter((r) => r.status === 'fulfilled');
        const refused = results.filter((r) => r.status === 'rejected');
        expect(ok).toHaveLength(10);
        expect(
          refused.map((r) => (r as PromiseRejectedResult).reason.code),
          String((refused[0] as PromiseRejectedResult | undefined)?.reason),
        ).toEqual(Array(10).fill('insufficient_credits'));
        expect(sentFor(orgId)).toBe(10);
        const org = runtime.org(orgId);
        expect((await org.credits.balance()).balance).toBe(0);
        const history = await org.credits.history(100);
        expect(history.filter((e) => e.kind === 'charge')).toHaveLength(10);
        // Replayed in order, the balance never dips below zero.
        let running = 0;
        for (const entry of [...history].reverse() as CreditEntry[]) {
          running += entry.delta;
          expect(running).toBeGreaterThanOrEqual(0);
        }
      } finally {
        await Promise.all(extra.map((r) => r.close()));
      }
    });

    it('stops a disconnected managed connection and charges nothing', async () => {
      const org = runtime.org(uniqueOrg('gone'));
      const c = await org.connect('enrich', { authMode: 'managed' });
      await org.credits.grant(1);
      await org.disconnect(c.id);
      const error = await failure(org.run(c.id, 'person.enrich', { email: 'a@example.com' }));
      expect(AuthError.isInstance(error)).toBe(true);
      expect((await org.credits.balance()).balance).toBe(1);
    });

    it('keeps the platform key out of errors, outputs, the ledger and the store', async () => {
      const org = runtime.org(uniqueOrg('leak'));
      const c = await org.connect('enrich', { authMode: 'managed' });
      await org.credits.grant(2);
      // The provider echoes the credential it received in its error message.
      const error = await failure(
        org.run(c.id, 'person.enrich', { email: `echo@${org.organizationId}.test` }),
      );
      expect(error.message).toContain('Bearer [REDACTED]');
      expect((await org.credits.balance()).balance).toBe(2);
      keep(await org.credits.history());
      keep(await org.list());
      keep(await org.actions(c.id));
      const all = printed.join('\n');
      expect(all).not.toContain(enrich.platformKey);
      expect(all).not.toContain(enrich.customerKey);
      const dump = await dumpStore(runtime);
      expect(dump).not.toContain(enrich.platformKey);
      expect(dump).not.toContain(enrich.customerKey);
    });
  });
}
