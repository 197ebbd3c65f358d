/**
 * The CLI as a client of a shared server: the foundation scenario run once on the local
 * embedded store and once through OXYGEN_API_URL against a server on PostgreSQL (a fresh
 * schema), printing the same JSON and the same exit codes; `oxygen login`/`logout`; another
 * organization's token; and `oxygen serve` itself.
 */

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { createRuntime, type Runtime } from '@oxygen/runtime';
import { createServer } from '@oxygen/server';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBytes, type CliResult, oxygen, tempHome } from './helpers.js';

const cliDir = dirname(dirname(fileURLToPath(import.meta.url)));
/**
 * The in-process server resolves plugins with this process's NODE_PATH (pnpm's bin shims set it);
 * the CLI processes get the same, so both sides load the same plugins.
 */
const nodePath = process.env.NODE_PATH ? { NODE_PATH: process.env.NODE_PATH } : {};
const pgUrl = process.env.OXYGEN_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const pgRequired = process.env.OXYGEN_TEST_REQUIRE_POSTGRES === '1';

async function pgProblem(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || 'unreachable';
  } finally {
    await client.end().catch(() => {});
  }
}

async function pgQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** One step of the scenario: the CLI arguments (or a function making them when it runs), stdin, and what to do to the sandbox first. */
type Step = [args: string[] | (() => string[]), stdin?: string, before?: () => void];

/** The foundation scenario of `cli.test.ts`, as steps whose outputs are compared across modes. */
function scenario(sandbox: HubSpotSandbox): Step[] {
  return [
    [['providers', 'list', '--json']],
    [['providers', 'show', 'hubspot', '--json']],
    [['integrations', 'list', '--json']],
    [['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'], 'pat-na1-wrong-key-000000'],
    [['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'], `${sandbox.token}\n`],
    [['integrations', 'list', '--json']],
    [['integrations', 'list']],
    [['integrations', 'verify', 'hubspot', '--json']],
    [['integrations', 'actions', 'hubspot', '--json']],
    [['integrations', 'actions', 'hubspot']],
    [
      [
        'integrations',
        'run',
        'hubspot',
        'contact.upsert',
        '--input',
        '{"email":"ada@example.com","firstname":"Ada"}',
        '--dry-run',
        '--json',
      ],
    ],
    [
      [
        'integrations',
        'run',
        'hubspot',
        'contact.upsert',
        '--input',
        '{"email":"ada@example.com"}',
        '--dry-run',
      ],
    ],
    [
      [
        'integrations',
        'run',
        'hubspot',
        'contact.upsert',
        '--input',
        '{"email":"ada@example.com","firstname":"Ada"}',
        '--json',
      ],
    ],
    [
      () => [
        'integrations',
        'run',
        'hubspot',
        'contact.get',
        '--input',
        JSON.stringify({ id: [...sandbox.contacts.keys()][0] }),
        '--json',
      ],
    ],
    [
      ['integrations', 'run', 'hubspot', 'contact.search', '--input', '-', '--json'],
      '{"filters":[{"property":"email","operator":"EQ","value":"ada@example.com"}]}',
    ],
    [['integrations', 'verify', 'hubspot', '--json'], undefined, () => sandbox.failNext({ status: 401 })],
    [['integrations', 'verify', 'hubspot']],
    [['integrations', 'run', 'hubspot', 'contact.upsert', '--input', '{"email":"rejected@example.com"}']],
    [['integrations', 'run', 'hubspot', 'contact.upsert', '--input', '{}', '--json']],
    [['integrations', 'run', 'hubspot', 'contact.explode', '--input', '{}']],
    [['integrations', 'actions', 'salesforge']],
    [['integrations', 'connect', 'salesforge', '--api-key-stdin'], 'x'],
    [['integrations', 'run', 'conn_00000000000000000000000000', 'contact.get']],
    [['credits', 'balance', '--json']],
    [['credits', 'history', '--json']],
    [['integrations', 'disconnect', 'hubspot', '--json']],
    [['integrations', 'run', 'hubspot', 'contact.get', '--input', '{"id":"1"}']],
    [['integrations', 'verify', 'hubspot', '--json']],
    [['integrations', 'list', '--json']],
  ];
}

