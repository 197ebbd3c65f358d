/**
 * `oxygen skills install|list|uninstall` as a user runs them: the built binary in its own process,
 * with HOME, CODEX_HOME, OXYGEN_HOME and the working directory all temporary, the four first-party
 * plugins plus two third-party ones from `$OXYGEN_HOME/config.json` (one carrying its skill in the
 * `skill` field, one with no skill at all).
 */

import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { oxygen as run } from './helpers.js';

const SKILLED = fileURLToPath(new URL('./fixtures/skilled', import.meta.url));
const ACME = fileURLToPath(new URL('../../../packages/runtime/test/fixtures/acme', import.meta.url));
const HUBSPOT_SKILL = readFileSync(
  fileURLToPath(new URL('../../../packages/provider-hubspot/SKILL.md', import.meta.url)),
  'utf8',
);

const ALL = ['oxygen', 'hubspot', 'attio', 'instantly', 'linkedin', 'skilled', 'acme'];
const FOLDERS = ALL.map((n) => (n === 'oxygen' ? n : `oxygen-${n}`));

interface FileResult {
  skill: string;
  path: string;
  status: string;
  reason?: string;
}
interface AgentResult {
  agent: string;
  scope: string;
  dir: string;
  manifest: string;
  files: FileResult[];
}
interface Output {
  scope: string;
  agents: AgentResult[];
}

const temp = (name: string) => mkdtempSync(join(tmpdir(), `oxygen-skills-${name}-`));

let home: string;
let codexHome: string;
let oxygenHome: string;
let work: string;

/** Runs the built `oxygen` in its own process, in `cwd`, with only the given environment. */
function oxygen(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  return run(args, {
    cwd: options.cwd ?? work,
    env: { HOME: home, CODEX_HOME: codexHome, OXYGEN_HOME: oxygenHome, ...options.env },
  });
}

async function install(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = await oxygen(['skills', 'install', ...args, '--json'], options);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.json() as Output;
}

/** The front matter of a SKILL.md, parsed as YAML (as agents read it), and the body. */
function frontMatter(text: string): { fields: Record<string, string>; body: string } {
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  expect(m, 'front matter between --- lines').not.toBeNull();
  const fields = parseYaml(m![1]!) as Record<string, string>;
  expect(fields).toBeTypeOf('object');
  return { fields, body: m![2]! };
}

const statuses = (out: Output) =>
  Object.fromEntries(out.agents.map((a) => [a.agent, a.files.map((f) => `${f.skill}:${f.status}`)]));

beforeEach(() => {
  home = temp('home');
  codexHome = temp('codex');
  oxygenHome = temp('oxygen');
  work = temp('cwd');
  writeFileSync(join(oxygenHome, 'config.json'), JSON.stringify({ plugins: [SKILLED, ACME] }));
});

