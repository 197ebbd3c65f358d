/**
 * Writes and removes skill files in one agent's skills folder, never losing a hand edit: what
 * Oxygen wrote is recorded (sha256 per file) in `.oxygen-skills.json` beside the skill folders, so
 * a file that matches neither that record nor the new text was changed by someone else.
 */

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The manifest's file name, in the agent's skills folder. */
export const MANIFEST = '.oxygen-skills.json';

/** What the manifest remembers about one file Oxygen wrote. */
export interface ManifestEntry {
  /** The skill (`oxygen`, `hubspot`). */
  skill: string;
  /** The package it came from. */
  source: string;
  /** sha256 (hex) of the content written. */
  sha256: string;
}

/** `.oxygen-skills.json`: files keyed by their path relative to the skills folder (`/`-separated). */
export interface Manifest {
  version: 1;
  files: Record<string, ManifestEntry>;
}

/** What happened to a file on install. */
export type InstallStatus = 'created' | 'updated' | 'unchanged' | 'skipped';

/** What happened to a skill folder on uninstall. */
export type UninstallStatus = 'removed' | 'skipped' | 'absent';

/** The state of an installed skill file compared with what install would write now. */
export type InstalledState = 'current' | 'outdated' | 'modified';

/** One skill file to install. */
export interface SkillFile {
  skill: string;
  source: string;
  folder: string;
  text: string;
}

/** One file's outcome. */
export interface FileResult {
  skill: string;
  path: string;
  status: InstallStatus | UninstallStatus;
  /** Why it was skipped. */
  reason?: string;
}

/** sha256 of `text` (UTF-8), hex. */
export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes via a temporary file and a rename, so an agent never reads half a file. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The relative path of a skill's `SKILL.md` in the manifest. */
export function skillPath(folder: string): string {
  return `${folder}/SKILL.md`;
}

/**
 * One agent's skills folder and its manifest. An unreadable manifest counts as empty (so nothing
 * there is treated as Oxygen's and nothing is overwritten without `--force`), with a warning.
 */
export class SkillsFolder {
  readonly manifest: Manifest;
  private dirty = false;

  constructor(
    /** The skills folder. */
    readonly dir: string,
    warn: (message: string) => void = () => {},
  ) {
    const text = readText(join(dir, MANIFEST));
    let manifest: Manifest = { version: 1, files: {} };
    if (text !== undefined) {
      try {
        const parsed = JSON.parse(text) as Partial<Manifest>;
        if (!parsed || typeof parsed.files !== 'object' || parsed.files === null)
          throw new Error('no "files"');
        manifest = { version: 1, files: parsed.files };
      } catch {
        warn(`${join(dir, MANIFEST)} is not valid JSON; files there are treated as not installed by Oxygen.`);
      }
    }
    this.manifest = manifest;
  }

  /** The manifest path. */
  get manifestPath(): string {
    return join(this.dir, MANIFEST);
  }

  /**
   * Installs one skill's `SKILL.md`: `created` when absent, `unchanged` when identical, `updated`
   * when it is what Oxygen last wrote (or with `force`), `skipped` when changed by hand.
   */
  install(file: SkillFile, force: boolean): FileResult {
    const rel = skillPath(file.folder);
    const path = join(this.dir, file.folder, 'SKILL.md');
    const existing = readText(path);
    const recorded = this.manifest.files[rel];
    const hash = sha256(file.text);
    const result = (status: InstallStatus, reason?: string): FileResult => ({
      skill: file.skill,
      path,
      status,
      ...(reason ? { reason } : {}),
    });
    const record = () => {
      const entry: ManifestEntry = { skill: file.skill, source: file.source, sha256: hash };
      if (JSON.stringify(recorded) !== JSON.stringify(entry)) {
        this.manifest.files[rel] = entry;
        this.dirty = true;
      }
    };
    if (existing === undefined) {
      writeAtomic(path, file.text);
      record();
      return result('created');
    }
    if (existing === file.text) {
      record();
      return result('unchanged');
    }
    const ours = recorded !== undefined && sha256(existing) === recorded.sha256;
    if (!ours && !force) {
      return result(
        'skipped',
        recorded ? 'changed by hand since Oxygen installed it' : 'not installed by Oxygen',
      );
    }
    writeAtomic(path, file.text);
    record();
    return result('updated');
  }

  /**
   * Removes one skill's folder when it holds only the `SKILL.md` Oxygen wrote, unchanged; with
   * `force`, removes the folder whatever it holds.
   */
  uninstall(skill: string, folder: string, force: boolean): FileResult {
    const rel = skillPath(folder);
    const dir = join(this.dir, folder);
    const path = join(dir, 'SKILL.md');
    const existing = readText(path);
    const recorded = this.manifest.files[rel];
    const forget = () => {
      if (this.manifest.files[rel]) {
        delete this.manifest.files[rel];
        this.dirty = true;
      }
    };
    if (existing === undefined) {
      forget();
      if (force) rmSync(dir, { recursive: true, force: true });
      return { skill, path, status: 'absent' };
    }
    if (!force) {
      let reason: string | undefined;
      if (!recorded) reason = 'not installed by Oxygen';
      else if (sha256(existing) !== recorded.sha256) reason = 'changed by hand since Oxygen installed it';
      else if (readdirSync(dir).some((f) => f !== 'SKILL.md')) reason = 'the skill folder holds other files';
      if (reason) return { skill, path, status: 'skipped', reason };
    }
    if (force) rmSync(dir, { recursive: true, force: true });
    else {
      rmSync(path);
      rmdirSync(dir);
    }
    forget();
    return { skill, path, status: 'removed' };
  }

  /** The state of an installed skill file against `text`, or undefined when it is not there. */
  state(folder: string, text: string | undefined): { path: string; state: InstalledState } | undefined {
    const path = join(this.dir, folder, 'SKILL.md');
    const existing = readText(path);
    if (existing === undefined) return undefined;
    if (text !== undefined && existing === text) return { path, state: 'current' };
    const recorded = this.manifest.files[skillPath(folder)];
    return { path, state: recorded && sha256(existing) === recorded.sha256 ? 'outdated' : 'modified' };
  }

  /** Skills the manifest records here: `{skill, folder, source}`. */
  recorded(): { skill: string; folder: string; source: string }[] {
    return Object.entries(this.manifest.files).map(([rel, e]) => ({
      skill: e.skill,
      folder: rel.replace(/\/SKILL\.md$/, ''),
      source: e.source,
    }));
  }

  /** Writes the manifest if it changed; removes it when it records nothing. */
  save(): void {
    if (!this.dirty) return;
    if (Object.keys(this.manifest.files).length === 0) rmSync(this.manifestPath, { force: true });
    else writeAtomic(this.manifestPath, `${JSON.stringify(this.manifest, null, 2)}\n`);
    this.dirty = false;
  }
}
