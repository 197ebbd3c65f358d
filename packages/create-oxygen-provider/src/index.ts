/**
 * `create-oxygen-provider`: scaffolds a provider plugin package for Oxygen Integrations, the
 * shape every first-party provider has (plugin, actions, events, webhooks, sandbox, SKILL.md,
 * conformance tests). `pnpm create oxygen-provider <id>` runs its command line; this module is the
 * same thing as a function.
 *
 * @example
 * ```ts
 * import { scaffold } from 'create-oxygen-provider';
 * const result = await scaffold({ id: 'acme', name: 'Acme CRM' });
 * result.dir;   // '/home/me/oxygen-provider-acme'
 * result.files; // ['.gitignore', 'CHANGELOG.md', 'README.md', 'SKILL.md', 'package.json', ...]
 * ```
 *
 * @packageDocumentation
 */

import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConflictError, ValidationError } from '@oxygen/core';

/** This package's own folder (holding `template/` and `package.json`), from `src/` or `dist/`. */
const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TEMPLATE_DIR = join(PACKAGE_ROOT, 'template');

/** A provider id: what the runtime accepts (lowercase letters, digits, dashes; 1-40; a letter first). */
const ID = /^[a-z][a-z0-9-]{0,39}$/;
/** A display name that is safe inside TypeScript strings, comments and Markdown. */
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} .,&+()!-]{0,59}$/u;

/**
 * The packages a scaffolded plugin depends on. Their version ranges are this package's own
 * `devDependencies` (pnpm turns `workspace:^` into `^<version>` when publishing), so a release of
 * create-oxygen-provider scaffolds against the Oxygen packages released with it.
 */
export const TEMPLATE_DEPENDENCIES = {
  dependencies: ['@oxygen/core', '@oxygen/sandbox-kit', 'zod'],
  devDependencies: ['@oxygen/testkit', '@types/node', 'tsup', 'typescript', 'vitest'],
} as const;

/** Every name the template derives from the provider id. */
export interface ProviderNames {
  /** `acme-crm`: the provider id, in commands and config. */
  id: string;
  /** `Acme CRM`: the display name. */
  name: string;
  /** `oxygen-provider-acme-crm`: the npm package name. */
  packageName: string;
  /** `ACME_CRM`: the id in environment variable names (`OXYGEN_PROVIDER_ACME_CRM_BASE_URL`). */
  env: string;
  /** `AcmeCrm`: in type and function names (`startAcmeCrmSandbox`). */
  pascal: string;
  /** `acmeCrm`: in value names (`acmeCrmWebhooks`). */
  camel: string;
  /** `acme_crm`: in mirror labels (`acme_crm_contact_id`). */
  snake: string;
}

/**
 * Checks a provider id and derives every name from it; the display name defaults to the id's
 * words capitalised (`acme-crm` → `Acme Crm`). Throws a `ValidationError` that says what is wrong.
 *
 * @example
 * ```ts
 * providerNames('acme-crm', 'Acme CRM').pascal; // 'AcmeCrm'
 * providerNames('Acme');                         // throws: lowercase letters, digits and dashes
 * ```
 */
export function providerNames(id: string, name?: string): ProviderNames {
  if (id.startsWith('oxygen-provider-') && ID.test(id)) {
    throw new ValidationError(`"${id}" is a package name; the provider id is "${id.slice(16)}".`, {
      field: 'id',
      hint: `Run \`create-oxygen-provider ${id.slice(16)}\`: the package is named oxygen-provider-<id>.`,
    });
  }
  if (!ID.test(id) || id.endsWith('-') || id.includes('--')) {
    throw new ValidationError(
      `"${id}" is not a valid provider id: use lowercase letters, digits and single dashes, starting with a letter (at most 40 characters).`,
      {
        field: 'id',
        hint: 'For example `create-oxygen-provider acme` or `create-oxygen-provider acme-crm`.',
      },
    );
  }
  const words = id.split('-');
  const cap = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
  const display = name?.trim() ?? words.map(cap).join(' ');
  if (!NAME.test(display)) {
    throw new ValidationError(
      `--name "${display}" is not a valid display name: use letters, digits, spaces and . , & + ( ) ! - (at most 60 characters, starting with a letter or digit).`,
      { field: 'name', hint: 'For example --name "Acme CRM".' },
    );
  }
  const pascal = words.map(cap).join('');
  return {
    id,
    name: display,
    packageName: `oxygen-provider-${id}`,
    env: id.toUpperCase().replaceAll('-', '_'),
    pascal,
    camel: pascal.charAt(0).toLowerCase() + pascal.slice(1),
    snake: id.replaceAll('-', '_'),
  };
}

