/**
 * Where Oxygen keeps its files and which plugins it loads.
 *
 * @module
 */

import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@oxygen/core';

/** `$OXYGEN_HOME`, default `~/.oxygen`. */
export function oxygenHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.OXYGEN_HOME || join(homedir(), '.oxygen');
}

/** The user's config file, `$OXYGEN_HOME/config.json`. */
export interface OxygenConfig {
  /** Extra plugin package names or paths, loaded after the first-party ones. */
  plugins?: string[];
}

/** Reads `$OXYGEN_HOME/config.json`; a missing file is an empty config, a broken one an error. */
export function readConfig(home: string): OxygenConfig {
  const file = join(home, 'config.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = JSON.parse(text) as OxygenConfig;
    if (parsed.plugins !== undefined && !Array.isArray(parsed.plugins))
      throw new Error('"plugins" must be an array');
    return parsed;
  } catch (error) {
    throw new ConfigError(`${file} is not valid: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'Fix or remove the file; it holds {"plugins": ["package-or-path", ...]}.',
    });
  }
}
