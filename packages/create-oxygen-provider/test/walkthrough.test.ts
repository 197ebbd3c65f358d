/**
 * docs/authoring.md, followed by the letter: every command in its `sh` blocks runs here, in order,
 * in a shell, in a fresh folder and `$OXYGEN_HOME`, with `oxygen` being this checkout's built CLI.
 * A provider is scaffolded (from this checkout, `--link-checkout`), installed, built, tested,
 * added to the CLI by path, listed, connected to its sandbox and run, packed for publishing and
 * removed. The only commands not run need the npm registry (listed in NEEDS_REGISTRY); the
 * checkout variant of the scaffold command, which the guide gives right after, runs instead.
 *
 * Offline and fast: `--link-checkout` points every dependency at this checkout's installed copies
 * (`link:` overrides), so `pnpm install` resolves nothing from a registry and takes under a second.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const GUIDE = join(REPO, 'docs', 'authoring.md');

/** Commands of the guide that need the npm registry (the packages are not published from here). */
const NEEDS_REGISTRY = ['pnpm create oxygen-provider acme --name "Acme CRM"', 'npm publish --access public'];

/** Every command line of the guide's `sh` blocks, in order (comments and blank lines dropped). */
function guideCommands(): string[] {
  const text = readFileSync(GUIDE, 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => (m[1] ?? '').replace(/\\\n\s*/g, ' ').split('\n'))
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let root: string;
let cwd: string;
let sandbox: ChildProcess | undefined;
let sandboxUrl = '';
const env: Record<string, string> = {};
/** What each command printed, by command line. */
const outputs = new Map<string, Result>();

/** Runs one line of the guide in bash, in the current folder, with the guide's environment. */
function sh(line: string): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn('bash', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** `pnpm sandbox`, left running like the guide's first terminal; resolves with its base URL. */
function startSandbox(line: string): Promise<string> {
  return new Promise((done, fail) => {
    // Any free port: the guide's 4010 may be taken on a shared machine. Its own process group,
    // so stopping it stops pnpm and node together.
    const child = spawn('bash', ['-c', line], {
      cwd,
      env: { ...env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    sandbox = child;
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const url = /export OXYGEN_PROVIDER_ACME_BASE_URL=(http:\/\/\S+)/.exec(out)?.[1];
      if (url) done(url);
    });
    child.on('error', fail);
    child.on('close', (code) => fail(new Error(`pnpm sandbox ended (${code}): ${out}`)));
  });
}

/** The JSON a command printed. */
function json(line: string): unknown {
  const r = outputs.get(line);
  if (!r) throw new Error(`the guide has no command: ${line}`);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'oxygen-authoring-'));
  cwd = join(root, 'work');
  mkdirSync(cwd);
  // `oxygen` is this checkout's built CLI, as the guide's alias makes it.
  const bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'oxygen'),
    `#!/bin/sh\nexec "${process.execPath}" "${join(REPO, 'apps', 'cli', 'bin', 'oxygen.js')}" "$@"\n`,
  );
  chmodSync(join(bin, 'oxygen'), 0o755);
  // A clean environment: no CI (pnpm would insist on a lockfile), no npm_config_* from the pnpm
  // that runs this test.
  Object.assign(env, {
    PATH: [bin, dirname(process.execPath), process.env.PATH].join(':'),
    HOME: process.env.HOME ?? root,
    OXYGEN_HOME: join(root, 'oxygen-home'),
    OXYGEN_REPO: REPO,
  });
});

afterAll(() => {
  if (sandbox?.pid) {
    sandbox.removeAllListeners('close');
    process.kill(-sandbox.pid, 'SIGTERM');
  }
  rmSync(root, { recursive: true, force: true });
});

