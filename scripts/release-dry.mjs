#!/usr/bin/env node
/**
 * `pnpm release:dry`: what `changeset publish` would put on npm, checked the way a user gets it.
 *
 * 1. builds every public workspace package with turbo (`--no-build` to use the dist/ already there);
 * 2. `pnpm pack`s each one (pnpm rewrites `workspace:` ranges and applies `publishConfig`, as on
 *    publish) and checks the packed manifest: every `exports`/`main`/`types`/`bin` target is in the
 *    tarball, each export has types, no `workspace:` range is left, every package a dist/ file
 *    imports is a declared dependency, and no tests, sources or fixtures leak into it;
 * 3. installs all the tarballs together with npm in an empty folder (overrides pin the packages
 *    to the sibling tarballs; everything else comes from the npm registry);
 * 4. there, `import()`s every export in Node, type-checks a file importing every export with the
 *    workspace's TypeScript (nodenext and bundler resolution, libraries checked too), runs each
 *    bin with `--version`, lists the providers with the installed `oxygen` and scaffolds a
 *    provider with the installed `create-oxygen-provider`.
 *
 * Prints a table of tarball sizes and file counts; exits 1 naming each package and its problem.
 * Options: --no-build, --keep (keep the temporary folder), --filter <name> (repeatable),
 * --native-from-source (let npm run native dependencies' install scripts instead of reusing the
 * workspace's build of the same version; slower: better-sqlite3 compiles when GitHub is out of reach).
 */

import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The workspace's TypeScript: its scanner finds imports, its checker checks the declarations. */
const ts = createRequire(join(ROOT, 'package.json'))('typescript');
const started = Date.now();

const { values: opts } = parseArgs({
  options: {
    build: { type: 'boolean', default: true },
    'no-build': { type: 'boolean', default: false },
    'native-from-source': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    filter: { type: 'string', multiple: true, default: [] },
  },
});
const shouldBuild = opts.build && !opts['no-build'];

/**
 * Files a package ships on purpose that the leak check would otherwise flag:
 * create-oxygen-provider's template *is* a provider's sources and tests.
 */
const INTENDED = { 'create-oxygen-provider': ['template/'] };

/** Export conditions only the workspace resolves (the CLI bundles core and runtime from src/). */
const WORKSPACE_CONDITIONS = new Set(['source']);

/** What never belongs in a tarball unless INTENDED says so. */
const LEAKS = [
  [
    /(^|\/)(src|test|tests|__tests__|__fixtures__|fixtures|coverage|\.turbo|node_modules)\//,
    'sources, tests or fixtures',
  ],
  [/\.(test|spec)\.[cm]?[jt]sx?$/, 'a test file'],
  [
    /(^|\/)(tsconfig(\..+)?\.json|tsup\.config\.[cm]?[jt]s|vitest\.config\.[cm]?[jt]s|biome\.json)$/,
    'build configuration',
  ],
  [/(^|\/)\.env(\.|$)|\.tsbuildinfo$/, 'local state'],
];

/** Problems found, by package; printed at the end. */
const problems = [];
const problem = (pkg, message) => problems.push({ pkg, message });

const phases = [];
async function phase(name, fn) {
  const t = Date.now();
  process.stdout.write(`• ${name}...\n`);
  const result = await fn();
  phases.push([name, Date.now() - t]);
  return result;
}

/** Runs a command; on failure throws with its output, so the message says what went wrong. */
async function sh(cmd, args, options = {}) {
  try {
    return await run(cmd, args, { maxBuffer: 64 * 1024 * 1024, ...options });
  } catch (error) {
    const out = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
    const detail = out.split('\n').slice(-25).join('\n');
    throw new Error(
      `\`${cmd} ${args.join(' ')}\` failed (exit ${error.code ?? '?'})${detail ? `:\n${detail}` : ''}`,
    );
  }
}

