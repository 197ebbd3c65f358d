/**
 * The conformance suite every provider package runs from its own tests (unstorage's
 * `testDriver` pattern): one behavioural contract, checked the same way for every plugin,
 * through real HTTP against the plugin's sandbox.
 *
 * @module
 */

import {
  type ActionDefinition,
  AuthError,
  type ConnectionInfo,
  type Credential,
  credentialSecrets,
  OxygenError,
  type ProviderDefinition,
  toJsonSchema,
} from '@oxygen/core';
import { checkPlugin, describeProvider, executeAction, executeVerify } from '@oxygen/runtime';
import { describe, expect, it } from 'vitest';

/** A running sandbox, as the suite needs it. */
export interface SandboxHandle {
  /** Base URL to call the provider at. */
  url: string;
  /** A credential the sandbox accepts. */
  credential: Credential;
  /** A credential of the same type the sandbox refuses (401). */
  badCredential: Credential;
  /** How many requests the sandbox has received so far. */
  requestCount(): number;
  /**
   * The requests received so far (method, URL path with query, parsed JSON body). When given,
   * the suite checks that a dry run shows exactly the first request a real run sends.
   */
  requests?: () => { method: string; path: string; body?: unknown }[];
  close(): Promise<void>;
}

/** Options for {@link describeConformance}. */
export interface ConformanceOptions {
  /** The plugin (the package's default export). */
  plugin: ProviderDefinition;
  /** Starts a fresh sandbox; called once for the suite. */
  sandbox: () => Promise<SandboxHandle>;
  /**
   * A valid input for every action, run in the plugin's declared order (so a write can create
   * what a later read reads). The suite fails when an action has none.
   */
  samples: Record<string, unknown>;
}

function connectionFor(plugin: ProviderDefinition): ConnectionInfo {
  return {
    id: 'conn_conformance',
    organization_id: 'conformance',
    provider: plugin.id,
    auth_mode: 'byok',
    account_label: null,
    scopes: [],
  };
}

function schemeFor(plugin: ProviderDefinition, credential: Credential) {
  const scheme =
    credential.type === 'api_key'
      ? plugin.auth.byok.find((s) => s.type === 'api_key')
      : plugin.auth.byok.find((s) => s.type === 'oauth2');
  if (!scheme) throw new Error(`${plugin.id} declares no auth scheme for a ${credential.type} credential`);
  return scheme;
}

/**
 * Declares the conformance suite for one provider plugin.
 *
 * @example
 * ```ts
 * // test/conformance.test.ts in a provider package
 * import { describeConformance } from '@oxygen/testkit';
 * import plugin from '../src/index.js';
 * import { startAcmeSandbox } from '../src/sandbox/index.js';
 *
 * describeConformance({
 *   plugin,
 *   sandbox: async () => {
 *     const s = await startAcmeSandbox();
 *     return { url: s.url, credential: { type: 'api_key', key: s.token },
 *       badCredential: { type: 'api_key', key: 'wrong-key-123' },
 *       requestCount: () => s.requests.length, close: () => s.close() };
 *   },
 *   samples: { 'contact.get': { id: '1' } },
 * });
 * ```
 */