describe('oxygen skills install', () => {
  it('installs every skill for all three agents in Agent Skills format, and a re-run changes nothing', async () => {
    const out = await install(['--agents', 'codex', 'claude-code', 'cursor', '--skill', '*']);
    expect(out.scope).toBe('user');
    const dirs = {
      codex: join(codexHome, 'skills'),
      'claude-code': join(home, '.claude', 'skills'),
      cursor: join(home, '.cursor', 'skills'),
    };
    expect(out.agents.map((a) => [a.agent, a.dir])).toEqual(Object.entries(dirs));
    for (const agent of out.agents) {
      expect(agent.manifest).toBe(join(agent.dir, '.oxygen-skills.json'));
      expect(agent.files.map((f) => f.skill)).toEqual(ALL);
      expect(agent.files.map((f) => f.path)).toEqual(FOLDERS.map((f) => join(agent.dir, f, 'SKILL.md')));
      expect(agent.files.every((f) => f.status === 'created')).toBe(true);
      // One folder per skill, each holding SKILL.md whose front matter names it after its folder.
      expect(
        readdirSync(agent.dir)
          .filter((f) => !f.startsWith('.'))
          .sort(),
      ).toEqual([...FOLDERS].sort());
      for (const folder of FOLDERS) {
        const { fields } = frontMatter(readFileSync(join(agent.dir, folder, 'SKILL.md'), 'utf8'));
        expect(fields.name).toBe(folder);
        expect(fields.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
        expect(fields.description?.length, folder).toBeGreaterThan(20);
        expect(fields.description!.length).toBeLessThanOrEqual(1024);
      }
    }

    const claude = dirs['claude-code'];
    // A first-party provider: its package's SKILL.md, body as written, renamed to its folder.
    const hubspot = frontMatter(readFileSync(join(claude, 'oxygen-hubspot', 'SKILL.md'), 'utf8'));
    expect(hubspot.fields.description).toBe(frontMatter(HUBSPOT_SKILL).fields.description);
    expect(hubspot.body.trim()).toBe(HUBSPOT_SKILL.slice(HUBSPOT_SKILL.indexOf('\n---\n') + 5).trim());
    // The general skill documents the CLI.
    const general = readFileSync(join(claude, 'oxygen', 'SKILL.md'), 'utf8');
    for (const command of [
      'oxygen integrations list --json',
      'oxygen integrations verify',
      'oxygen providers show',
      '--dry-run',
      'oxygen integrations events deliveries',
      'oxygen workflows triggers add',
      'oxygen credits balance --json',
      'oxygen tables',
    ]) {
      expect(general).toContain(command);
    }
    // A third-party plugin's `skill` field: name rewritten, folded description and other keys kept.
    const skilled = readFileSync(join(claude, 'oxygen-skilled', 'SKILL.md'), 'utf8');
    expect(skilled).toMatch(/^---\nname: oxygen-skilled\ndescription: >-\n {2}Read Skilled widgets/);
    expect(skilled).toContain('\nlicense: MIT\n---\n\n# Skilled\n');
    expect(frontMatter(skilled).fields).toEqual({
      name: 'oxygen-skilled',
      description:
        'Read Skilled widgets through Oxygen Integrations (oxygen integrations run skilled ...). Use when a task needs a widget looked up.',
      license: 'MIT',
    });
    // A third-party plugin with no skill: generated from its catalog.
    const acme = frontMatter(readFileSync(join(claude, 'oxygen-acme', 'SKILL.md'), 'utf8'));
    expect(acme.fields.description).toContain('oxygen integrations run acme');
    expect(acme.body).toContain('### contact.create');
    expect(acme.body).toContain('`email` (email, required)');

    const manifest = readFileSync(join(claude, '.oxygen-skills.json'), 'utf8');
    const before = FOLDERS.map((f) => readFileSync(join(claude, f, 'SKILL.md'), 'utf8'));
    const again = await install(['--agents', 'codex', 'claude-code', 'cursor', '--skill', '*']);
    for (const agent of again.agents) expect(agent.files.every((f) => f.status === 'unchanged')).toBe(true);
    expect(FOLDERS.map((f) => readFileSync(join(claude, f, 'SKILL.md'), 'utf8'))).toEqual(before);
    expect(readFileSync(join(claude, '.oxygen-skills.json'), 'utf8')).toBe(manifest);
  });

  it('a file changed by hand is skipped, and --force overwrites it', async () => {
    await install(['--agents', 'claude-code', 'cursor']);
    const file = join(home, '.claude', 'skills', 'oxygen-attio', 'SKILL.md');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}\nMy own notes.\n`);

    const out = await install(['--agents', 'claude-code', 'cursor', '--skill', 'attio', 'oxygen']);
    expect(statuses(out)).toEqual({
      'claude-code': ['oxygen:unchanged', 'attio:skipped'],
      cursor: ['oxygen:unchanged', 'attio:unchanged'],
    });
    expect(out.agents[0]!.files[1]!.reason).toMatch(/changed by hand/);
    expect(readFileSync(file, 'utf8')).toContain('My own notes.');

    const human = await oxygen(['skills', 'install', '--agents', 'claude-code', '--skill', 'attio']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/skipped\s+oxygen-attio\/SKILL\.md\s+\(changed by hand/);
    expect(human.stdout).toContain('0 created, 0 updated, 0 unchanged, 1 skipped.');
    expect(human.stdout).toMatch(/changed by hand.*--force to overwrite/);

    const forced = await install(['--agents', 'claude-code', '--skill', 'attio', '--force']);
    expect(statuses(forced)).toEqual({ 'claude-code': ['attio:updated'] });
    expect(readFileSync(file, 'utf8')).toBe(original);
    // Now it is Oxygen's again: an ordinary re-run leaves it unchanged.
    expect(statuses(await install(['--agents', 'claude-code', '--skill', 'attio']))).toEqual({
      'claude-code': ['attio:unchanged'],
    });
  });

  it("never touches other skills: another vendor's hubspot skill, or an oxygen-* folder it did not write", async () => {
    const dir = join(home, '.cursor', 'skills');
    mkdirSync(join(dir, 'hubspot'), { recursive: true });
    mkdirSync(join(dir, 'oxygen-linkedin'), { recursive: true });
    const theirs = '---\nname: hubspot\ndescription: Somebody else.\n---\n\nTheirs.\n';
    writeFileSync(join(dir, 'hubspot', 'SKILL.md'), theirs);
    writeFileSync(join(dir, 'oxygen-linkedin', 'SKILL.md'), 'mine\n');

    const out = await install(['--agents', 'cursor', '--skill', 'hubspot', 'linkedin']);
    expect(out.agents[0]!.files).toEqual([
      { skill: 'hubspot', path: join(dir, 'oxygen-hubspot', 'SKILL.md'), status: 'created' },
      {
        skill: 'linkedin',
        path: join(dir, 'oxygen-linkedin', 'SKILL.md'),
        status: 'skipped',
        reason: 'not installed by Oxygen',
      },
    ]);
    expect(readFileSync(join(dir, 'hubspot', 'SKILL.md'), 'utf8')).toBe(theirs);
    expect(readFileSync(join(dir, 'oxygen-linkedin', 'SKILL.md'), 'utf8')).toBe('mine\n');
  });

  it('--skill takes names and globs; codex defaults to ~/.codex/skills without CODEX_HOME', async () => {
    const out = await install(['--agents', 'codex', '--skill', 'hub*', 'oxygen'], {
      env: { CODEX_HOME: '' },
    });
    expect(out.agents[0]!.dir).toBe(join(home, '.codex', 'skills'));
    expect(statuses(out)).toEqual({ codex: ['oxygen:created', 'hubspot:created'] });
    expect(existsSync(join(home, '.codex', 'skills', 'oxygen-hubspot', 'SKILL.md'))).toBe(true);
    // The folder name works too, and a comma list.
    const more = await install(['--agents', 'codex', '--skill', 'oxygen-skilled,attio'], {
      env: { CODEX_HOME: '' },
    });
    expect(statuses(more)).toEqual({ codex: ['attio:created', 'skilled:created'] });
  });

  it("a plugin skill without front matter gets name and description from the provider's id and description", async () => {
    const BARE = fileURLToPath(new URL('./fixtures/bare', import.meta.url));
    writeFileSync(join(oxygenHome, 'config.json'), JSON.stringify({ plugins: [BARE] }));
    const out = await install(['--agents', 'claude-code', '--skill', 'bare']);
    expect(statuses(out)).toEqual({ 'claude-code': ['bare:created'] });
    const text = readFileSync(out.agents[0]!.files[0]!.path, 'utf8');
    const { fields, body } = frontMatter(text);
    expect(fields.name).toBe('oxygen-bare');
    expect(fields.description).toMatch(
      /^Tickets: open, close and read them in Bare through Oxygen Integrations \(`oxygen integrations run bare \.\.\.`\) - actions ticket\.get\. Use when/,
    );
    expect(body).toBe('\n# Bare\n\nRead tickets with `oxygen integrations run bare ticket.get`.\n');
  });

  it('--project installs into the repository root found from a subdirectory', async () => {
    const repo = temp('repo');
    mkdirSync(join(repo, '.git'));
    const sub = join(repo, 'src', 'deep');
    mkdirSync(sub, { recursive: true });
    const out = await install(['--agents', 'codex', 'claude-code', 'cursor', '--skill', '*', '--project'], {
      cwd: sub,
    });
    expect(out.scope).toBe('project');
    expect(out.agents.map((a) => [a.agent, a.scope, a.dir])).toEqual([
      ['codex', 'project', join(repo, '.agents', 'skills')],
      ['claude-code', 'project', join(repo, '.claude', 'skills')],
      ['cursor', 'project', join(repo, '.cursor', 'skills')],
    ]);
    for (const a of out.agents) {
      for (const folder of FOLDERS) {
        const { fields } = frontMatter(readFileSync(join(a.dir, folder, 'SKILL.md'), 'utf8'));
        expect(fields.name).toBe(folder);
      }
    }
    // Nothing went to the home folders.
    expect(existsSync(join(home, '.claude'))).toBe(false);
    expect(existsSync(join(codexHome, 'skills'))).toBe(false);

    // Outside a git repository, the current directory is the root.
    const plain = await install(['--agents', 'cursor', '--skill', 'oxygen', '--project']);
    expect(plain.agents[0]!.files[0]!.path).toBe(join(work, '.cursor', 'skills', 'oxygen', 'SKILL.md'));
  });
});

describe('oxygen skills list and uninstall', () => {
  it('list --json: every skill with its description and source, and where it is installed', async () => {
    await install(['--agents', 'claude-code', 'codex']);
    const repo = temp('repo');
    mkdirSync(join(repo, '.git'));
    await install(['--agents', 'cursor', '--skill', 'instantly', '--project'], { cwd: repo });
    writeFileSync(join(home, '.claude', 'skills', 'oxygen', 'SKILL.md'), 'edited\n');

    const r = await oxygen(['skills', 'list', '--json'], { cwd: repo });
    expect(r.code, r.stderr).toBe(0);
    const list = r.json() as {
      skills: {
        name: string;
        folder: string;
        description: string;
        source: string;
        origin: string;
        available: boolean;
        installed: { agent: string; scope: string; path: string; state: string }[];
      }[];
      agents: { agent: string; user: string; project: string }[];
    };
    expect(list.skills.map((s) => s.name)).toEqual(ALL);
    const byName = Object.fromEntries(list.skills.map((s) => [s.name, s]));
    expect(byName.oxygen).toMatchObject({ folder: 'oxygen', source: '@oxygen/cli', origin: 'cli' });
    expect(byName.hubspot).toMatchObject({
      folder: 'oxygen-hubspot',
      source: '@oxygen/provider-hubspot',
      // the runtime's loader reads the package's SKILL.md into the plugin's `skill`
      origin: 'plugin',
    });
    expect(byName.skilled).toMatchObject({ source: 'oxygen-provider-skilled', origin: 'plugin' });
    expect(byName.skilled!.description).toBe(
      'Read Skilled widgets through Oxygen Integrations (oxygen integrations run skilled ...). Use when a task needs a widget looked up.',
    );
    expect(byName.acme).toMatchObject({ source: 'oxygen-provider-acme', origin: 'generated' });
    for (const s of list.skills) expect(s.description.length).toBeGreaterThan(20);

    const where = (name: string) => byName[name]!.installed.map((i) => `${i.agent}/${i.scope}:${i.state}`);
    expect(where('oxygen')).toEqual(['claude-code/user:modified', 'codex/user:current']);
    expect(where('instantly')).toEqual([
      'claude-code/user:current',
      'codex/user:current',
      'cursor/project:current',
    ]);
    expect(byName.instantly!.installed[2]!.path).toBe(
      join(repo, '.cursor', 'skills', 'oxygen-instantly', 'SKILL.md'),
    );
    expect(list.agents).toEqual([
      {
        agent: 'claude-code',
        user: join(home, '.claude', 'skills'),
        project: join(repo, '.claude', 'skills'),
      },
      { agent: 'codex', user: join(codexHome, 'skills'), project: join(repo, '.agents', 'skills') },
      { agent: 'cursor', user: join(home, '.cursor', 'skills'), project: join(repo, '.cursor', 'skills') },
    ]);

    const human = await oxygen(['skills', 'list'], { cwd: repo });
    expect(human.stdout).toMatch(/^oxygen\s+oxygen\s+@oxygen\/cli\s+claude-code modified, codex$/m);
    expect(human.stdout).toMatch(/^instantly\s+oxygen-instantly\s+.*cursor \(project\)$/m);
  });

  it('uninstall removes what Oxygen wrote, keeps hand edits unless --force', async () => {
    await install(['--agents', 'claude-code', 'cursor']);
    const dir = join(home, '.claude', 'skills');
    writeFileSync(join(dir, 'oxygen-hubspot', 'SKILL.md'), 'edited\n');

    const r = await oxygen([
      'skills',
      'uninstall',
      '--agents',
      'claude-code',
      '--skill',
      'hubspot',
      'attio',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = r.json() as Output;
    expect(statuses(out)).toEqual({ 'claude-code': ['hubspot:skipped', 'attio:removed'] });
    expect(existsSync(join(dir, 'oxygen-attio'))).toBe(false);
    expect(readFileSync(join(dir, 'oxygen-hubspot', 'SKILL.md'), 'utf8')).toBe('edited\n');

    const forced = await oxygen(['skills', 'uninstall', '--agents', 'claude-code', '--force', '--json']);
    expect(statuses(forced.json() as Output)).toEqual({
      'claude-code': [
        'oxygen:removed',
        'hubspot:removed',
        'attio:absent',
        'instantly:removed',
        'linkedin:removed',
        'skilled:removed',
        'acme:removed',
      ],
    });
    expect(readdirSync(dir)).toEqual([]); // the manifest goes with the last skill
    // Cursor's copies are untouched.
    expect(
      readdirSync(join(home, '.cursor', 'skills'))
        .filter((f) => !f.startsWith('.'))
        .sort(),
    ).toEqual([...FOLDERS].sort());
  });

  it('uninstall still finds a skill whose plugin was removed since (from the manifest)', async () => {
    await install(['--agents', 'cursor', '--skill', 'acme']);
    writeFileSync(join(oxygenHome, 'config.json'), JSON.stringify({ plugins: [SKILLED] }));
    const r = await oxygen(['skills', 'uninstall', '--agents', 'cursor', '--skill', 'acme', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(statuses(r.json() as Output)).toEqual({ cursor: ['acme:removed'] });
  });
});

describe('oxygen skills errors', () => {
  function expectError(r: Awaited<ReturnType<typeof oxygen>>, exit: number, code: string) {
    expect(r.code).toBe(exit);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    const error = (JSON.parse(r.stderr) as { error: { code: string; message: string; hint: string } }).error;
    expect(error.code).toBe(code);
    expect(error.hint).toBeTruthy();
    return error;
  }

  it('an unknown agent lists the valid ones; nothing is written', async () => {
    const r = await oxygen(['skills', 'install', '--agents', 'codex', 'vscode', '--skill', '*', '--json']);
    const error = expectError(r, 2, 'validation');
    expect(error.message).toBe('Unknown agent "vscode". Valid agents: claude-code, codex, cursor.');
    expect(existsSync(join(codexHome, 'skills'))).toBe(false);

    const none = await oxygen(['skills', 'install', '--json']);
    expect(expectError(none, 2, 'validation').message).toMatch(
      /--agents is required.*claude-code, codex, cursor/,
    );

    const human = await oxygen(['skills', 'uninstall', '--agents', 'claude']);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe('');
    expect(human.stderr).toMatch(
      /^error: Unknown agent "claude"\. Valid agents: claude-code, codex, cursor\./,
    );
  });

  it('an unknown skill lists the valid ones, third-party included; nothing is written', async () => {
    const r = await oxygen([
      'skills',
      'install',
      '--agents',
      'cursor',
      '--skill',
      'hubspot',
      'salesforce',
      '--json',
    ]);
    const error = expectError(r, 4, 'not_found');
    expect(error.message).toBe(
      'Unknown skill "salesforce". Valid skills: oxygen, hubspot, attio, instantly, linkedin, skilled, acme.',
    );
    expect(existsSync(join(home, '.cursor'))).toBe(false);
    const glob = await oxygen(['skills', 'uninstall', '--agents', 'cursor', '--skill', 'zz*', '--json']);
    expect(expectError(glob, 4, 'not_found').message).toMatch(
      /^Unknown skill "zz\*"\. Valid skills: oxygen,/,
    );
  });
});

describe('start-up', () => {
  it('the skills command is its own chunk, loaded only when it runs', () => {
    const entry = readFileSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)), 'utf8');
    expect(entry).toMatch(/import\('\.\/skills-[A-Z0-9]+\.js'\)/);
    expect(entry).not.toContain('.oxygen-skills.json');
  });
});