/** Replaces what differs by nature between two runs: ids, organization ids, times, request ids. */
function normalise(text: string, orgId: string): string {
  return text
    .replace(/conn_[0-9A-Z]{26}/g, 'conn_X')
    .replaceAll(`"organization_id": "${orgId}"`, '"organization_id": "ORG"')
    .replace(new RegExp(`([Oo]rganization) ${orgId}\\b`, 'g'), '$1 ORG')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME')
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/g, 'TIME')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');
}

interface Outcome {
  args: string;
  code: number;
  stdout: string;
  stderr: string;
}

async function runScenario(
  sandbox: HubSpotSandbox,
  env: NodeJS.ProcessEnv,
  orgId: string,
  seen: string[],
): Promise<Outcome[]> {
  sandbox.reset();
  const outcomes: Outcome[] = [];
  for (const [make, stdin, before] of scenario(sandbox)) {
    const args = typeof make === 'function' ? make() : make;
    before?.();
    const r = await oxygen(args, { env, stdin });
    seen.push(r.stdout, r.stderr);
    outcomes.push({
      args: args.join(' '),
      code: r.code,
      stdout: normalise(r.stdout, orgId),
      stderr: normalise(r.stderr, orgId),
    });
  }
  return outcomes;
}

const problem = await pgProblem();
if (problem !== undefined) {
  if (pgRequired) {
    describe('the CLI through a server on PostgreSQL', () => {
      it('reaches PostgreSQL (OXYGEN_TEST_REQUIRE_POSTGRES=1)', () => {
        throw new Error(`no PostgreSQL server at ${pgUrl.replace(/\/\/[^@]*@/, '//')}: ${problem}`);
      });
    });
  } else {
    process.stderr.write(`skipped: CLI-through-server suite (no PostgreSQL: ${problem})\n`);
  }
}