export function describeConformance(options: ConformanceOptions): void {
  const { plugin } = options;
  const connection = connectionFor(plugin);

  describe(`${plugin.id}: plugin conformance`, () => {
    it('satisfies the plugin contract (apiVersion, id, auth, actions, events)', () => {
      expect(() => checkPlugin({ default: plugin }, plugin.id)).not.toThrow();
      expect(describeProvider(plugin).id).toBe(plugin.id);
    });

    it.each(plugin.actions.map((a) => [a.slug, a] as const))(
      '%s: input and output convert to JSON Schema; writes declare a mirror',
      (_slug, action: ActionDefinition) => {
        for (const io of ['input', 'output'] as const) {
          const schema = toJsonSchema(action[io], io);
          expect(schema.type ?? schema.anyOf ?? schema.oneOf, `${action.slug} ${io} schema`).toBeDefined();
        }
        expect(action.title.length).toBeGreaterThan(0);
        expect(action.description.length).toBeGreaterThan(0);
        if (action.effect === 'write' && action.mirror) expect(action.mirror.label).toMatch(/^[a-z0-9_]+$/);
      },
    );

    it('has a sample input for every action', () => {
      const missing = plugin.actions.filter((a) => !(a.slug in options.samples)).map((a) => a.slug);
      expect(missing, 'add a sample input for these actions').toEqual([]);
    });

    it.each(plugin.events?.map((e) => [e.type, e] as const) ?? [])(
      'event %s: data converts to JSON Schema',
      (_type, event) => {
        expect(toJsonSchema(event.data, 'output').type).toBeDefined();
      },
    );

    describe('against the sandbox', () => {
      let sandbox: SandboxHandle;
      const printed: string[] = [];
      const firstDryRequest = new Map<string, { method: string; url: string; body?: unknown }>();

      it('starts the sandbox', async () => {
        sandbox = await options.sandbox();
        expect(sandbox.url).toMatch(/^https?:\/\//);
      });

      it('verify proves the credential and returns an account label', async () => {
        const result = await executeVerify({
          provider: plugin,
          connection,
          auth: { scheme: schemeFor(plugin, sandbox.credential), credential: sandbox.credential },
          baseUrl: sandbox.url,
          retry: { limit: 0 },
        });
        expect(result.accountLabel.length).toBeGreaterThan(0);
        printed.push(JSON.stringify(result));
      });

      it('verify with a refused credential fails with an auth error', async () => {
        const error = await executeVerify({
          provider: plugin,
          connection,
          auth: { scheme: schemeFor(plugin, sandbox.badCredential), credential: sandbox.badCredential },
          baseUrl: sandbox.url,
          retry: { limit: 0 },
        }).catch((e: unknown) => e);
        expect(AuthError.isInstance(error), String(error)).toBe(true);
        printed.push(JSON.stringify((error as OxygenError).toJSON()), (error as Error).message);
        for (const secret of credentialSecrets(sandbox.badCredential)) {
          expect(JSON.stringify((error as OxygenError).toJSON())).not.toContain(secret);
        }
      });

      it.each(plugin.actions.map((a) => [a.slug, a] as const))(
        '%s: a dry run sends nothing and shows the exact requests, redacted',
        async (slug, action) => {
          const before = sandbox.requestCount();
          const result = await executeAction({
            provider: plugin,
            action,
            input: options.samples[slug],
            dryRun: true,
            connection,
            auth: { scheme: schemeFor(plugin, sandbox.credential), credential: sandbox.credential },
            baseUrl: sandbox.url,
          });
          expect(sandbox.requestCount()).toBe(before);
          if (!result.dryRun) throw new Error('expected a dry-run result');
          expect(result.requests.length).toBeGreaterThan(0);
          for (const r of result.requests) {
            expect(r.url.startsWith(sandbox.url)).toBe(true);
            expect(r.method).toMatch(/^(GET|POST|PUT|PATCH|DELETE)$/);
          }
          firstDryRequest.set(slug, result.requests[0]!);
          printed.push(JSON.stringify(result));
        },
      );

      it.each(plugin.actions.map((a) => [a.slug, a] as const))(
        '%s: runs green against the sandbox and its output matches the schema',
        async (slug, action) => {
          const before = sandbox.requestCount();
          const result = await executeAction({
            provider: plugin,
            action,
            input: options.samples[slug],
            connection,
            auth: { scheme: schemeFor(plugin, sandbox.credential), credential: sandbox.credential },
            baseUrl: sandbox.url,
          });
          if (result.dryRun) throw new Error('expected a real result');
          expect(action.output.safeParse(result.output).success).toBe(true);
          printed.push(JSON.stringify(result.output));
          const dry = firstDryRequest.get(slug);
          const sent = sandbox.requests?.()[before];
          if (dry && sent) {
            expect({ method: sent.method, url: sandbox.url + sent.path, body: sent.body }).toEqual({
              method: dry.method,
              url: dry.url,
              body: dry.body,
            });
          }
        },
      );

      it('never shows a secret in outputs, dry runs or errors', () => {
        const secrets = [
          ...credentialSecrets(sandbox.credential),
          ...credentialSecrets(sandbox.badCredential),
        ];
        const all = printed.join('\n');
        for (const secret of secrets)
          expect(all.includes(secret), 'a secret leaked into printed output').toBe(false);
      });

      it('stops the sandbox', async () => {
        await sandbox?.close();
      });
    });
  });
}

/** True when `error` is an Oxygen error with `code` (for provider-specific tests). */
export function isErrorCode(error: unknown, code: OxygenError['code']): boolean {
  return OxygenError.isInstance(error) && error.code === code;
}
