/** Test helpers: a runtime on a fresh embedded store, the HubSpot sandbox, captured log lines. */

import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRuntime, type Runtime } from '@oxygen/runtime';

/** This package's directory: plugin package names resolve from here. */
export const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/** A fresh `$OXYGEN_HOME`. */
export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'oxygen-server-test-'));
}

/**
 * A runtime on a fresh embedded store with HubSpot (API and OAuth endpoints) pointed at the
 * sandbox, and the sandbox's OAuth app as the platform's.
 */
export async function sandboxRuntime(
  home: string,
  sandbox: { url: string; oauth: { clientId: string; clientSecret: string } },
): Promise<Runtime> {
  return createRuntime({
    home,
    env: {
      OXYGEN_HOME: home,
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
      OXYGEN_HUBSPOT_CLIENT_ID: sandbox.oauth.clientId,
      OXYGEN_HUBSPOT_CLIENT_SECRET: sandbox.oauth.clientSecret,
    },
    resolveFrom: [packageDir],
    retry: { limit: 0 },
  });
}

/** Collects the server's log lines. */
export function logSink(): { lines: string[]; stream: { write(line: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => void lines.push(line) } };
}

/** Every byte of every file under `dir`, as latin1 text (to search for leaked secrets). */
export function allBytes(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name)).toString('latin1'))
    .join('\n');
}
