/**
 * Master-key rotation on the embedded store: the key file in `$OXYGEN_HOME` is replaced, the old
 * key kept in `master.key.previous` until every envelope is re-sealed, then retired; a rotation
 * that crashed (halfway through the envelopes, or between the two key-file writes) resumes.
 */

import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, OxygenError } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createRuntime,
  MASTER_KEY_FILE,
  PREVIOUS_MASTER_KEY_FILE,
  parseMasterKey,
  ROTATION_LOCK_FILE,
  type Runtime,
  rotateMasterKey,
} from '../src/index.js';
import { type AcmeServer, startAcme } from './fixtures/server.js';
import { describeEnvRotation, envelopes, keyIdOf } from './rotate.suite.js';
import { fixture } from './runtime.suite.js';

const envHome = mkdtempSync(join(tmpdir(), 'oxygen-rotate-env-'));
describeEnvRotation(
  'key rotation with env keys (sqlite)',
  (options) => createRuntime({ home: envHome, ...options }),
  envHome,
);

describe('key rotation on the embedded store', () => {
  const home = mkdtempSync(join(tmpdir(), 'oxygen-rotate-embedded-'));
  let acme: AcmeServer;
  const connections: { org: string; id: string }[] = [];
  const printed: string[] = [];
  const keyFiles: string[] = [];
  const keyIdIn = (file: string) => parseMasterKey(readFileSync(join(home, file), 'utf8')).id;
  const remember = (file: string) => keyFiles.push(readFileSync(join(home, file), 'utf8').trim());

  const withRuntime = async <T>(fn: (runtime: Runtime) => Promise<T>) => {
    const runtime = await createRuntime({
      home,
      env: { OXYGEN_PROVIDER_ACME_BASE_URL: acme.url },
      plugins: [fixture('acme')],
      retry: { limit: 0 },
    });
    try {
      return await fn(runtime);
    } finally {
      await runtime.close();
    }
  };
  const rotate = (options: { batchSize?: number; maxBatches?: number } = {}) =>
    withRuntime(async (runtime) => {
      const result = await rotateMasterKey({ store: runtime.store, env: {}, home, ...options });
      printed.push(JSON.stringify(result));
      return result;
    });
  const keyIds = () => withRuntime(async (runtime) => [...(await envelopes(runtime)).values()].map(keyIdOf));
  const runEverywhere = () =>
    withRuntime(async (runtime) => {
      for (const { org, id } of connections) {
        const report = await runtime.org(org).run(id, 'contact.create', { email: `${org}@example.com` });
        expect(report.output).toMatchObject({ email: `${org}@example.com` });
      }
    });

  beforeAll(async () => {
    acme = await startAcme();
    await withRuntime(async (runtime) => {
      for (let i = 0; i < 5; i++) {
        const org = `emb-${i}`;
        connections.push({ org, id: (await runtime.org(org).connect('acme', { apiKey: acme.key })).id });
      }
    });
    remember(MASTER_KEY_FILE);
  });
  afterAll(async () => {
    await acme?.close();
  });

  it('replaces the key, keeps the old one beside it while envelopes still need it (a crash halfway)', async () => {
    const oldId = keyIdIn(MASTER_KEY_FILE);
    expect(await keyIds()).toEqual(Array(5).fill(oldId));
    const partial = await rotate({ batchSize: 2, maxBatches: 1 });
    remember(MASTER_KEY_FILE);
    const newId = keyIdIn(MASTER_KEY_FILE);
    expect(newId).not.toBe(oldId);
    expect(partial).toEqual({
      mode: 'embedded',
      rotated: 2,
      skipped: 0,
      remaining: 3,
      active_key_id: newId,
      retired_key_ids: [],
      previous_key_ids: [oldId],
      resumed: false,
      next_step: expect.stringContaining('run `oxygen vault rotate` again'),
    });
    expect(keyIdIn(PREVIOUS_MASTER_KEY_FILE)).toBe(oldId);
    for (const file of [MASTER_KEY_FILE, PREVIOUS_MASTER_KEY_FILE]) {
      expect(statSync(join(home, file)).mode & 0o777).toBe(0o600);
    }
    expect(existsSync(join(home, ROTATION_LOCK_FILE))).toBe(false);
    expect((await keyIds()).sort()).toEqual([newId, newId, oldId, oldId, oldId].sort());
    // A process opening the store now loads both keys: every credential still works.
    await runEverywhere();
  });

  it('resumes, re-seals the rest and retires the old key', async () => {
    const oldId = keyIdIn(PREVIOUS_MASTER_KEY_FILE);
    const newId = keyIdIn(MASTER_KEY_FILE);
    const done = await rotate({ batchSize: 2 });
    expect(done).toMatchObject({
      rotated: 3,
      skipped: 2,
      remaining: 0,
      active_key_id: newId,
      retired_key_ids: [oldId],
      previous_key_ids: [],
      resumed: true,
      next_step: null,
    });
    expect(existsSync(join(home, PREVIOUS_MASTER_KEY_FILE))).toBe(false);
    expect(keyIdIn(MASTER_KEY_FILE)).toBe(newId);
    expect(await keyIds()).toEqual(Array(5).fill(newId));
    await runEverywhere();
  });

  it('rotates again in one go, and resumes a rotation that crashed between its two key writes', async () => {
    const before = keyIdIn(MASTER_KEY_FILE);
    const once = await rotate();
    remember(MASTER_KEY_FILE);
    expect(once).toMatchObject({ rotated: 5, skipped: 0, remaining: 0, retired_key_ids: [before] });
    // The crash: the current key was copied to master.key.previous, master.key not yet replaced.
    const current = keyIdIn(MASTER_KEY_FILE);
    copyFileSync(join(home, MASTER_KEY_FILE), join(home, PREVIOUS_MASTER_KEY_FILE));
    const resumed = await rotate();
    remember(MASTER_KEY_FILE);
    expect(resumed).toMatchObject({ rotated: 5, remaining: 0, resumed: true, retired_key_ids: [current] });
    expect(resumed.active_key_id).not.toBe(current);
    expect(await keyIds()).toEqual(Array(5).fill(resumed.active_key_id));
    expect(existsSync(join(home, PREVIOUS_MASTER_KEY_FILE))).toBe(false);
    await runEverywhere();
  });

  it('refuses to run beside another rotation, and takes over a lock left by a crashed one', async () => {
    const lock = join(home, ROTATION_LOCK_FILE);
    writeFileSync(lock, String(process.pid));
    const active = keyIdIn(MASTER_KEY_FILE);
    const error = await rotate().catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`another key rotation is running (process ${process.pid})`);
    expect(keyIdIn(MASTER_KEY_FILE)).toBe(active);
    expect(existsSync(join(home, PREVIOUS_MASTER_KEY_FILE))).toBe(false);
    // A pid that no longer runs: a crashed rotation's lock.
    const dead = spawnSync(process.execPath, [
      '-e',
      'process.stdout.write(String(process.pid))',
    ]).stdout.toString();
    writeFileSync(lock, dead);
    const result = await rotate();
    remember(MASTER_KEY_FILE);
    expect(result).toMatchObject({ rotated: 5, retired_key_ids: [active] });
    expect(existsSync(lock)).toBe(false);
  });

  it('stops at an envelope it cannot open, naming the row, and keeps the old key', async () => {
    const target = connections[2]!;
    await withRuntime(async (runtime) => {
      const envelope = (await envelopes(runtime)).get(target.id)!;
      // Swap the envelope with another row's: its AAD no longer matches (a copied credential).
      const other = (await envelopes(runtime)).get(connections[0]!.id)!;
      await runtime.store.connections.update(target.org, target.id, { credential: other });
      expect(envelope).not.toBe(other);
    });
    const active = keyIdIn(MASTER_KEY_FILE);
    const error = await rotate({ batchSize: 1 }).catch((e: unknown) => e);
    remember(MASTER_KEY_FILE);
    expect(OxygenError.isInstance(error)).toBe(true);
    expect((error as OxygenError).code).toBe('auth');
    expect((error as Error).message).toContain(`Cannot re-seal connections.credential of ${target.id}`);
    expect((error as OxygenError).hint).toContain(`oxygen integrations disconnect ${target.id}`);
    // Rows before it were re-sealed; the key they left is kept for the rest.
    expect(keyIdIn(PREVIOUS_MASTER_KEY_FILE)).toBe(active);
    const ids = await keyIds();
    expect(ids.filter((id) => id === active)).toHaveLength(3);
    // Disconnecting the broken one lets the rotation finish.
    await withRuntime((runtime) => runtime.org(target.org).disconnect(target.id));
    const finished = await rotate();
    expect(finished).toMatchObject({ remaining: 0, resumed: true, retired_key_ids: [active] });
  });

  it('prints key ids only, never key material', () => {
    const all = printed.join('\n');
    expect(keyFiles.length).toBeGreaterThan(5);
    for (const key of keyFiles) {
      expect(all).not.toContain(key);
      expect(all).not.toContain(Buffer.from(key, 'base64').toString('hex'));
    }
  });
});
