/**
 * `oxygen skills install|list|uninstall`: the general `oxygen` skill and every loaded provider's
 * skill, installed into coding agents' skills folders (Agent Skills format).
 */

import { sep } from 'node:path';
import { NotFoundError } from '@oxygen/core';
import type { PluginFailure } from '@oxygen/runtime';
import { type Globals, printJson, printLines, table } from '../output.js';
import { AGENTS, type AgentId, parseAgents, type Scope, skillsDir } from '../skills/agents.js';
import { type AvailableSkill, loadSkillCatalog } from '../skills/catalog.js';
import { globToRegExp } from '../skills/frontmatter.js';
import { type FileResult, type InstalledState, SkillsFolder } from '../skills/store.js';

/** Options of `oxygen skills install` and `uninstall`. */
export interface SkillsOptions {
  agents?: string[];
  skill?: string[];
  project?: boolean;
  force?: boolean;
}

/** One agent's outcome in `install` / `uninstall` output. */
export interface AgentResult {
  agent: AgentId;
  scope: Scope;
  /** The agent's skills folder. */
  dir: string;
  /** The manifest recording what Oxygen wrote there. */
  manifest: string;
  files: FileResult[];
}

const warn = (message: string) => process.stderr.write(`warning: ${message}\n`);

function reportFailures(failures: PluginFailure[]): void {
  for (const f of failures) warn(`plugin ${f.source} skipped: ${f.error}`);
}

/** `--skill` values (space- or comma-separated names or globs); default every skill. */
function patterns(values: readonly string[] | undefined): string[] {
  const list = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return list.length > 0 ? list : ['*'];
}

/**
 * The entries whose name (`hubspot`) or folder (`oxygen-hubspot`) matches any pattern. A pattern
 * matching nothing is an error listing the valid names.
 */
function select<T extends { name: string; folder: string }>(
  entries: T[],
  values: readonly string[] | undefined,
  failures: PluginFailure[],
): T[] {
  const chosen = new Set<T>();
  const unmatched: string[] = [];
  for (const pattern of patterns(values)) {
    const re = globToRegExp(pattern);
    const hits = entries.filter((e) => re.test(e.name) || re.test(e.folder));
    if (hits.length === 0) unmatched.push(pattern);
    for (const h of hits) chosen.add(h);
  }
  if (unmatched.length > 0) {
    const broken = failures.length
      ? ` ${failures.length} plugin${failures.length > 1 ? 's' : ''} could not be loaded: ${failures.map((f) => f.source).join(', ')}.`
      : '';
    throw new NotFoundError(
      `Unknown skill${unmatched.length > 1 ? 's' : ''} ${unmatched.map((p) => `"${p}"`).join(', ')}. Valid skills: ${entries.map((e) => e.name).join(', ')}.${broken}`,
      {
        hint: "Pass names or globs after --skill, e.g. --skill hubspot or --skill '*'; `oxygen skills list` shows them.",
      },
    );
  }
  return entries.filter((e) => chosen.has(e));
}

const scopeOf = (options: SkillsOptions): Scope => (options.project ? 'project' : 'user');

/** `oxygen skills install --agents <agents...> [--skill <names...>] [--project] [--force]` */
export async function install(globals: Globals, options: SkillsOptions): Promise<void> {
  const agents = parseAgents(options.agents);
  const { skills, failures } = await loadSkillCatalog();
  reportFailures(failures);
  const chosen = select(skills, options.skill, failures);
  const scope = scopeOf(options);
  const results: AgentResult[] = agents.map((agent) => {
    const folder = new SkillsFolder(skillsDir(agent, scope), warn);
    const files = chosen.map((s) =>
      folder.install({ skill: s.name, source: s.source, folder: s.folder, text: s.text }, !!options.force),
    );
    folder.save();
    return { agent, scope, dir: folder.dir, manifest: folder.manifestPath, files };
  });
  if (globals.json) return printJson({ scope, agents: results });
  printResults(results, 'install');
}

/** `oxygen skills uninstall --agents <agents...> [--skill <names...>] [--project] [--force]` */
export async function uninstall(globals: Globals, options: SkillsOptions): Promise<void> {
  const agents = parseAgents(options.agents);
  const { skills, failures } = await loadSkillCatalog();
  reportFailures(failures);
  const scope = scopeOf(options);
  const folders = agents.map((agent) => ({ agent, folder: new SkillsFolder(skillsDir(agent, scope), warn) }));
  // Skills recorded as installed count too, so a removed plugin's skill can still be uninstalled.
  const entries = skills.map((s) => ({ name: s.name, folder: s.folder }));
  for (const { folder } of folders) {
    for (const r of folder.recorded()) {
      if (!entries.some((e) => e.folder === r.folder)) entries.push({ name: r.skill, folder: r.folder });
    }
  }
  const chosen = select(entries, options.skill, failures);
  const results: AgentResult[] = folders.map(({ agent, folder }) => {
    const files = chosen.map((s) => folder.uninstall(s.name, s.folder, !!options.force));
    folder.save();
    return { agent, scope, dir: folder.dir, manifest: folder.manifestPath, files };
  });
  if (globals.json) return printJson({ scope, agents: results });
  printResults(results, 'uninstall');
}