let failed = false;
function fail(message) {
  failed = true;
  process.stderr.write(`\nrelease:dry failed: ${message}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Workspace: which packages are public

const workspace = JSON.parse(
  (await sh('pnpm', ['ls', '-r', '--depth', '-1', '--json'], { cwd: ROOT })).stdout,
).filter((p) => p.path !== ROOT);
for (const p of workspace) {
  // An example is read by people, never installed: `changeset publish` must leave it alone.
  if (relative(ROOT, p.path).startsWith('examples/') && !p.private) {
    problem(
      p.name,
      `${relative(ROOT, p.path)} is an example but not "private": true, so \`changeset publish\` would publish it`,
    );
  }
}
let publics = workspace.filter((p) => !p.private && !relative(ROOT, p.path).startsWith('examples/'));
if (opts.filter.length > 0) {
  const unknown = opts.filter.filter((f) => !publics.some((p) => p.name === f));
  if (unknown.length > 0)
    fail(`--filter ${unknown.join(', ')}: not a public package (${publics.map((p) => p.name).join(', ')})`);
  publics = publics.filter((p) => opts.filter.includes(p.name));
}
const manifests = new Map(
  publics.map((p) => [p.name, JSON.parse(readFileSync(join(p.path, 'package.json'), 'utf8'))]),
);
process.stdout.write(
  `release:dry: ${publics.length} public packages: ${publics.map((p) => p.name).join(', ')}\n`,
);

const tmp = mkdtempSync(join(tmpdir(), 'oxygen-release-dry-'));
const tarDir = join(tmp, 'tarballs');
const unpackDir = join(tmp, 'unpacked');
const app = join(tmp, 'app');
for (const d of [tarDir, unpackDir, app]) mkdirSync(d, { recursive: true });
process.on('exit', () => {
  if (opts.keep || failed || problems.length > 0) process.stdout.write(`(temporary folder kept: ${tmp})\n`);
  else rmSync(tmp, { recursive: true, force: true });
});

