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
  type AuthMode,
  type ConnectionInfo,
  type Credential,
  credentialSecrets,
  type ErrorCode,
  OxygenError,
  type ProviderDefinition,
  type RetryPolicy,
  toJsonSchema,
} from '@oxygen/core';
import {
  type CallAuth,
  checkPlugin,
  describeAction,
  describeProvider,
  executeAction,
  executeVerify,
  paginationOf,
} from '@oxygen/runtime';
import { describe, expect, it } from 'vitest';

/** A failure the suite asks the sandbox to inject into its next matching request(s). */
export interface FailNextSpec {
  /** The HTTP status to answer with, in the provider's own error shape. */
  status: number;
  /** How many matching requests fail. Default 1. */
  count?: number;
  /** Only requests to this path (exact, or a pattern) fail. Default: any. */
  path?: string | RegExp;
  /** Sent as `Retry-After` (in the provider's form) when set. */
  retryAfterSeconds?: number;
}

/**
 * Error cases: how the suite makes the sandbox fail, and which call it fails. The suite checks
 * that every status maps to the right typed error carrying the provider's message (and its
 * request id when the provider sends one), and that a single 429 is absorbed by a retry.
 */
export interface ErrorCases {
  /** Makes the sandbox's next matching request(s) fail (the sandbox's own `failNext`). */
  failNext(spec: FailNextSpec): void;
  /** The call to fail: an action and a valid input. A read that sends one request is best. */
  sample: {
    /** The action's slug. */
    slug: string;
    /** An input the action accepts. */
    input: unknown;
  };
  /**
   * The statuses to check. Default `[401, 403, 404, 429, 500]`; add `409` when the sample's
   * action can conflict. Supported: 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504.
   */
  statuses?: number[];
  /** Passed as `path` with every injected failure, when the sample sends several requests. */
  path?: string | RegExp;
  /**
   * Whether every error must carry the provider's request id. Default: true when the plugin
   * declares `requestIdHeader` (the provider sends one on every answer).
   */
  requestId?: boolean;
}

/** A paginated action to follow to its end. */
export interface PaginationCase {
  /** A list or search action: `cursor` in, `next_cursor` out. */
  slug: string;
  /** Its first page's input; choose a small page size so that there are several pages. */
  input: unknown;
  /** At least this many pages must come back. */
  minPages: number;
  /** Creates enough records first (through the sandbox's seeding helpers or the plugin). */
  seed?: () => Promise<void>;
  /** An item's id, to check no item comes twice. Default: the item's `id` field. */
  idOf?: (item: unknown) => string;
}

