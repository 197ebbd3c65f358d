/**
 * `oxygen plugins add|list|remove`: which provider plugins the CLI loads. First-party plugins ship
 * with the CLI; others are added by package name or path to `$OXYGEN_HOME/config.json`, but only
 * after they load and their contract `apiVersion` is one this runtime supports. Local only: the
 * config belongs to this machine, not to a server the CLI may be logged in to.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  ConflictError,
  NotFoundError,
  OxygenError,
  PluginError,
  type ProviderDefinition,
  ValidationError,
} from '@oxygen/core';
import {
  candidatePackages,
  FIRST_PARTY_PLUGINS,
  type OxygenConfig,
  oxygenHome,
  PluginRegistry,
  readConfig,
  SUPPORTED_API_VERSIONS,
} from '@oxygen/runtime';
import { pluginDirs } from '../context.js';
import { type Globals, printJson, printLines, table } from '../output.js';

/** One plugin as `oxygen plugins` shows it. */
export interface PluginInfo {
  /** The package name or path, as configured. */
  source: string;
  /** `first-party` (ships with the CLI) or `added` (in config.json). */
  origin: 'first-party' | 'added';
  /** The npm package name, when its package.json could be read. */
  package: string | null;
  /** The plugin package's version. */
  version: string | null;
  /** The plugin contract version it was written for. */
  api_version: number | null;
  /** The provider id it provides (`hubspot`). */
  provider: string | null;
  /** The provider's display name. */
  name: string | null;
  actions: number | null;
  events: number | null;
  /** `loaded`, or `failed` with `error` and `hint`. */
  status: 'loaded' | 'failed';
  error: string | null;
  hint: string | null;
}

/** A package name or a path? Paths start with `.`, `/` or `~`, as the runtime's loader reads them. */
function isPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('~') || isAbsolute(source);
}

/**
 * What a user typed is a path when it reads as one, or when it has a `/` but is not a scoped
 * package name (`examples/provider-x`: an unscoped npm name cannot contain `/`).
 */
function isPathInput(text: string): boolean {
  return isPath(text) || (!text.startsWith('@') && (text.includes('/') || text.includes('\\')));
}

/** `~/x` → `/home/me/x`; anything else resolved against the current folder. */
function absolute(path: string): string {
  return resolve(path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path);
}

/** Where package names resolve from: the CLI's own install, then the current folder. */
function resolveFrom(): string[] {
  return [...pluginDirs, process.cwd()];
}

/** The entry file a package name or path resolves to (as the runtime's loader resolves it), and from where. */
function resolveEntry(source: string): { file: string; base: string } | undefined {
  for (const base of resolveFrom()) {
    try {
      const require = createRequire(join(base, 'noop.js'));
      return { file: require.resolve(isPath(source) ? absolute(source) : source), base };
    } catch {
      // try the next base
    }
  }
  return undefined;
}

/** The nearest package.json at or above `file`. */
function packageOf(file: string): { name?: string; version?: string } | undefined {
  let dir = statSync(file, { throwIfNoEntry: false })?.isDirectory() ? file : dirname(file);
  for (let i = 0; i < 6; i++) {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
    } catch {
      const up = dirname(dir);
      if (up === dir) break;
      dir = up;
    }
  }
  return undefined;
}

/**
 * Checks a path before the loader sees it, for messages that say what to do: missing, not a
 * package, or not built (its entry file is missing).
 */
function checkPath(path: string): void {
  if (!existsSync(path)) {
    throw new NotFoundError(`${path} does not exist.`, {
      hint: 'Give the folder of a built plugin package (the one with its package.json), or its entry file.',
    });
  }
  if (!statSync(path).isDirectory()) return;
  const manifest = join(path, 'package.json');
  if (!existsSync(manifest)) {
    throw new PluginError(`${path} is not a plugin package: it has no package.json.`, {
      hint: 'Give the plugin package folder, e.g. the one `create-oxygen-provider` made.',
    });
  }
  let pkg: { main?: string };
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { main?: string };
  } catch (error) {
    throw new PluginError(
      `${manifest} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
      { hint: 'Fix the file and add the plugin again.' },
    );
  }
  const entry = join(path, pkg.main ?? 'index.js');
  if (!existsSync(entry)) {
    throw new PluginError(`${path} is not built: its entry file ${pkg.main ?? 'index.js'} is missing.`, {
      hint: `Build it first (\`pnpm build\` in ${path}), then add it again.`,
    });
  }
}

