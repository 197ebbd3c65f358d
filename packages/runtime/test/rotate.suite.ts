/**
 * Master-key rotation with keys from the environment (`OXYGEN_MASTER_KEY` = new,
 * `OXYGEN_MASTER_KEY_PREVIOUS` = old), run against each store dialect: every envelope ends under
 * the new key, reads work halfway through, an interrupted rotation resumes, a second run skips.
 */

import { randomBytes } from 'node:crypto';
import { ConfigError, type OxygenError } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMasterKey, type Runtime, type RuntimeOptions, rotateMasterKey } from '../src/index.js';
import { type AcmeServer, startAcme } from './fixtures/server.js';
import { fixture } from './runtime.suite.js';

/** Opens a runtime on the store under test with these options (its env holds the keys). */
export type OpenKeyedRuntime = (
  options: Pick<RuntimeOptions, 'env' | 'plugins' | 'retry'>,
) => Promise<Runtime>;

/** The envelopes in the store's `connections.credential`, by connection id. */
export async function envelopes(runtime: Runtime): Promise<Map<string, string>> {
  const rows = await runtime.store.db
    .selectFrom('connections')
    .select(['id', 'credential'])
    .where('credential', 'is not', null)
    .execute();
  return new Map(rows.map((r) => [r.id, r.credential!]));
}

/** Every envelope in the store: connection credentials and OAuth states' sealed secrets. */
async function allEnvelopes(runtime: Runtime): Promise<string[]> {
  const states = await runtime.store.db
    .selectFrom('oauth_states')
    .select(['code_verifier', 'client'])
    .execute();
  return [
    ...(await envelopes(runtime)).values(),
    ...states.flatMap((s) => [s.code_verifier, s.client]).filter((e): e is string => !!e),
  ];
}

/** The key id an envelope names (`v1.<keyId>....`). */
export const keyIdOf = (envelope: string) => envelope.split('.')[1];

export function describeEnvRotation(name: string, open: OpenKeyedRuntime, home: string): void {
  describe(name, () => {
    let acme: AcmeServer;
    const oldKey = randomBytes(32).toString('base64');
    const newKey = randomBytes(32).toString('hex');
    const oldId = parseMasterKey(oldKey).id;
    const newId = parseMasterKey(newKey).id;
    const ids: string[] = [];
    const printed: string[] = [];
    const clientSecret = `enrich-client-secret-${randomBytes(8).toString('hex')}`;
    const base = () => ({ OXYGEN_PROVIDER_ACME_BASE_URL: acme.url });
    const withRuntime = async <T>(env: NodeJS.ProcessEnv, fn: (runtime: Runtime) => Promise<T>) => {
      const runtime = await open({
        env: { ...base(), ...env },
        plugins: [fixture('acme'), fixture('managed')],
        retry: { limit: 0 },
      });
      try {
        return await fn(runtime);
      } finally {
        await runtime.close();
      }
    };
    const rotate = (env: NodeJS.ProcessEnv, options: { batchSize?: number; maxBatches?: number } = {}) =>
      withRuntime(env, async (runtime) => {
        const result = await rotateMasterKey({ store: runtime.store, env, home, ...options });
        printed.push(JSON.stringify(result));
        return result;
      });
    const runEverywhere = (env: NodeJS.ProcessEnv) =>
      withRuntime(env, async (runtime) => {
        for (const [i, id] of ids.entries()) {
          const report = await runtime
            .org(`rot-${i}`)
            .run(id, 'contact.create', { email: `r${i}@example.com` });
          expect(report.output).toMatchObject({ email: `r${i}@example.com` });
        }
      });

    beforeAll(async () => {
      acme = await startAcme();
      await withRuntime({ OXYGEN_MASTER_KEY: oldKey }, async (runtime) => {
        for (let i = 0; i < 5; i++)
          ids.push((await runtime.org(`rot-${i}`).connect('acme', { apiKey: acme.key })).id);
        // An OAuth authorization in flight: its PKCE verifier and OAuth app are sealed too.
        await runtime.org('rot-0').startOAuth('enrich', {
          redirectUri: 'http://127.0.0.1:9/callback',
          client: { clientId: 'enrich-app', clientSecret: clientSecret },
        });
        expect((await allEnvelopes(runtime)).map(keyIdOf)).toEqual(Array(7).fill(oldId));
      });
    });
    afterAll(async () => {
      await acme?.close();
    });

    it('refuses to rotate when an envelope key is not loaded, naming its id and changing nothing', async () => {
      const error = await rotate({ OXYGEN_MASTER_KEY: newKey }).catch((e: unknown) => e);
      expect(ConfigError.isInstance(error)).toBe(true);
      expect((error as OxygenError).message).toContain(oldId);
      expect((error as OxygenError).hint).toContain('OXYGEN_MASTER_KEY_PREVIOUS');
      await withRuntime({ OXYGEN_MASTER_KEY: oldKey }, async (runtime) => {
        expect((await allEnvelopes(runtime)).map(keyIdOf)).toEqual(Array(7).fill(oldId));
      });
    });

    it('re-seals in batches; a run stopped halfway leaves every credential readable', async () => {
      const env = { OXYGEN_MASTER_KEY: newKey, OXYGEN_MASTER_KEY_PREVIOUS: oldKey };
      const partial = await rotate(env, { batchSize: 2, maxBatches: 1 });
      expect(partial).toMatchObject({
        mode: 'env',
        rotated: 2,
        skipped: 0,
        remaining: 5,
        active_key_id: newId,
        retired_key_ids: [],
        previous_key_ids: [oldId],
      });
      expect(partial.next_step).toContain('again');
      await withRuntime(env, async (runtime) => {
        const ids = (await allEnvelopes(runtime)).map(keyIdOf).sort();
        expect(ids).toEqual([newId, newId, ...Array(5).fill(oldId)].sort());
      });
      await runEverywhere(env);
    });

    it('resumes, ends with every envelope under the new key, and says the old key may go', async () => {
      const env = { OXYGEN_MASTER_KEY: newKey, OXYGEN_MASTER_KEY_PREVIOUS: oldKey };
      const done = await rotate(env, { batchSize: 2 });
      expect(done).toMatchObject({ rotated: 5, skipped: 2, remaining: 0, active_key_id: newId });
      expect(done.next_step).toMatch(/you may now remove OXYGEN_MASTER_KEY_PREVIOUS/);
      await withRuntime({ OXYGEN_MASTER_KEY: newKey }, async (runtime) => {
        expect((await allEnvelopes(runtime)).map(keyIdOf)).toEqual(Array(7).fill(newId));
      });
      // The new key alone reads everything.
      await runEverywhere({ OXYGEN_MASTER_KEY: newKey });
      const again = await rotate({ OXYGEN_MASTER_KEY: newKey });
      expect(again).toMatchObject({
        rotated: 0,
        skipped: 7,
        remaining: 0,
        previous_key_ids: [],
        next_step: null,
      });
    });

    it('prints key ids only, never keys', () => {
      const all = printed.join('\n');
      for (const key of [oldKey, newKey, Buffer.from(newKey, 'hex').toString('base64'), clientSecret]) {
        expect(all).not.toContain(key);
      }
      expect(all).toContain(newId);
    });
  });
}
