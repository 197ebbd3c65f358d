/**
 * Managed mode, credits and key rotation as a user runs them: the built `oxygen` binary on the
 * embedded store, with a third-party fixture plugin (Enrich: one action in both modes, one byok
 * only) loaded from `$OXYGEN_HOME/config.json` and its fixture server standing in for the provider.
 */

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBytes, oxygen, tempHome } from './helpers.js';

interface EnrichServer {
  url: string;
  platformKey: string;
  customerKey: string;
  requests: { method: string; path: string; auth: string }[];
  close(): Promise<void>;
}

const runtimeFixtures = new URL('../../../packages/runtime/test/fixtures/managed/', import.meta.url);
const plugin = fileURLToPath(runtimeFixtures);

let enrich: EnrichServer;
let home: string;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

async function run(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = await oxygen(args, { env: { ...env, ...options.env }, stdin: options.stdin });
  outputs.push(result.stdout, result.stderr);
  return result;
}

function expectError(result: Awaited<ReturnType<typeof run>>, exit: number, code: string, text: RegExp) {
  expect(result.code, result.stderr).toBe(exit);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  const error = JSON.parse(result.stderr).error as { code: string; message: string };
  expect(error.code).toBe(code);
  expect(error.message).toMatch(text);
  return error;
}

beforeAll(async () => {
  const { startEnrich } = (await import(new URL('server.ts', runtimeFixtures).href)) as {
    startEnrich: () => Promise<EnrichServer>;
  };
  enrich = await startEnrich();
  home = tempHome();
  writeFileSync(join(home, 'config.json'), JSON.stringify({ plugins: [plugin] }));
  env = {
    OXYGEN_HOME: home,
    OXYGEN_PROVIDER_ENRICH_BASE_URL: enrich.url,
    OXYGEN_MANAGED_ENRICH_KEY: enrich.platformKey,
  };
});

afterAll(async () => {
  await enrich?.close();
});