describe.runIf(problem === undefined)('the CLI through a server on PostgreSQL', () => {
  let sandbox: HubSpotSandbox;
  let runtime: Runtime;
  let app: Awaited<ReturnType<typeof createServer>>;
  let apiUrl: string;
  let orgA: string;
  let tokenA: string;
  let tokenB: string;
  const schema = `oxygen_cli_${randomBytes(6).toString('hex')}`;
  const seen: string[] = [];
  const logs: string[] = [];

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox({ rejectEmails: ['rejected@example.com'] });
    runtime = await createRuntime({
      databaseUrl: pgUrl,
      schema,
      env: {
        OXYGEN_MASTER_KEY: randomBytes(32).toString('base64'),
        OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
      },
      resolveFrom: [cliDir],
    });
    app = await createServer({
      runtime,
      publicUrl: () => apiUrl,
      logger: { stream: { write: (line: string) => void logs.push(line) } },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    orgA = (await runtime.orgs.create('Team A')).id;
    tokenA = (await runtime.tokens.create(orgA, { name: 'cli' })).token;
    tokenB = (await runtime.tokens.create((await runtime.orgs.create('Team B')).id)).token;
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await runtime?.close();
    await sandbox?.close();
    await pgQuery(`drop schema if exists "${schema}" cascade`).catch(() => {});
  });

  it('prints the same JSON, the same tables and the same exit codes as on the local store', async () => {
    const localHome = tempHome();
    const local = await runScenario(
      sandbox,
      { ...nodePath, OXYGEN_HOME: localHome, OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url },
      'default',
      seen,
    );
    const clientHome = tempHome();
    const remote = await runScenario(
      sandbox,
      { ...nodePath, OXYGEN_HOME: clientHome, OXYGEN_API_URL: apiUrl, OXYGEN_API_TOKEN: tokenA },
      orgA,
      seen,
    );
    // The scenario did what it should (not just the same thing twice).
    const byArgs = (outcomes: Outcome[], start: string) => outcomes.filter((o) => o.args.startsWith(start));
    expect(local.map((o) => o.code)).toEqual([
      0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0, 2, 2, 4, 4, 4, 4, 0, 0, 0, 3, 3, 0,
    ]);
    // The refused verification printed the connection in error, then the reason.
    const refused = local.find((o) => o.args === 'integrations verify hubspot --json' && o.code === 3)!;
    expect(JSON.parse(refused.stdout)).toMatchObject({ status: 'error' });
    expect(JSON.parse(refused.stderr).error).toMatchObject({ code: 'auth' });
    expect(
      byArgs(
        local,
        'integrations run hubspot contact.upsert --input {"email":"ada@example.com","firstname":"Ada"} --json',
      )[0]?.stdout,
    ).toMatch(/"email": "ada@example.com"/);
    expect(JSON.parse(local[5]!.stdout)).toHaveLength(1);
    expect(JSON.parse(local[7]!.stdout)).toMatchObject({ status: 'connected' });
    // Outcome by outcome, so a difference names its step.
    for (let i = 0; i < local.length; i++) expect(remote[i], local[i]!.args).toEqual(local[i]);
    // The client never opened a local store.
    expect(existsSync(join(clientHome, 'oxygen.db'))).toBe(false);
    // And the server's store has the connection, in its organization.
    const rows = await runtime.store.db
      .selectFrom('connections')
      .select(['organization_id', 'status'])
      .execute();
    expect(rows).toEqual([{ organization_id: orgA, status: 'disconnected' }]);
  }, 120_000);

  it("gives another organization's token 404 on the connection, and nothing in its list", async () => {
    const connected = await oxygen(['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'], {
      env: { OXYGEN_HOME: tempHome(), OXYGEN_API_URL: apiUrl, OXYGEN_API_TOKEN: tokenA },
      stdin: sandbox.token,
    });
    expect(connected.code, connected.stderr).toBe(0);
    const id = (connected.json() as { id: string }).id;
    const asB = { OXYGEN_HOME: tempHome(), OXYGEN_API_URL: apiUrl, OXYGEN_API_TOKEN: tokenB };
    const results: CliResult[] = [
      await oxygen(['integrations', 'actions', id, '--json'], { env: asB }),
      await oxygen(['integrations', 'run', id, 'contact.get', '--input', '{"id":"1"}', '--json'], {
        env: asB,
      }),
      await oxygen(
        ['integrations', 'run', id, 'contact.get', '--input', '{"id":"1"}', '--dry-run', '--json'],
        { env: asB },
      ),
      await oxygen(['integrations', 'verify', id, '--json'], { env: asB }),
      await oxygen(['integrations', 'disconnect', id, '--json'], { env: asB }),
      await oxygen(['integrations', 'disconnect', 'hubspot', '--json'], { env: asB }),
    ];
    for (const r of results) {
      seen.push(r.stdout, r.stderr);
      expect(r.code, r.stderr).toBe(4);
      expect(JSON.parse(r.stderr).error.code).toBe('not_found');
    }
    const list = await oxygen(['integrations', 'list', '--json'], { env: asB });
    expect(list.json()).toEqual([]);
    expect((await runtime.org(orgA).get(id)).status).toBe('connected');
  }, 120_000);

  it('maps a bad token, an unreachable server and half a configuration to clear errors', async () => {
    const home = tempHome();
    const bad = await oxygen(['integrations', 'list'], {
      env: { OXYGEN_HOME: home, OXYGEN_API_URL: apiUrl, OXYGEN_API_TOKEN: `oxy_${'A'.repeat(43)}` },
    });
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/^error: The API token is not valid\./);
    const down = await oxygen(['integrations', 'list', '--json'], {
      env: { OXYGEN_HOME: home, OXYGEN_API_URL: 'http://127.0.0.1:9', OXYGEN_API_TOKEN: tokenA },
    });
    expect(down.code).toBe(8);
    expect(JSON.parse(down.stderr).error).toMatchObject({ code: 'network' });
    const half = await oxygen(['integrations', 'list'], {
      env: { OXYGEN_HOME: home, OXYGEN_API_URL: apiUrl },
    });
    expect(half.code).toBe(9);
    expect(half.stderr).toMatch(/OXYGEN_API_TOKEN is not set/);
    const org = await oxygen(['integrations', 'list', '--org', 'other'], {
      env: { OXYGEN_HOME: home, OXYGEN_API_URL: apiUrl, OXYGEN_API_TOKEN: tokenA },
    });
    expect(org.code).toBe(2);
    for (const r of [bad, down, half, org]) {
      seen.push(r.stdout, r.stderr);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  }, 120_000);

  it('logs in (token sealed, file 0600), talks to the server, and logs out back to the local store', async () => {
    const home = tempHome();
    const env = { OXYGEN_HOME: home };
    const wrong = await oxygen(['login', '--api-url', apiUrl, '--token-stdin', '--json'], {
      env,
      stdin: `oxy_${'B'.repeat(43)}`,
    });
    expect(wrong.code).toBe(3);
    expect(existsSync(join(home, 'api.json'))).toBe(false);

    const login = await oxygen(['login', '--api-url', `${apiUrl}/`, '--token-stdin', '--json'], {
      env,
      stdin: `${tokenA}\n`,
    });
    seen.push(login.stdout, login.stderr);
    expect(login.code, login.stderr).toBe(0);
    expect(login.json()).toMatchObject({
      api_url: apiUrl,
      organization_id: orgA,
      organization_name: 'Team A',
      admin: false,
    });
    const file = join(home, 'api.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8')).not.toContain(tokenA);
    expect(allBytes(home)).not.toContain(tokenA);

    const remote = await oxygen(['integrations', 'list', '--json'], { env });
    expect(remote.code, remote.stderr).toBe(0);
    expect((remote.json() as { organization_id: string }[]).every((c) => c.organization_id === orgA)).toBe(
      true,
    );
    expect(remote.json()).toHaveLength(2);
    // The environment wins over the saved login.
    const asB = await oxygen(['integrations', 'list', '--json'], {
      env: { ...env, OXYGEN_API_URL: apiUrl, OXYGEN_API_TOKEN: tokenB },
    });
    expect(asB.json()).toEqual([]);

    const logout = await oxygen(['logout', '--json'], { env });
    expect(logout.json()).toEqual({ logged_out: true, file });
    expect(existsSync(file)).toBe(false);
    const localAgain = await oxygen(['integrations', 'list', '--json'], { env });
    expect(localAgain.json()).toEqual([]);
    expect((await oxygen(['logout', '--json'], { env })).json()).toEqual({ logged_out: false, file });
  }, 120_000);

  it('never prints, logs or stores a key or token in clear', async () => {
    expect(seen.length).toBeGreaterThan(50);
    const printed = seen.join('\n');
    const logText = logs.join('');
    expect(logs.length).toBeGreaterThan(50);
    for (const secret of [sandbox.token, tokenA, tokenB]) {
      expect(printed).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
    const tables = ['organizations', 'connections', 'api_tokens', 'connect_links', 'kysely_migration'];
    const dump = JSON.stringify(
      await Promise.all(tables.map((t) => pgQuery(`select * from "${schema}"."${t}"`).then((r) => r.rows))),
    );
    expect(dump).toContain(orgA);
    for (const secret of [sandbox.token, tokenA, tokenB]) expect(dump).not.toContain(secret);
  }, 120_000);
});

