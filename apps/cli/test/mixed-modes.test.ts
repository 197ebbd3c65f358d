/**
 * Both auth modes of one provider, for real, as a user runs them: the built `oxygen` binary on
 * the embedded store against LinkedIn's sandbox. LinkedIn connects byok by OAuth (the member's
 * own account: posts, comments, reactions) and managed with the platform's key (`profile.enrich`
 * only, paid in credits). Each action runs only where its mode allows, and a refusal names the
 * connection that would work.
 */

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type LinkedInSandbox, startLinkedInSandbox } from '@oxygen/provider-linkedin/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBytes, oxygen, tempHome } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/oxygen.js', import.meta.url));
const ADA = 'yH3rQ9xZ2b';
const GRACE_URL = 'https://www.linkedin.com/in/grace-hopper';

let sandbox: LinkedInSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

async function run(args: string[], stdin?: string) {
  const result = await oxygen(args, { env, stdin });
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** `oxygen ... --json` that must succeed; its one JSON value. */
async function ok<T = Record<string, unknown>>(args: string[]): Promise<T> {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return r.json() as T;
}

/** `oxygen ... --json` that must fail with one JSON error line; the error. */
async function refused(args: string[], exit: number) {
  const r = await run([...args, '--json']);
  expect(r.code, r.stderr).toBe(exit);
  expect(r.stdout).toBe('');
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  return (JSON.parse(r.stderr) as { error: Record<string, unknown> }).error;
}

/** Runs `oxygen` and plays the browser: reads the approval URL from stderr and follows it. */
async function connectByOAuth(): Promise<{ code: number; stdout: string; stderr: string }> {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    [BIN, 'integrations', 'connect', 'linkedin', '--oauth', '--no-browser', '--json'],
    { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  const approval = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (d) => {
      stderr += d;
      const m = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/v2\/authorization\?\S+)/.exec(stderr);
      if (m) resolve(m[1]!);
    });
    child.on('close', () => reject(new Error(`oxygen exited before printing the approval URL: ${stderr}`)));
  });
  const done = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
  // The sandbox signs Ada in and approves: it redirects to the CLI's loopback listener.
  const page = await fetch(await approval);
  expect(page.status).toBe(200);
  const code = await done;
  outputs.push(stdout, stderr);
  return { code, stdout, stderr };
}

