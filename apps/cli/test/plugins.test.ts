/**
 * `oxygen plugins add|list|remove`, as a user runs them: the built binary in its own process, a
 * fresh `$OXYGEN_HOME`. The example third-party provider (`examples/provider-pipelane`) is added
 * by its path from the repository root, shows up in the catalog, connects and runs against its
 * sandbox; plugins that cannot load (an unsupported apiVersion, not a provider, not built, a
 * provider id taken) are refused before config.json changes.
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type PipelaneSandbox, startPipelaneSandbox } from 'oxygen-provider-pipelane/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, oxygen, tempHome } from './helpers.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');
const EXAMPLE = join(REPO, 'examples', 'provider-pipelane');

interface PluginInfo {
  source: string;
  origin: 'first-party' | 'added';
  package: string | null;
  version: string | null;
  api_version: number | null;
  provider: string | null;
  name: string | null;
  actions: number | null;
  events: number | null;
  status: 'loaded' | 'failed';
  error: string | null;
  hint: string | null;
}

let sandbox: PipelaneSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
const fixtures = mkdtempSync(join(tmpdir(), 'oxygen-plugins-'));

/** Runs the built `oxygen` in its own process from the repository root, as a user in a checkout would. */
function run(args: string[], stdin?: string): Promise<CliResult> {
  return oxygen(args, { env, cwd: REPO, ...(stdin === undefined ? {} : { stdin }) });
}

/** The plugins config.json lists, or undefined when there is no file. */
function configured(): string[] | undefined {
  try {
    return (JSON.parse(readFileSync(join(home, 'config.json'), 'utf8')) as { plugins?: string[] }).plugins;
  } catch {
    return undefined;
  }
}

/** A plugin package folder holding `index.js` with `source` as its text. */
function fixture(name: string, source: string, pkg: Record<string, unknown> = {}): string {
  const dir = join(fixtures, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', ...pkg }),
  );
  writeFileSync(join(dir, 'index.js'), source);
  return dir;
}

/** A plain-object plugin (no imports) that passes the contract checks, with `fields` changed. */
function plainPlugin(fields: Record<string, unknown>): string {
  const base = {
    apiVersion: 1,
    id: 'plain',
    name: 'Plain',
    baseUrl: 'https://api.plain.example',
    auth: { byok: [{ type: 'api_key', label: 'Key', header: 'authorization', scheme: 'Bearer' }] },
    actions: [],
    ...fields,
  };
  return `export default { ...${JSON.stringify(base)}, verify: async () => ({ accountLabel: 'x' }) };\n`;
}