describe('oxygen serve', () => {
  it('serves the API on the embedded store until SIGTERM, logging to stderr', async () => {
    const home = tempHome();
    const bin = fileURLToPath(new URL('../bin/oxygen.js', import.meta.url));
    const created = await oxygen(['orgs', 'create', 'Serve Co', '--json'], { env: { OXYGEN_HOME: home } });
    expect(created.code, created.stderr).toBe(0);
    const orgId = (created.json() as { id: string }).id;
    const token = (
      await oxygen(['tokens', 'create', '--org', orgId, '--json'], { env: { OXYGEN_HOME: home } })
    ).json() as {
      token: string;
    };
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--json'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, OXYGEN_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const ready = await new Promise<{ url: string; public_url: string; store: string }>(
        (resolve, reject) => {
          child.stdout.on('data', (d) => {
            stdout += d;
            try {
              resolve(JSON.parse(stdout));
            } catch {}
          });
          child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)));
        },
      );
      expect(ready).toMatchObject({
        url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
        store: 'sqlite',
      });
      expect(ready.public_url).toBe(ready.url);
      const doc = (await (await fetch(`${ready.url}/openapi.json`)).json()) as {
        paths: Record<string, unknown>;
      };
      expect(Object.keys(doc.paths)).toContain('/v1/integrations/{ref}/run');
      const res = await fetch(`${ready.url}/v1/integrations`, {
        headers: { authorization: `Bearer ${token.token}` },
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      // One JSON value on stdout; the log on stderr, with the token redacted away.
      expect(JSON.parse(stdout)).toEqual(ready);
      expect(stderr).toContain('"msg":"incoming request"');
      expect(stderr).not.toContain(token.token);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);

  it('is the only command that loads the server (and so Fastify)', () => {
    const dist = join(cliDir, 'dist');
    const chunks = readdirSync(dist).filter((f) => f.endsWith('.js'));
    const importers = chunks.filter((f) =>
      readFileSync(join(dist, f), 'utf8').includes("import('@oxygen/server')"),
    );
    expect(importers).toHaveLength(1);
    expect(importers[0]).toMatch(/^serve-/);
    for (const f of chunks)
      expect(readFileSync(join(dist, f), 'utf8'), f).not.toMatch(/from ['"]fastify['"]/);
  }, 120_000);
});
