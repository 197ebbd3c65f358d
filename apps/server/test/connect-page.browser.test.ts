/**
 * The hosted API-key connect page in a real browser: Debian's headless Chromium driven by
 * playwright-core, against the server listening on a free port with the HubSpot sandbox as
 * HubSpot.
 */

import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import type { Runtime } from '@oxygen/runtime';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from '../src/index.js';
import { allBytes, logSink, sandboxRuntime, tempHome } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// CI installs Debian's chromium (.ci/run); elsewhere say in one line why this is skipped.
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  process.stderr.write(`skipped: connect page browser test (no ${CHROMIUM}; apt-get install chromium)\n`);
}

describe.runIf(haveChromium)('the connect page in headless Chromium', () => {
  let sandbox: HubSpotSandbox;
  let home: string;
  let runtime: Runtime;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let orgId: string;
  let token: string;
  const logs = logSink();
  const pages: string[] = [];

  async function mintLink(): Promise<string> {
    const res = await fetch(`${base}/v1/connect-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'hubspot' }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { url: string }).url;
  }

  async function submitKey(page: Page, key: string): Promise<number> {
    await page.fill('input[name="api_key"]', key);
    const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    pages.push(await page.content());
    if (process.env.DEBUG_PAGE)
      console.log(await page.content(), JSON.stringify(await page.context().cookies()));
    return response?.status() ?? 0;
  }

  beforeAll(async () => {
    sandbox = await startHubSpotSandbox();
    home = tempHome();
    runtime = await sandboxRuntime(home, sandbox);
    app = await createServer({ runtime, publicUrl: () => base, logger: { stream: logs.stream } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    orgId = (await runtime.orgs.create('Browser Co')).id;
    token = (await runtime.tokens.create(orgId)).token;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await runtime?.close();
    await sandbox?.close();
  });

  it('connects with the key typed into the page, then the link is dead (410)', async () => {
    const url = await mintLink();
    const context = await browser.newContext();
    const page = await context.newPage();
    const opened = await page.goto(url);
    expect(opened?.status()).toBe(200);
    expect(await page.textContent('h1')).toBe('Connect HubSpot');
    expect(await page.textContent('main')).toContain('Browser Co');
    expect(await page.getAttribute('input[name="api_key"]', 'type')).toBe('password');

    const status = await submitKey(page, sandbox.token);
    expect(status).toBe(200);
    expect(await page.textContent('h1')).toBe('HubSpot connected');
    const shown = await page.textContent('main');
    expect(shown).toContain(String(sandbox.portalId));
    expect(shown).not.toContain(sandbox.token);

    const connections = await runtime.org(orgId).list();
    expect(connections).toHaveLength(1);
    expect(connections[0]).toMatchObject({ provider: 'hubspot', status: 'connected', auth_mode: 'byok' });
    expect(shown).toContain(connections[0]!.id);
    const viaApi = await fetch(`${base}/v1/integrations`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await viaApi.json()) as { id: string }[]).map((c) => c.id)).toEqual([connections[0]!.id]);

    // Reopening the link: 410, said plainly.
    const reopened = await page.goto(url);
    expect(reopened?.status()).toBe(410);
    expect(await page.textContent('h1')).toBe('This link was already used');
    await context.close();
  });

  it('refuses to post the form again once the link was used (410)', async () => {
    const url = await mintLink();
    const context = await browser.newContext();
    const first = await context.newPage();
    const second = await context.newPage();
    await first.goto(url);
    await second.goto(url); // a second tab: its form is the one served last
    expect(await submitKey(second, sandbox.token)).toBe(200);
    // The first tab's form is stale and its link used.
    const status = await submitKey(first, sandbox.token);
    expect(status).toBe(410);
    expect(await first.textContent('main')).toContain('already used');
    await context.close();
  });

  it('shows the provider reason for a wrong key, stores nothing, and lets the user try again', async () => {
    const before = await runtime.org(orgId).list();
    const url = await mintLink();
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(url);
    const wrong = 'pat-na1-this-key-is-wrong-0000';
    const status = await submitKey(page, wrong);
    expect(status).toBe(401);
    const alert = await page.textContent('[role="alert"]');
    expect(alert).toMatch(/HubSpot/);
    expect(alert).toMatch(/401|authentication|invalid|expired/i);
    expect(await page.content()).not.toContain(wrong);
    expect(await runtime.org(orgId).list()).toEqual(before);

    // The same page (with its fresh form) accepts the right key.
    expect(await submitKey(page, sandbox.token)).toBe(200);
    expect(await page.textContent('h1')).toBe('HubSpot connected');
    await context.close();
  });

  it('says when a link has expired (410)', async () => {
    const link = await runtime.connectLinks.create(orgId, 'hubspot', { ttlMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(`${base}/connect/${link.token}`);
    expect(res?.status()).toBe(410);
    expect(await page.textContent('h1')).toBe('This link has expired');
    await context.close();
  });

  it('completes an OAuth connection started from the API in the browser', async () => {
    const orgId2 = (await runtime.orgs.create('OAuth Co')).id;
    const token2 = (await runtime.tokens.create(orgId2)).token;
    const res = await fetch(`${base}/v1/integrations/oauth/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token2}`, 'content-type': 'application/json' },
      body: JSON.stringify({ provider: 'hubspot' }),
    });
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const context = await browser.newContext();
    const page = await context.newPage();
    // The sandbox's authorize page approves at once and redirects to the server's callback.
    const landed = await page.goto(url);
    expect(landed?.status()).toBe(200);
    expect(page.url()).toMatch(new RegExp(`^${base}/oauth/callback\\?`));
    expect(await page.textContent('h1')).toBe('HubSpot connected');
    pages.push(await page.content());
    const [connection] = await runtime.org(orgId2).list();
    expect(connection).toMatchObject({ provider: 'hubspot', status: 'connected', organization_id: orgId2 });
    expect(await page.textContent('main')).toContain(connection!.id);
    // Reloading the callback (a replayed state) stores nothing more.
    const again = await page.reload();
    expect(again?.status()).toBe(401);
    expect(await runtime.org(orgId2).list()).toHaveLength(1);
    await context.close();
  });

  it('never shows, logs or stores the key in clear', () => {
    const text = pages.join('\n');
    expect(text).not.toContain(sandbox.token);
    expect(logs.lines.join('')).not.toContain(sandbox.token);
    expect(logs.lines.join('')).not.toContain(token);
    expect(allBytes(home)).not.toContain(sandbox.token);
  });
});