describe('docs/authoring.md, command by command', () => {
  it('runs every command of the guide in order', async () => {
    const commands = guideCommands();
    for (const skipped of NEEDS_REGISTRY) expect(commands, 'the guide still says').toContain(skipped);
    for (const line of commands) {
      if (NEEDS_REGISTRY.includes(line)) continue;
      const cd = /^cd (\S+)$/.exec(line);
      if (cd) {
        cwd = resolve(cwd, cd[1]!);
        continue;
      }
      if (line === 'pnpm sandbox') {
        sandboxUrl = await startSandbox(line);
        continue;
      }
      const exported = /^export ([A-Z_]+)=(\S+)$/.exec(line);
      if (exported) {
        // The guide shows the sandbox's default port; use the one it really listens on.
        env[exported[1]!] =
          exported[1] === 'OXYGEN_PROVIDER_ACME_BASE_URL' ? sandboxUrl : exported[2]!.replace(/^"|"$/g, '');
        continue;
      }
      const result = await sh(line);
      outputs.set(line, result);
      expect(result.code, `${line}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`).toBe(0);
    }
  });

  const dir = () => join(root, 'work', 'oxygen-provider-acme');

  it('scaffolded oxygen-provider-acme with links to this checkout, and its tests passed', () => {
    const pkg = JSON.parse(readFileSync(join(dir(), 'package.json'), 'utf8'));
    expect(pkg.name).toBe('oxygen-provider-acme');
    expect(pkg.dependencies['@oxygen/core']).toMatch(/^\^\d+\.\d+\.\d+$/);
    expect(existsSync(join(dir(), 'node_modules', '@oxygen', 'testkit'))).toBe(true);
    const test = outputs.get('pnpm test')!;
    expect(test.stdout).toMatch(/Test Files {2}3 passed \(3\)/);
    expect(test.stdout).toContain('acme: plugin conformance');
  });

  it('oxygen plugins add . loaded it and recorded its folder', () => {
    expect(json('oxygen plugins add . --json')).toMatchObject({
      added: true,
      plugin: {
        source: dir(),
        package: 'oxygen-provider-acme',
        provider: 'acme',
        api_version: 1,
        status: 'loaded',
      },
    });
    const plugins = json('oxygen plugins list --json') as { provider: string; status: string }[];
    expect(plugins.at(-1)).toMatchObject({ provider: 'acme', status: 'loaded', origin: 'added' });
    const providers = json('oxygen providers list --json') as {
      id: string;
      name: string;
      actions: { slug: string }[];
    }[];
    const acme = providers.find((p) => p.id === 'acme');
    expect(acme?.name).toBe('Acme CRM');
    expect(acme?.actions.map((a) => a.slug)).toEqual(['contact.list', 'contact.create']);
  });

  it('connected to the sandbox and ran its actions: the dry run showed the request the run sent', () => {
    expect(
      json('echo acme-sandbox-key | oxygen integrations connect acme --api-key-stdin --json'),
    ).toMatchObject({
      provider: 'acme',
      status: 'connected',
      account_label: 'Sandbox Account',
    });
    const create = `oxygen integrations run acme contact.create --input '{"email":"ada@example.com","name":"Ada Lovelace"}'`;
    const dry = json(`${create} --dry-run --json`) as {
      requests: { method: string; url: string; body: unknown }[];
    };
    expect(dry.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: `${sandboxUrl}/v1/contacts`,
        body: { email: 'ada@example.com', name: 'Ada Lovelace' },
      }),
    ]);
    const created = json(`${create} --json`) as { id: string };
    expect(created).toMatchObject({ email: 'ada@example.com', name: 'Ada Lovelace' });
    const listed = json(
      `oxygen integrations run acme contact.list --input '{"email":"ada@example.com"}' --json`,
    ) as { results: { id: string }[]; next_cursor: string | null };
    expect(listed).toEqual({ results: [expect.objectContaining({ id: created.id })], next_cursor: null });
  });

  it('packed a tarball ready to publish: the built plugin, its sandbox, SKILL.md; no sources, no local links', async () => {
    const pkg = JSON.parse(readFileSync(join(dir(), 'package.json'), 'utf8'));
    expect(pkg.version).toBe('0.2.0');
    expect(pkg.pnpm.overrides).toBeUndefined();
    cwd = dir();
    const listing = await sh('tar -tzf oxygen-provider-acme-0.2.0.tgz');
    const files = listing.stdout.split('\n').filter(Boolean).sort();
    expect(files).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/SKILL.md',
        'package/README.md',
        'package/CHANGELOG.md',
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/sandbox/index.js',
        'package/dist/sandbox/index.d.ts',
      ]),
    );
    expect(files.filter((f) => /^package\/(src|test)\//.test(f))).toEqual([]);
  });

  it('oxygen plugins remove acme took it out of config.json', () => {
    expect(json('oxygen plugins remove acme --json')).toMatchObject({ removed: [dir()] });
    const config = JSON.parse(readFileSync(join(env.OXYGEN_HOME!, 'config.json'), 'utf8'));
    expect(config.plugins).toEqual([]);
  });
});
