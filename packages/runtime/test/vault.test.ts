import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthError, ConfigError } from '@oxygen/core';
import { afterAll, describe, expect, it } from 'vitest';
import { newId, openStore } from '../src/store/index.js';
import {
  connectionAad,
  createVault,
  generateMasterKey,
  loadMasterKeys,
  masterKey,
  masterKeyId,
  parseMasterKey,
} from '../src/vault/index.js';
import { bundleScript, runNode } from './store.suite.js';

const root = mkdtempSync(join(tmpdir(), 'oxygen-vault-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// Shaped like a HubSpot private app token, but not one.
const SECRET = 'pat-na1-test-vault-secret-value';
const AAD = connectionAad('org_a', 'conn_01');

describe('vault', () => {
  it('round-trips, with a compact envelope that never contains the plaintext', () => {
    const key = generateMasterKey();
    const vault = createVault([key]);
    const envelope = vault.encrypt(SECRET, AAD);
    expect(envelope).toMatch(/^v1\.[0-9a-f]{12}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(envelope.split('.')[1]).toBe(key.id);
    expect(envelope).not.toContain(SECRET);
    expect(envelope).not.toContain(Buffer.from(SECRET).toString('base64url'));
    expect(vault.decrypt(envelope, AAD)).toBe(SECRET);
    expect(vault.encrypt(SECRET, AAD)).not.toBe(envelope); // random IV
    expect(vault.decrypt(vault.encrypt('', AAD), AAD)).toBe('');
    const unicode = '🔑 clé secrète';
    expect(vault.decrypt(vault.encrypt(unicode, AAD), AAD)).toBe(unicode);
  });

  it('key id is the first 12 hex chars of sha256(key)', () => {
    // sha256 of 32 zero bytes = 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925
    expect(masterKeyId(Buffer.alloc(32))).toBe('66687aadf862');
    expect(masterKey(Buffer.alloc(32)).id).toBe('66687aadf862');
  });

  it('fails with AuthError on the wrong AAD: an envelope moved to another row or org does not open', () => {
    const vault = createVault([generateMasterKey()]);
    const envelope = vault.encrypt(SECRET, connectionAad('org_a', 'conn_01'));
    for (const aad of [connectionAad('org_b', 'conn_01'), connectionAad('org_a', 'conn_02'), '']) {
      expect(() => vault.decrypt(envelope, aad)).toThrow(/cannot be decrypted/);
      expect(catchError(() => vault.decrypt(envelope, aad))).toSatisfy(AuthError.isInstance);
    }
  });

  it('fails with a clear error, never garbage, when any part is tampered with', () => {
    const a = generateMasterKey();
    const b = generateMasterKey();
    const vault = createVault([a, b]);
    const envelope = vault.encrypt(SECRET, AAD);
    const parts = envelope.split('.');
    const flip = (s: string) => {
      const buf = Buffer.from(s, 'base64url');
      buf[0] = buf[0]! ^ 1;
      return buf.toString('base64url');
    };
    const variants = [
      [parts[0], parts[1], flip(parts[2]!), parts[3], parts[4]],
      [parts[0], parts[1], parts[2], flip(parts[3]!), parts[4]],
      [parts[0], parts[1], parts[2], parts[3], flip(parts[4]!)],
      [parts[0], b.id, parts[2], parts[3], parts[4]], // points at the other (known) key
      [parts[0], parts[1], parts[2], parts[3], `${parts[4]}AA`],
      [parts[0], parts[1], parts[2], parts[3]!.slice(0, 10), parts[4]],
    ].map((p) => p.join('.'));
    for (const bad of [...variants, 'garbage', '', 'a.b.c']) {
      const error = catchError(() => vault.decrypt(bad, AAD));
      expect(AuthError.isInstance(error), bad).toBe(true);
    }
    expect(catchError(() => vault.decrypt(['v9', ...parts.slice(1)].join('.'), AAD))).toSatisfy(
      ConfigError.isInstance,
    );
  });

  it('rotates: envelopes sealed with the old key open with [new, old]; new ones use the new key', () => {
    const oldKey = generateMasterKey();
    const newKey = generateMasterKey();
    const sealedOld = createVault([oldKey]).encrypt(SECRET, AAD);
    const rotated = createVault([newKey, oldKey]);
    expect(rotated.activeKeyId).toBe(newKey.id);
    expect(rotated.decrypt(sealedOld, AAD)).toBe(SECRET);
    const sealedNew = rotated.encrypt(SECRET, AAD);
    expect(sealedNew.split('.')[1]).toBe(newKey.id);
    expect(createVault([oldKey, newKey], newKey.id).encrypt('x', AAD).split('.')[1]).toBe(newKey.id);

    const error = catchError(() => createVault([newKey]).decrypt(sealedOld, AAD));
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(oldKey.id);
  });

  it('refuses to build without a usable key', () => {
    expect(catchError(() => createVault([]))).toSatisfy(ConfigError.isInstance);
    expect(catchError(() => createVault([{ id: 'x', key: Buffer.alloc(16) }]))).toSatisfy(
      ConfigError.isInstance,
    );
    expect(catchError(() => createVault([generateMasterKey()], 'nope'))).toSatisfy(ConfigError.isInstance);
  });
});

describe('loadMasterKeys', () => {
  const raw = randomBytes(32);

  it('reads OXYGEN_MASTER_KEY as base64, base64url or hex', () => {
    const id = masterKeyId(raw);
    for (const text of [
      raw.toString('base64'),
      raw.toString('base64url'),
      raw.toString('hex'),
      ` ${raw.toString('hex')}\n`,
    ]) {
      const keys = loadMasterKeys({ env: { OXYGEN_MASTER_KEY: text } });
      expect(keys.map((k) => k.id)).toEqual([id]);
      expect(keys[0]!.key.equals(raw)).toBe(true);
    }
  });

  it('gives a ConfigError explaining the format and how to make a key, without echoing it', () => {
    for (const bad of [
      'too-short',
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('hex'),
      'not base64!!',
    ]) {
      const error = catchError(() => loadMasterKeys({ env: { OXYGEN_MASTER_KEY: bad } }));
      expect(ConfigError.isInstance(error)).toBe(true);
      const { message, hint } = error as ConfigError;
      expect(message).toMatch(/OXYGEN_MASTER_KEY must be exactly 32 bytes, base64 or hex/);
      expect(`${message} ${hint}`).toContain('openssl rand -base64 32');
      expect(message).not.toContain(bad);
    }
  });

  it('adds OXYGEN_MASTER_KEY_PREVIOUS keys after the active one, for reading old envelopes', () => {
    const old1 = randomBytes(32);
    const old2 = randomBytes(32);
    const keys = loadMasterKeys({
      env: {
        OXYGEN_MASTER_KEY: raw.toString('base64'),
        OXYGEN_MASTER_KEY_PREVIOUS: `${old1.toString('base64')}, ${old2.toString('hex')},,${raw.toString('hex')}`,
      },
    });
    expect(keys.map((k) => k.id)).toEqual([masterKeyId(raw), masterKeyId(old1), masterKeyId(old2)]);
    const error = catchError(() =>
      loadMasterKeys({
        env: { OXYGEN_MASTER_KEY: raw.toString('base64'), OXYGEN_MASTER_KEY_PREVIOUS: 'a,b' },
      }),
    );
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('OXYGEN_MASTER_KEY_PREVIOUS (entry 1)');
  });

  it('without a key and not embedded: ConfigError asking to set OXYGEN_MASTER_KEY', () => {
    const home = join(root, 'not-embedded');
    const error = catchError(() => loadMasterKeys({ env: {}, home }));
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('set OXYGEN_MASTER_KEY');
    expect(existsSync(home)).toBe(false);
  });

  it('embedded: generates <home>/master.key once (0600, dir 0700) and reuses it', () => {
    const home = join(root, 'embedded', 'home');
    const [first] = loadMasterKeys({ env: {}, home, embedded: true });
    const file = join(home, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(parseMasterKey(readFileSync(file, 'utf8')).id).toBe(first!.id);
    const [second] = loadMasterKeys({ env: {}, home, embedded: true });
    expect(second!.id).toBe(first!.id);
    expect(readdirSync(home)).toEqual(['master.key']); // no temp files left behind
    // An explicit key wins over the file.
    expect(
      loadMasterKeys({ env: { OXYGEN_MASTER_KEY: raw.toString('hex') }, home, embedded: true })[0]!.id,
    ).toBe(masterKeyId(raw));
    // $OXYGEN_HOME is the default home.
    expect(loadMasterKeys({ env: { OXYGEN_HOME: home }, embedded: true })[0]!.id).toBe(first!.id);
  });

  it('embedded: a damaged key file is a ConfigError, not a silent new key', () => {
    const home = join(root, 'damaged');
    loadMasterKeys({ env: {}, home, embedded: true });
    writeFileSync(join(home, 'master.key'), 'oops\n');
    const error = catchError(() => loadMasterKeys({ env: {}, home, embedded: true }));
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('master.key');
  });

  it('embedded: processes starting together all end up with the same key', async () => {
    const script = await bundleScript(`
      import { loadMasterKeys } from '../src/vault/index.js';
      console.log(loadMasterKeys({ env: {}, home: process.argv[2], embedded: true })[0].id);
    `);
    try {
      const home = join(root, 'race');
      const runs = await Promise.all(Array.from({ length: 8 }, () => runNode(script, [home])));
      const ids = new Set(runs.map((r) => r.stdout.trim()));
      expect(runs.map((r) => r.code)).toEqual(Array(8).fill(0));
      expect(ids.size).toBe(1);
      expect(loadMasterKeys({ env: {}, home, embedded: true })[0]!.id).toBe([...ids][0]);
      expect(readdirSync(home)).toEqual(['master.key']);
    } finally {
      rmSync(script, { force: true });
    }
  });
});

describe('vault + SQLite store', () => {
  it('the plaintext never reaches the database file', async () => {
    const home = join(root, 'db');
    const vault = createVault(loadMasterKeys({ env: {}, home, embedded: true }));
    const store = await openStore({ home });
    const id = newId('conn');
    await store.organizations.ensure('org_a');
    await store.connections.insert({
      id,
      organization_id: 'org_a',
      provider: 'hubspot',
      auth_mode: 'byok',
      credential: vault.encrypt(JSON.stringify({ type: 'api_key', key: SECRET }), connectionAad('org_a', id)),
    });
    const row = await store.connections.get('org_a', id);
    expect(JSON.parse(vault.decrypt(row!.credential!, connectionAad('org_a', id))).key).toBe(SECRET);
    // Read the bytes while the store is open (WAL not yet checkpointed) and after closing.
    const files = () => readdirSync(home).filter((f) => f.startsWith('oxygen.db'));
    const scan = () => {
      for (const f of files()) expect(readFileSync(join(home, f)).includes(SECRET), f).toBe(false);
    };
    scan();
    await store.close();
    scan();
    expect(readFileSync(join(home, 'oxygen.db')).includes(id)).toBe(true); // the scan reads real data
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