/** Loads `sources` in order, one registry, and describes each (a second plugin with one id fails). */
async function describeAll(
  sources: { source: string; origin: PluginInfo['origin'] }[],
): Promise<PluginInfo[]> {
  const registry = new PluginRegistry({ plugins: sources.map((s) => s.source), resolveFrom: resolveFrom() });
  const loaded = await Promise.all(
    sources.map(({ source }) =>
      registry.load(source).then(
        (provider) => ({ provider, error: undefined }),
        (error: unknown) => ({ provider: undefined, error }),
      ),
    ),
  );
  const owners = new Map<string, string>();
  return sources.map(({ source, origin }, i) => {
    const { provider, error } = loaded[i]!;
    const entry = resolveEntry(source);
    const pkg = entry ? packageOf(entry.file) : undefined;
    const info = infoOf(source, origin, provider, pkg);
    if (provider) {
      const owner = owners.get(provider.id);
      if (owner) {
        return {
          ...info,
          status: 'failed' as const,
          error: `provider id "${provider.id}" is already provided by ${owner}`,
          hint: `Remove one of them: oxygen plugins remove ${origin === 'added' ? source : owner}`,
        };
      }
      owners.set(provider.id, source);
      return info;
    }
    return {
      ...info,
      status: 'failed' as const,
      error: error instanceof Error ? error.message : String(error),
      hint: OxygenError.isInstance(error) ? (error.hint ?? null) : null,
    };
  });
}

/** One plugin as `oxygen plugins` shows it: from its package.json and, when it loaded, its definition. */
function infoOf(
  source: string,
  origin: PluginInfo['origin'],
  provider: ProviderDefinition | undefined,
  pkg: { name?: string; version?: string } | undefined,
): PluginInfo {
  return {
    source,
    origin,
    package: pkg?.name ?? (isPath(source) ? null : source),
    version: provider?.version ?? pkg?.version ?? null,
    api_version: provider?.apiVersion ?? null,
    provider: provider?.id ?? null,
    name: provider?.name ?? null,
    actions: provider ? provider.actions.length : null,
    events: provider ? (provider.events?.length ?? 0) : null,
    status: 'loaded',
    error: null,
    hint: null,
  };
}

function configFile(home: string): string {
  return join(home, 'config.json');
}

/** Writes config.json whole (other keys kept), through a temporary file so it is never half written. */
function writeConfig(home: string, config: OxygenConfig): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const file = configFile(home);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(temporary, file);
}

function added(config: OxygenConfig): string[] {
  return (config.plugins ?? []).filter((p) => typeof p === 'string' && p.trim());
}

/** `oxygen plugins list`: first-party and added plugins, each loaded and checked. */
export async function list(globals: Globals): Promise<void> {
  const config = readConfig(oxygenHome());
  const sources = [
    ...FIRST_PARTY_PLUGINS.map((source) => ({ source, origin: 'first-party' as const })),
    ...added(config)
      .filter((s) => !FIRST_PARTY_PLUGINS.includes(s))
      .map((source) => ({ source, origin: 'added' as const })),
  ];
  const plugins = await describeAll(sources);
  if (globals.json) return printJson(plugins);
  printLines(
    table(
      ['PROVIDER', 'VERSION', 'API', 'ORIGIN', 'STATUS', 'SOURCE'],
      plugins.map((p) => [p.provider, p.version, p.api_version, p.origin, p.status, p.source]),
    ),
    '',
    `This oxygen runs plugins written for contract apiVersion ${SUPPORTED_API_VERSIONS.join(', ')}. Add one: oxygen plugins add <package-name|path>`,
  );
  const failed = plugins.filter((p) => p.status === 'failed');
  for (const p of failed) process.stderr.write(`${p.source}: ${p.error}${p.hint ? ` ${p.hint}` : ''}\n`);
}

/**
 * `oxygen plugins add <package-name|path>`: loads the plugin, checks its contract `apiVersion`
 * and shape, refuses a provider id another plugin already has, and only then records it in
 * config.json (a path as an absolute path, so it loads from any folder).
 */