async function main() {
  // -------------------------------------------------------------------------------------------
  // Build

  if (shouldBuild) {
    await phase('build (turbo, cached when unchanged)', () =>
      sh(
        'pnpm',
        [
          'exec',
          'turbo',
          'run',
          'build',
          '--output-logs=errors-only',
          ...publics.map((p) => `--filter=${p.name}`),
        ],
        { cwd: ROOT, env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' } },
      ),
    );
  } else {
    for (const p of publics) {
      if (!existsSync(join(p.path, 'dist')))
        problem(p.name, 'dist/ is missing: build it, or run without --no-build');
    }
  }

  // -------------------------------------------------------------------------------------------
  // Pack and inspect

  const packed = await phase('pack', () =>
    Promise.all(
      publics.map(async (p) => {
        const { stdout } = await sh('pnpm', ['pack', '--pack-destination', tarDir, '--json'], {
          cwd: p.path,
        });
        const info = JSON.parse(stdout.slice(stdout.indexOf('{')));
        const dir = join(unpackDir, p.name.replace('/', '__'));
        mkdirSync(dir, { recursive: true });
        await sh('tar', ['-xzf', info.filename, '-C', dir]);
        const root = join(dir, 'package');
        const files = walk(root);
        return {
          name: p.name,
          version: p.version,
          source: manifests.get(p.name),
          tarball: info.filename,
          tarballSize: statSync(info.filename).size,
          root,
          files,
          unpackedSize: files.reduce((n, f) => n + f.size, 0),
          manifest: JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')),
        };
      }),
    ),
  );
  for (const pkg of packed) inspect(pkg);

  // -------------------------------------------------------------------------------------------
  // Install every tarball together in an empty folder

  const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const specs = Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`]));
  writeFileSync(
    join(app, 'package.json'),
    `${JSON.stringify(
      {
        name: 'oxygen-release-dry',
        private: true,
        type: 'module',
        dependencies: specs,
        // A consumer's own types for Node, which the packages' declarations refer to.
        devDependencies: { '@types/node': rootManifest.devDependencies['@types/node'] },
        // Every range on a sibling (`^0.1.0` after packing) resolves to its tarball, never the registry.
        overrides: specs,
      },
      null,
      2,
    )}\n`,
  );
  await phase('npm install the tarballs in an empty folder', async () => {
    const env = { ...process.env, npm_config_update_notifier: 'false' };
    const base = ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefer-offline'];
    if (opts['native-from-source']) return sh('npm', base, { cwd: app, env });
    // Our packages have no install scripts (inspect() checks); a native dependency's script only
    // builds its binary. The workspace has that binary for this Node already, so it is reused when
    // the versions match, and built by \`npm rebuild\` otherwise.
    await sh('npm', [...base, '--ignore-scripts'], { cwd: app, env });
    const installed = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')).packages ?? {};
    for (const [where, entry] of Object.entries(installed)) {
      if (!entry.hasInstallScript) continue;
      const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
      const built = join(
        ROOT,
        'node_modules',
        '.pnpm',
        `${name.replace('/', '+')}@${entry.version}`,
        'node_modules',
        name,
        'build',
        'Release',
      );
      const binaries = existsSync(built) ? readdirSync(built).filter((f) => f.endsWith('.node')) : [];
      if (binaries.length > 0) {
        mkdirSync(join(app, where, 'build', 'Release'), { recursive: true });
        for (const f of binaries) cpSync(join(built, f), join(app, where, 'build', 'Release', f));
      } else {
        await sh('npm', ['rebuild', name, '--loglevel=error'], { cwd: app, env });
      }
    }
  });
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8'));
  for (const [where, entry] of Object.entries(lock.packages ?? {})) {
    const name = where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length);
    if (!where || !specs[name]) continue;
    if (!String(entry.resolved ?? '').startsWith('file:')) {
      problem(name, `npm installed ${where} from ${entry.resolved ?? 'the registry'}, not from its tarball`);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Import every export

  await phase('import() every export in Node', () =>
    Promise.all(
      packed.map(async (pkg) => {
        const entries = exportEntries(pkg.manifest).filter((e) => e.js);
        if (entries.length === 0) return;
        const script = `
          const out = {};
          for (const spec of ${JSON.stringify(entries.map((e) => e.spec))}) {
            try { out[spec] = { keys: Object.keys(await import(spec)).length }; }
            catch (e) { out[spec] = { error: String(e && e.stack || e).split('\\n').slice(0, 4).join('\\n') }; }
          }
          process.stdout.write(JSON.stringify(out));`;
        let result;
        try {
          const { stdout } = await sh(process.execPath, ['--input-type=module', '-e', script], {
            cwd: app,
            timeout: 60_000,
          });
          result = JSON.parse(stdout);
        } catch (error) {
          problem(pkg.name, `importing its exports crashed Node: ${error.message}`);
          return;
        }
        pkg.imports = result;
        for (const [spec, r] of Object.entries(result)) {
          if (r.error)
            problem(pkg.name, `import('${spec}') fails from the installed tarball:\n${indent(r.error)}`);
          else if (r.keys === 0) problem(pkg.name, `import('${spec}') exports nothing`);
        }
      }),
    ),
  );

  // -------------------------------------------------------------------------------------------
  // Type-check a consumer that imports every export

  await phase('type-check a file importing every export (nodenext, bundler)', () => {
    const entries = packed.flatMap((pkg) =>
      exportEntries(pkg.manifest)
        .filter((e) => e.js)
        .map((e) => ({ ...e, pkg: pkg.name })),
    );
    const source = `${entries.map((e, i) => `import * as m${i} from '${e.spec}';`).join('\n')}\nexport const all = [${entries.map((_, i) => `m${i}`).join(', ')}];\n`;
    const ours = (file) => {
      const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*\/node_modules\/)/.exec(file);
      return m && packed.some((p) => p.name === m[1]) ? m[1] : undefined;
    };
    for (const resolution of ['nodenext', 'bundler']) {
      const dir = join(app, `types-${resolution}`);
      mkdirSync(dir, { recursive: true });
      const index = join(dir, 'index.ts');
      writeFileSync(index, source);
      const options = {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: resolution === 'nodenext' ? ts.ModuleKind.NodeNext : ts.ModuleKind.ESNext,
        moduleResolution:
          resolution === 'nodenext' ? ts.ModuleResolutionKind.NodeNext : ts.ModuleResolutionKind.Bundler,
        types: ['node'],
        typeRoots: [join(app, 'node_modules', '@types')],
        skipLibCheck: false,
      };
      const program = ts.createProgram([index], options);
      // Our declarations and the importing file are checked in full; other libraries' only as far
      // as ours use them (their own errors are theirs, and checking them all takes a minute).
      const files = program
        .getSourceFiles()
        .filter((sf) => sf.fileName === index.split('\\').join('/') || ours(sf.fileName));
      const diagnostics = [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...files.flatMap((sf) => [
          ...program.getSyntacticDiagnostics(sf),
          ...program.getSemanticDiagnostics(sf),
        ]),
      ];
      for (const d of diagnostics) {
        const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        let where = '';
        let pkg = '(types)';
        if (d.file) {
          const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
          where = `${relative(app, d.file.fileName)}:${line + 1}:${character + 1}: `;
          pkg = ours(d.file.fileName) ?? entries[line]?.pkg ?? pkg;
        }
        problem(pkg, `types (${resolution}): ${where}TS${d.code}: ${text}`);
      }
      const checked = files.length - 1;
      if (checked === 0)
        problem('(types)', `types (${resolution}): no declaration file of ours was part of the program`);
    }
  });

  // -------------------------------------------------------------------------------------------
  // Bins, run from the installed tarballs

  const home = join(tmp, 'home');
  mkdirSync(home, { recursive: true });
  const env = { ...process.env, HOME: home, OXYGEN_HOME: join(home, '.oxygen'), NO_COLOR: '1' };
  delete env.OXYGEN_DATABASE_URL;
  await phase('run each bin from the installed tarballs', () =>
    Promise.all(
      packed.map(async (pkg) => {
        for (const bin of Object.keys(binOf(pkg.manifest))) {
          const exe = join(app, 'node_modules', '.bin', bin);
          if (!existsSync(exe)) {
            problem(pkg.name, `bin \`${bin}\` was not linked into node_modules/.bin on install`);
            continue;
          }
          try {
            const { stdout } = await sh(exe, ['--version'], { cwd: app, env, timeout: 30_000 });
            if (stdout.trim() !== pkg.version) {
              problem(
                pkg.name,
                `\`${bin} --version\` printed ${JSON.stringify(stdout.trim())}, expected ${pkg.version}`,
              );
            }
          } catch (error) {
            problem(pkg.name, `\`${bin} --version\` fails from the installed tarball: ${error.message}`);
          }
        }
        if (pkg.name === '@oxygen/cli') await checkCli(pkg, packed, env);
        if (pkg.name === 'create-oxygen-provider') await checkCreate(pkg, packed, env);
      }),
    ),
  );

  report(packed);
}

