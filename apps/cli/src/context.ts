/**
 * Opens the runtime the way every command needs it: the store under `$OXYGEN_HOME` (or
 * `DATABASE_URL`), plugins resolved from the CLI's own install first.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '@oxygen/core';
import { createRuntime, type OrgRuntime, oxygenHome, type Runtime } from '@oxygen/runtime';
import type { CatalogBackend, OrgBackend } from './client/backend.js';
import type { Globals } from './output.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Where plugin package names resolve from: the CLI's own install first. */
export const pluginDirs: readonly string[] = [here];

/** The organization a command acts for: `--org`, then `OXYGEN_ORG`, then `default`. */
export function orgId(globals: Globals): string {
  return globals.org || process.env.OXYGEN_ORG || 'default';
}

/** Runs `fn` with an open runtime and the command's organization, closing the store after. */
export async function withOrg<T>(
  globals: Globals,
  fn: (org: OrgRuntime, runtime: Runtime) => Promise<T>,
): Promise<T> {
  const runtime = await createRuntime({ resolveFrom: [here] });
  try {
    return await fn(runtime.org(orgId(globals)), runtime);
  } finally {
    await runtime.close();
  }
}

/**
 * Runs `fn` with the command's organization, on the local runtime or, when `OXYGEN_API_URL` and
 * `OXYGEN_API_TOKEN` are set (or after `oxygen login`), on that server over HTTP. Both satisfy the
 * same interfaces, so a command renders the same output either way.
 */
export async function withBackend<T>(
  globals: Globals,
  fn: (org: OrgBackend, catalog: CatalogBackend) => Promise<T>,
): Promise<T> {
  // The common case (no server configured) costs one stat and loads nothing more.
  const env = process.env;
  if (!env.OXYGEN_API_URL && !env.OXYGEN_API_TOKEN && !existsSync(join(oxygenHome(env), 'api.json'))) {
    return withOrg(globals, fn);
  }
  const { readSession } = await import('./client/session.js');
  const session = readSession(env);
  if (!session) return withOrg(globals, fn);
  if (globals.org) {
    throw new ValidationError(`--org does not apply when talking to the server at ${session.apiUrl}.`, {
      hint: "The API token's organization is used; drop --org, or unset OXYGEN_API_URL / run `oxygen logout` to use the local store.",
    });
  }
  const { HttpBackend } = await import('./client/http.js');
  const backend = new HttpBackend(session.apiUrl, session.token);
  return fn(backend, backend);
}

/** Reads all of stdin as text. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Parses a JSON argument: inline text, `-` for stdin, or `@file.json`.
 * Bad JSON is a validation error saying where it broke.
 */
export async function parseJsonArg(flag: string, text: string | undefined): Promise<unknown> {
  if (text === undefined) return {};
  let source = text;
  if (text === '-') source = await readStdin();
  else if (text.startsWith('@')) {
    try {
      source = readFileSync(text.slice(1), 'utf8');
    } catch {
      throw new ValidationError(`${flag} file ${text.slice(1)} could not be read.`, { field: flag });
    }
  }
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new ValidationError(
      `${flag} is not valid JSON (${error instanceof Error ? error.message : 'parse error'}).`,
      { field: flag, hint: `Pass an object, e.g. ${flag} '{"email":"ada@example.com"}'.` },
    );
  }
}
