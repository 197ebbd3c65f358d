/**
 * The foundation scenario, as a new user runs it: the built `oxygen` binary in its own process,
 * an embedded store in a fresh `$OXYGEN_HOME`, HubSpot's sandbox standing in for HubSpot.
 */

import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBytes, oxygen, tempHome } from './helpers.js';

let sandbox: HubSpotSandbox;
let env: NodeJS.ProcessEnv;
let home: string;
const outputs: string[] = [];

async function run(args: string[], stdin?: string) {
  const result = await oxygen(args, { env, stdin });
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** An error is one line on stderr, nothing on stdout, a non-zero exit. */
function expectOneLineError(result: Awaited<ReturnType<typeof run>>, exitCode: number, text: RegExp) {
  expect(result.code, result.stderr).toBe(exitCode);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).toMatch(text);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ rejectEmails: ['rejected@example.com'] });
  home = tempHome();
  env = { OXYGEN_HOME: home, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url };
});

afterAll(async () => {
  await sandbox.close();
});

describe('oxygen CLI against the HubSpot sandbox (embedded store)', () => {
  let connectionId = '';

  it('prints its version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists providers with their auth modes, actions and events', async () => {
    const r = await run(['providers', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const providers = r.json() as { id: string; auth_modes: string[]; actions: { slug: string }[] }[];
    const hubspot = providers.find((p) => p.id === 'hubspot');
    expect(hubspot?.auth_modes).toEqual(['byok']);
    expect(hubspot?.actions.map((a) => a.slug)).toEqual(
      expect.arrayContaining(['contact.upsert', 'contact.get', 'contact.search', 'company.upsert']),
    );
  });

  it('starts with no integrations', async () => {
    const r = await run(['integrations', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual([]);
  });

  it('refuses a wrong key with the provider reason and stores nothing', async () => {
    const r = await run(
      ['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'],
      'pat-na1-wrong-key-000000',
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr).error).toMatchObject({ code: 'auth', status: 401 });
    expect(r.stderr).not.toContain('pat-na1-wrong-key-000000');
    expect((await run(['integrations', 'list', '--json'])).json()).toEqual([]);
  });

  it('refuses to read a key when stdin is not a terminal and --api-key-stdin is not given', async () => {
    const r = await run(['integrations', 'connect', 'hubspot']);
    expectOneLineError(r, 2, /--api-key-stdin/);
  });

  it('connects with a key from stdin, verifying it first', async () => {
    const r = await run(
      ['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'],
      `${sandbox.token}\n`,
    );
    expect(r.code, r.stderr).toBe(0);
    const c = r.json() as Record<string, unknown>;
    expect(Object.keys(c).sort()).toEqual(
      [
        'id',
        'organization_id',
        'provider',
        'auth_mode',
        'status',
        'account_label',
        'scopes',
        'connected_at',
        'last_verified_at',
        'last_error',
        'expires_at',
      ].sort(),
    );
    expect(c).toMatchObject({
      provider: 'hubspot',
      auth_mode: 'byok',
      status: 'connected',
      organization_id: 'default',
      last_error: null,
      expires_at: null, // an API key does not expire
    });
    expect(String(c.account_label)).toContain(String(sandbox.portalId));
    connectionId = String(c.id);
    expect(connectionId).toMatch(/^conn_/);
  });

  it('lists the connection, as JSON and as a table', async () => {
    const json = await run(['integrations', 'list', '--json']);
    expect((json.json() as { id: string }[]).map((c) => c.id)).toEqual([connectionId]);
    const human = await run(['integrations', 'list']);
    expect(human.stdout).toMatch(/ID\s+PROVIDER\s+MODE\s+STATUS/);
    expect(human.stdout).toContain(connectionId);
  });

  it('keeps organizations apart', async () => {
    const other = await run(['integrations', 'list', '--json', '--org', 'acme']);
    expect(other.json()).toEqual([]);
    const r = await run(['integrations', 'actions', connectionId, '--json'], undefined);
    expect(r.code).toBe(0);
    const denied = await oxygen(
      ['integrations', 'run', connectionId, 'contact.get', '--input', '{"id":"1"}', '--json'],
      {
        env: { ...env, OXYGEN_ORG: 'acme' },
      },
    );
    expect(denied.code).toBe(4);
  });

  it('shows actions with modes, credits, effect and JSON Schemas', async () => {
    const r = await run(['integrations', 'actions', 'hubspot', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const actions = r.json() as Record<string, unknown>[];
    const upsert = actions.find((a) => a.slug === 'contact.upsert')!;
    expect(upsert).toMatchObject({ auth_modes: ['byok'], effect: 'write' });
    expect(typeof upsert.credits).toBe('number');
    expect((upsert.input_schema as { required?: string[] }).required).toContain('email');
    expect(upsert.output_schema).toHaveProperty('type', 'object');
  });

  it('dry-runs without sending anything, printing the exact request with the key redacted', async () => {
    const before = sandbox.requests.length;
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.upsert',
      '--input',
      '{"email":"ada@example.com","firstname":"Ada"}',
      '--dry-run',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(sandbox.requests.length).toBe(before);
    const report = r.json() as {
      dry_run: boolean;
      credits: number;
      input: Record<string, unknown>;
      integration: { id: string; auth_mode: string };
      requests: { method: string; url: string; headers: Record<string, string>; body: unknown }[];
    };
    expect(report).toMatchObject({
      dry_run: true,
      credits: 0,
      integration: { id: connectionId, auth_mode: 'byok' },
    });
    expect(report.input).toMatchObject({ email: 'ada@example.com', firstname: 'Ada' });
    expect(report.requests[0]).toMatchObject({
      method: 'POST',
      url: `${sandbox.url}/crm/v3/objects/contacts/batch/upsert`,
      headers: { authorization: 'Bearer [REDACTED]' },
    });
  });

  it('runs an action for real and prints its output', async () => {
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.upsert',
      '--input',
      '{"email":"ada@example.com","firstname":"Ada"}',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as { id: string; properties: Record<string, string> };
    expect(out.id).toMatch(/^\d+$/);
    expect(out.properties.email).toBe('ada@example.com');
    const got = await run([
      'integrations',
      'run',
      connectionId,
      'contact.get',
      '--input',
      `{"id":"${out.id}"}`,
      '--json',
    ]);
    expect((got.json() as { id: string }).id).toBe(out.id);
  });

  it('reads input from stdin with --input -', async () => {
    const r = await run(
      ['integrations', 'run', 'hubspot', 'contact.search', '--input', '-', '--json'],
      '{"filters":[{"property":"email","operator":"EQ","value":"ada@example.com"}]}',
    );
    expect(r.code, r.stderr).toBe(0);
    expect((r.json() as { results: unknown[] }).results).toHaveLength(1);
  });

  it('reports the provider error text when HubSpot rejects a value', async () => {
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.upsert',
      '--input',
      '{"email":"rejected@example.com"}',
    ]);
    expectOneLineError(r, 2, /HubSpot rejected the contact: .*Email address rejected@example.com is invalid/);
  });

  it.each([
    [
      ['integrations', 'run', 'hubspot', 'contact.upsert', '--input', '{"email":'],
      2,
      /--input is not valid JSON/,
    ],
    [['integrations', 'run', 'hubspot', 'contact.upsert', '--input', '{}'], 2, /"email" is required/],
    [
      ['integrations', 'run', 'hubspot', 'contact.explode', '--input', '{}'],
      4,
      /Unknown action "contact.explode".*contact\.upsert/,
    ],
    [['integrations', 'actions', 'salesforge'], 4, /Unknown provider "salesforge". Known providers: hubspot/],
    [['integrations', 'connect', 'salesforge', '--api-key-stdin'], 4, /Unknown provider "salesforge"/],
    [['integrations', 'run', 'conn_00000000000000000000000000', 'contact.get'], 4, /No integration conn_/],
    [['integrations', 'frobnicate'], 2, /Unknown command 'frobnicate'/],
  ] as const)('bad input %j fails with one clear line', async (args, code, text) => {
    expectOneLineError(await run([...args]), code, text);
  });

  it('prints errors as one JSON value on stderr with --json', async () => {
    const r = await run(['integrations', 'run', 'hubspot', 'contact.upsert', '--input', '{}', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(JSON.parse(r.stderr)).toEqual({
      error: expect.objectContaining({ code: 'validation', field: 'email' }),
    });
  });

  it('disconnects, destroying the credential; a disconnected integration cannot run', async () => {
    const r = await run(['integrations', 'disconnect', 'hubspot', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ id: connectionId, status: 'disconnected' });
    const again = await run(['integrations', 'run', connectionId, 'contact.get', '--input', '{"id":"1"}']);
    expectOneLineError(again, 3, /is disconnected.*oxygen integrations connect hubspot/);
  });

  it('never prints the key, and never stores it in clear', () => {
    for (const text of outputs) expect(text).not.toContain(sandbox.token);
    expect(allBytes(home)).not.toContain(sandbox.token);
  });
});
