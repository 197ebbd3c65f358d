/**
 * The skills Oxygen can install: the general `oxygen` skill shipped with the CLI, and one per
 * loaded provider plugin (first-party and third-party alike), each normalized to the Agent Skills
 * format with a folder name that cannot clash with the user's other skills.
 */

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, type ProviderDefinition } from '@oxygen/core';
import {
  describeProvider,
  FIRST_PARTY_PLUGINS,
  oxygenHome,
  type PluginFailure,
  PluginRegistry,
  readConfig,
} from '@oxygen/runtime';
import pkg from '../../package.json' with { type: 'json' };
import { frontValue, joinSkill, setFrontValue, skillName, splitSkill, yamlLine } from './frontmatter.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The general skill's name (and folder). */
export const GENERAL_SKILL = 'oxygen';

/** Provider skills live in `oxygen-<provider id>` folders, so Oxygen's `hubspot` skill never
 * overwrites (or is overwritten by) another vendor's `hubspot` skill in the same agent. */
export const PROVIDER_PREFIX = 'oxygen-';

/** Where a skill's text came from. */
export type SkillOrigin = 'cli' | 'plugin' | 'package' | 'generated';

/** A skill ready to install. */
export interface AvailableSkill {
  /** What `--skill` matches: `oxygen`, or the provider id (`hubspot`). */
  name: string;
  /** The folder it installs into, equal to its front matter `name` (`oxygen-hubspot`). */
  folder: string;
  /** The front matter description (what the agent reads to decide when to use it). */
  description: string;
  /** The package it comes from (`@oxygen/cli`, `@oxygen/provider-hubspot`, `oxygen-provider-acme`). */
  source: string;
  /** That package's version, when known. */
  version: string | null;
  /**
   * `cli`: the CLI's own skill; `plugin`: the plugin's `skill` field; `package`: the `SKILL.md` in
   * the plugin's package; `generated`: made from the plugin's catalog (it ships no skill).
   */
  origin: SkillOrigin;
  /** The `SKILL.md` text to write. */
  text: string;
}

/** The available skills, and the plugins that could not be loaded (reported, never fatal). */
export interface SkillCatalog {
  skills: AvailableSkill[];
  failures: PluginFailure[];
}

/**
 * Normalizes `text` to the Agent Skills format for `folder`: front matter `name` equal to the
 * folder, and a `description` (from `fallbackDescription` when the text has none). Other front
 * matter keys and the body are kept as written.
 */
export function normalizeSkill(text: string, folder: string, fallbackDescription: string): string {
  const doc = splitSkill(text);
  let front = setFrontValue(doc.front, 'name', folder, 0);
  const description = frontValue(front, 'description');
  if (!description) {
    front = front.filter((l) => !/^description[ \t]*:/.test(l));
    const at = front.findIndex((l) => /^name[ \t]*:/.test(l)) + 1;
    front.splice(at, 0, yamlLine('description', fallbackDescription.slice(0, 1024)));
  }
  return joinSkill(front, doc.body);
}

/** The plugin sources the runtime loads: first-party plugins, then `$OXYGEN_HOME/config.json`'s. */
function pluginSources(env: NodeJS.ProcessEnv): string[] {
  const configured = (readConfig(oxygenHome(env)).plugins ?? []).filter((p) => p.trim());
  return [...new Set([...FIRST_PARTY_PLUGINS, ...configured])];
}

/** The folders plugin names resolve from, as the runtime resolves them (the CLI's install first). */
function resolveBases(): string[] {
  return [here, process.cwd()];
}

/** The root of the package `source` (a package name or a path) resolves to, as the loader does. */
function packageRoot(source: string): { dir: string; name?: string; version?: string } | undefined {
  const isPath = source.startsWith('.') || isAbsolute(source);
  for (const base of resolveBases()) {
    let file: string;
    try {
      file = createRequire(join(base, 'noop.js')).resolve(isPath ? resolve(source) : source);
    } catch {
      continue;
    }
    for (let dir = dirname(file), i = 0; i < 6; i++, dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (!existsSync(manifest)) continue;
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
        return { dir, name: pkg.name, version: pkg.version };
      } catch {
        return { dir };
      }
    }
  }
  return undefined;
}

/** One line saying what a provider's skill is for, when its plugin has none of its own. */
function generatedDescription(p: ProviderDefinition): string {
  const what = p.description?.trim().replace(/\.$/, '') || `Work with ${p.name}`;
  const actions = p.actions.map((a) => a.slug);
  const listed = actions.length > 8 ? `${actions.slice(0, 8).join(', ')}, ...` : actions.join(', ');
  return `${what} through Oxygen Integrations (\`oxygen integrations run ${p.id} ...\`)${
    listed ? ` - actions ${listed}` : ''
  }. Use when a task needs ${p.name} data read or written.`.slice(0, 1024);
}