/** A running sandbox, as the suite needs it. */
export interface SandboxHandle {
  /** Base URL to call the provider at. */
  url: string;
  /** A credential the sandbox accepts. */
  credential: Credential;
  /** A credential of the same type the sandbox refuses (401). */
  badCredential: Credential;
  /**
   * The platform's key the sandbox accepts in managed mode. Required when the plugin has actions
   * that run in managed mode only: they run on a managed connection with the plugin's
   * `auth.managed` scheme and this credential.
   */
  managedCredential?: Credential;
  /** How many requests the sandbox has received so far. */
  requestCount(): number;
  /**
   * The requests received so far (method, URL path with query, parsed JSON body). When given,
   * the suite checks that a dry run shows exactly the first request a real run sends.
   */
  requests?: () => {
    /** The HTTP method, upper case. */
    method: string;
    /** The URL path with its query string. */
    path: string;
    /** The parsed JSON body, when there was one. */
    body?: unknown;
  }[];
  /** Error cases to check (every first-party provider gives them). */
  errors?: ErrorCases;
  /** A paginated action to follow to the end (every first-party provider gives one). */
  pagination?: PaginationCase;
  /** Stops the sandbox; the suite calls it once, at the end. */
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

/** The typed error each provider status must map to. */
const EXPECTED_CODE: Record<number, ErrorCode> = {
  400: 'validation',
  401: 'auth',
  403: 'auth',
  404: 'not_found',
  409: 'conflict',
  422: 'validation',
  429: 'rate_limit',
  500: 'provider',
  502: 'provider',
  503: 'provider',
  504: 'provider',
};
const DEFAULT_STATUSES = [401, 403, 404, 429, 500];
/** Retries allowed while checking error cases: a 429 must outlast them to surface. */
const ERROR_RETRY: RetryPolicy = { limit: 1, baseDelayMs: 10, maxDelayMs: 5_000 };

function connectionFor(plugin: ProviderDefinition, mode: AuthMode): ConnectionInfo {
  return {
    id: `conn_conformance_${mode}`,
    organization_id: 'conformance',
    provider: plugin.id,
    auth_mode: mode,
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

/** Actions that cannot run on a byok connection: the suite runs them in managed mode. */
function managedOnly(plugin: ProviderDefinition): ActionDefinition[] {
  return plugin.actions.filter((a) => !a.authModes.includes('byok'));
}

function missingManagedCredential(plugin: ProviderDefinition): string {
  const slugs = managedOnly(plugin).map((a) => a.slug);
  return `${plugin.id} has actions that run in managed mode only (${slugs.join(', ')}): return managedCredential (the platform key its sandbox accepts) from the sandbox() handle so the suite can run them on a managed connection.`;
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
 *       requestCount: () => s.requests.length, close: () => s.close(),
 *       errors: { failNext: (f) => s.failNext(f), sample: { slug: 'contact.get', input: { id: '1' } } },
 *       pagination: { slug: 'contact.list', input: { limit: 2 }, minPages: 3 } };
 *   },
 *   samples: { 'contact.get': { id: '1' }, 'contact.list': { limit: 10 } },
 * });
 * ```
 */
export function describeConformance(options: ConformanceOptions): void {
  const { plugin } = options;

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
        if (!action.authModes.includes('byok')) {
          expect(plugin.auth.managed, `${action.slug} runs in managed mode only`).toBeDefined();
        }
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

      /** The mode, connection and auth an action runs with in the suite. */
      function callFor(action: ActionDefinition): { connection: ConnectionInfo; auth: CallAuth } {
        if (action.authModes.includes('byok')) {
          return {
            connection: connectionFor(plugin, 'byok'),
            auth: { scheme: schemeFor(plugin, sandbox.credential), credential: sandbox.credential },
          };
        }
        if (!sandbox.managedCredential) throw new Error(missingManagedCredential(plugin));
        if (!plugin.auth.managed) {
          throw new Error(
            `${action.slug} runs in managed mode only, but ${plugin.id} declares no auth.managed`,
          );
        }
        return {
          connection: connectionFor(plugin, 'managed'),
          auth: { scheme: plugin.auth.managed, credential: sandbox.managedCredential },
        };
      }

      function actionOf(slug: string): ActionDefinition {
        const action = plugin.actions.find((a) => a.slug === slug);
        if (!action) throw new Error(`${plugin.id} has no action "${slug}"`);
        return action;
      }

      it('starts the sandbox', async () => {
        sandbox = await options.sandbox();
        expect(sandbox.url).toMatch(/^https?:\/\//);
      });

      it('has a managed credential when actions run in managed mode only', () => {
        if (managedOnly(plugin).length > 0 && !sandbox.managedCredential) {
          throw new Error(missingManagedCredential(plugin));
        }
        if (sandbox.managedCredential && !plugin.auth.managed) {
          throw new Error(`the sandbox gives a managedCredential, but ${plugin.id} declares no auth.managed`);
        }
      });

      it('verify proves the credential and returns an account label', async () => {
        const result = await executeVerify({
          provider: plugin,
          connection: connectionFor(plugin, 'byok'),
          auth: { scheme: schemeFor(plugin, sandbox.credential), credential: sandbox.credential },
          baseUrl: sandbox.url,
          retry: { limit: 0 },
        });
        expect(result.accountLabel.length).toBeGreaterThan(0);
        printed.push(JSON.stringify(result));
      });

      it('verify in managed mode proves the platform key (when the plugin has managed mode)', async (ctx) => {
        if (!plugin.auth.managed) return ctx.skip(`${plugin.id} has no managed mode`);
        if (!sandbox.managedCredential) return ctx.skip('the sandbox gives no managedCredential');
        const result = await executeVerify({
          provider: plugin,
          connection: connectionFor(plugin, 'managed'),
          auth: { scheme: plugin.auth.managed, credential: sandbox.managedCredential },
          baseUrl: sandbox.url,
          retry: { limit: 0 },
        });
        expect(result.accountLabel.length).toBeGreaterThan(0);
        printed.push(JSON.stringify(result));
      });

      it('verify with a refused credential fails with an auth error', async () => {
        const error = await executeVerify({
          provider: plugin,
          connection: connectionFor(plugin, 'byok'),
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
            ...callFor(action),
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
            ...callFor(action),
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

      it.for(Object.keys(EXPECTED_CODE).map((s) => [Number(s), EXPECTED_CODE[Number(s)]!] as const))(
        'error case: a %i from the provider is a typed %s error with the provider message',
        async ([status, code], ctx) => {
          const errors = sandbox.errors;
          if (!errors) return ctx.skip('the sandbox handle gives no errors (failNext and a sample)');
          const statuses = errors.statuses ?? DEFAULT_STATUSES;
          const unsupported = statuses.filter((s) => !(s in EXPECTED_CODE));
          expect(unsupported, 'errors.statuses lists statuses the suite cannot check').toEqual([]);
          if (!statuses.includes(status)) return ctx.skip(`${status} is not in errors.statuses`);
          const action = actionOf(errors.sample.slug);
          // A 429 is retried; inject one more than the retries so it surfaces. Nothing else is.
          const retry: RetryPolicy = status === 429 ? ERROR_RETRY : { ...ERROR_RETRY, limit: 0 };
          const count = status === 429 ? (retry.limit ?? 0) + 1 : 1;
          const before = sandbox.requestCount();
          errors.failNext({
            status,
            count,
            ...(errors.path !== undefined ? { path: errors.path } : {}),
            ...(status === 429 ? { retryAfterSeconds: 0 } : {}),
          });
          const error = await executeAction({
            provider: plugin,
            action,
            input: errors.sample.input,
            ...callFor(action),
            baseUrl: sandbox.url,
            retry,
          }).then(
            () => {
              throw new Error(
                `${action.slug} succeeded although the sandbox was told to answer ${status}: does errors.failNext reach the sandbox, and does the sample send a request${errors.path ? ` to ${errors.path}` : ''}?`,
              );
            },
            (e: unknown) => e,
          );
          expect(sandbox.requestCount() - before, 'requests sent (the first attempt plus retries)').toBe(
            count,
          );
          expect(OxygenError.isInstance(error), `not a typed error: ${String(error)}`).toBe(true);
          const e = error as OxygenError;
          expect(e.code, `${status} → ${code}: ${e.message}`).toBe(code);
          expect(e.status).toBe(status);
          expect(e.providerMessage, `${status}: the provider's message`).toEqual(expect.any(String));
          expect(e.providerMessage!.length).toBeGreaterThan(0);
          expect(e.message).toContain(e.providerMessage);
          if (errors.requestId ?? !!plugin.requestIdHeader) {
            expect(e.requestId, `${status}: the provider's request id`).toEqual(expect.any(String));
            expect(e.requestId!.length).toBeGreaterThan(0);
          }
          printed.push(JSON.stringify(e.toJSON()), e.message, e.hint ?? '');
        },
      );

      it('error case: a single 429 is absorbed by a retry and the call succeeds', async (ctx) => {
        const errors = sandbox.errors;
        if (!errors) return ctx.skip('the sandbox handle gives no errors (failNext and a sample)');
        const action = actionOf(errors.sample.slug);
        const before = sandbox.requestCount();
        errors.failNext({
          status: 429,
          count: 1,
          retryAfterSeconds: 1,
          ...(errors.path !== undefined ? { path: errors.path } : {}),
        });
        const result = await executeAction({
          provider: plugin,
          action,
          input: errors.sample.input,
          ...callFor(action),
          baseUrl: sandbox.url,
          retry: { limit: 2, baseDelayMs: 10, maxDelayMs: 5_000 },
        });
        if (result.dryRun) throw new Error('expected a real result');
        expect(action.output.safeParse(result.output).success).toBe(true);
        // The refused attempt and its retry both reached the sandbox.
        expect(sandbox.requestCount() - before).toBeGreaterThanOrEqual(2);
        const retried = result.calls.find((c) => c.attempts > 1);
        expect(retried, 'the call record shows the retried request').toBeDefined();
        printed.push(JSON.stringify(result.output));
      });

      it('pagination: follows next_cursor to the end, every item once', async (ctx) => {
        const pagination = sandbox.pagination;
        if (!pagination) return ctx.skip('the sandbox handle gives no pagination case');
        const action = actionOf(pagination.slug);
        const paging = paginationOf(describeAction(action));
        expect(
          paging,
          `${action.slug} must take "cursor" in and return "next_cursor" and one list out (oxygen integrations run --all relies on it)`,
        ).not.toBeNull();
        const listField = paging!.listField;
        if (!pagination.input || typeof pagination.input !== 'object') {
          throw new Error('pagination.input must be an object');
        }
        await pagination.seed?.();
        const idOf =
          pagination.idOf ??
          ((item: unknown) => {
            const id = (item as { id?: unknown } | null)?.id;
            if (typeof id !== 'string' && typeof id !== 'number') {
              throw new Error(`an item of ${listField} has no id; give pagination.idOf`);
            }
            return String(id);
          });
        const ids: string[] = [];
        const cursors = new Set<string>();
        let cursor: string | undefined;
        let pages = 0;
        let last: Record<string, unknown> = {};
        do {
          const input = { ...(pagination.input as Record<string, unknown>), ...(cursor ? { cursor } : {}) };
          const result = await executeAction({
            provider: plugin,
            action,
            input,
            ...callFor(action),
            baseUrl: sandbox.url,
          });
          if (result.dryRun) throw new Error('expected a real result');
          last = result.output as Record<string, unknown>;
          pages++;
          const list = last[listField];
          expect(Array.isArray(list), `page ${pages}: ${listField} is a list`).toBe(true);
          ids.push(...(list as unknown[]).map(idOf));
          expect(last.next_cursor === null || typeof last.next_cursor === 'string').toBe(true);
          cursor = last.next_cursor === null ? undefined : String(last.next_cursor);
          if (cursor !== undefined) {
            expect(cursors.has(cursor), `page ${pages} repeats cursor ${cursor}`).toBe(false);
            cursors.add(cursor);
          }
          expect(pages, 'more than 1,000 pages: next_cursor never ends').toBeLessThanOrEqual(1_000);
        } while (cursor !== undefined);
        expect(pages, `pages of ${action.slug}`).toBeGreaterThanOrEqual(pagination.minPages);
        expect(last.next_cursor).toBeNull();
        const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
        expect(duplicates, 'items that came on two pages').toEqual([]);
        expect(ids.length).toBeGreaterThanOrEqual(pagination.minPages);
        printed.push(JSON.stringify(last));
      });

      it('never shows a secret in outputs, dry runs or errors', () => {
        const secrets = [
          ...credentialSecrets(sandbox.credential),
          ...credentialSecrets(sandbox.badCredential),
          ...credentialSecrets(sandbox.managedCredential),
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
