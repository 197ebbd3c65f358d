/**
 * Which server the CLI talks to, if any: `OXYGEN_API_URL` + `OXYGEN_API_TOKEN`, or what
 * `oxygen login` saved in `$OXYGEN_HOME/api.json` (mode 0600, the token sealed with the vault so
 * the file alone does not give it away).
 */

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ValidationError } from '@oxygen/core';
import { createVault, loadMasterKeys, oxygenHome } from '@oxygen/runtime';

/** The file `oxygen login` writes under `$OXYGEN_HOME` (context.ts checks for it by this name). */
export const SESSION_FILE = 'api.json';

/** A server to talk to. */
export interface ServerSession {
  /** The server's URL, without a trailing slash. */
  apiUrl: string;
  /** The organization API token. */
  token: string;
  /** Where it came from. */
  source: 'env' | 'login';
}

interface SessionFile {
  api_url: string;
  /** Vault envelope of the token. */
  token: string;
  organization_id?: string;
  saved_at: string;
}

const aad = (apiUrl: string) => `oxygen-api-token:${apiUrl}`;

/** Checks and normalises a server URL (http or https, no query). */
export function normaliseApiUrl(value: string, source: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(`${source} is not a URL: "${value}".`, {
      hint: 'Use the server URL, e.g. https://oxygen.example.com',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${source} must be an http or https URL, not ${url.protocol}.`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(
      `${source} takes no query, fragment or credentials; the token goes in OXYGEN_API_TOKEN.`,
    );
  }
  return url.toString().replace(/\/+$/, '');
}

/** The path of the login file. */
export function sessionPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(oxygenHome(env), SESSION_FILE);
}

/**
 * The server the CLI should talk to, or `undefined` for the local store. The environment wins
 * over a saved login; setting only one of the two variables is an error.
 */
export function readSession(env: NodeJS.ProcessEnv = process.env): ServerSession | undefined {
  const url = env.OXYGEN_API_URL?.trim();
  const token = env.OXYGEN_API_TOKEN?.trim();
  if (url || token) {
    if (!url || !token) {
      throw new ConfigError(
        `${url ? 'OXYGEN_API_TOKEN' : 'OXYGEN_API_URL'} is not set, but ${url ? 'OXYGEN_API_URL' : 'OXYGEN_API_TOKEN'} is.`,
        {
          hint: 'Set both to talk to a server, or neither to use the local store.',
        },
      );
    }
    return { apiUrl: normaliseApiUrl(url, 'OXYGEN_API_URL'), token, source: 'env' };
  }
  const file = sessionPath(env);
  if (!existsSync(file)) return undefined;
  let saved: SessionFile;
  try {
    saved = JSON.parse(readFileSync(file, 'utf8')) as SessionFile;
    if (typeof saved.api_url !== 'string' || typeof saved.token !== 'string')
      throw new Error('fields missing');
  } catch {
    throw new ConfigError(`The login file ${file} is damaged.`, {
      hint: 'Run `oxygen logout`, then `oxygen login --api-url <url> --token-stdin` again.',
    });
  }
  const home = oxygenHome(env);
  const vault = createVault(loadMasterKeys({ env, home, embedded: true }));
  return { apiUrl: saved.api_url, token: vault.decrypt(saved.token, aad(saved.api_url)), source: 'login' };
}

/** Saves a login: the token sealed with the vault, the file mode 0600. Returns the file's path. */
export function saveSession(
  session: { apiUrl: string; token: string; organizationId?: string },
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (!session.token) throw new ValidationError('No token to save.');
  const home = oxygenHome(env);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  const vault = createVault(loadMasterKeys({ env, home, embedded: true }));
  const content: SessionFile = {
    api_url: session.apiUrl,
    token: vault.encrypt(session.token, aad(session.apiUrl)),
    ...(session.organizationId ? { organization_id: session.organizationId } : {}),
    saved_at: new Date().toISOString(),
  };
  const file = sessionPath(env);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}

/** Forgets the saved login; true when there was one. */
export function removeSession(env: NodeJS.ProcessEnv = process.env): boolean {
  const file = sessionPath(env);
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}
