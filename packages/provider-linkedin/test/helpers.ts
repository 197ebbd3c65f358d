import type { AuthMode, ConnectionInfo, Credential } from '@oxygen/core';
import { type ExecuteResult, executeAction, executeVerify } from '@oxygen/runtime';
import plugin from '../src/index.js';
import {
  type LinkedInSandbox,
  type LinkedInSandboxOptions,
  startLinkedInSandbox,
} from '../src/sandbox/index.js';

/** The default sandbox member (Ada Lovelace). */
export const ADA = 'yH3rQ9xZ2b';
/** A second member, who authored the seeded post others comment on. */
export const GRACE = 'gR4ceH0pp3r';
/** A post by Grace that exists from the start. */
export const GRACE_POST = 'urn:li:share:7100000000000000001';
/** A post by Ada that exists from the start (to delete). */
export const ADA_POST = 'urn:li:share:7100000000000000002';

/** Starts a sandbox with Ada (signed in) and Grace, and one seeded post by each. */
export function startSandbox(options: LinkedInSandboxOptions = {}): Promise<LinkedInSandbox> {
  return startLinkedInSandbox({
    members: [
      { sub: ADA, given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com' },
      { sub: GRACE, given_name: 'Grace', family_name: 'Hopper', email: 'grace@example.com' },
    ],
    posts: [
      { urn: GRACE_POST, author: GRACE, commentary: 'Nanoseconds, explained with a wire.' },
      { urn: ADA_POST, author: ADA, commentary: 'Notes on the Analytical Engine.' },
    ],
    ...options,
  });
}

/** The connection a call runs for. */
export function connectionFor(mode: AuthMode): ConnectionInfo {
  return {
    id: `conn_linkedin_${mode}`,
    organization_id: 'default',
    provider: 'linkedin',
    auth_mode: mode,
    account_label: mode === 'byok' ? 'ada@example.com' : 'managed',
    scopes: [],
  };
}

/** A BYOK OAuth credential for a fresh token of `sub`. */
export function oauthCredential(sandbox: LinkedInSandbox, sub = ADA, scopes?: string[]): Credential {
  const token = sandbox.issueToken(sub, scopes ? { scopes } : {});
  return {
    type: 'oauth2',
    access_token: token.access_token,
    expires_at: Date.now() + token.expires_in * 1000,
  };
}

const oauthScheme = plugin.auth.byok[0]!;
const managedScheme = plugin.auth.managed!;

/** Runs an action through the runtime's engine, over HTTP, against the sandbox. */
export async function run(
  sandbox: LinkedInSandbox,
  slug: string,
  input: unknown,
  options: { credential?: Credential; mode?: AuthMode; dryRun?: boolean; baseUrl?: string | null } = {},
): Promise<ExecuteResult> {
  const action = plugin.actions.find((a) => a.slug === slug);
  if (!action) throw new Error(`no action ${slug}`);
  const mode = options.mode ?? 'byok';
  const credential =
    options.credential ??
    (mode === 'managed' ? { type: 'api_key' as const, key: sandbox.managedKey } : oauthCredential(sandbox));
  return executeAction({
    provider: plugin,
    action,
    input,
    dryRun: options.dryRun ?? false,
    connection: connectionFor(mode),
    auth: { scheme: mode === 'managed' ? managedScheme : oauthScheme, credential },
    baseUrl: options.baseUrl === null ? undefined : (options.baseUrl ?? sandbox.url),
    retry: { baseDelayMs: 5 },
  });
}

/** Runs an action and returns its output (fails on a dry run). */
export async function output<T = Record<string, unknown>>(
  sandbox: LinkedInSandbox,
  slug: string,
  input: unknown,
  options: Parameters<typeof run>[3] = {},
): Promise<T> {
  const result = await run(sandbox, slug, input, options);
  if (result.dryRun) throw new Error('expected a real run');
  return result.output as T;
}

/** Runs the plugin's verify against the sandbox. */
export function verify(sandbox: LinkedInSandbox, credential: Credential, mode: AuthMode = 'byok') {
  return executeVerify({
    provider: plugin,
    connection: connectionFor(mode),
    auth: { scheme: mode === 'managed' ? managedScheme : oauthScheme, credential },
    baseUrl: sandbox.url,
    retry: { limit: 0 },
  });
}

/** Awaits a call that must fail (shared by every provider package's tests). */
export { failure } from '@oxygen/testkit';