/** One line on stderr, nothing on stdout, the exit status of the error code. */
function expectError(r: CliResult, exit: number, text: RegExp) {
  expect(r.code, r.stderr).toBe(exit);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(text);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

beforeAll(async () => {
  sandbox = await startPipelaneSandbox({ companyName: 'Initech' });
  home = tempHome();
  env = { OXYGEN_HOME: home, OXYGEN_PROVIDER_PIPELANE_BASE_URL: sandbox.url };
});

afterAll(async () => {
  await sandbox.close();
  rmSync(fixtures, { recursive: true, force: true });
});

describe('oxygen plugins with the example third-party provider', () => {
  it('list --json: the four first-party plugins, loaded, with version and apiVersion', async () => {
    const r = await run(['plugins', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plugins = r.json() as PluginInfo[];
    expect(plugins.map((p) => [p.provider, p.origin, p.status])).toEqual([
      ['hubspot', 'first-party', 'loaded'],
      ['attio', 'first-party', 'loaded'],
      ['instantly', 'first-party', 'loaded'],
      ['linkedin', 'first-party', 'loaded'],
    ]);
    for (const p of plugins) {
      expect(p.api_version).toBe(1);
      expect(p.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(p.package).toBe(p.source);
    }
  });

  it('add <path> (relative to the current folder) checks it loads, then records the absolute path', async () => {
    const r = await run(['plugins', 'add', 'examples/provider-pipelane', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({
      added: true,
      plugin: {
        source: EXAMPLE,
        origin: 'added',
        package: 'oxygen-provider-pipelane',
        version: '0.1.0',
        api_version: 1,
        provider: 'pipelane',
        name: 'Pipelane',
        actions: 3,
        events: 1,
        status: 'loaded',
        error: null,
        hint: null,
      },
      config: join(home, 'config.json'),
    });
    expect(configured()).toEqual([EXAMPLE]);
  });

  it('adding it again changes nothing', async () => {
    const r = await run(['plugins', 'add', './examples/provider-pipelane/', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ added: false, already: 'added', plugin: { provider: 'pipelane' } });
    expect(configured()).toEqual([EXAMPLE]);
  });

  it('list --json shows it added and loaded; providers list --json has its actions', async () => {
    const plugins = (await run(['plugins', 'list', '--json'])).json() as PluginInfo[];
    expect(plugins.at(-1)).toMatchObject({
      source: EXAMPLE,
      origin: 'added',
      package: 'oxygen-provider-pipelane',
      version: '0.1.0',
      api_version: 1,
      status: 'loaded',
    });
    const r = await run(['providers', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const pipelane = (
      r.json() as { id: string; version: string; actions: { slug: string; mirror: string }[] }[]
    ).find((p) => p.id === 'pipelane');
    expect(pipelane?.version).toBe('0.1.0');
    expect(pipelane?.actions.map((a) => [a.slug, a.mirror])).toEqual([
      ['deal.list', null],
      ['deal.create', 'pipelane_deal_id'],
      ['deal.move', 'pipelane_deal_id'],
    ]);
  });

  it('connects with a token and runs deal.create against its sandbox: the documented request, the deal back', async () => {
    const connect = await run(
      ['integrations', 'connect', 'pipelane', '--api-key-stdin', '--json'],
      sandbox.key,
    );
    expect(connect.code, connect.stderr).toBe(0);
    expect(connect.json()).toMatchObject({
      provider: 'pipelane',
      status: 'connected',
      account_label: 'Initech',
    });
    expect(connect.stdout).not.toContain(sandbox.key);

    const input = {
      title: 'Initech - renewal',
      value: 4800,
      currency: 'USD',
      person_email: 'peter@initech.example',
    };
    const r = await run([
      'integrations',
      'run',
      'pipelane',
      'deal.create',
      '--input',
      JSON.stringify(input),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const deal = r.json() as { id: string; stage: string };
    expect(deal).toMatchObject({ title: 'Initech - renewal', value: 4800, currency: 'USD', stage: 'lead' });
    expect(sandbox.deals.get(Number(deal.id))?.person_email).toBe('peter@initech.example');
    const sent = sandbox.requests.at(-1)!;
    expect([sent.method, sent.path, sent.body]).toEqual(['POST', '/v2/deals', input]);
    expect(sent.headers['x-api-token']).toBe(sandbox.key);

    const list = await run(['integrations', 'run', 'pipelane', 'deal.list', '--input', '{}', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((list.json() as { results: { id: string }[] }).results.map((d) => d.id)).toEqual([deal.id]);
  });

  it('remove <provider id> stops loading it; the first-party ones stay', async () => {
    const r = await run(['plugins', 'remove', 'pipelane', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toEqual({ removed: [EXAMPLE], config: join(home, 'config.json') });
    expect(configured()).toEqual([]);
    const providers = (await run(['providers', 'list', '--json'])).json() as { id: string }[];
    expect(providers.map((p) => p.id).sort()).toEqual(['attio', 'hubspot', 'instantly', 'linkedin']);
  });

  it('remove <path> and remove <package name> work too', async () => {
    for (const name of ['./examples/provider-pipelane', 'oxygen-provider-pipelane']) {
      expect((await run(['plugins', 'add', 'examples/provider-pipelane', '--json'])).code).toBe(0);
      const r = await run(['plugins', 'remove', name, '--json']);
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(configured()).toEqual([]);
    }
  });
});

describe('oxygen plugins refuses what cannot load, before config.json changes', () => {
  it('a plugin written for an unsupported apiVersion: which version it has, which are supported', async () => {
    const dir = fixture('oxygen-provider-future', plainPlugin({ apiVersion: 2, id: 'future' }));
    const before = configured();
    const r = await run(['plugins', 'add', dir]);
    expectError(r, 10, /apiVersion 2; this runtime supports 1\./);
    expect(r.stderr).toMatch(/Upgrade Oxygen/);
    expect(configured()).toEqual(before);

    const json = await run(['plugins', 'add', dir, '--json']);
    expect(json.code).toBe(10);
    expect(JSON.parse(json.stderr).error).toMatchObject({ code: 'plugin' });
  });

  it('a module that is not a provider says what is wrong with it', async () => {
    const dir = fixture('oxygen-provider-shapeless', 'export default { apiVersion: 1, id: "Shapeless" };\n');
    expectError(await run(['plugins', 'add', dir]), 10, /is not a valid provider: its id must be lowercase/);
    expect(configured()).toEqual([]);
  });

  it('a package that is not built: build it first', async () => {
    const dir = join(fixtures, 'oxygen-provider-unbuilt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'oxygen-provider-unbuilt', main: './dist/index.js' }),
    );
    expectError(
      await run(['plugins', 'add', dir]),
      10,
      /is not built: its entry file \.\/dist\/index\.js is missing.*pnpm build/,
    );
  });

  it('a path that does not exist, and a package that is not installed', async () => {
    expectError(await run(['plugins', 'add', './no/such/plugin']), 4, /does not exist/);
    expectError(
      await run(['plugins', 'add', 'nothing-here']),
      4,
      /nothing-here \/ oxygen-provider-nothing-here \/ @oxygen\/provider-nothing-here is not installed/,
    );
  });

  it('a provider id another plugin has: a conflict, not added', async () => {
    const dir = fixture(
      'oxygen-provider-hubspot-clone',
      plainPlugin({ id: 'hubspot', name: 'HubSpot clone' }),
    );
    expectError(
      await run(['plugins', 'add', dir]),
      5,
      /"hubspot" is already provided by @oxygen\/provider-hubspot/,
    );
    expect(configured()).toEqual([]);
  });

  it('first-party plugins are always there and cannot be removed; unknown ones are not found', async () => {
    const add = await run(['plugins', 'add', 'hubspot', '--json']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.json()).toMatchObject({
      added: false,
      already: 'first-party',
      plugin: { provider: 'hubspot' },
    });
    expect(configured()).toEqual([]);
    expectError(await run(['plugins', 'remove', 'hubspot']), 2, /first-party plugin: it ships with the CLI/);
    expectError(await run(['plugins', 'remove', 'acme']), 4, /acme is not an added plugin/);
  });

  it('an added plugin that breaks later is listed as failed (the rest load) and can be removed', async () => {
    const dir = fixture('oxygen-provider-fleeting', plainPlugin({ id: 'fleeting', name: 'Fleeting' }));
    expect((await run(['plugins', 'add', dir, '--json'])).code).toBe(0);
    rmSync(dir, { recursive: true });
    const r = await run(['plugins', 'list', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plugins = r.json() as PluginInfo[];
    expect(plugins.filter((p) => p.status === 'loaded')).toHaveLength(4);
    expect(plugins.at(-1)).toMatchObject({
      source: dir,
      status: 'failed',
      error: expect.stringMatching(/not found/),
    });
    const removed = await run(['plugins', 'remove', dir, '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(configured()).toEqual([]);
  });
});
