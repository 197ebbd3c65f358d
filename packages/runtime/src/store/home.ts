/**
 * Where Oxygen keeps its local state (internal; the package exports `oxygenHome` from `config.ts`
 * with the same rule).
 *
 * @module
 */

import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The Oxygen home directory: `$OXYGEN_HOME` when set, otherwise `~/.oxygen`.
 * Holds the embedded SQLite store (`oxygen.db`) and the embedded master key (`master.key`).
 *
 * @param env - The environment to read `OXYGEN_HOME` from.
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.OXYGEN_HOME || join(homedir(), '.oxygen');
}
