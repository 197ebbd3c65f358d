/**
 * OAuth from the command line, end to end: the built `oxygen` binary connects HubSpot's sandbox
 * with `--oauth --no-browser`, the test plays the browser (it reads the approval URL from stderr
 * and follows the sandbox's redirect to the CLI's loopback listener), then verifies, runs through
 * a token refresh, and disconnects with revocation, on the embedded store.
 */

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import hubspot from '@oxygen/provider-hubspot';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBytes, oxygen, tempHome } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/oxygen.js', import.meta.url));
const CLIENT_ID = 'oxygen-cli-test-app';
const CLIENT_SECRET = `hubspot-app-secret-${randomBytes(12).toString('hex')}`;
// The scopes the HubSpot plugin asks for: its OAuth scheme's own plus every action's.
const SCOPES = [
  ...new Set([
    ...(hubspot.auth.byok.find((s) => s.type === 'oauth2')?.scopes ?? []),
    ...hubspot.actions.flatMap((a) => a.scopes ?? []),
  ]),
];

let sandbox: HubSpotSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
const outputs: string[] = [];

/** A running `oxygen` process whose stderr can be waited on line by line. */
interface Running {
  child: ChildProcessWithoutNullStreams;
  /** Resolves with the first match of `pattern` in stderr. */
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
  done: Promise<{ code: number; stdout: string; stderr: string }>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
    for (const w of [...waiters]) {
      const m = w.pattern.exec(stderr);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      outputs.push(stdout, stderr);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
  return {
    child,
    done,
    waitForStderr: (pattern) =>
      new Promise((resolve, reject) => {
        const m = pattern.exec(stderr);
        if (m) return resolve(m);
        waiters.push({ pattern, resolve });
        done.then(() => reject(new Error(`oxygen exited before printing ${pattern}; stderr: ${stderr}`)));
      }),
  };
}

async function run(args: string[], stdin?: string) {
  const result = await oxygen(args, { env, stdin });
  outputs.push(result.stdout, result.stderr);
  return result;
}

const APPROVAL_URL = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/;

/** Connects with OAuth as a user would, approving in "the browser"; returns the CLI's result. */
async function connectWithOAuth() {
  const cli = start(['integrations', 'connect', 'hubspot', '--oauth', '--no-browser', '--json']);
  const [, url] = await cli.waitForStderr(APPROVAL_URL);
  const approval = new URL(url!);
  const redirectUri = approval.searchParams.get('redirect_uri') ?? '';
  expect(redirectUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);

  // A redirect that does not carry this flow's state is refused; the CLI keeps waiting.
  const forged = await fetch(`${redirectUri}?code=stolen&state=${randomBytes(32).toString('base64url')}`);
  expect(forged.status).toBe(400);
  expect(await forged.text()).toContain('state mismatch');

  // The browser: the sandbox's authorize page approves and redirects to the loopback listener.
  const page = await fetch(url!);
  expect(page.status).toBe(200);
  expect(page.url.startsWith(redirectUri)).toBe(true);
  expect(await page.text()).toContain(`HubSpot (portal ${sandbox.portalId}) is connected to Oxygen`);
  return cli.done;
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
  home = tempHome();
  env = {
    OXYGEN_HOME: home,
    OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
    OXYGEN_HUBSPOT_CLIENT_ID: CLIENT_ID,
    OXYGEN_HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
  };
});

afterAll(async () => {
  await sandbox.close();
});

