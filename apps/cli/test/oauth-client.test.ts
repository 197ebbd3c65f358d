/**
 * OAuth from the command line through a shared server, end to end: the built `oxygen` binary in
 * client mode (`OXYGEN_API_URL` + `OXYGEN_API_TOKEN`) runs `integrations connect hubspot --oauth
 * --no-browser --json` against an Oxygen server on the embedded store whose HubSpot is the
 * sandbox. The test plays the browser: it reads the approval URL from the CLI's stderr and follows
 * the sandbox's 302 to the server's `/oauth/callback`; the CLI, long-polling the server, prints
 * the connection. The same steps on the local store print the same output. Also: a refusal at
 * HubSpot, `--timeout` (the flow is cancelled, so a late approval stores nothing), the
 * organization's own OAuth app, and another organization's token on the status route.
 */

import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { createRuntime, type Runtime } from '@oxygen/runtime';
import { createServer } from '@oxygen/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allBytes, tempHome } from './helpers.js';

const BIN = fileURLToPath(new URL('../bin/oxygen.js', import.meta.url));
const cliDir = dirname(dirname(fileURLToPath(import.meta.url)));
/** The in-process server resolves plugins with this process's NODE_PATH; the CLI gets the same. */
const nodePath = process.env.NODE_PATH ? { NODE_PATH: process.env.NODE_PATH } : {};
const CLIENT_ID = 'oxygen-shared-server-app';
const CLIENT_SECRET = `hubspot-app-secret-${randomBytes(12).toString('hex')}`;
const APPROVAL_URL = /(http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+)/;

let sandbox: HubSpotSandbox;
let serverHome: string;
let runtime: Runtime;
let app: Awaited<ReturnType<typeof createServer>>;
let apiUrl: string;
let orgA: string;
let tokenA: string;
let tokenB: string;
/** Every CLI output and page the test saw: searched for secrets at the end. */
const outputs: string[] = [];
const logs: string[] = [];

interface Done {
  code: number;
  stdout: string;
  stderr: string;
}

/** A running `oxygen` process whose stderr can be waited on. */
interface Running {
  waitForStderr(pattern: RegExp): Promise<RegExpExecArray>;
  done: Promise<Done>;
  child: ChildProcessWithoutNullStreams;
}