describe('oxygen credits and managed mode (embedded store)', () => {
  let managedId = '';

  it('starts at zero credits', async () => {
    const r = await run(['credits', 'balance', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ organization_id: 'default', balance: 0 });
    const human = await run(['credits', 'balance']);
    expect(human.stdout.trim()).toBe('Organization default has 0 credits.');
  });

  it('names the variable when the platform key is missing', async () => {
    const r = await run(['integrations', 'connect', 'enrich', '--auth-mode', 'managed', '--json'], {
      env: { OXYGEN_MANAGED_ENRICH_KEY: '' },
    });
    expectError(r, 9, 'config', /OXYGEN_MANAGED_ENRICH_KEY/);
    expect((await run(['integrations', 'list', '--json'])).json()).toEqual([]);
  });

  it('connects in managed mode without asking for a credential', async () => {
    const r = await run(['integrations', 'connect', 'enrich', '--auth-mode', 'managed', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const c = r.json() as { id: string; auth_mode: string; status: string; account_label: string };
    expect(c).toMatchObject({ auth_mode: 'managed', status: 'connected', account_label: 'Platform account' });
    managedId = c.id;
  });

  it('refuses a managed call at zero balance before sending anything', async () => {
    const before = enrich.requests.length;
    const r = await run([
      'integrations',
      'run',
      managedId,
      'person.enrich',
      '--input',
      '{"email":"ada@example.com"}',
      '--json',
    ]);
    expectError(
      r,
      11,
      'insufficient_credits',
      /has 0 credits and Enrich person\.enrich costs 1 credit.*oxygen credits grant/,
    );
    expect(enrich.requests.length).toBe(before);
    const human = await run([
      'integrations',
      'run',
      managedId,
      'person.enrich',
      '--input',
      '{"email":"a@b.co"}',
    ]);
    expect(human.code).toBe(11);
    expect(human.stderr).toMatch(/^error: Not enough credits: .*`oxygen credits grant <n> --org default`/);
  });

  it('grants credits: a positive whole number, for the organization --org names', async () => {
    for (const bad of ['abc', '0', '2.5', '1e3']) {
      expectError(await run(['credits', 'grant', bad, '--json']), 2, 'validation', /positive whole number/);
    }
    const r = await run(['credits', 'grant', '3', '--note', 'trial', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      organization_id: 'default',
      balance: 3,
      entry: { kind: 'grant', delta: 3, note: 'trial', id: expect.stringMatching(/^cred_/) },
    });
    const other = await run(['credits', 'grant', '7', '--org', 'acme-corp', '--json']);
    expect(other.json()).toMatchObject({ organization_id: 'acme-corp', balance: 7 });
    expect((await run(['credits', 'balance', '--json'])).json()).toMatchObject({ balance: 3 });
    const human = await run(['credits', 'grant', '1']);
    expect(human.stdout.trim()).toBe('Granted 1 credit to organization default; balance: 4 credits.');
  });

  it('charges a managed call and shows it in the history', async () => {
    const dry = await run([
      'integrations',
      'run',
      managedId,
      'person.enrich',
      '--input',
      '{"email":"ada@example.com"}',
      '--dry-run',
      '--json',
    ]);
    expect(dry.json()).toMatchObject({
      credits: 1,
      requests: [{ headers: { authorization: 'Bearer [REDACTED]' } }],
    });
    const r = await run([
      'integrations',
      'run',
      managedId,
      'person.enrich',
      '--input',
      '{"email":"ada@example.com"}',
      '--json',
      '--verbose',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ email: 'ada@example.com', name: 'ada' });
    expect(r.stderr).toMatch(/\(managed\): \d+ ms, 1 credits/);
    expect(enrich.requests.at(-1)).toMatchObject({ path: '/v1/people/enrich', auth: 'managed' });
    expect((await run(['credits', 'balance', '--json'])).json()).toMatchObject({ balance: 3 });
    const history = (await run(['credits', 'history', '--json'])).json() as { kind: string; delta: number }[];
    expect(history.map((e) => [e.kind, e.delta])).toEqual([
      ['charge', -1],
      ['grant', 1],
      ['grant', 3],
    ]);
    const table = await run(['credits', 'history']);
    expect(table.stdout).toMatch(/KIND\s+DELTA/);
    expect(table.stdout).toMatch(/charge\s+-1\s+person\.enrich/);
  });

  it('says which integration a byok-only action runs on', async () => {
    const alone = await run([
      'integrations',
      'run',
      managedId,
      'list.export',
      '--input',
      '{"list":"q3"}',
      '--json',
    ]);
    expectError(alone, 2, 'validation', /runs in byok mode only; .* has no byok Enrich integration/);
    const byok = await run(['integrations', 'connect', 'enrich', '--api-key-stdin', '--json'], {
      stdin: enrich.customerKey,
    });
    expect(byok.code, byok.stderr).toBe(0);
    const byokId = (byok.json() as { id: string }).id;
    const named = await run([
      'integrations',
      'run',
      managedId,
      'list.export',
      '--input',
      '{"list":"q3"}',
      '--json',
    ]);
    expectError(named, 2, 'validation', new RegExp(`Run it on ${byokId} \\(byok\\)\\.$`));
    const ok = await run([
      'integrations',
      'run',
      byokId,
      'list.export',
      '--input',
      '{"list":"q3"}',
      '--json',
    ]);
    expect(ok.json()).toEqual({ list: 'q3', rows: 7 });
    expect((await run(['credits', 'balance', '--json'])).json()).toMatchObject({ balance: 3 });
  });
});

describe('oxygen vault rotate (embedded store)', () => {
  it('re-encrypts every credential under a new key and retires the old one', async () => {
    const before = readFileSync(join(home, 'master.key'), 'utf8');
    const r = await run(['vault', 'rotate', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const result = r.json() as Record<string, unknown>;
    expect(result).toMatchObject({
      mode: 'embedded',
      rotated: 1, // the byok credential; the managed connection stores none
      skipped: 0,
      remaining: 0,
      retired_key_ids: [expect.stringMatching(/^[0-9a-f]{12}$/)],
      next_step: null,
    });
    const after = readFileSync(join(home, 'master.key'), 'utf8');
    expect(after).not.toBe(before);
    expect(existsSync(join(home, 'master.key.previous'))).toBe(false);
    expect(r.stdout).not.toContain(before.trim());
    expect(r.stdout).not.toContain(after.trim());
    // The credential still works under the new key.
    const list = (await run(['integrations', 'list', '--json'])).json() as {
      id: string;
      auth_mode: string;
    }[];
    const byok = list.find((c) => c.auth_mode === 'byok')!;
    const ok = await run([
      'integrations',
      'run',
      byok.id,
      'list.export',
      '--input',
      '{"list":"q4"}',
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const again = await run(['vault', 'rotate']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /^Re-sealed 1 credential\(s\) under key [0-9a-f]{12}; 0 already were\.\nRetired key [0-9a-f]{12}\.$/m,
    );
    expectError(
      await run(['vault', 'rotate', '--batch-size', '0', '--json']),
      2,
      'validation',
      /--batch-size/,
    );
  });

  it('leaves no secret in any output or file', () => {
    const all = outputs.join('\n');
    const files = allBytes(home);
    for (const secret of [enrich.platformKey, enrich.customerKey]) {
      expect(all).not.toContain(secret);
      expect(files).not.toContain(secret);
    }
  });
});
