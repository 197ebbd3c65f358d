/**
 * Checks that a loaded module is a provider plugin this runtime can run.
 *
 * @module
 */

import { CONTRACT_VERSION, PluginError, type ProviderDefinition } from '@oxygen/core';

/** Plugin contract versions this runtime runs. A plugin of another version is refused. */
export const SUPPORTED_API_VERSIONS: readonly number[] = [CONTRACT_VERSION];

const ID = /^[a-z][a-z0-9-]{0,39}$/;
const SLUG = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

function isZod(value: unknown): boolean {
  return (
    !!value && typeof value === 'object' && typeof (value as { safeParse?: unknown }).safeParse === 'function'
  );
}

/**
 * Returns the module's provider definition, or throws a {@link @oxygen/core!PluginError} that says exactly
 * what is wrong with it (so the author can fix it) and where it came from.
 */
export function checkPlugin(mod: unknown, source: string): ProviderDefinition {
  const candidate = (mod as { default?: unknown })?.default ?? mod;
  const fail = (what: string): never => {
    throw new PluginError(`Plugin ${source} is not a valid provider: ${what}.`, {
      hint: 'A plugin package default-exports defineProvider({...}) from @oxygen/core.',
    });
  };
  if (!candidate || typeof candidate !== 'object') return fail('its default export is not an object');
  const p = candidate as Partial<ProviderDefinition>;
  if (typeof p.apiVersion !== 'number') return fail('it has no numeric apiVersion');
  if (!SUPPORTED_API_VERSIONS.includes(p.apiVersion)) {
    throw new PluginError(
      `Plugin ${source} was written for plugin contract apiVersion ${p.apiVersion}; this runtime supports ${SUPPORTED_API_VERSIONS.join(', ')}.`,
      { hint: 'Upgrade Oxygen, or install a version of the plugin built for a supported apiVersion.' },
    );
  }
  if (typeof p.id !== 'string' || !ID.test(p.id))
    return fail('its id must be lowercase letters, digits or dashes');
  if (typeof p.name !== 'string' || !p.name) return fail('it has no name');
  if (typeof p.baseUrl !== 'string') return fail('it has no baseUrl');
  if (!p.auth || !Array.isArray(p.auth.byok)) return fail('auth.byok must be an array');
  if (p.auth.byok.length === 0 && !p.auth.managed) return fail('it declares no auth scheme');
  if (typeof p.verify !== 'function') return fail('verify must be a function');
  if (!Array.isArray(p.actions)) return fail('actions must be an array');
  const seen = new Set<string>();
  for (const [i, a] of p.actions.entries()) {
    const where = `action #${i + 1}${a?.slug ? ` (${a.slug})` : ''}`;
    if (!a || typeof a.slug !== 'string' || !SLUG.test(a.slug))
      return fail(`${where} needs a slug like object.verb`);
    if (seen.has(a.slug)) return fail(`${where} repeats a slug`);
    seen.add(a.slug);
    if (!isZod(a.input) || !isZod(a.output)) return fail(`${where} needs zod input and output schemas`);
    if (typeof a.run !== 'function') return fail(`${where} has no run function`);
    if (!Array.isArray(a.authModes) || a.authModes.length === 0) return fail(`${where} lists no authModes`);
    if (a.effect !== 'read' && a.effect !== 'write') return fail(`${where} effect must be read or write`);
    if (typeof a.credits !== 'number' || a.credits < 0) return fail(`${where} credits must be a number >= 0`);
  }
  for (const [i, e] of (p.events ?? []).entries()) {
    if (!e || typeof e.type !== 'string' || !isZod(e.data))
      return fail(`event #${i + 1} needs a type and a zod data schema`);
  }
  return p as ProviderDefinition;
}
