/**
 * Crash and restart: an `oxygen serve`-like process (the built server, test/fixtures/serve.mjs)
 * accepts HubSpot deliveries, is killed with SIGKILL while their trigger deliveries are pending
 * (never attempted, or failed once and waiting for their retry), and the next process on the same
 * store delivers every one of them. SIGTERM stops a server cleanly: it closes its worker, queue
 * and store, and the process ends by itself with code 0.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { createRuntime, type DeliveryRecord } from '@oxygen/runtime';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoreOptions } from './events-e2e.suite.js';
import { freePort, packageDir, startTriggerReceiver, type TriggerReceiver, until } from './helpers.js';

const SERVE = join(packageDir, 'test', 'fixtures', 'serve.mjs');

interface Child {
  process: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the fixture server with these startServer options; resolves once it listens. */
async function serve(options: Record<string, unknown>): Promise<Child> {
  const child = spawn(process.execPath, [SERVE, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = await Promise.race([
    until(
      () => out,
      (text) => text.includes('\n'),
      30_000,
    ),
    exited.then(() => ''),
  ]);
  if (!ready.includes('\n')) throw new Error(`the server did not start: ${err || out}`);
  const { url } = JSON.parse(ready.split('\n')[0]!) as { url: string };
  return { process: child, url, stdout: () => out, stderr: () => err, exited };
}

export function describeRestart(name: string, store: StoreOptions): void {
  describe(name, () => {
    let hubspot: HubSpotSandbox;
    let receiver: TriggerReceiver;
    let port: number;
    let publicUrl: string;
    let token: string;
    let org: string;
    const children: Child[] = [];

    beforeAll(async () => {
      hubspot = await startHubSpotSandbox({ webhookRetryDelaysMs: [] });
      receiver = await startTriggerReceiver();
      port = await freePort();
      publicUrl = `http://127.0.0.1:${port}`;
      // An organization with HubSpot connected and contact.created enabled, set up on the store.
      const runtime = await createRuntime({
        ...(({ env: _env, ...where }) => where)(store()),
        env: env(),
        publicUrl,
        resolveFrom: [packageDir],
      });
      try {
        org = (await runtime.orgs.create(`Restart ${randomBytes(3).toString('hex')}`)).id;
        token = (await runtime.tokens.create(org, { name: 'restart' })).token;
        const o = runtime.org(org);
        await o.connect('hubspot', { apiKey: hubspot.token });
        const { subscription } = await o.events.enable({ source: 'hubspot', event: 'contact.created' });
        hubspot.setWebhookTarget(subscription.url);
      } finally {
        await runtime.close();
      }
    });
    afterAll(async () => {
      for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
      await Promise.all([hubspot?.close(), receiver?.close()]);
    });

    const env = () => ({
      ...store().env,
      OXYGEN_PROVIDER_HUBSPOT_BASE_URL: hubspot.url,
      OXYGEN_HUBSPOT_CLIENT_ID: hubspot.oauth.clientId,
      OXYGEN_HUBSPOT_CLIENT_SECRET: hubspot.oauth.clientSecret,
    });
    /** startServer options of every process: the same store, port and public URL each time. */
    const options = (worker: boolean) => {
      const { env: _env, ...where } = store();
      return {
        ...where,
        env: env(),
        port,
        host: '127.0.0.1',
        publicUrl,
        resolveFrom: [packageDir],
        worker,
        // First retry 1.5 s after a failure, and no longer after that.
        delivery: { backoffMs: 1_500, maxBackoffMs: 1_500, maxAttempts: 10, timeoutMs: 2_000 },
      };
    };
    const start = async (worker: boolean) => {
      const child = await serve(options(worker));
      children.push(child);
      return child;
    };
    const deliveries = async (child: Child, path: string): Promise<DeliveryRecord[]> => {
      const res = await fetch(`${child.url}/v1/events/deliveries?source=hubspot&limit=1000`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const { deliveries: rows } = (await res.json()) as { deliveries: DeliveryRecord[] };
      return rows.filter((d) => d.url?.endsWith(path));
    };
    /** SIGTERM: the process closes the server and ends by itself, with code 0. */
    const stop = async (child: Child) => {
      child.process.kill('SIGTERM');
      const exit = await Promise.race([
        child.exited,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000)),
      ]);
      expect(exit, child.stderr()).toEqual({ code: 0, signal: null });
      expect(child.stdout()).toContain('closed');
    };
    const kill = async (child: Child) => {
      child.process.kill('SIGKILL');
      expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
    };
    let nextObject = 1;
    const batch = (n: number) =>
      Array.from({ length: n }, () => ({ subscriptionType: 'contact.creation', objectId: nextObject++ }));

    async function addTrigger(child: Child, path: string) {
      const res = await fetch(`${child.url}/v1/triggers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ source: 'hubspot', event: 'contact.created', url: `${receiver.url}${path}` }),
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as { secret: string }).secret;
    }

    it('deliveries accepted by a server without a worker, killed, go out when the next one starts', async () => {
      const first = await start(false);
      const path = '/pending';
      const secret = await addTrigger(first, path);
      const [sent] = await hubspot.emitWebhook({ events: batch(3) });
      expect([sent?.status, sent?.response]).toEqual([
        200,
        JSON.stringify({ accepted: 3, duplicate: 0, ignored: 0, rejected: 0 }),
      ]);
      expect((await deliveries(first, path)).map((d) => d.status)).toEqual(['pending', 'pending', 'pending']);
      await kill(first);
      expect(receiver.on(path)).toHaveLength(0);

      const second = await start(true);
      const rows = await until(
        () => deliveries(second, path),
        (r) => r.every((d) => d.status === 'delivered'),
        10_000,
      );
      expect(rows.map((d) => [d.status, d.attempts])).toEqual([
        ['delivered', 1],
        ['delivered', 1],
        ['delivered', 1],
      ]);
      const hits = receiver.on(path);
      const ids = hits.map((h) => (new Webhook(secret).verify(h.body, h.headers) as { id: string }).id);
      expect(new Set(ids)).toEqual(new Set(rows.map((d) => d.event_id)));
      await stop(second);
    });

    it('deliveries waiting for a retry when the server is killed are retried by the next one', async () => {
      const path = '/retrying';
      receiver.script(path, [500, 500, 500, 500]);
      const first = await start(true);
      const secret = await addTrigger(first, path);
      const [sent] = await hubspot.emitWebhook({ events: batch(4) });
      expect(sent?.status).toBe(200);
      // Each failed its first attempt (500) and waits 1.5 s for the next: kill it then.
      const waiting = await until(
        () => deliveries(first, path),
        (r) => r.length === 4 && r.every((d) => d.status === 'retrying'),
        10_000,
      );
      await kill(first);
      expect(waiting.map((d) => [d.status, d.attempts, d.status_code])).toEqual(
        Array.from({ length: 4 }, () => ['retrying', 1, 500]),
      );
      expect(receiver.on(path).map((h) => h.status)).toEqual([500, 500, 500, 500]);

      const second = await start(true);
      const rows = await until(
        () => deliveries(second, path),
        (r) => r.every((d) => d.status === 'delivered'),
        15_000,
      );
      expect(rows.map((d) => [d.status, d.attempts, d.status_code])).toEqual(
        Array.from({ length: 4 }, () => ['delivered', 2, 200]),
      );
      const ok = receiver.on(path).filter((h) => h.status === 200);
      const ids = ok.map((h) => (new Webhook(secret).verify(h.body, h.headers) as { id: string }).id);
      expect(ids.sort()).toEqual(rows.map((d) => d.event_id).sort());
      await stop(second);
    });
  });
}