function start(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...nodePath, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end(stdin);
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
  const done = new Promise<Done>((resolve, reject) => {
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

const clientEnv = (token = tokenA) => ({
  OXYGEN_HOME: tempHome(),
  OXYGEN_API_URL: apiUrl,
  OXYGEN_API_TOKEN: token,
});

const CONNECT = ['integrations', 'connect', 'hubspot', '--oauth', '--no-browser', '--json'];

/** Plays the browser: the sandbox approves at once, and its 302 goes where `redirect_uri` says. */
async function approve(url: string): Promise<{ status: number; text: string; landed: string }> {
  const page = await fetch(url);
  const text = await page.text();
  outputs.push(text);
  return { status: page.status, text, landed: page.url };
}

/** The flows the server's store holds for an organization, newest last. */
async function flows(organizationId: string) {
  return runtime.store.db
    .selectFrom('oauth_states')
    .select(['id', 'connection_id', 'error_code'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at')
    .execute();
}

/** Replaces what differs by nature between two runs: ids, organizations, times, request ids. */
function normalise(text: string, orgId: string): string {
  return text
    .replace(/conn_[0-9A-Z]{26}/g, 'conn_X')
    .replaceAll(`"organization_id": "${orgId}"`, '"organization_id": "ORG"')
    .replaceAll(`"organization_id":"${orgId}"`, '"organization_id":"ORG"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'TIME')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID')
    .replace(/http:\/\/127\.0\.0\.1:\d+\/oauth\/authorize\?\S+/g, 'APPROVAL_URL');
}

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ oauth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET } });
  serverHome = tempHome();
  runtime = await createRuntime({
    home: serverHome,
    env: {
      OXYGEN_HOME: serverHome,
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
      OXYGEN_HUBSPOT_CLIENT_ID: CLIENT_ID,
      OXYGEN_HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
    },
    resolveFrom: [cliDir],
    retry: { limit: 0 },
  });
  app = await createServer({
    runtime,
    publicUrl: () => apiUrl,
    logger: { stream: { write: (line: string) => void logs.push(line) } },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  apiUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  orgA = (await runtime.orgs.create('Team A')).id;
  tokenA = (await runtime.tokens.create(orgA, { name: 'cli' })).token;
  tokenB = (await runtime.tokens.create((await runtime.orgs.create('Team B')).id)).token;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await runtime?.close();
  await sandbox?.close();
});

describe('oxygen integrations connect hubspot --oauth through a shared server', { timeout: 60_000 }, () => {
  let connectionId = '';

  it('prints the approval URL, waits for the server callback, and prints the connection as on the local store', async () => {
    // Client mode: the redirect goes to the server, which completes the flow for the token's organization.
    const remote = start(CONNECT, clientEnv());
    const [, url] = await remote.waitForStderr(APPROVAL_URL);
    const approval = new URL(url!);
    expect(approval.searchParams.get('redirect_uri')).toBe(`${apiUrl}/oauth/callback`);
    expect(approval.searchParams.get('code_challenge_method')).toBe('S256');
    const page = await approve(url!);
    expect(page.status).toBe(200);
    expect(page.landed.startsWith(`${apiUrl}/oauth/callback?`)).toBe(true);
    expect(page.text).toContain('HubSpot connected');
    const done = await remote.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stderr.trim().split('\n')).toEqual([
      `Open this URL in a browser to approve access to HubSpot: ${url}`,
    ]);
    const connection = JSON.parse(done.stdout) as { id: string; organization_id: string };
    connectionId = connection.id;
    expect(connection).toMatchObject({
      organization_id: orgA,
      provider: 'hubspot',
      auth_mode: 'byok',
      status: 'connected',
      account_label: `portal ${sandbox.portalId}`,
      last_error: null,
    });
    // Exactly what the server stored, and only in A.
    expect(connection).toEqual(await runtime.org(orgA).get(connection.id));
    expect((await flows(orgA)).at(-1)).toMatchObject({ connection_id: connection.id, error_code: null });

    // The same command on the local store (loopback redirect) prints the same output.
    const local = start(CONNECT, {
      OXYGEN_HOME: tempHome(),
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
      OXYGEN_HUBSPOT_CLIENT_ID: CLIENT_ID,
      OXYGEN_HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
    });
    const [, localUrl] = await local.waitForStderr(APPROVAL_URL);
    expect((await approve(localUrl!)).status).toBe(200);
    const localDone = await local.done;
    expect(localDone.code, localDone.stderr).toBe(0);
    expect(normalise(done.stdout, orgA)).toBe(normalise(localDone.stdout, 'default'));
    expect(normalise(done.stderr, orgA)).toBe(normalise(localDone.stderr, 'default'));
  });

  it('answers the flow to its organization only: another token gets 404 on the status and the cancel', async () => {
    const flow = (await flows(orgA)).at(-1)!;
    const call = (token: string, method: 'GET' | 'POST', path: string) =>
      fetch(`${apiUrl}/v1/integrations/oauth/${path}`, {
        method,
        headers: { authorization: `Bearer ${token}` },
      });
    const own = await call(tokenA, 'GET', flow.id);
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ status: 'connected', connection: { id: connectionId } });
    for (const [method, path] of [
      ['GET', flow.id],
      ['GET', `${flow.id}?wait=2`],
      ['POST', `${flow.id}/cancel`],
    ] as const) {
      const res = await call(tokenB, method, path);
      const body = (await res.json()) as { error: { code: string; message: string } };
      outputs.push(JSON.stringify(body));
      expect(res.status).toBe(404);
      expect(body.error.code).toBe('not_found');
      expect(body.error.message).not.toContain(orgA);
    }
    const anonymous = await fetch(`${apiUrl}/v1/integrations/oauth/${flow.id}`);
    expect(anonymous.status).toBe(401);
    // B's cancel changed nothing.
    expect((await flows(orgA)).at(-1)).toEqual(flow);
    expect((await runtime.org(orgA).get(connectionId)).status).toBe('connected');
  });

  it('exits non-zero with HubSpot’s reason when HubSpot refuses, as on the local store', async () => {
    const before = (await runtime.org(orgA).list()).length;
    const runRefused = async (env: NodeJS.ProcessEnv) => {
      const cli = start(CONNECT, env);
      const [, url] = await cli.waitForStderr(APPROVAL_URL);
      // HubSpot's token endpoint refuses the code exchange.
      sandbox.failNext({ status: 503, path: '/oauth/v3/token', message: 'HubSpot is down for maintenance' });
      const page = await approve(url!);
      expect(page.status).toBeGreaterThanOrEqual(400);
      return cli.done;
    };
    const remote = await runRefused(clientEnv());
    expect(remote.code).toBe(7); // provider
    expect(remote.stdout).toBe('');
    const lines = remote.stderr.trim().split('\n');
    expect(lines).toHaveLength(2); // the approval URL, then the error
    const error = JSON.parse(lines[1]!).error as Record<string, unknown>;
    expect(error).toMatchObject({
      code: 'provider',
      message:
        'HubSpot refused the authorization code (HTTP 503 INTERNAL_ERROR): HubSpot is down for maintenance',
      provider_message: 'HubSpot is down for maintenance',
      request_id: expect.any(String),
      data: { provider_status: 503, provider_code: 'INTERNAL_ERROR' },
    });
    expect((await flows(orgA)).at(-1)).toMatchObject({ connection_id: null, error_code: 'provider' });
    expect(await runtime.org(orgA).list()).toHaveLength(before);

    const local = await runRefused({
      OXYGEN_HOME: tempHome(),
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url,
      OXYGEN_HUBSPOT_CLIENT_ID: CLIENT_ID,
      OXYGEN_HUBSPOT_CLIENT_SECRET: CLIENT_SECRET,
    });
    expect(local.code).toBe(remote.code);
    expect(normalise(remote.stderr, orgA)).toBe(normalise(local.stderr, 'default'));

    // The person declined (HubSpot sends the browser back with error=access_denied): exit 3, the reason.
    const declined = start(CONNECT, clientEnv());
    const [, url] = await declined.waitForStderr(APPROVAL_URL);
    const back = new URL(`${apiUrl}/oauth/callback`);
    back.searchParams.set('error', 'access_denied');
    back.searchParams.set('error_description', 'The user declined the app');
    back.searchParams.set('state', new URL(url!).searchParams.get('state')!);
    const page = await fetch(back);
    outputs.push(await page.text());
    expect(page.status).toBe(401);
    const refused = await declined.done;
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stderr.trim().split('\n')[1]!).error).toEqual({
      code: 'auth',
      message: 'HubSpot did not authorize the connection (access_denied: The user declined the app).',
      hint: 'Approve the access when HubSpot asks, or start again: oxygen integrations connect hubspot',
      provider_message: 'access_denied: The user declined the app',
    });
    expect(await runtime.org(orgA).list()).toHaveLength(before);
  });

  it('times out with one clear line and a non-zero exit, and a late approval stores nothing', async () => {
    const before = (await runtime.org(orgA).list()).length;
    const cli = start([...CONNECT, '--timeout', '1'], clientEnv());
    const [, url] = await cli.waitForStderr(APPROVAL_URL);
    const started = Date.now();
    const done = await cli.done;
    expect(Date.now() - started).toBeLessThan(5000);
    expect(done.code).toBe(3);
    expect(done.stdout).toBe('');
    const lines = done.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!).error).toEqual({
      code: 'auth',
      message: 'No approval from HubSpot within 1 s; nothing was stored.',
      hint: 'Run the command again and approve in the browser.',
    });
    // The flow was cancelled: approving now is refused, and nothing is stored.
    const exchanges = sandbox.tokenRequests.authorization_code ?? 0;
    const late = await approve(url!);
    expect(late.status).toBe(401);
    expect(late.text).toContain('cancelled');
    expect(sandbox.tokenRequests.authorization_code ?? 0).toBe(exchanges);
    expect(await runtime.org(orgA).list()).toHaveLength(before);

    // Without --json: one human line after the URL.
    const human = await start(
      ['integrations', 'connect', 'hubspot', '--no-browser', '--timeout', '1'],
      clientEnv(),
    ).done;
    expect(human.code).toBe(3);
    expect(human.stderr.trim().split('\n').at(-1)).toBe(
      'error: No approval from HubSpot within 1 s; nothing was stored. Run the command again and approve in the browser.',
    );
  });

  it("connects with the organization's own OAuth app (its secret from stdin, sent to the server only)", async () => {
    const cli = start(
      [...CONNECT, '--client-id', CLIENT_ID, '--client-secret-stdin'],
      clientEnv(),
      `${CLIENT_SECRET}\n`,
    );
    const [, url] = await cli.waitForStderr(APPROVAL_URL);
    expect((await approve(url!)).status).toBe(200);
    const done = await cli.done;
    expect(done.code, done.stderr).toBe(0);
    // The same HubSpot account: the existing connection is updated, not duplicated.
    expect(JSON.parse(done.stdout)).toMatchObject({ id: connectionId, status: 'connected' });
    const list = await start(['integrations', 'list', '--json'], clientEnv()).done;
    expect((JSON.parse(list.stdout) as { id: string }[]).map((c) => c.id)).toEqual([connectionId]);
  });

  it('shows no client secret, code, state, token or API token in any output, log line or stored byte', async () => {
    const secrets = new Set<string>([CLIENT_SECRET, tokenA, tokenB]);
    // A state is in the approval URL the CLI prints (by design); it reaches no log or store.
    const states = new Set<string>();
    for (const q of sandbox.requests) {
      const bearer = /^Bearer (.+)$/.exec(q.headers.authorization ?? '')?.[1];
      if (bearer) secrets.add(bearer);
      if (q.path === '/oauth/authorize') states.add(String(q.query.state));
      if (q.path.startsWith('/oauth/v3/')) {
        const form = new URLSearchParams(String(q.body));
        for (const name of ['code', 'code_verifier', 'refresh_token', 'token', 'client_secret']) {
          const value = form.get(name);
          if (value) secrets.add(value);
        }
      }
    }
    expect(secrets.size).toBeGreaterThan(10);
    const printed = outputs.join('\n');
    const logText = logs.join('');
    expect(logText).toContain('/v1/integrations/oauth/oauth_');
    const stored = allBytes(serverHome);
    const leaks = [...secrets].filter(
      (s) => printed.includes(s) || logText.includes(s) || stored.includes(s),
    );
    expect(leaks.map((s) => s.slice(0, 12))).toEqual([]);
    expect(states.size).toBeGreaterThanOrEqual(5);
    const stateLeaks = [...states].filter((s) => logText.includes(s) || stored.includes(s));
    expect(stateLeaks.map((s) => s.slice(0, 12))).toEqual([]);
  });
});