// ---------------------------------------------------------------------------------------------
// Checks on one packed package

function inspect(pkg) {
  const { name, manifest: m, source, files } = pkg;
  const has = new Set(files.map((f) => f.path));
  const exists = (target) => has.has(target.replace(/^\.\//, ''));

  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const [dep, range] of Object.entries(m[field] ?? {})) {
      if (String(range).startsWith('workspace:'))
        problem(name, `${field}.${dep} is still "${range}" in the tarball`);
    }
  }
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) {
    if (m.scripts?.[hook])
      problem(
        name,
        `has a "${hook}" script: installing it would run code (and the install step here skips it)`,
      );
  }
  if (!m.license) problem(name, 'no "license"');
  if (!m.engines?.node) problem(name, 'no "engines.node": say which Node versions it runs on');
  if (!has.has('README.md')) problem(name, 'README.md is not in the tarball');
  if (name.startsWith('@') && source.publishConfig?.access !== 'public') {
    problem(
      name,
      'scoped but without "publishConfig": { "access": "public" }: npm would publish it restricted',
    );
  }

  // publishConfig.exports (the source map without its workspace-only conditions) must not drift
  // from `exports`: every subpath and every other condition is published.
  if (source.exports && m.exports !== source.exports) {
    const published = new Map(exportEntries(m).map((e) => [e.subpath, new Map(e.targets)]));
    for (const e of exportEntries({ ...source, exports: source.exports })) {
      const got = published.get(e.subpath);
      if (!got) {
        problem(
          name,
          `exports["${e.subpath}"] is not in publishConfig.exports, so the published package would not have it`,
        );
        continue;
      }
      for (const [cond, target] of e.targets) {
        if (WORKSPACE_CONDITIONS.has(cond.split('.').at(-1))) continue;
        if (got.get(cond) !== target) {
          problem(
            name,
            `exports["${e.subpath}"].${cond} is ${target} but publishConfig.exports has ${got.get(cond) ?? 'nothing'}`,
          );
        }
      }
    }
  }

  // Every file the manifest points at is shipped.
  if (m.exports) {
    for (const e of exportEntries(m)) {
      for (const [cond, target] of e.targets) {
        if (!matches(target, has))
          problem(name, `exports["${e.subpath}"]${cond ? `.${cond}` : ''} → ${target} is not in the tarball`);
      }
      // A `types` condition was checked above with the other targets; a .d.ts beside the JS is not.
      const typed = e.targets.some(([cond]) => /(^|\.)types$/.test(cond));
      if (e.js && !typed && !matches(e.types, has)) {
        problem(
          name,
          `exports["${e.subpath}"] has no types: no "types" condition and no ${e.types} in the tarball`,
        );
      }
    }
  }
  for (const field of ['main', 'module', 'types', 'typings']) {
    if (typeof m[field] === 'string' && !exists(m[field]))
      problem(name, `"${field}": ${m[field]} is not in the tarball`);
  }
  for (const [bin, target] of Object.entries(binOf(m))) {
    if (!exists(target)) problem(name, `bin ${bin} → ${target} is not in the tarball`);
    else if (!readFileSync(join(pkg.root, target), 'utf8').startsWith('#!'))
      problem(name, `bin ${bin} → ${target} has no #! line`);
  }

  // Nothing that is not meant for users.
  const intended = INTENDED[name] ?? [];
  const leaked = new Map();
  for (const f of files) {
    if (intended.some((prefix) => f.path.startsWith(prefix))) continue;
    const leak = LEAKS.find(([re]) => re.test(f.path));
    if (!leak) continue;
    // One line per folder (or file at the top): `test/ (12 files)`.
    const key = `${f.path.includes('/') ? `${f.path.split('/')[0]}/` : f.path}\0${leak[1]}`;
    leaked.set(key, [...(leaked.get(key) ?? []), f.path]);
  }
  for (const [key, paths] of leaked) {
    const [where, what] = key.split('\0');
    const example =
      paths.length > 1
        ? ` (${paths.length} files, e.g. ${paths[0]})`
        : where === paths[0]
          ? ''
          : ` (${paths[0]})`;
    problem(name, `${where}${example} is in the tarball: ${what}; narrow "files"`);
  }

  // Every package the shipped code or declarations import is a dependency.
  const declared = new Set(
    [m.dependencies, m.peerDependencies, m.optionalDependencies].flatMap((d) => Object.keys(d ?? {})),
  );
  const missing = new Map();
  for (const f of files) {
    if (!/\.(m|c)?js$|\.d\.(m|c)?ts$/.test(f.path) || intended.some((prefix) => f.path.startsWith(prefix)))
      continue;
    for (const dep of importedPackages(readFileSync(join(pkg.root, f.path), 'utf8'))) {
      if (dep === name || declared.has(dep)) continue;
      // A declaration file may import a package that has no types of its own through @types.
      if (/\.d\.(m|c)?ts$/.test(f.path) && declared.has(`@types/${dep.replace(/^@/, '').replace('/', '__')}`))
        continue;
      if (!missing.has(dep)) missing.set(dep, f.path);
    }
  }
  for (const [dep, file] of missing) {
    const where = source.devDependencies?.[dep] ? ' (it is only a devDependency)' : '';
    problem(name, `${file} imports "${dep}", which is not in dependencies or peerDependencies${where}`);
  }
}