/** A `SKILL.md` body made from the plugin's catalog, for a plugin that ships no skill. */
function generatedBody(p: ProviderDefinition): string {
  const lines = [
    `# ${p.name}`,
    '',
    `${p.description?.trim() || `The ${p.name} provider plugin.`} This skill was generated by \`oxygen skills install\` from the plugin's catalog (the plugin ships no SKILL.md).`,
    '',
    '## Connect',
    '',
    '```sh',
  ];
  for (const scheme of p.auth.byok) {
    lines.push(
      scheme.type === 'oauth2'
        ? `oxygen integrations connect ${p.id} --oauth --json   # OAuth 2.0: a person approves in a browser`
        : `oxygen integrations connect ${p.id} --api-key-stdin --json < key.txt   # ${scheme.label}`,
    );
  }
  if (p.auth.managed) {
    lines.push(
      `oxygen integrations connect ${p.id} --auth-mode managed --json   # the platform's key, paid in credits`,
    );
  }
  lines.push(
    `oxygen integrations verify ${p.id} --json`,
    '```',
    '',
    '## Actions',
    '',
    `Each action's input and output JSON Schema: \`oxygen integrations actions ${p.id} --json\`. Add \`--dry-run\` to see the exact requests without sending them.`,
  );
  const info = describeProvider(p);
  for (const a of info.actions) {
    lines.push(
      '',
      `### ${a.slug}`,
      '',
      `${a.title}. ${a.description}`.trim(),
      '',
      `Effect: ${a.effect}; auth modes: ${a.auth_modes.join(', ')}; credits: ${a.credits}.`,
      `Input: ${inputFields(a.input_schema)}.`,
      '',
      '```sh',
      `oxygen integrations run ${p.id} ${a.slug} --input '{...}' --dry-run --json`,
      '```',
    );
  }
  if (p.events?.length) {
    lines.push('', '## Events', '');
    for (const e of p.events) lines.push(`- \`${e.type}\`: ${e.description}`);
    lines.push(
      '',
      `Enable one: \`oxygen integrations events enable --source ${p.id} --event <type> --json\`.`,
    );
  }
  return lines.join('\n');
}

/** `` `email` (string, required), `name` (string) ``: an action's input fields, from its JSON Schema. */
function inputFields(schema: unknown): string {
  const s = schema as {
    properties?: Record<string, { type?: unknown; format?: string }>;
    required?: string[];
  };
  const fields = Object.entries(s.properties ?? {}).map(([name, p]) => {
    const type = [p.format ?? (Array.isArray(p.type) ? p.type.join(' or ') : p.type)]
      .filter(Boolean)
      .join('');
    const required = s.required?.includes(name) ? 'required' : '';
    const notes = [type, required].filter(Boolean).join(', ');
    return `\`${name}\`${notes ? ` (${notes})` : ''}`;
  });
  return fields.length > 0 ? fields.join(', ') : 'none (pass `{}`)';
}

/** The skill for one provider: its `skill` field, else its package's `SKILL.md`, else generated. */
function providerSkill(p: ProviderDefinition, source: string): AvailableSkill {
  const folder = skillName(`${PROVIDER_PREFIX}${p.id}`);
  const pkg = packageRoot(source);
  let origin: SkillOrigin = 'generated';
  let text: string | undefined;
  if (p.skill?.trim()) {
    origin = 'plugin';
    text = p.skill;
  } else if (pkg && existsSync(join(pkg.dir, 'SKILL.md'))) {
    origin = 'package';
    text = readFileSync(join(pkg.dir, 'SKILL.md'), 'utf8');
  }
  const fallback = generatedDescription(p);
  const normalized =
    text === undefined
      ? joinSkill([yamlLine('name', folder), yamlLine('description', fallback)], generatedBody(p))
      : normalizeSkill(text, folder, fallback);
  return {
    name: p.id,
    folder,
    description: frontValue(splitSkill(normalized).front, 'description') ?? fallback,
    source: pkg?.name ?? source,
    version: p.version ?? pkg?.version ?? null,
    origin,
    text: normalized,
  };
}

/** The CLI's own `skills/oxygen/SKILL.md`, next to `dist/` in the package (found from any chunk). */
function generalSkillFile(): string {
  for (let dir = here, i = 0; i < 4; i++, dir = dirname(dir)) {
    const file = join(dir, 'skills', GENERAL_SKILL, 'SKILL.md');
    if (existsSync(file)) return file;
  }
  throw new ConfigError('The oxygen skill file (skills/oxygen/SKILL.md) is missing from the CLI package.', {
    hint: 'Reinstall @oxygen/cli; the file ships in the package.',
  });
}

/** Every skill Oxygen can install: `oxygen`, then one per loaded plugin in load order. */
export async function loadSkillCatalog(env: NodeJS.ProcessEnv = process.env): Promise<SkillCatalog> {
  const generalText = readFileSync(generalSkillFile(), 'utf8');
  const general: AvailableSkill = {
    name: GENERAL_SKILL,
    folder: GENERAL_SKILL,
    description: '',
    source: pkg.name,
    version: pkg.version,
    origin: 'cli',
    text: normalizeSkill(generalText, GENERAL_SKILL, 'How to use the oxygen CLI.'),
  };
  general.description = frontValue(splitSkill(general.text).front, 'description') ?? '';

  const sources = pluginSources(env);
  const registry = new PluginRegistry({ plugins: sources, resolveFrom: resolveBases() });
  const { providers, failures } = await registry.loadAll();
  const skills = [general];
  for (const source of sources) {
    // load() is cached: this maps each loaded provider back to the source it came from.
    const provider = await registry.load(source).catch(() => undefined);
    if (!provider || !providers.includes(provider)) continue;
    const skill = providerSkill(provider, source);
    if (skills.some((s) => s.folder === skill.folder || s.name === skill.name)) continue;
    skills.push(skill);
  }
  return { skills, failures };
}
