/**
 * One behavioural suite for the runtime, run against each store dialect: connect, list, actions,
 * run, dry run, disconnect, organization isolation, and no secret at rest or in output.
 */

import { fileURLToPath } from 'node:url';
import { AuthError, NotFoundError, PluginError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime, RuntimeOptions } from '../src/index.js';
import { type AcmeServer, startAcme } from './fixtures/server.js';

export const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Plugin list for the suite: the fixture plugin by path, plus two broken ones. */
export const fixturePlugins = [fixture('acme'), fixture('future'), fixture('broken')];

export function describeRuntime(
  name: string,
  open: (options: Pick<RuntimeOptions, 'env' | 'plugins' | 'retry'>) => Promise<Runtime>,
  /** Everything the store holds, as text, to search for leaked secrets. */
  dumpStore: (runtime: Runtime) => Promise<string>,
): void {
  describe(name, () => {
    let acme: AcmeServer;
    let runtime: Runtime;
    const printed: string[] = [];

    beforeAll(async () => {
      acme = await startAcme();
      runtime = await open({
        env: { OXYGEN_PROVIDER_ACME_BASE_URL: acme.url },
        plugins: fixturePlugins,
        retry: { limit: 0 },
      });
    });
    afterAll(async () => {
      await runtime?.close();
      await acme?.close();
    });

    it('loads good plugins and reports broken ones without failing the others', async () => {
      const { providers, failures } = await runtime.providers();
      expect(providers.map((p) => [p.id, p.version, p.api_version])).toEqual([['acme', '1.2.3', 1]]);
      expect(failures).toHaveLength(2);
      expect(failures[0]?.error).toMatch(/apiVersion 2; this runtime supports 1/);
      expect(failures[1]?.error).toMatch(/failed to import: boom at import/);
      printed.push(JSON.stringify(providers));
    });

    it('refuses a wrong key with the provider reason and stores nothing', async () => {
      const org = runtime.org('org-a');
      const error = await org.connect('acme', { apiKey: 'acme-wrong-key-0000' }).catch((e: unknown) => e);
      expect(AuthError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain('Acme answered 401 Unauthorized: Invalid API key');
      expect(await org.list()).toEqual([]);
    });

    it('connects with a verified key and lists the connection with the product fields only', async () => {
      const org = runtime.org('org-a');
      const connection = await org.connect('acme', { apiKey: acme.key });
      printed.push(JSON.stringify(connection));
      expect(connection).toMatchObject({
        organization_id: 'org-a',
        provider: 'acme',
        auth_mode: 'byok',
        status: 'connected',
        account_label: 'Acme Workspace',
        scopes: [],
        last_error: null,
      });
      expect(Object.keys(connection)).not.toContain('credential');
      expect(acme.requests.at(-1)).toMatchObject({ method: 'GET', path: '/v1/me' });
      expect(await org.list()).toEqual([connection]);
      // Connecting the same account again replaces the key rather than adding a duplicate.
      const again = await org.connect('acme', { apiKey: acme.key });
      expect(again.id).toBe(connection.id);
      expect(await org.list()).toHaveLength(1);
    });

    it('runs an action with the stored credential', async () => {
      const org = runtime.org('org-a');
      const report = await org.run('acme', 'contact.create', { email: 'ada@example.com' });
      printed.push(JSON.stringify(report));
      expect(report.output).toEqual({ id: expect.any(String), email: 'ada@example.com' });
      expect(report.credits).toBe(0); // byok: the organization pays the provider, not credits
      expect(report.request_ids).toEqual([expect.stringMatching(/^req-/)]);
    });

    it('dry-runs without sending anything', async () => {
      const org = runtime.org('org-a');
      const before = acme.requests.length;
      const report = await org.run('acme', 'contact.create', { email: 'ada@example.com' }, { dryRun: true });
      printed.push(JSON.stringify(report));
      expect(acme.requests.length).toBe(before);
      expect(report).toMatchObject({
        dry_run: true,
        action: 'contact.create',
        credits: 0,
        input: { email: 'ada@example.com' },
        requests: [
          {
            method: 'POST',
            url: `${acme.url}/v1/contacts`,
            headers: expect.objectContaining({ 'x-api-key': '[REDACTED]' }),
            body: { email: 'ada@example.com' },
          },
        ],
      });
    });

    it('names the bad field, the unknown action and the unknown provider', async () => {
      const org = runtime.org('org-a');
      const bad = await org.run('acme', 'contact.create', { email: 'nope' }).catch((e: unknown) => e);
      expect(ValidationError.isInstance(bad)).toBe(true);
      expect((bad as ValidationError).field).toBe('email');
      const unknown = await org.run('acme', 'contact.fly', {}).catch((e: unknown) => e);
      expect(NotFoundError.isInstance(unknown)).toBe(true);
      expect((unknown as Error).message).toContain('Unknown action "contact.fly"');
      expect((unknown as NotFoundError).hint).toContain('contact.create');
      const provider = await org.actions('zendesk').catch((e: unknown) => e);
      expect((provider as Error).message).toBe('Unknown provider "zendesk". Known providers: acme.');
      const broken = await runtime.provider('future').catch((e: unknown) => e);
      expect(PluginError.isInstance(broken)).toBe(true);
    });

    it("never shows or changes another organization's connection", async () => {
      const [mine] = await runtime.org('org-a').list();
      const other = runtime.org('org-b');
      expect(await other.list()).toEqual([]);
      for (const attempt of [
        () => other.get(mine!.id),
        () => other.run(mine!.id, 'contact.create', { email: 'x@example.com' }),
        () => other.disconnect(mine!.id),
        () => other.get('acme'),
      ]) {
        await expect(attempt()).rejects.toSatisfy(NotFoundError.isInstance);
      }
      expect((await runtime.org('org-a').get(mine!.id)).status).toBe('connected');
    });

    it('asks for an id when a provider has several live connections', async () => {
      const org = runtime.org('org-c');
      await org.connect('acme', { apiKey: acme.key });
      const rows = await runtime.store.connections.list('org-c');
      // A second account of the same provider (another workspace), inserted as the runtime would.
      await runtime.store.connections.insert({ ...rows[0]!, id: `${rows[0]!.id}x`, account_label: 'Second' });
      const error = await org
        .run('acme', 'contact.create', { email: 'a@example.com' })
        .catch((e: unknown) => e);
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/has 2 acme integrations; name one by id/);
    });

    it('disconnects: the credential is destroyed and the integration cannot run', async () => {
      const org = runtime.org('org-a');
      const done = await org.disconnect('acme');
      expect(done.status).toBe('disconnected');
      const [row] = await runtime.store.connections.list('org-a');
      expect(row?.credential).toBeNull();
      const error = await org
        .run(done.id, 'contact.create', { email: 'a@example.com' })
        .catch((e: unknown) => e);
      expect(AuthError.isInstance(error)).toBe(true);
      expect((error as AuthError).hint).toContain('oxygen integrations connect acme');
    });

    it('marks a connection error when the provider refuses its key, with the reason', async () => {
      const org = runtime.org('org-d');
      const c = await org.connect('acme', { apiKey: acme.key });
      const row = (await runtime.store.connections.get('org-d', c.id))!;
      // The key is revoked at the provider: simulate by sealing a key the server refuses.
      await runtime.store.connections.update('org-d', c.id, {
        credential: runtime.seal(row, { type: 'api_key', key: 'acme-revoked-key-000' }),
      });
      await expect(org.run(c.id, 'contact.create', { email: 'a@example.com' })).rejects.toSatisfy(
        AuthError.isInstance,
      );
      const after = await org.get(c.id);
      expect(after).toMatchObject({
        status: 'error',
        last_error: expect.stringContaining('Invalid API key'),
      });
    });

    it('keeps secrets out of everything it printed and of the store', async () => {
      const all = printed.join('\n');
      expect(all).not.toContain(acme.key);
      expect(await dumpStore(runtime)).not.toContain(acme.key);
    });
  });
}