/** `oxygen providers list --json` from the installed CLI: every bundled provider at its packed version. */
async function checkCli(pkg, packed, env) {
  const exe = join(app, 'node_modules', '.bin', 'oxygen');
  let providers;
  try {
    const { stdout } = await sh(exe, ['providers', 'list', '--json'], { cwd: app, env, timeout: 60_000 });
    providers = JSON.parse(stdout);
  } catch (error) {
    problem(pkg.name, `\`oxygen providers list --json\` fails from the installed tarball: ${error.message}`);
    return;
  }
  const bundled = Object.keys(pkg.manifest.dependencies ?? {}).filter((d) =>
    d.startsWith('@oxygen/provider-'),
  );
  for (const dep of bundled) {
    const id = dep.slice('@oxygen/provider-'.length);
    const info = providers.find((p) => p.id === id);
    const expected = packed.find((p) => p.name === dep)?.version;
    if (!info) problem(pkg.name, `\`oxygen providers list\` does not list ${id} (${dep} is a dependency)`);
    else if (expected && info.version !== expected) {
      problem(
        pkg.name,
        `\`oxygen providers list\` shows ${id} at version ${info.version}, its tarball is ${expected}`,
      );
    } else if (!Number.isInteger(info.api_version))
      problem(pkg.name, `\`oxygen providers list\` shows no api_version for ${id}`);
  }
  pkg.note = `providers: ${providers.map((p) => `${p.id}@${p.version} (api v${p.api_version})`).join(', ')}`;

  // The agent skills ship: the CLI's own and each bundled provider's SKILL.md.
  try {
    const { stdout } = await sh(exe, ['skills', 'list', '--json'], { cwd: app, env, timeout: 60_000 });
    const skills = JSON.parse(stdout).skills ?? [];
    for (const source of ['@oxygen/cli', ...bundled]) {
      const skill = skills.find((s) => s.source === source);
      if (!skill)
        problem(
          source,
          `\`oxygen skills list\` from the installed tarballs has no skill from ${source} (is SKILL.md in "files"?)`,
        );
      else if (!skill.available)
        problem(
          source,
          `\`oxygen skills list\`: the ${skill.name} skill is not available from the installed tarball`,
        );
    }
    pkg.note += `; skills: ${skills.map((s) => s.name).join(', ')}`;
  } catch (error) {
    problem(pkg.name, `\`oxygen skills list --json\` fails from the installed tarball: ${error.message}`);
  }
}