beforeAll(async () => {
  sandbox = await startLinkedInSandbox({
    members: [{ sub: ADA, given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com' }],
  });
  home = tempHome();
  env = {
    OXYGEN_HOME: home,
    OXYGEN_PROVIDER_LINKEDIN_BASE_URL: sandbox.url,
    OXYGEN_LINKEDIN_CLIENT_ID: sandbox.clientId,
    OXYGEN_LINKEDIN_CLIENT_SECRET: sandbox.clientSecret,
    OXYGEN_MANAGED_LINKEDIN_KEY: sandbox.managedKey,
  };
});

afterAll(async () => {
  await sandbox?.close();
});

describe('LinkedIn in both auth modes through the CLI', { timeout: 30_000 }, () => {
  let managedId = '';
  let byokId = '';
  const enrichRequests = () => sandbox.requests.filter((q) => q.path.startsWith('/enrichment/v1/person'));

  it('connects in managed mode with the platform key: nothing asked of the user, no expiry', async () => {
    const managed = await ok(['integrations', 'connect', 'linkedin', '--auth-mode', 'managed']);
    expect(managed).toMatchObject({
      provider: 'linkedin',
      auth_mode: 'managed',
      status: 'connected',
      account_label: 'Oxygen data provider (sandbox) (managed)',
      expires_at: null,
    });
    managedId = String(managed.id);
  });

  it('connects byok with OAuth (the member approves in the browser); the token lasts 60 days', async () => {
    const before = Date.now();
    const result = await connectByOAuth();
    expect(result.code, result.stderr).toBe(0);
    const byok = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(byok).toMatchObject({
      provider: 'linkedin',
      auth_mode: 'byok',
      status: 'connected',
      account_label: 'ada@example.com',
    });
    byokId = String(byok.id);
    expect(byokId).not.toBe(managedId);
    const expiresAt = Date.parse(String(byok.expires_at));
    expect(expiresAt).toBeGreaterThanOrEqual(before + 60 * 86_400_000 - 5_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 60 * 86_400_000);
  });

  it('integrations list shows both, and when the OAuth token expires', async () => {
    const list = await ok<{ id: string; auth_mode: string; expires_at: string | null }[]>([
      'integrations',
      'list',
    ]);
    expect(list.map((c) => [c.id, c.auth_mode])).toEqual([
      [managedId, 'managed'],
      [byokId, 'byok'],
    ]);
    const human = await run(['integrations', 'list']);
    expect(human.code, human.stderr).toBe(0);
    const lines = human.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+PROVIDER\s+MODE\s+STATUS\s+ACCOUNT\s+VERIFIED\s+EXPIRES\s+LAST ERROR$/);
    // 60 days minus the seconds since connecting: "in 59 days".
    expect(lines.find((l) => l.startsWith(byokId))).toMatch(/UTC\s+in 59 days\s+-$/);
    expect(lines.find((l) => l.startsWith(managedId))).toMatch(/UTC\s+-\s+-$/);
  });

  it('integrations actions shows each action’s modes and credits, the same on both connections', async () => {
    type Action = { slug: string; auth_modes: string[]; credits: number; effect: string };
    const onManaged = await ok<Action[]>(['integrations', 'actions', managedId]);
    const onByok = await ok<Action[]>(['integrations', 'actions', byokId]);
    expect(onByok).toEqual(onManaged);
    const modes = Object.fromEntries(onManaged.map((a) => [a.slug, [a.auth_modes, a.credits, a.effect]]));
    expect(modes).toEqual({
      'profile.me': [['byok'], 0, 'read'],
      'post.create': [['byok'], 0, 'write'],
      'post.delete': [['byok'], 0, 'write'],
      'comment.create': [['byok'], 0, 'write'],
      'reaction.create': [['byok'], 0, 'write'],
      'profile.enrich': [['managed'], 2, 'read'],
    });
    const human = await run(['integrations', 'actions', managedId]);
    expect(human.stdout).toMatch(/profile\.enrich\s+read\s+managed\s+2\s+Look up a public profile/);
    expect(human.stdout).toMatch(/post\.create\s+write\s+byok\s+0\s+Publish a post/);
  });

  it('profile.enrich on the managed connection charges its credits', async () => {
    expect(await ok(['credits', 'grant', '5'])).toMatchObject({ balance: 5 });
    const before = enrichRequests().length;
    const r = await run([
      'integrations',
      'run',
      managedId,
      'profile.enrich',
      '--input',
      JSON.stringify({ linkedin_url: GRACE_URL }),
      '--json',
      '--verbose',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({
      found: true,
      profile: { full_name: 'Grace Hopper', linkedin_url: GRACE_URL },
    });
    expect(r.stderr).toContain(`linkedin profile.enrich on ${managedId} (managed):`);
    expect(r.stderr).toContain(', 2 credits,');
    expect(enrichRequests().length - before).toBe(1);
    // Sent with the platform key, never with the member's token.
    expect(enrichRequests().at(-1)?.headers.authorization).toBe(`Bearer ${sandbox.managedKey}`);
    expect(await ok(['credits', 'balance'])).toEqual({ organization_id: 'default', balance: 3 });
    const history = await ok<
      { kind: string; delta: number; action: string | null; connection_id: string | null }[]
    >(['credits', 'history']);
    expect(history[0]).toMatchObject({
      kind: 'charge',
      delta: -2,
      action: 'profile.enrich',
      connection_id: managedId,
    });
  });

  it('profile.enrich on the byok connection is refused, naming the managed connection that would work', async () => {
    const before = enrichRequests().length;
    const error = await refused(
      [
        'integrations',
        'run',
        byokId,
        'profile.enrich',
        '--input',
        JSON.stringify({ linkedin_url: GRACE_URL }),
      ],
      2,
    );
    expect(error).toMatchObject({
      code: 'validation',
      field: 'auth_mode',
      message: `LinkedIn profile.enrich runs in managed mode only; integration ${byokId} is byok. Run it on ${managedId} (managed).`,
      hint: `oxygen integrations run ${managedId} profile.enrich --input '...'`,
    });
    expect(enrichRequests().length).toBe(before); // nothing sent
    expect(await ok(['credits', 'balance'])).toMatchObject({ balance: 3 }); // nothing charged
    // The same refusal for people: one line, with the connection to use.
    const human = await run([
      'integrations',
      'run',
      byokId,
      'profile.enrich',
      '--input',
      `{"email":"grace@navy.example"}`,
    ]);
    expect(human.code).toBe(2);
    expect(human.stderr).toBe(
      `error: LinkedIn profile.enrich runs in managed mode only; integration ${byokId} is byok. Run it on ${managedId} (managed). oxygen integrations run ${managedId} profile.enrich --input '...'\n`,
    );
  });

  it('post.create on the managed connection is refused, naming the byok one; on byok it posts', async () => {
    const posts = sandbox.posts.size;
    const error = await refused(
      ['integrations', 'run', managedId, 'post.create', '--input', JSON.stringify({ commentary: 'Hello' })],
      2,
    );
    expect(error).toMatchObject({
      code: 'validation',
      field: 'auth_mode',
      message: `LinkedIn post.create runs in byok mode only; integration ${managedId} is managed. Run it on ${byokId} (byok).`,
    });
    expect(sandbox.posts.size).toBe(posts);
    const posted = await ok<{ urn: string }>([
      'integrations',
      'run',
      byokId,
      'post.create',
      '--input',
      JSON.stringify({ commentary: 'Posted from the byok connection' }),
    ]);
    expect(sandbox.posts.get(posted.urn)?.author).toBe(`urn:li:person:${ADA}`);
    expect(await ok(['credits', 'balance'])).toMatchObject({ balance: 3 }); // byok calls cost nothing
  });

  it('with both connected, "linkedin" alone is ambiguous: the error lists both ids', async () => {
    const error = await refused(['integrations', 'run', 'linkedin', 'profile.me'], 2);
    expect(String(error.message)).toContain(managedId);
    expect(String(error.message)).toContain(byokId);
  });

  it('with no managed connection left, the refusal says how to connect one', async () => {
    await ok(['integrations', 'disconnect', managedId]);
    const error = await refused(
      [
        'integrations',
        'run',
        byokId,
        'profile.enrich',
        '--input',
        JSON.stringify({ linkedin_url: GRACE_URL }),
      ],
      2,
    );
    expect(error.message).toBe(
      `LinkedIn profile.enrich runs in managed mode only; integration ${byokId} is byok, and organization default has no managed LinkedIn integration.`,
    );
    expect(error.hint).toBe(
      'Connect one with `oxygen integrations connect linkedin --auth-mode managed`, then run it on that integration.',
    );
  });

  it('shows no token, client secret or platform key in any output or in the store', () => {
    const secrets = [sandbox.clientSecret, sandbox.managedKey, ...sandbox.tokens.keys()];
    expect(secrets.length).toBeGreaterThan(2);
    const printed = outputs.join('\n');
    const stored = allBytes(home);
    const leaks = secrets.filter((s) => printed.includes(s) || stored.includes(s));
    expect(leaks.map((s) => s.slice(0, 8))).toEqual([]);
  });
});
