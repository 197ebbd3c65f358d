/**
 * Loads provider plugins by package name (or path) at run time, checks them and isolates the
 * broken ones: one bad plugin is reported, the others keep working.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { NotFoundError, OxygenError, PluginError, type ProviderDefinition } from '@oxygen/core';
import { checkPlugin } from './contract.js';

/** The first-party plugins every runtime knows about. */
export const FIRST_PARTY_PLUGINS: readonly string[] = [
  '@oxygen/provider-hubspot',
  '@oxygen/provider-attio',
  '@oxygen/provider-instantly',
  '@oxygen/provider-linkedin',
];

/** A plugin that failed to load, and why. */
export interface PluginFailure {
  /** The package name or path as configured. */
  source: string;
  /** The plugin's package name, when its package.json could be read. */
  packageName?: string | undefined;
  /** One line saying what is wrong. */
  error: string;
  /** What to do about it, when known (build the package, install it, fix its path). */
  hint?: string | undefined;
}

/** Options for {@link PluginRegistry}. */
export interface PluginRegistryOptions {
  /** Package names or paths, in order. */
  plugins: readonly string[];
  /**
   * Directories to resolve package names from, tried in order. The CLI passes its own
   * location so its bundled first-party plugins resolve; the user's plugin folder comes first.
   */
  resolveFrom: readonly string[];
}

/** Maps a short provider id to the package names a plugin for it may have. */
export function candidatePackages(id: string): string[] {
  return [`@oxygen/provider-${id}`, `oxygen-provider-${id}`];
}

/**
 * Finds, imports, checks and caches plugins. Nothing is imported until asked for.
 *
 * @example
 * ```ts
 * const registry = new PluginRegistry({ plugins: ['@oxygen/provider-hubspot'], resolveFrom: [process.cwd()] });
 * const hubspot = await registry.get('hubspot');
 * ```
 */
export class PluginRegistry {
  private readonly cache = new Map<string, Promise<ProviderDefinition>>();
  private readonly failures = new Map<string, PluginFailure>();
  private readonly packageNames = new Map<string, string>();
  /** Providers found by id (plugins are imported once, so a found one stays). */
  private readonly byId = new Map<string, ProviderDefinition>();

  constructor(private readonly options: PluginRegistryOptions) {}

  /** The configured plugin sources. */
  get sources(): readonly string[] {
    return this.options.plugins;
  }

  /** Loads one plugin by source (package name or path). Cached; failures are remembered. */
  load(source: string): Promise<ProviderDefinition> {
    let pending = this.cache.get(source);
    if (!pending) {
      pending = this.importPlugin(source);
      pending.catch((error: unknown) => {
        this.failures.set(source, {
          source,
          packageName: this.packageNames.get(source),
          error: error instanceof Error ? error.message : String(error),
          hint: OxygenError.isInstance(error) ? error.hint : undefined,
        });
      });
      this.cache.set(source, pending);
    }
    return pending;
  }

  /**
   * Loads every configured plugin. Broken ones are returned in `failures`, not thrown.
   * When two plugins claim one id, the first configured wins and the second is a failure.
   */
  async loadAll(): Promise<{
    /** The plugins that loaded, in configured order. */
    providers: ProviderDefinition[];
    /** The plugins that did not, with why. */
    failures: PluginFailure[];
  }> {
    const settled = await Promise.allSettled(this.options.plugins.map((s) => this.load(s)));
    const providers: ProviderDefinition[] = [];
    const failures: PluginFailure[] = [];
    const ids = new Map<string, string>();
    settled.forEach((result, i) => {
      const source = this.options.plugins[i]!;
      if (result.status === 'rejected') {
        failures.push(this.failures.get(source) ?? { source, error: String(result.reason) });
        return;
      }
      const owner = ids.get(result.value.id);
      if (owner) {
        failures.push({ source, error: `provider id "${result.value.id}" is already provided by ${owner}` });
        return;
      }
      ids.set(result.value.id, source);
      providers.push(result.value);
    });
    return { providers, failures };
  }

  /**
   * The plugin for provider `id`. Tries the conventionally named package first (so one call
   * imports one plugin), then every configured plugin.
   */
  async get(id: string): Promise<ProviderDefinition> {
    // The webhook ingress asks once per delivery.
    const known = this.byId.get(id);
    if (known) return known;
    for (const name of candidatePackages(id)) {
      if (!this.options.plugins.includes(name)) continue;
      const provider = await this.load(name).catch(() => undefined);
      if (provider?.id === id) {
        this.byId.set(id, provider);
        return provider;
      }
    }
    const { providers, failures } = await this.loadAll();
    const found = providers.find((p) => p.id === id);
    if (found) {
      this.byId.set(id, found);
      return found;
    }
    const names = candidatePackages(id);
    const broken = failures.find((f) => names.includes(f.source) || names.includes(f.packageName ?? ''));
    if (broken)
      throw new PluginError(`The ${id} plugin could not be loaded: ${broken.error}`, { hint: broken.hint });
    throw new NotFoundError(
      `Unknown provider "${id}". Known providers: ${providers.map((p) => p.id).join(', ') || '(none)'}.`,
      {
        hint: 'Run `oxygen providers list` to see them; add a third-party plugin with `oxygen plugins add`.',
      },
    );
  }

  private async importPlugin(source: string): Promise<ProviderDefinition> {
    const file = this.resolve(source);
    const pkg = readPackage(file);
    if (pkg?.name) this.packageNames.set(source, pkg.name);
    let mod: unknown;
    try {
      mod = await import(pathToFileURL(file).href);
    } catch (error) {
      throw new PluginError(
        `Plugin ${source} failed to import: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        { hint: 'Is it built? A workspace plugin needs `pnpm build` first.', cause: error },
      );
    }
    const provider = checkPlugin(mod, source);
    const filled: ProviderDefinition = provider.version
      ? { ...provider }
      : { ...provider, version: pkg?.version };
    if (filled.skill === undefined && pkg?.dir) {
      // The package's SKILL.md, read only when asked for (`skills install`, `providers show`).
      const file = join(pkg.dir, 'SKILL.md');
      let cached: string | undefined | null = null;
      Object.defineProperty(filled, 'skill', {
        enumerable: true,
        get: () => {
          if (cached === null) {
            try {
              cached = readFileSync(file, 'utf8');
            } catch {
              cached = undefined;
            }
          }
          return cached;
        },
      });
    }
    return filled;
  }

  private resolve(source: string): string {
    const isPath = source.startsWith('.') || isAbsolute(source);
    for (const base of this.options.resolveFrom) {
      try {
        const require = createRequire(join(base, 'noop.js'));
        return require.resolve(isPath ? resolve(source) : source);
      } catch {
        // try the next base
      }
    }
    throw new PluginError(`Plugin ${source} was not found.`, {
      hint: isPath
        ? 'Check the path; it must be a built plugin package folder or its entry file.'
        : `Install it (npm install ${source}) where Oxygen can resolve it, or add it by path.`,
    });
  }
}

/** The nearest package.json above `file`: the plugin's name, version and folder. */
function readPackage(file: string): { name?: string; version?: string; dir: string } | undefined {
  let dir = dirname(file);
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      return { ...pkg, dir };
    } catch {
      dir = dirname(dir);
    }
  }
  return undefined;
}
