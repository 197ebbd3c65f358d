/**
 * The scaffolder as an author meets it: the `create-oxygen-provider` command in its own process
 * (id checks, refusing to overwrite, what it writes and prints) and the names and package.json it
 * derives. Building and testing what it writes is the walkthrough test's job.
 */

import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { providerNames, scaffold } from '../src/index.js';

const BIN = fileURLToPath(new URL('../bin/create-oxygen-provider.js', import.meta.url));
const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

function create(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const temps: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'create-oxygen-provider-'));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A one-line error on stderr, nothing on stdout, the exit status of its code. */
function expectError(r: { code: number; stdout: string; stderr: string }, exit: number, text: RegExp) {
  expect(r.code, r.stderr).toBe(exit);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(text);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('create-oxygen-provider <id>', () => {
  it('writes oxygen-provider-<id> in the current folder and says what to run next', async () => {
    const cwd = temp();
    const r = await create(['acme-crm', '--name', 'Acme CRM'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(
      'Created oxygen-provider-acme-crm (Acme CRM) in oxygen-provider-acme-crm: 19 files.',
    );
    expect(r.stdout).toMatch(
      /cd oxygen-provider-acme-crm\n {2}pnpm install\n {2}pnpm build\n {2}pnpm test\n/,
    );
    const dir = join(cwd, 'oxygen-provider-acme-crm');
    expect(tree(dir)).toEqual([
      '.gitignore',
      'CHANGELOG.md',
      'README.md',
      'SKILL.md',
      'package.json',
      'src/actions/contact.create.ts',
      'src/actions/contact.list.ts',
      'src/events/contact.created.ts',
      'src/index.ts',
      'src/sandbox/index.ts',
      'src/sandbox/main.ts',
      'src/webhook.ts',
      'src/wire.ts',
      'test/conformance.test.ts',
      'test/skill.test.ts',
      'test/webhook.test.ts',
      'tsconfig.json',
      'tsup.config.ts',
      'vitest.config.ts',
    ]);
    // Every template token was replaced with the provider's names.
    for (const file of tree(dir)) {
      expect(readFileSync(join(dir, file), 'utf8'), file).not.toMatch(/__[A-Z]+__/);
    }
    const index = readFileSync(join(dir, 'src/index.ts'), 'utf8');
    expect(index).toContain("id: 'acme-crm',");
    expect(index).toContain("name: 'Acme CRM',");
    expect(index).toContain('OXYGEN_PROVIDER_ACME_CRM_BASE_URL');
    expect(readFileSync(join(dir, 'src/sandbox/index.ts'), 'utf8')).toContain(
      'export async function startAcmeCrmSandbox(',
    );
    expect(readFileSync(join(dir, 'src/actions/contact.create.ts'), 'utf8')).toContain(
      "label: 'acme_crm_contact_id'",
    );
    expect(readFileSync(join(dir, 'SKILL.md'), 'utf8')).toMatch(
      /^---\nname: acme-crm\ndescription: .{50,}\n---\n/,
    );
  });

  it('package.json: the plugin and its sandbox exported, published @oxygen ranges, no local links', async () => {
    const cwd = temp();
    expect((await create(['acme', '--dir', 'plugins/acme'], cwd)).code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(cwd, 'plugins/acme/package.json'), 'utf8'));
    const version = (name: string) =>
      JSON.parse(readFileSync(join(PACKAGE, 'node_modules', name, 'package.json'), 'utf8')).version;
    expect(pkg).toMatchObject({
      name: 'oxygen-provider-acme',
      version: '0.1.0',
      type: 'module',
      main: './dist/index.js',
      exports: {
        '.': { types: './dist/index.d.ts', default: './dist/index.js' },
        './sandbox': { types: './dist/sandbox/index.d.ts', default: './dist/sandbox/index.js' },
      },
      files: ['dist', 'SKILL.md', 'README.md', 'CHANGELOG.md'],
      scripts: {
        build: 'tsup',
        test: 'vitest run',
        sandbox: 'node dist/sandbox/main.js',
        prepublishOnly: 'npm run build && npm test',
      },
      dependencies: {
        '@oxygen/core': `^${version('@oxygen/core')}`,
        '@oxygen/sandbox-kit': `^${version('@oxygen/sandbox-kit')}`,
        zod: expect.stringMatching(/^\^4\./),
      },
      devDependencies: { '@oxygen/testkit': `^${version('@oxygen/testkit')}` },
    });
    expect(Object.keys(pkg.devDependencies).sort()).toEqual([
      '@oxygen/testkit',
      '@types/node',
      'tsup',
      'typescript',
      'vitest',
    ]);
    expect(pkg.pnpm.overrides).toBeUndefined();
    expect(readFileSync(join(cwd, 'plugins/acme/src/index.ts'), 'utf8')).toContain("name: 'Acme',");
  });

  it('--link-checkout links every dependency to this checkout, and vitest to the one testkit uses', async () => {
    const cwd = temp();
    const r = await create(['acme', '--link-checkout', '--json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ package: 'oxygen-provider-acme', linked_checkout: true });
    const pkg = JSON.parse(readFileSync(join(cwd, 'oxygen-provider-acme/package.json'), 'utf8'));
    const overrides = pkg.pnpm.overrides as Record<string, string>;
    expect(Object.keys(overrides).sort()).toEqual(
      [...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)].sort(),
    );
    for (const [name, spec] of Object.entries(overrides)) {
      expect(spec, name).toMatch(/^link:\//);
      expect(existsSync(join(spec.slice(5), 'package.json')), name).toBe(true);
    }
    expect(overrides['@oxygen/core']).toBe(`link:${realpathSync(join(PACKAGE, '..', 'core'))}`);
    const testkitVitest = realpathSync(join(PACKAGE, '..', 'testkit', 'node_modules', 'vitest'));
    expect(overrides.vitest).toBe(`link:${testkitVitest}`);
  });

  it('--json prints one value: what was written and what to run next', async () => {
    const cwd = temp();
    const r = await create(['acme', '--json'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      id: 'acme',
      name: 'Acme',
      package: 'oxygen-provider-acme',
      dir: join(realpathSync(cwd), 'oxygen-provider-acme'),
      linked_checkout: false,
      next: [
        'cd oxygen-provider-acme',
        'pnpm install',
        'pnpm build',
        'pnpm test',
        'oxygen plugins add . --json',
      ],
    });
    expect(out.files).toContain('src/sandbox/index.ts');
  });

  it.each([
    ['Acme', /"Acme" is not a valid provider id: use lowercase letters, digits and single dashes/],
    ['acme_crm', /"acme_crm" is not a valid provider id/],
    ['1acme', /"1acme" is not a valid provider id/],
    ['acme-', /"acme-" is not a valid provider id/],
    ['ac--me', /"ac--me" is not a valid provider id/],
    ['a'.repeat(41), /is not a valid provider id.*at most 40/],
    ['oxygen-provider-acme', /"oxygen-provider-acme" is a package name; the provider id is "acme"/],
  ])('refuses the id %s with what to do, writing nothing', async (id, message) => {
    const cwd = temp();
    expectError(await create([id], cwd), 2, message);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses a missing id, an unknown option, a stray argument and a bad --name', async () => {
    const cwd = temp();
    expectError(await create([], cwd), 2, /Give the provider id/);
    expectError(await create(['acme', '--force'], cwd), 2, /Unknown option '--force'/);
    expectError(await create(['acme', 'CRM'], cwd), 2, /Unexpected argument\(s\): CRM.*--name "Acme CRM"/);
    expectError(
      await create(['acme', '--name', "Bob's CRM"], cwd),
      2,
      /--name "Bob's CRM" is not a valid display name/,
    );
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('refuses a folder that is not empty, and touches nothing in it', async () => {
    const cwd = temp();
    mkdirSync(join(cwd, 'oxygen-provider-acme'));
    writeFileSync(join(cwd, 'oxygen-provider-acme', 'notes.txt'), 'mine');
    const r = await create(['acme'], cwd);
    expectError(r, 5, /oxygen-provider-acme is not empty \(1 entries\); nothing was written\..*--dir/);
    expect(readdirSync(join(cwd, 'oxygen-provider-acme'))).toEqual(['notes.txt']);

    writeFileSync(join(cwd, 'a-file'), '');
    expectError(await create(['acme', '--dir', 'a-file'], cwd), 5, /a-file exists and is a file/);
  });

  it('writes into an empty folder that exists', async () => {
    const cwd = temp();
    mkdirSync(join(cwd, 'empty'));
    const r = await create(['acme', '--dir', 'empty'], cwd);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(cwd, 'empty', 'src', 'index.ts'))).toBe(true);
  });

  it('--help and --version', async () => {
    const help = await create(['--help'], temp());
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: create-oxygen-provider <id>/);
    const version = await create(['--version'], temp());
    expect(version.stdout.trim()).toBe(
      JSON.parse(readFileSync(join(PACKAGE, 'package.json'), 'utf8')).version,
    );
  });
});

describe('providerNames and scaffold()', () => {
  it('derives every name from the id', () => {
    expect(providerNames('acme-crm', 'Acme CRM')).toEqual({
      id: 'acme-crm',
      name: 'Acme CRM',
      packageName: 'oxygen-provider-acme-crm',
      env: 'ACME_CRM',
      pascal: 'AcmeCrm',
      camel: 'acmeCrm',
      snake: 'acme_crm',
    });
    expect(providerNames('h2o').name).toBe('H2o');
  });

  it('scaffold() writes the same files and returns them', async () => {
    const cwd = temp();
    const result = await scaffold({ id: 'acme', cwd });
    expect(result.dir).toBe(join(cwd, 'oxygen-provider-acme'));
    expect(result.files).toEqual(tree(result.dir));
    expect(result.links).toBeNull();
    await expect(scaffold({ id: 'acme', cwd })).rejects.toMatchObject({ code: 'conflict', field: 'dir' });
  });
});
