/**
 * Where each coding agent looks for Agent Skills: a folder per skill under the agent's skills
 * folder, in the user's home or in the current repository (`--project`).
 */

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ValidationError } from '@oxygen/core';

/** The agents `oxygen skills` installs for. */
export const AGENTS = ['claude-code', 'codex', 'cursor'] as const;

/** One of {@link AGENTS}. */
export type AgentId = (typeof AGENTS)[number];

/** `user`: the agent's folder in the home directory; `project`: the current repository's. */
export type Scope = 'user' | 'project';

/** One agent's skills folder in one scope. */
export interface SkillsTarget {
  agent: AgentId;
  scope: Scope;
  /** The skills folder: each skill is `<dir>/<folder>/SKILL.md`. */
  dir: string;
}

/** The nearest folder at or above `cwd` holding `.git` (a folder, or a file in a worktree); else `cwd`. */
export function repositoryRoot(cwd: string): string {
  let dir = resolve(cwd);
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return resolve(cwd);
    dir = parent;
  }
}

/**
 * The skills folder of `agent` in `scope`:
 * - user: Claude Code `~/.claude/skills`, Codex `$CODEX_HOME/skills` (default `~/.codex/skills`),
 *   Cursor `~/.cursor/skills`;
 * - project (repository root = nearest git root from `cwd`): `.claude/skills`, `.agents/skills`
 *   (Codex reads the cross-agent `.agents/skills` in a repository), `.cursor/skills`.
 */
export function skillsDir(
  agent: AgentId,
  scope: Scope,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): string {
  if (scope === 'project') {
    const root = repositoryRoot(cwd);
    const folder = { 'claude-code': '.claude', codex: '.agents', cursor: '.cursor' }[agent];
    return join(root, folder, 'skills');
  }
  const home = homedir();
  if (agent === 'codex') return join(env.CODEX_HOME?.trim() || join(home, '.codex'), 'skills');
  return join(home, agent === 'claude-code' ? '.claude' : '.cursor', 'skills');
}

/**
 * Parses `--agents` (space- or comma-separated, each named once): unknown names are a validation
 * error listing the valid ones.
 */
export function parseAgents(values: readonly string[] | undefined): AgentId[] {
  const names = (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  const valid = AGENTS.join(', ');
  if (names.length === 0) {
    throw new ValidationError(`--agents is required: name one or more of ${valid}.`, {
      field: 'agents',
      hint: "e.g. oxygen skills install --agents codex claude-code cursor --skill '*'",
    });
  }
  const unknown = names.filter((n) => !(AGENTS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new ValidationError(
      `Unknown agent${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')}. Valid agents: ${valid}.`,
      { field: 'agents', hint: 'Pass them after --agents, e.g. --agents codex claude-code cursor.' },
    );
  }
  return [...new Set(names)] as AgentId[];
}