/** Options for {@link scaffold}. */
export interface ScaffoldOptions {
  /** The provider id: lowercase letters, digits and dashes (`acme`, `acme-crm`). */
  id: string;
  /** The display name. Default: the id's words capitalised. */
  name?: string | undefined;
  /** Where to write the package. Default `oxygen-provider-<id>` in `cwd`. Must be empty or absent. */
  dir?: string | undefined;
  /** Resolves a relative `dir`. Default `process.cwd()`. */
  cwd?: string | undefined;
  /**
   * Point every dependency at the packages installed in the Oxygen checkout this command runs
   * from (`pnpm.overrides` with `link:` paths), instead of the npm registry: for building a
   * plugin before the `@oxygen` packages are published, or against unreleased changes. `pnpm
   * install` then needs no network. The checkout must be installed and built.
   */
  linkCheckout?: boolean | undefined;
}

/** What {@link scaffold} wrote. */
export interface ScaffoldResult extends ProviderNames {
  /** The package folder, absolute. */
  dir: string;
  /** Every file written, relative to `dir`, sorted. */
  files: string[];
  /** The `pnpm.overrides` written by `linkCheckout` (package → `link:` path), or null. */
  links: Record<string, string> | null;
}

/**
 * Writes a new provider package: `package.json`, sources, sandbox, tests, SKILL.md, README.
 * Refuses (`ConflictError`) a `dir` that exists and is not an empty folder.
 *
 * @example
 * ```ts
 * await scaffold({ id: 'acme', name: 'Acme CRM', dir: 'packages/acme' });
 * ```
 */
export async function scaffold(options: ScaffoldOptions): Promise<ScaffoldResult> {
  const names = providerNames(options.id, options.name);
  const dir = resolve(options.cwd ?? process.cwd(), options.dir ?? names.packageName);
  assertEmpty(dir);
  const ranges = templateRanges();
  const links = options.linkCheckout ? checkoutLinks() : null;

  const files = new Map<string, string>();
  for (const file of listFiles(TEMPLATE_DIR)) {
    // `_gitignore`: npm drops `.gitignore` from published packages. `.tmpl`: keeps formatters
    // (Biome formats Markdown) away from the `__TOKEN__`s.
    const target = file.replace(/(^|\/)_gitignore$/, '$1.gitignore').replace(/\.tmpl$/, '');
    files.set(target, substitute(readFileSync(join(TEMPLATE_DIR, file), 'utf8'), names));
  }
  files.set('package.json', `${JSON.stringify(packageJson(names, ranges, links), null, 2)}\n`);

  await mkdir(dir, { recursive: true });
  for (const [file, text] of files) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), text, { flag: 'wx' });
  }
  return { ...names, dir, files: [...files.keys()].sort(), links };
}

function assertEmpty(dir: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) {
    throw new ConflictError(`${dir} exists and is a file.`, {
      field: 'dir',
      hint: 'Choose another folder with --dir.',
    });
  }
  const entries = readdirSync(dir);
  if (entries.length > 0) {
    throw new ConflictError(`${dir} is not empty (${entries.length} entries); nothing was written.`, {
      field: 'dir',
      hint: 'Choose a new or empty folder with --dir; an existing folder is never overwritten.',
    });
  }
}

/** Template files relative to `root`, `/`-separated. */
function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split('\\').join('/'))
    .sort();
}

/** Replaces the template's `__TOKEN__`s; an unknown token is a bug in the template. */
export function substitute(text: string, names: ProviderNames): string {
  const values: Record<string, string> = {
    ID: names.id,
    NAME: names.name,
    PACKAGE: names.packageName,
    ENV: names.env,
    PASCAL: names.pascal,
    CAMEL: names.camel,
    SNAKE: names.snake,
  };
  return text.replace(/__([A-Z]+)__/g, (token, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`create-oxygen-provider template bug: unknown token ${token}`);
    return value;
  });
}

interface OwnPackage {
  version: string;
  devDependencies: Record<string, string>;
}

function ownPackage(): OwnPackage {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as OwnPackage;
}