export async function add(globals: Globals, input: string): Promise<void> {
  const home = oxygenHome();
  const config = readConfig(home);
  const source = await sourceFor(input);
  const current = added(config);
  const already = FIRST_PARTY_PLUGINS.includes(source)
    ? 'first-party'
    : current.includes(source)
      ? 'added'
      : null;

  // Load it alone first: its own failure (not built, bad apiVersion, broken shape) is the error.
  const registry = new PluginRegistry({ plugins: [source], resolveFrom: resolveFrom() });
  const provider = await registry.load(source);
  const entry = resolveEntry(source);
  const info = infoOf(
    source,
    already === 'first-party' ? 'first-party' : 'added',
    provider,
    entry && packageOf(entry.file),
  );

  if (!already) {
    const others = await describeAll([
      ...FIRST_PARTY_PLUGINS.map((s) => ({ source: s, origin: 'first-party' as const })),
      ...current.map((s) => ({ source: s, origin: 'added' as const })),
    ]);
    const owner = others.find((p) => p.status === 'loaded' && p.provider === provider.id);
    if (owner) {
      throw new ConflictError(
        `Provider id "${provider.id}" is already provided by ${owner.source} (${owner.origin}); ${source} was not added.`,
        {
          hint:
            owner.origin === 'added'
              ? `Remove that one first (oxygen plugins remove ${owner.source}), or give this plugin another id.`
              : 'A third-party plugin cannot replace a first-party one: give it another id.',
        },
      );
    }
    writeConfig(home, { ...config, plugins: [...current, source] });
  }

  // A package name found only through the current folder will not be found from elsewhere.
  const localOnly =
    !isPath(source) &&
    entry !== undefined &&
    entry.base === process.cwd() &&
    !pluginDirs.includes(entry.base);
  const warning = localOnly
    ? `${source} resolves only from ${process.cwd()}: other folders will not find it. Install it next to oxygen (npm install -g ${source}) or add it by path.`
    : null;
  if (globals.json) {
    return printJson({
      added: !already,
      already: already ?? undefined,
      plugin: info,
      config: configFile(home),
      warning: warning ?? undefined,
    });
  }
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  const what = `${info.name} (${info.provider})${info.version ? ` ${info.version}` : ''}`;
  const counts = `${info.actions} action${info.actions === 1 ? '' : 's'}, ${info.events} event${info.events === 1 ? '' : 's'}`;
  printLines(
    already === 'first-party'
      ? `${what} is a first-party plugin: it always loads.`
      : already
        ? `${what} is already added from ${source}.`
        : `Added ${what} from ${source}: ${counts}, plugin contract v${info.api_version}.`,
    `Its actions: oxygen providers show ${info.provider}`,
  );
}

/**
 * What to record for `input`: an absolute path for a path; for a package name, the first of the
 * name itself, `oxygen-provider-<name>` and `@oxygen/provider-<name>` that resolves.
 */
async function sourceFor(input: string): Promise<string> {
  const text = input.trim();
  if (!text) throw new ValidationError('Give a plugin package name or path.', { field: 'source' });
  if (isPathInput(text)) {
    const path = absolute(text);
    checkPath(path);
    return path;
  }
  const names =
    text.includes('/') || text.startsWith('oxygen-provider-')
      ? [text]
      : [text, ...candidatePackages(text).reverse()];
  const found = names.find((name) => resolveEntry(name));
  if (found) return found;
  // A bare word that is no installed package but a folder here: the user meant the folder.
  if (existsSync(text)) {
    const path = absolute(text);
    checkPath(path);
    return path;
  }
  throw new NotFoundError(`Plugin package ${names.join(' / ')} is not installed where oxygen can find it.`, {
    hint: `Install it next to oxygen (npm install -g ${names[1] ?? text}) or in this folder, then add it again; or add a plugin folder by path (./${text}).`,
  });
}

/**
 * `oxygen plugins remove <package-name|path>`: drops an added plugin from config.json, matched by
 * the source as added, its path, its package name, or its provider id's package names. Nothing
 * is loaded, so a broken plugin can be removed.
 */
export async function remove(globals: Globals, input: string): Promise<void> {
  const home = oxygenHome();
  const config = readConfig(home);
  const current = added(config);
  const text = input.trim();
  const names = new Set([text, ...candidatePackages(text)]);
  const matches = (source: string): boolean => {
    if (source === text) return true;
    if (isPath(source)) {
      if ((isPathInput(text) || existsSync(text)) && absolute(source) === absolute(text)) return true;
      const pkg = existsSync(source) ? packageOf(absolute(source)) : undefined;
      return !!pkg?.name && names.has(pkg.name);
    }
    return names.has(source);
  };
  const removed = current.filter(matches);
  if (removed.length === 0) {
    if (FIRST_PARTY_PLUGINS.some((p) => names.has(p))) {
      throw new ValidationError(
        `${text} is a first-party plugin: it ships with the CLI and cannot be removed.`,
        {
          hint: 'Only plugins added with `oxygen plugins add` can be removed; see `oxygen plugins list`.',
        },
      );
    }
    throw new NotFoundError(
      `${text} is not an added plugin. Added: ${current.length > 0 ? current.join(', ') : '(none)'}.`,
      { hint: 'Give the package name or path as `oxygen plugins list` shows it.' },
    );
  }
  writeConfig(home, { ...config, plugins: current.filter((s) => !removed.includes(s)) });
  if (globals.json) return printJson({ removed, config: configFile(home) });
  printLines(`Removed ${removed.join(', ')}: it no longer loads.`);
}