/** Scaffolds a provider with the installed create-oxygen-provider: its template ships and its ranges match. */
async function checkCreate(pkg, packed, env) {
  const exe = join(app, 'node_modules', '.bin', 'create-oxygen-provider');
  const dir = join(tmp, 'scaffold');
  let out;
  try {
    const { stdout } = await sh(exe, ['acme', '--dir', dir, '--json'], { cwd: tmp, env, timeout: 30_000 });
    out = JSON.parse(stdout);
  } catch (error) {
    problem(
      pkg.name,
      `\`create-oxygen-provider acme --json\` fails from the installed tarball: ${error.message}`,
    );
    return;
  }
  const files = Array.isArray(out.files) ? out.files : [];
  const absent = files
    .map((f) => (typeof f === 'string' ? f : f.path))
    .filter((f) => f && !existsSync(resolve(dir, f)));
  if (files.length === 0 || absent.length > 0) {
    problem(
      pkg.name,
      `the scaffold lists ${files.length} files${absent.length ? `, missing: ${absent.join(', ')}` : ''}`,
    );
    return;
  }
  const scaffolded = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const field of ['dependencies', 'devDependencies']) {
    for (const [dep, range] of Object.entries(scaffolded[field] ?? {})) {
      const sibling = packed.find((p) => p.name === dep);
      if (sibling && !satisfiesCaret(sibling.version, range)) {
        problem(
          pkg.name,
          `the scaffold's ${field}.${dep} is "${range}", which the release version ${sibling.version} does not satisfy`,
        );
      }
    }
  }
  pkg.note = `scaffolded ${out.package} (${files.length} files)`;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Files under `root`, relative paths with sizes. */
function walk(root, dir = root, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) walk(root, full, out);
    else out.push({ path: relative(root, full).split('\\').join('/'), size: statSync(full).size });
  }
  return out;
}

/**
 * One entry per `exports` subpath: its import specifier, every condition's target, the JS file it
 * runs and the declarations it is typed by (the `types` condition, else the .d.ts beside the JS).
 */
function exportEntries(m) {
  const exp = m.exports;
  if (!exp) {
    if (!m.main) return [];
    return [
      {
        subpath: '.',
        spec: m.name,
        targets: [['main', m.main]],
        js: true,
        main: m.main,
        types: m.types ?? m.typings ?? dts(m.main),
      },
    ];
  }
  const map =
    typeof exp === 'string' || Array.isArray(exp) || !Object.keys(exp).some((k) => k.startsWith('.'))
      ? { '.': exp }
      : exp;
  return Object.entries(map).map(([subpath, value]) => {
    const targets = [];
    (function collect(v, cond) {
      if (typeof v === 'string') targets.push([cond, v]);
      else if (Array.isArray(v)) for (const x of v) collect(x, cond);
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) collect(x, cond ? `${cond}.${k}` : k);
    })(value, '');
    const main = targets.find(([c, t]) => /\.(m|c)?js$/.test(t) && !/(^|\.)types$/.test(c))?.[1];
    const types = targets.find(([c]) => /(^|\.)types$/.test(c))?.[1] ?? (main ? dts(main) : undefined);
    return {
      subpath,
      spec: subpath === '.' ? m.name : `${m.name}/${subpath.slice(2)}`,
      targets,
      js: Boolean(main) && !subpath.includes('*'),
      main,
      types,
    };
  });
}