/** The version range of every template dependency (see {@link TEMPLATE_DEPENDENCIES}). */
export function templateRanges(): Record<string, string> {
  const own = ownPackage();
  const ranges: Record<string, string> = {};
  for (const name of [...TEMPLATE_DEPENDENCIES.dependencies, ...TEMPLATE_DEPENDENCIES.devDependencies]) {
    const spec = own.devDependencies[name];
    if (!spec) throw new Error(`create-oxygen-provider package.json lists no devDependency ${name}`);
    // Run from a checkout, a workspace package's range is the version installed next to us.
    ranges[name] = spec.startsWith('workspace:') ? `^${installedVersion(name)}` : spec;
  }
  return ranges;
}

function installedVersion(name: string): string {
  const file = join(PACKAGE_ROOT, 'node_modules', name, 'package.json');
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    throw new ConfigError(`${name} is not installed next to create-oxygen-provider (${file}).`, {
      hint: 'Run `pnpm install` in the Oxygen checkout first.',
    });
  }
}

/**
 * `link:` paths to the checkout's installed copy of every template dependency. vitest is taken
 * from where `@oxygen/testkit` resolves it, so the plugin's tests and the conformance suite share
 * one vitest (two copies cannot share a test run).
 */
function checkoutLinks(): Record<string, string> {
  const modules = join(PACKAGE_ROOT, 'node_modules');
  const notCheckout = (what: string) =>
    new ConfigError(
      `--link-checkout needs create-oxygen-provider to run from an installed and built Oxygen checkout; ${what}.`,
      {
        hint: 'In the checkout run `pnpm install && pnpm build`, then run its packages/create-oxygen-provider/bin/create-oxygen-provider.js; or drop --link-checkout to install from npm.',
      },
    );
  const locate = (name: string, from: string): string => {
    const dir = join(from, name);
    if (!existsSync(join(dir, 'package.json'))) throw notCheckout(`${name} is not installed in ${from}`);
    return realpathSync(dir);
  };
  const links: Record<string, string> = {};
  const testkit = locate('@oxygen/testkit', modules);
  for (const name of [...TEMPLATE_DEPENDENCIES.dependencies, ...TEMPLATE_DEPENDENCIES.devDependencies]) {
    const dir = name === 'vitest' ? locate(name, join(testkit, 'node_modules')) : locate(name, modules);
    if (name.startsWith('@oxygen/') && !existsSync(join(dir, 'dist', 'index.js'))) {
      throw notCheckout(`${name} is not built (${join(dir, 'dist')} is missing)`);
    }
    links[name] = `link:${dir}`;
  }
  return links;
}

function packageJson(
  names: ProviderNames,
  ranges: Record<string, string>,
  links: Record<string, string> | null,
): Record<string, unknown> {
  const pick = (list: readonly string[]) => Object.fromEntries(list.map((n) => [n, ranges[n]]));
  return {
    name: names.packageName,
    version: '0.1.0',
    description: `${names.name} provider plugin for Oxygen Integrations, with a local sandbox of the ${names.name} API.`,
    license: 'MIT',
    type: 'module',
    sideEffects: false,
    keywords: ['oxygen-provider', 'oxygen-integrations', names.id],
    exports: {
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './sandbox': { types: './dist/sandbox/index.d.ts', default: './dist/sandbox/index.js' },
      './package.json': './package.json',
    },
    // `main` too: a plugin added by path is resolved as a folder, which reads `main`.
    main: './dist/index.js',
    types: './dist/index.d.ts',
    files: ['dist', 'SKILL.md', 'README.md', 'CHANGELOG.md'],
    scripts: {
      build: 'tsup',
      typecheck: 'tsc --noEmit',
      test: 'vitest run',
      sandbox: 'node dist/sandbox/main.js',
      // npm and pnpm both run it before `publish`: never publish an unbuilt or failing plugin.
      prepublishOnly: 'npm run build && npm test',
    },
    dependencies: pick(TEMPLATE_DEPENDENCIES.dependencies),
    devDependencies: pick(TEMPLATE_DEPENDENCIES.devDependencies),
    engines: { node: '>=20.19' },
    pnpm: {
      onlyBuiltDependencies: ['esbuild'],
      ...(links ? { overrides: links } : {}),
    },
  };
}

/** create-oxygen-provider's own version. */
export function version(): string {
  return ownPackage().version;
}