// Each test runs the CLI as several whole processes (one waits out a 1 s timeout twice).
describe('oxygen integrations connect hubspot --oauth against the HubSpot sandbox', {
  timeout: 30_000,
}, () => {
  let connectionId = '';

  it('prints the approval URL on stderr, takes the redirect on 127.0.0.1 and prints the connection', async () => {
    const result = await connectWithOAuth();
    expect(result.code, result.stderr).toBe(0);
    const stderrLines = result.stderr.trim().split('\n');
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(
      /^Open this URL in a browser to approve access to HubSpot: http:\/\/127\.0\.0\.1:/,
    );
    const connection = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(connection).sort()).toEqual(
      [
        'id',
        'organization_id',
        'provider',
        'auth_mode',
        'status',
        'account_label',
        'scopes',
        'connected_at',
        'last_verified_at',
        'last_error',
        'expires_at',
      ].sort(),
    );
    expect(connection).toMatchObject({
      provider: 'hubspot',
      auth_mode: 'byok',
      status: 'connected',
      account_label: `portal ${sandbox.portalId}`,
      scopes: SCOPES,
      organization_id: 'default',
      last_error: null,
    });
    // The access token's expiry, in the future (HubSpot's tokens last 30 minutes).
    const expiresAt = Date.parse(String(connection.expires_at));
    expect(expiresAt).toBeGreaterThan(Date.now());
    expect(expiresAt).toBeLessThan(Date.now() + 31 * 60_000);
    connectionId = String(connection.id);
    expect(sandbox.tokenRequests).toEqual({ authorization_code: 1 });
    const list = await run(['integrations', 'list', '--json']);
    expect((list.json() as { id: string }[]).map((c) => c.id)).toEqual([connectionId]);
  });

  it('times out with one clear line and a non-zero exit when nobody approves', async () => {
    const json = await start([
      'integrations',
      'connect',
      'hubspot',
      '--oauth',
      '--no-browser',
      '--timeout',
      '1',
      '--json',
    ]).done;
    expect(json.code).toBe(3);
    expect(json.stdout).toBe('');
    const lines = json.stderr.trim().split('\n');
    expect(lines).toHaveLength(2); // the approval URL, then the error
    expect(JSON.parse(lines[1]!).error).toMatchObject({
      code: 'auth',
      message: 'No approval from HubSpot within 1 s; nothing was stored.',
    });
    const human = await start(['integrations', 'connect', 'hubspot', '--no-browser', '--timeout', '1']).done;
    expect(human.code).toBe(3);
    expect(human.stderr.trim().split('\n').at(-1)).toMatch(
      /^error: No approval from HubSpot within 1 s; nothing was stored\. Run the command again/,
    );
    expect((await run(['integrations', 'list', '--json'])).json()).toHaveLength(1);
  });

  it('keeps the API-key path with --api-key-stdin and refuses mixing it with OAuth flags', async () => {
    const mixed = await run(
      ['integrations', 'connect', 'hubspot', '--api-key-stdin', '--oauth', '--json'],
      'x',
    );
    expect(mixed.code).toBe(2);
    expect(JSON.parse(mixed.stderr).error.message).toMatch(/--api-key-stdin .* or --oauth/);
    const key = await run(
      ['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'],
      'pat-na1-wrong-key-000000',
    );
    expect(key.code).toBe(3); // the key path ran: the sandbox refused the key
    expect(JSON.parse(key.stderr).error.status).toBe(401);
  });

  it('verifies the integration and refreshes its token when HubSpot ends it', async () => {
    const verified = await run(['integrations', 'verify', connectionId, '--json']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stderr).toBe('');
    expect(verified.json()).toMatchObject({
      id: connectionId,
      status: 'connected',
      account_label: `portal ${sandbox.portalId}`,
    });

    sandbox.expireAccessTokens();
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.upsert',
      '--input',
      '{"email":"ada@example.com"}',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ created: true });
    expect(sandbox.tokenRequests).toEqual({ authorization_code: 1, refresh_token: 1 });
  });

  it('disconnects, revoking the refresh token at HubSpot', async () => {
    const d = await run(['integrations', 'disconnect', 'hubspot', '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.stderr).toBe('');
    expect(d.json()).toMatchObject({ id: connectionId, status: 'disconnected' });
    expect(sandbox.revokeRequests).toBe(1);
    const revoke = sandbox.requests.find((q) => q.path === '/oauth/v3/token/revoke');
    expect(new URLSearchParams(String(revoke?.body)).get('token_type_hint')).toBe('refresh_token');
  });

  it('a refused refresh shows in verify as expired (exit 3), and a failed revoke is one warning line', async () => {
    const again = await connectWithOAuth();
    expect(again.code, again.stderr).toBe(0);
    const id = (JSON.parse(again.stdout) as { id: string }).id;
    expect(id).not.toBe(connectionId); // the disconnected one is history; this is a new connection

    sandbox.revokeRefreshTokens();
    sandbox.expireAccessTokens();
    const v = await run(['integrations', 'verify', id, '--json']);
    expect(v.code).toBe(3);
    expect(v.json()).toMatchObject({
      id,
      status: 'expired',
      last_error: expect.stringContaining('missing or invalid refresh token'),
    });
    expect(v.stderr.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(v.stderr).error).toMatchObject({
      code: 'auth',
      hint: 'Reconnect with `oxygen integrations connect hubspot`.',
    });
    const next = await run([
      'integrations',
      'run',
      id,
      'contact.get',
      '--input',
      '{"email":"ada@example.com"}',
    ]);
    expect(next.code).toBe(3);
    expect(next.stderr).toBe(
      `error: Integration ${id} (hubspot) is expired. Reconnect with \`oxygen integrations connect hubspot\`.\n`,
    );

    sandbox.failNext({ status: 503, path: '/oauth/v3/token/revoke' });
    const d = await run(['integrations', 'disconnect', id, '--json']);
    expect(d.code, d.stderr).toBe(0);
    expect(d.json()).toMatchObject({ id, status: 'disconnected' });
    const warning = d.stderr.trim().split('\n');
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(
      /^warning: hubspot did not revoke the token \(HubSpot refused to revoke the token \(HTTP 503/,
    );
  });

  it('shows no client secret, code, verifier or token in any output or in the store', async () => {
    const secrets = new Set<string>([CLIENT_SECRET]);
    for (const q of sandbox.requests) {
      const bearer = /^Bearer (.+)$/.exec(q.headers.authorization ?? '')?.[1];
      if (bearer) secrets.add(bearer);
      if (q.path.startsWith('/oauth/v3/')) {
        const form = new URLSearchParams(String(q.body));
        for (const name of ['code', 'code_verifier', 'refresh_token', 'token', 'client_secret']) {
          const value = form.get(name);
          if (value) secrets.add(value);
        }
      }
    }
    expect(secrets.size).toBeGreaterThan(6);
    const printed = outputs.join('\n');
    const stored = allBytes(home);
    const leaks = [...secrets].filter((s) => printed.includes(s) || stored.includes(s));
    expect(leaks.map((s) => s.slice(0, 12))).toEqual([]);
  });
});