/** Where one skill is installed. */
interface Installed {
  agent: AgentId;
  scope: Scope;
  path: string;
  /** `current`: as install would write it; `outdated`: an older Oxygen version (install updates
   * it); `modified`: changed by hand (install skips it without --force). */
  state: InstalledState;
}

/** `oxygen skills list [--agents <agents...>]` */
export async function list(globals: Globals, options: { agents?: string[] }): Promise<void> {
  const agents = options.agents?.length ? parseAgents(options.agents) : [...AGENTS];
  const { skills, failures } = await loadSkillCatalog();
  reportFailures(failures);
  const targets = agents.flatMap((agent) =>
    (['user', 'project'] as const).map((scope) => ({
      agent,
      scope,
      folder: new SkillsFolder(skillsDir(agent, scope), warn),
    })),
  );
  const where = (folder: string, text: string | undefined): Installed[] =>
    targets.flatMap((t) => {
      const s = t.folder.state(folder, text);
      return s ? [{ agent: t.agent, scope: t.scope, ...s }] : [];
    });
  const rows: (Omit<AvailableSkill, 'text'> & { available: boolean; installed: Installed[] })[] = skills.map(
    ({ text, ...s }) => ({ ...s, available: true, installed: where(s.folder, text) }),
  );
  // Installed by Oxygen, but no loaded plugin offers it any more (a removed plugin).
  for (const t of targets) {
    for (const r of t.folder.recorded()) {
      if (rows.some((row) => row.folder === r.folder)) continue;
      rows.push({
        name: r.skill,
        folder: r.folder,
        description: '',
        source: r.source,
        version: null,
        origin: 'plugin',
        available: false,
        installed: where(r.folder, undefined),
      });
    }
  }
  if (globals.json) {
    return printJson({
      skills: rows,
      agents: agents.map((agent) => ({
        agent,
        user: skillsDir(agent, 'user'),
        project: skillsDir(agent, 'project'),
      })),
    });
  }
  printLines(
    table(
      ['SKILL', 'FOLDER', 'SOURCE', 'INSTALLED'],
      rows.map((r) => [
        r.available ? r.name : `${r.name} (no longer available)`,
        r.folder,
        r.source,
        r.installed
          .map(
            (i) =>
              `${i.agent}${i.scope === 'project' ? ' (project)' : ''}${i.state === 'current' ? '' : ` ${i.state}`}`,
          )
          .join(', ') || '-',
      ]),
    ),
    '',
    "Install: oxygen skills install --agents codex claude-code cursor --skill '*'  (--project for this repository)",
  );
}

const SHOW: Record<string, string> = {
  created: 'created',
  updated: 'updated',
  unchanged: 'unchanged',
  skipped: 'skipped',
  removed: 'removed',
  absent: 'not installed',
};

function printResults(results: AgentResult[], verb: 'install' | 'uninstall'): void {
  const lines: string[] = [];
  const counts = new Map<string, number>();
  for (const r of results) {
    lines.push(`${r.agent}${r.scope === 'project' ? ' (project)' : ''}: ${r.dir}`);
    for (const f of r.files) {
      counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
      const shown = f.path.startsWith(`${r.dir}${sep}`) ? f.path.slice(r.dir.length + 1) : f.path;
      lines.push(`  ${SHOW[f.status]!.padEnd(13)} ${shown}${f.reason ? `  (${f.reason})` : ''}`);
    }
    lines.push('');
  }
  const order =
    verb === 'install' ? ['created', 'updated', 'unchanged', 'skipped'] : ['removed', 'absent', 'skipped'];
  lines.push(`${order.map((s) => `${counts.get(s) ?? 0} ${SHOW[s]}`).join(', ')}.`);
  if (counts.get('skipped')) {
    lines.push(
      verb === 'install'
        ? 'Skipped files were changed by hand (or were not written by Oxygen) and were left as they are; run again with --force to overwrite them.'
        : 'Skipped skills were changed by hand (or were not written by Oxygen) and were kept; run again with --force to remove them.',
    );
  }
  printLines(...lines);
}