function dts(js) {
  return js.replace(/\.(m|c)?js$/, (_, x) => `.d.${x ?? ''}ts`);
}

/** A target (possibly a `*` pattern) matches at least one shipped file. */
function matches(target, has) {
  const t = target.replace(/^\.\//, '');
  if (!t.includes('*')) return has.has(t);
  const re = new RegExp(
    `^${t
      .split('*')
      .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  );
  return [...has].some((f) => re.test(f));
}

function binOf(m) {
  if (!m.bin) return {};
  return typeof m.bin === 'string' ? { [m.name.replace(/^@[^/]+\//, '')]: m.bin } : m.bin;
}

const BUILTINS = new Set(builtinModules);

/**
 * Bare package names a JS or declaration file imports: static and dynamic imports, re-exports,
 * require() and import types, found by TypeScript's scanner (so code in comments does not count).
 */
function importedPackages(code) {
  const names = new Set();
  const { importedFiles, typeReferenceDirectives } = ts.preProcessFile(code, true, true);
  for (const { fileName: spec } of importedFiles) {
    if (spec.startsWith('.') || spec.startsWith('/') || spec.startsWith('node:') || spec.startsWith('#'))
      continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (BUILTINS.has(name)) continue;
    names.add(name);
  }
  // `/// <reference types="x" />` other than node, which every consumer of a Node package has.
  for (const { fileName } of typeReferenceDirectives)
    if (fileName !== 'node') names.add(`@types/${fileName}`);
  return names;
}

/** The ranges workspace packages use: exact, ^x.y.z, ~x.y.z, >=x.y.z. */
function satisfiesCaret(version, range) {
  const v = version.split('.').map(Number);
  const m = /^(\^|~|>=)?(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  if (!m) return true; // not a plain range (tag, url, link:): nothing to compare
  const r = [Number(m[2]), Number(m[3]), Number(m[4])];
  const cmp = v[0] - r[0] || v[1] - r[1] || v[2] - r[2];
  if (cmp < 0) return false;
  if (m[1] === '>=') return true;
  if (!m[1]) return cmp === 0;
  if (m[1] === '~') return v[0] === r[0] && v[1] === r[1];
  if (r[0] > 0) return v[0] === r[0];
  if (r[1] > 0) return v[0] === 0 && v[1] === r[1];
  return v[0] === 0 && v[1] === 0 && v[2] === r[2];
}

function indent(text) {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

function size(n) {
  return n < 1024
    ? `${n} B`
    : n < 1024 * 1024
      ? `${(n / 1024).toFixed(1)} kB`
      : `${(n / 1024 / 1024).toFixed(2)} MB`;
}

function report(packed) {
  const rows = [
    ['PACKAGE', 'VERSION', 'TARBALL', 'UNPACKED', 'FILES', 'EXPORTS', 'STATUS'],
    ...packed.map((p) => [
      p.name,
      p.version,
      size(p.tarballSize),
      size(p.unpackedSize),
      String(p.files.length),
      String(exportEntries(p.manifest).filter((e) => e.js).length),
      problems.some((x) => x.pkg === p.name) ? 'FAIL' : 'ok',
    ]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  process.stdout.write(
    `\n${rows
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n')}\n`,
  );
  for (const p of packed) if (p.note) process.stdout.write(`  ${p.name}: ${p.note}\n`);
  process.stdout.write(`\n${phases.map(([n, ms]) => `${n}: ${(ms / 1000).toFixed(1)}s`).join(' · ')}\n`);
  const total = ((Date.now() - started) / 1000).toFixed(1);
  if (problems.length > 0) {
    process.stderr.write(`\nrelease:dry: ${problems.length} problem(s) in ${total}s:\n`);
    for (const { pkg, message } of problems) process.stderr.write(`  ✗ ${pkg}: ${message}\n`);
    process.exit(1);
  }
  process.stdout.write(
    `release:dry: ${packed.length} packages pack, install, import, type-check and run (${total}s)\n`,
  );
}

// Last, so every declaration above is initialised before it runs.
try {
  await main();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
