/**
 * The runtime: connections, credentials and action runs for organizations, over a store.
 * Apps (the CLI, the server) and internal apps composing plugins use this API.
 *
 * @module
 */

import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type ActionContext,
  type ApiKeyScheme,
  AuthError,
  type AuthMode,
  type Connection,
  type ConnectionInfo,
  type Credential,
  NotFoundError,
  OxygenError,
  type ProviderDefinition,
  type RateLimiter,
  type RecordedRequest,
  type RetryPolicy,
  ValidationError,
  type WebhookRequest,
  type WebhookVerifyOptions,
} from '@oxygen/core';
import type {
  AuthHost,
  CompleteOAuthInput,
  OAuthStart,
  OAuthStatus,
  OAuthStatusOptions,
  RevokeReport,
  StartOAuthOptions,
  TokenRefresher,
} from './auth/index.js';
import type { ActionInfo, ProviderInfo } from './catalog.js';
import { oxygenHome, readConfig } from './config.js';
import { type OrgCredits, orgCredits } from './credits/ledger.js';
import {
  authModeMismatch,
  chargeManagedCall,
  connectManaged,
  managedCallAuth,
  refundFailedCall,
} from './credits/managed.js';
import type { CallAuth } from './engine/execute.js';
import { EventBus } from './events/bus.js';
import { TtlCache } from './events/cache.js';
import type {
  DeliveryQueue,
  DeliverySettings,
  DeliveryWorker,
  DeliveryWorkerOptions,
  EventsHost,
  IngressOutcome,
} from './events/index.js';
import { OrgEvents } from './events/org-events.js';
import { deliverySettingsFromEnv } from './events/settings.js';
import { OrgTriggers } from './events/triggers.js';
import { IngressWriter } from './events/writer.js';
import { ApiTokens, ConnectLinks, Organizations } from './orgs/index.js';
import { FIRST_PARTY_PLUGINS, type PluginFailure, PluginRegistry } from './plugins/loader.js';
import { newId } from './store/ids.js';
import { openStore, type Store, type StoredConnection } from './store/index.js';
import { OrgColumns, OrgTables, OrgWaterfalls, type TablesHost } from './tables/index.js';
import { connectionAad, createVault, loadMasterKeys, type Vault } from './vault/index.js';

// Provider calls and JSON Schema derivation pull in got and zod; they load on first use so that
// `oxygen integrations list` (store only) starts fast.
const engine = () => import('./engine/execute.js');
const catalog = () => import('./catalog.js');
const auth = () => import('./auth/index.js');
const events = () => import('./events/index.js');

/** Options for {@link createRuntime}. */
export interface RuntimeOptions {
  /** `$OXYGEN_HOME`: the SQLite file, the embedded master key and config live here. */
  home?: string;
  /** PostgreSQL URL; when absent the embedded SQLite store is used. Default `DATABASE_URL`. */
  databaseUrl?: string | undefined;
  /** PostgreSQL schema (tests use a fresh one). */
  schema?: string | undefined;
  /** Environment to read `OXYGEN_*` variables from. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Plugin package names or paths. Default: first-party plugins plus `config.json`'s `plugins`. */
  plugins?: readonly string[];
  /** Directories to resolve plugin package names from (the app's own location first). */
  resolveFrom?: readonly string[];
  /** Retry policy for provider calls (tests shorten the delays). */
  retry?: RetryPolicy;
  /**
   * The public base URL providers deliver webhooks to (`https://oxygen.example.com`); ingress
   * URLs are `<publicUrl>/webhooks/<provider>/<endpoint>`. Default `OXYGEN_PUBLIC_URL`.
   */
  publicUrl?: string | undefined;
  /** Trigger delivery retries (tests shorten the backoff). Default from `OXYGEN_DELIVERY_*`. */
  delivery?: Partial<DeliverySettings> | undefined;
}

/** What a dry run reports. */
export interface DryRunReport {
  /** Always `true`: nothing was sent. */
  dry_run: true;
  /** The connection the action would run on. */
  integration: Pick<Connection, 'id' | 'provider' | 'auth_mode' | 'account_label' | 'status'>;
  /** The action slug. */
  action: string;
  /** The input after validation and defaults. */
  input: unknown;
  /** Credits the call would cost (charged in managed mode only). */
  credits: number;
  /**
   * The exact requests, secrets redacted, up to the first one whose answer the action needs
   * (a dry run has no answers): for most actions that is the one request they send.
   */
  requests: RecordedRequest[];
}

/** What a real run reports besides the output. */
export interface RunReport {
  /** The action's output, validated by its output schema. */
  output: unknown;
  /** The connection it ran on. */
  integration: Pick<Connection, 'id' | 'provider' | 'auth_mode'>;
  /** The action slug. */
  action: string;
  /** Credits actually charged for this call: the action's price in managed mode, 0 for byok. */
  credits: number;
  /** The provider's request ids of the requests sent, for support tickets. */
  request_ids: string[];
  /** Wall time of the run, in milliseconds. */
  duration_ms: number;
}

/** What {@link OrgRuntime.verifyReport} found. */
export interface VerifyReport {
  /** The connection after verification: `connected`, or `error` / `expired` with `last_error`. */
  connection: Connection;
  /** Why verification failed; `null` when the credential works. */
  error: OxygenError | null;
}

/** What {@link OrgRuntime.disconnectReport} did. */
export interface DisconnectReport {
  /** The connection, now `disconnected`, its credential destroyed. */
  connection: Connection;
  /** What the provider said to the token's revocation (a failure did not stop the disconnect). */
  revoke: RevokeReport;
}

/** Strips the credential: what leaves the runtime. */
export function publicConnection(row: StoredConnection): Connection {
  const { credential: _secret, ...connection } = row;
  return connection;
}

/** An OAuth flow's status with its connection stripped of the credential. */
function publicStatus(status: OAuthStatus): OAuthStatus<Connection> {
  const { connection, ...rest } = status;
  return connection ? { ...rest, connection: publicConnection(connection) } : rest;
}

const now = () => new Date().toISOString();

/**
 * Opens the store, reads the master key and prepares the plugin registry.
 *
 * @example
 * ```ts
 * const runtime = await createRuntime({ home: '/tmp/oxygen' });
 * const org = runtime.org('default');
 * const conn = await org.connect('hubspot', { apiKey: process.env.HUBSPOT_TOKEN! });
 * const out = await org.run(conn.id, 'contact.get', { email: 'ada@example.com' });
 * await runtime.close();
 * ```
 */
export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const env = options.env ?? process.env;
  const home = options.home ?? oxygenHome(env);
  const databaseUrl = options.databaseUrl ?? (env.DATABASE_URL || undefined);
  const store = await openStore({ home, databaseUrl, schema: options.schema });
  try {
    const vault = createVault(loadMasterKeys({ env, home, embedded: !databaseUrl }));
    const plugins = options.plugins ?? [
      ...FIRST_PARTY_PLUGINS,
      ...(readConfig(home).plugins ?? []).filter((p) => p.trim()),
    ];
    const registry = new PluginRegistry({
      plugins: [...new Set(plugins)],
      resolveFrom: [...(options.resolveFrom ?? []), process.cwd(), dirname(fileURLToPath(import.meta.url))],
    });
    return new Runtime(store, vault, registry, env, options.retry, {
      databaseUrl,
      schema: options.schema,
      publicUrl: options.publicUrl ?? (env.OXYGEN_PUBLIC_URL?.trim() || undefined),
      delivery: deliverySettingsFromEnv(env, options.delivery),
    });
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The engine. Get an organization's view with {@link Runtime.org}. */
export class Runtime {
  private readonly limiters = new Map<string, RateLimiter>();
  private tokenRefresher: Promise<TokenRefresher> | undefined;
  private deliveryQueue: Promise<DeliveryQueue> | undefined;
  /** In-process subscribers to accepted events (see `OrgEvents.subscribe`). */
  readonly bus = new EventBus();
  private readonly ingressCache = new TtlCache();
  private ingressWriter: IngressWriter | undefined;
  private host: EventsHost | undefined;
  private eventsModule: ReturnType<typeof events> | undefined;

  /** @internal use {@link createRuntime} */
  constructor(
    /** The store (for features built on top of the runtime). */
    readonly store: Store,
    private readonly vault: Vault,
    /** The plugin registry. */
    readonly plugins: PluginRegistry,
    private readonly env: NodeJS.ProcessEnv,
    private readonly retry: RetryPolicy | undefined,
    private readonly settings: {
      databaseUrl?: string | undefined;
      schema?: string | undefined;
      publicUrl?: string | undefined;
      delivery: DeliverySettings;
    } = { delivery: deliverySettingsFromEnv({}) },
  ) {}

  /** An organization's connections and runs. Nothing here can reach another organization. */
  org(organizationId: string): OrgRuntime {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(organizationId)) {
      throw new ValidationError(`Invalid organization id "${organizationId}".`, {
        hint: 'Use letters, digits, dots, dashes or underscores (up to 64).',
      });
    }
    return new OrgRuntime(this, organizationId);
  }

  /** Every loaded provider described, plus the plugins that failed to load. */
  async providers(): Promise<{
    /** Every provider that loaded. */
    providers: ProviderInfo[];
    /** The plugins that did not load, with why. */
    failures: PluginFailure[];
  }> {
    const { providers, failures } = await this.plugins.loadAll();
    const { describeProvider } = await catalog();
    return { providers: providers.map(describeProvider), failures };
  }

  /** One provider described. */
  async provider(id: string): Promise<ProviderInfo> {
    const { describeProvider } = await catalog();
    return describeProvider(await this.plugins.get(id));
  }

  /** Organizations: create and list them (the server acts for many at once). */
  get orgs(): Organizations {
    return new Organizations(this.store);
  }

  /** Organization API tokens: create (shown once, stored hashed), authenticate, revoke. */
  get tokens(): ApiTokens {
    return new ApiTokens(this.store);
  }

  /** Single-use links to the hosted API-key connect page. */
  get connectLinks(): ConnectLinks {
    return new ConnectLinks(this);
  }

  /**
   * Receives one provider webhook delivery at `/webhooks/<provider>/<endpoint>`: verifies it as
   * the provider documents, de-duplicates, normalizes and stores its events and queues their
   * trigger deliveries, all before answering. Refusals are recorded in the deliveries log.
   *
   * @throws NotFoundError for an unknown provider or endpoint (nothing stored).
   *
   * @example
   * ```ts
   * const outcome = await runtime.receiveWebhook('attio', 'sub_01J...', {
   *   method: 'POST', url: 'https://oxygen.example.com/webhooks/attio/sub_01J...', headers, rawBody,
   * });
   * reply.code(outcome.status).send({ accepted: outcome.accepted });
   * ```
   */
  async receiveWebhook(
    providerId: string,
    endpoint: string,
    request: WebhookRequest,
    options?: WebhookVerifyOptions,
  ): Promise<IngressOutcome> {
    this.eventsModule ??= events();
    const { receiveWebhook } = await this.eventsModule;
    return receiveWebhook(this.eventsHost(), providerId, endpoint, request, options);
  }

  /**
   * Starts a delivery worker in this process: due trigger deliveries are attempted and retried.
   * On PostgreSQL attempts are pg-boss jobs any number of workers share; on SQLite run one.
   *
   * @example
   * ```ts
   * const worker = await runtime.startDeliveryWorker();
   * // ... serve the ingress ...
   * await worker.stop();
   * ```
   */
  async startDeliveryWorker(options: DeliveryWorkerOptions = {}): Promise<DeliveryWorker> {
    const { startDeliveryWorker } = await events();
    return startDeliveryWorker(this.eventsHost(), options);
  }

  /** The public base URL providers deliver webhooks to, when configured. */
  get publicUrl(): string | undefined {
    return this.settings.publicUrl;
  }

  /** Closes the delivery queue and the store. */
  async close(): Promise<void> {
    // Committed deliveries get their jobs before the queue goes.
    await this.ingressWriter?.flush();
    const queue = this.deliveryQueue;
    this.deliveryQueue = undefined;
    if (queue) await (await queue.catch(() => undefined))?.stop();
    // Trigger URLs' idle keep-alive connections would hold the process open for seconds.
    if (this.host) await (await import('./events/post.js')).closeTriggerPool(this.host);
    await this.store.close();
  }

  /** @internal The queue trigger deliveries wait in: pg-boss on PostgreSQL, the rows on SQLite. */
  queue(): Promise<DeliveryQueue> {
    this.deliveryQueue ??= events().then(({ EmbeddedQueue, PgBossQueue }) =>
      this.settings.databaseUrl
        ? new PgBossQueue({
            connectionString: this.settings.databaseUrl,
            schema: `${this.settings.schema ?? 'oxygen'}_jobs`,
          })
        : new EmbeddedQueue(this.store),
    );
    return this.deliveryQueue;
  }

  /** @internal The runtime as the events code sees it. */
  eventsHost(): EventsHost {
    if (this.host) return this.host;
    this.ingressWriter ??= new IngressWriter(this.store, () => this.queue());
    this.host = {
      ...this.authHost(),
      listProviders: async () => (await this.plugins.loadAll()).providers,
      resolveConnection: (organizationId, ref) => this.org(organizationId).resolve(ref),
      callProvider: (row, provider, where, fn, secrets) =>
        this.org(row.organization_id).callProvider(row, provider, where, fn, secrets),
      publicUrl: () => this.settings.publicUrl,
      bus: this.bus,
      queue: () => this.queue(),
      delivery: this.settings.delivery,
      cache: this.ingressCache,
      writer: this.ingressWriter,
    };
    return this.host;
  }

  /** @internal */
  async limiterFor(connectionId: string, provider: ProviderDefinition): Promise<RateLimiter | undefined> {
    if (!provider.rateLimits?.length) return undefined;
    let limiter = this.limiters.get(connectionId);
    if (!limiter) {
      const { createRateLimiter } = await engine();
      // Concurrent first calls all waited above: they must share one limiter, not make one each.
      limiter = this.limiters.get(connectionId) ?? createRateLimiter(provider.rateLimits);
      this.limiters.set(connectionId, limiter);
    }
    return limiter;
  }

  /** @internal */
  seal(row: Pick<Connection, 'organization_id' | 'id'>, credential: Credential): string {
    return this.vault.encrypt(JSON.stringify(credential), connectionAad(row.organization_id, row.id));
  }

  /** @internal */
  open(row: StoredConnection): Credential {
    if (!row.credential) {
      throw new AuthError(`Integration ${row.id} (${row.provider}) has no credential.`, {
        hint: `Reconnect with \`oxygen integrations connect ${row.provider}\`.`,
      });
    }
    return JSON.parse(
      this.vault.decrypt(row.credential, connectionAad(row.organization_id, row.id)),
    ) as Credential;
  }

  /**
   * @internal How a managed call authenticates: the platform key read from the environment now.
   * It stays in the runtime: never stored, printed, or given to plugin code.
   */
  managedAuth(provider: ProviderDefinition): CallAuth {
    return managedCallAuth(provider, this.env);
  }

  /** @internal */
  async callDefaults(provider: ProviderDefinition) {
    const { providerBaseUrl } = await engine();
    return { baseUrl: providerBaseUrl(provider, this.env), retry: this.retry };
  }

  /**
   * Completes an OAuth connection from the provider's redirect (the server's `/oauth/callback`,
   * the CLI's loopback listener): the `state` must be one {@link OrgRuntime.startOAuth} issued,
   * unused and unexpired (and the caller's organization's, when `organizationId` is given),
   * otherwise nothing is stored. The state is spent first, the code exchanged with the PKCE
   * verifier, the token verified with the provider, then the connection stored (an account the
   * organization already has is updated, not duplicated).
   *
   * @throws AuthError for an unknown, reused, expired or foreign state, a refusal at the provider
   * or a token the provider's `verify` rejects; ValidationError for a redirect without a code.
   *
   * @example
   * ```ts
   * const url = new URL(request.url, 'http://localhost');
   * const connection = await runtime.completeOAuth({
   *   state: url.searchParams.get('state') ?? '',
   *   code: url.searchParams.get('code') ?? undefined,
   *   error: url.searchParams.get('error') ?? undefined,
   * });
   * ```
   */
  async completeOAuth(input: CompleteOAuthInput): Promise<Connection> {
    const { completeOAuth } = await auth();
    return publicConnection(await completeOAuth(this.authHost(), input));
  }

  /** @internal The runtime as the OAuth, refresh and verification code sees it. */
  authHost(): AuthHost {
    return {
      store: this.store,
      env: this.env,
      getProvider: (id) => this.plugins.get(id),
      seal: (row, credential) => this.seal(row, credential),
      open: (row) => this.open(row),
      sealSecret: (text, aad) => this.vault.encrypt(text, aad),
      openSecret: (envelope, aad) => this.vault.decrypt(envelope, aad),
      callDefaults: (provider) => this.callDefaults(provider),
    };
  }

  /** @internal One token refresher per runtime: refreshes are single-flight per connection. */
  refresher(): Promise<TokenRefresher> {
    this.tokenRefresher ??= auth().then(({ TokenRefresher }) => new TokenRefresher(this.authHost()));
    return this.tokenRefresher;
  }
}

/** One organization's view of the runtime. */
export class OrgRuntime {
  /** @internal use {@link Runtime.org} */
  constructor(
    private readonly runtime: Runtime,
    /** The organization every call is scoped to. */
    readonly organizationId: string,
  ) {}

  private get store() {
    return this.runtime.store;
  }

  /** The organization's credits: balance, grants (an admin operation) and history. */
  get credits(): OrgCredits {
    return orgCredits(this.runtime.store, this.organizationId);
  }

  /** The organization's provider events: catalog, enable/disable, deliveries log, replay, subscribe. */
  get events(): OrgEvents {
    return new OrgEvents(this.runtime.eventsHost(), this.organizationId);
  }

  /** The organization's workflow triggers: URLs matching events are POSTed to, signed. */
  get triggers(): OrgTriggers {
    return new OrgTriggers(this.runtime.eventsHost(), this.organizationId);
  }

  /** The organization's tables: rows, CSV import and export, cells mirrored from provider writes. */
  get tables(): OrgTables {
    return new OrgTables(this.tablesHost());
  }

  /** The organization's action and waterfall columns: add them to tables and run them over rows. */
  get columns(): OrgColumns {
    return new OrgColumns(this.tablesHost());
  }

  /** The organization's waterfalls: provider steps tried in order until one finds the output. */
  get waterfalls(): OrgWaterfalls {
    return new OrgWaterfalls(this.tablesHost());
  }

  /** The runtime as the tables code sees it; every cell runs through {@link OrgRuntime.run}. */
  private tablesHost(): TablesHost {
    return {
      store: this.store,
      organizationId: this.organizationId,
      org: this,
      provider: (id) => this.runtime.plugins.get(id),
    };
  }

  /** The organization's connections, oldest first. */
  async list(filter: { provider?: string } = {}): Promise<Connection[]> {
    const rows = await this.store.connections.list(this.organizationId, filter);
    return rows.map(publicConnection);
  }

  /** One connection by id, or by provider id when the organization has exactly one of it. */
  async get(ref: string): Promise<Connection> {
    return publicConnection(await this.resolve(ref));
  }

  /**
   * Connects a provider account with an API key: verifies the key with the provider first, and
   * stores nothing if it is refused. Connecting the same account again replaces its key.
   */
  async connect(providerId: string, options: { authMode?: AuthMode; apiKey?: string }): Promise<Connection> {
    const provider = await this.runtime.plugins.get(providerId);
    const authMode = options.authMode ?? 'byok';
    if (authMode === 'managed') {
      return publicConnection(await connectManaged(this.runtime, this.organizationId, provider));
    }
    if (authMode !== 'byok') {
      throw new ValidationError(`Auth mode "${authMode}" is unknown; use byok or managed.`, {
        field: 'auth_mode',
      });
    }
    const scheme = provider.auth.byok.find((s): s is ApiKeyScheme => s.type === 'api_key');
    if (!scheme) {
      throw new ValidationError(`${provider.name} does not take an API key.`, {
        hint: `Its auth schemes: ${provider.auth.byok.map((s) => s.type).join(', ')}.`,
      });
    }
    const key = options.apiKey?.trim();
    if (!key) {
      throw new ValidationError(`An API key is required to connect ${provider.name} (${scheme.label}).`, {
        field: 'api_key',
        hint: 'Type it at the hidden prompt, or pipe it with --api-key-stdin.',
      });
    }
    const credential: Credential = { type: 'api_key', key };
    const id = newId('conn');
    const info: ConnectionInfo = {
      id,
      organization_id: this.organizationId,
      provider: provider.id,
      auth_mode: 'byok',
      account_label: null,
      scopes: [],
    };
    const { executeVerify } = await engine();
    const verified = await executeVerify({
      provider,
      connection: info,
      auth: { scheme, credential },
      ...(await this.runtime.callDefaults(provider)),
    });
    const at = now();
    await this.store.organizations.ensure(this.organizationId);
    const same = (await this.store.connections.list(this.organizationId, { provider: provider.id })).find(
      (c) =>
        c.auth_mode === 'byok' && c.account_label === verified.accountLabel && c.status !== 'disconnected',
    );
    if (same) {
      const updated = await this.store.connections.update(this.organizationId, same.id, {
        status: 'connected',
        scopes: verified.scopes ?? [],
        last_verified_at: at,
        last_error: null,
        credential: this.runtime.seal(same, credential),
        expires_at: null, // an API key does not expire (this may replace an OAuth token)
      });
      return publicConnection(updated!);
    }
    const row = await this.store.connections.insert({
      ...info,
      status: 'connected',
      account_label: verified.accountLabel,
      scopes: verified.scopes ?? [],
      connected_at: at,
      last_verified_at: at,
      last_error: null,
      credential: this.runtime.seal(info, credential),
    });
    return publicConnection(row);
  }

  /**
   * Starts connecting a provider account with OAuth 2.0 (authorization code, PKCE S256, a
   * single-use `state` valid for ten minutes). Open the returned URL in a browser; the provider
   * redirects to `redirectUri` with `code` and `state`, which go to {@link Runtime.completeOAuth}.
   * The OAuth app is the organization's own when `client` is given, else the platform's
   * (`OXYGEN_<PROVIDER>_CLIENT_ID` / `OXYGEN_<PROVIDER>_CLIENT_SECRET`).
   *
   * @throws ConfigError naming the variables when no OAuth app is configured; ValidationError
   * for a provider without OAuth or a bad redirect URI.
   *
   * @example
   * ```ts
   * const { url, state } = await org.startOAuth('hubspot', { redirectUri: 'http://127.0.0.1:53682/callback' });
   * ```
   */
  async startOAuth(providerId: string, options: StartOAuthOptions): Promise<OAuthStart> {
    const { startOAuth } = await auth();
    return startOAuth(this.runtime.authHost(), this.organizationId, providerId, options);
  }

  /**
   * How the organization's OAuth flow `id` (from {@link OrgRuntime.startOAuth}) stands:
   * `pending`, `connected` (with the connection), `failed` (with the error's public fields;
   * nothing was stored) or `expired`. With `waitMs` it waits up to that long while `pending` (a
   * long poll): the CLI talking to a shared server waits this way for the server's
   * `/oauth/callback` to complete the flow.
   *
   * @throws NotFoundError for an unknown id, or another organization's flow.
   *
   * @example
   * ```ts
   * const start = await org.startOAuth('hubspot', { redirectUri: 'https://oxygen.example.com/oauth/callback' });
   * // ... the person approves; the server's callback calls runtime.completeOAuth(...)
   * const status = await org.oauthStatus(start.id, { waitMs: 20_000 });
   * if (status.status === 'connected') console.log(status.connection?.id);
   * ```
   */
  async oauthStatus(id: string, options: OAuthStatusOptions = {}): Promise<OAuthStatus<Connection>> {
    const { oauthStatus } = await auth();
    return publicStatus(await oauthStatus(this.runtime.authHost(), this.organizationId, id, options));
  }

  /**
   * Cancels the organization's OAuth flow `id` if nobody has completed it yet: its state is spent,
   * so an approval arriving later is refused and stores nothing, and the flow reads `failed`.
   * Answers the status after the attempt (`connected` when the approval came first).
   *
   * @throws NotFoundError for an unknown id, or another organization's flow.
   *
   * @example
   * ```ts
   * const status = await org.cancelOAuth(start.id);
   * if (status.status === 'connected') console.log('approved just in time:', status.connection?.id);
   * ```
   */
  async cancelOAuth(id: string): Promise<OAuthStatus<Connection>> {
    const { cancelOAuth } = await auth();
    return publicStatus(await cancelOAuth(this.runtime.authHost(), this.organizationId, id));
  }

  /**
   * Runs the provider's `verify` again with the stored credential (refreshing an OAuth token
   * first when needed) and records the result: `last_verified_at`, `status` (`connected`,
   * `error` or `expired`), `account_label`, `scopes`, `last_error`. A failure is recorded, not
   * thrown; see {@link OrgRuntime.verifyReport} for the reason as an error.
   *
   * @throws AuthError for a disconnected integration; NotFoundError for an unknown one.
   */
  async verify(ref: string): Promise<Connection> {
    return (await this.verifyReport(ref)).connection;
  }

  /** Verifies like {@link OrgRuntime.verify}, and returns why it failed when it did. */
  async verifyReport(ref: string): Promise<VerifyReport> {
    const row = await this.resolve(ref);
    const provider = await this.runtime.plugins.get(row.provider);
    const { verifyConnection } = await auth();
    const outcome = await verifyConnection(
      this.runtime.authHost(),
      await this.runtime.refresher(),
      row,
      provider,
      async (r) =>
        r.auth_mode === 'managed' ? this.runtime.managedAuth(provider) : this.authFor(r, provider),
    );
    return { connection: publicConnection(outcome.row), error: outcome.error };
  }

  /** The actions a connection's provider offers. */
  async actions(ref: string): Promise<{
    /** The connection `ref` resolved to. */
    integration: Connection;
    /** Its provider's actions. */
    actions: ActionInfo[];
  }> {
    const row = await this.resolve(ref);
    const provider = await this.runtime.plugins.get(row.provider);
    const { describeAction } = await catalog();
    return { integration: publicConnection(row), actions: provider.actions.map(describeAction) };
  }

  /**
   * Runs an action with the connection's credential. With `dryRun`, nothing is sent and nothing
   * changes: the validated input and the exact requests come back instead.
   */
  async run(
    ref: string,
    slug: string,
    input: unknown,
    options: { dryRun: true; signal?: AbortSignal },
  ): Promise<DryRunReport>;
  async run(
    ref: string,
    slug: string,
    input: unknown,
    options?: { dryRun?: false; signal?: AbortSignal },
  ): Promise<RunReport>;
  async run(
    ref: string,
    slug: string,
    input: unknown,
    options: { dryRun?: boolean; signal?: AbortSignal } = {},
  ): Promise<DryRunReport | RunReport> {
    const row = await this.resolve(ref);
    const provider = await this.runtime.plugins.get(row.provider);
    const action = provider.actions.find((a) => a.slug === slug);
    if (!action) {
      throw new NotFoundError(`Unknown action "${slug}" for ${provider.name}.`, {
        hint: `Available: ${provider.actions.map((a) => a.slug).join(', ')}.`,
      });
    }
    if (!action.authModes.includes(row.auth_mode)) {
      throw authModeMismatch(provider, action, row, await this.list({ provider: provider.id }));
    }
    assertUsable(row);
    const started = performance.now();
    const auth =
      row.auth_mode === 'managed'
        ? this.runtime.managedAuth(provider)
        : await this.authFor(row, provider, options.dryRun);
    const info: ConnectionInfo = {
      id: row.id,
      organization_id: row.organization_id,
      provider: row.provider,
      auth_mode: row.auth_mode,
      account_label: row.account_label,
      scopes: row.scopes,
    };
    const credits = row.auth_mode === 'managed' ? action.credits : 0;
    const { executeAction } = await engine();
    // Managed calls are paid before the provider request (refused when the balance cannot pay)
    // and refunded below when the call fails.
    const charge = await chargeManagedCall(this.store, row, provider, action, input, !!options.dryRun);
    try {
      const result = await this.retryUnauthorized(row, provider, auth, !!options.dryRun, async (auth) =>
        executeAction({
          provider,
          action,
          input,
          dryRun: options.dryRun ?? false,
          connection: info,
          auth,
          signal: options.signal,
          rateLimiter: await this.runtime.limiterFor(row.id, provider),
          ...(await this.runtime.callDefaults(provider)),
        }),
      );
      if (result.dryRun) {
        return {
          dry_run: true,
          integration: {
            id: row.id,
            provider: row.provider,
            auth_mode: row.auth_mode,
            account_label: row.account_label,
            status: row.status,
          },
          action: slug,
          input: action.input.parse(input),
          credits,
          requests: result.requests,
        };
      }
      if (row.status === 'error') {
        await this.store.connections.update(this.organizationId, row.id, {
          status: 'connected',
          last_error: null,
        });
      }
      return {
        output: result.output,
        integration: { id: row.id, provider: row.provider, auth_mode: row.auth_mode },
        action: slug,
        credits: charge ? -charge.delta : 0,
        request_ids: result.calls.map((c) => c.requestId).filter((r): r is string => !!r),
        duration_ms: Math.round(performance.now() - started),
      };
    } catch (error) {
      if (charge) await refundFailedCall(this.store, charge, error);
      if (AuthError.isInstance(error) && error.status === 401 && !options.dryRun) {
        await this.store.connections.update(this.organizationId, row.id, {
          status: 'error',
          last_error: error.message,
        });
      }
      throw error;
    }
  }

  /**
   * Disconnects: revokes an OAuth token at the provider (where it declares a revoke URL), then
   * sets status `disconnected` and destroys the credential. A failed revocation does not stop the
   * local disconnect; {@link OrgRuntime.disconnectReport} says how the revocation went.
   */
  async disconnect(ref: string): Promise<Connection> {
    return (await this.disconnectReport(ref)).connection;
  }

  /** Disconnects like {@link OrgRuntime.disconnect}, and reports what became of the revocation. */
  async disconnectReport(ref: string): Promise<DisconnectReport> {
    const row = await this.resolve(ref);
    const { revokeAtProvider } = await auth();
    const revoke = await revokeAtProvider(this.runtime.authHost(), row);
    const updated = await this.store.connections.update(this.organizationId, row.id, {
      status: 'disconnected',
      credential: null,
      expires_at: null,
      last_error: null,
    });
    return { connection: publicConnection(updated!), revoke };
  }

  /**
   * Finds a connection by id, or by provider id when exactly one live connection of that
   * provider exists. Another organization's connection is "not found", never "forbidden".
   */
  async resolve(ref: string): Promise<StoredConnection> {
    if (ref.startsWith('conn_')) {
      const row = await this.store.connections.get(this.organizationId, ref);
      if (!row) {
        throw new NotFoundError(`No integration ${ref} in organization ${this.organizationId}.`, {
          hint: 'Run `oxygen integrations list` to see the ids.',
        });
      }
      return row;
    }
    const rows = await this.store.connections.list(this.organizationId, { provider: ref });
    const live = rows.filter((r) => r.status !== 'disconnected');
    if (live.length === 1) return live[0]!;
    if (live.length > 1) {
      throw new ValidationError(
        `Organization ${this.organizationId} has ${live.length} ${ref} integrations; name one by id: ${live
          .map((r) => `${r.id} (${r.account_label ?? 'no label'})`)
          .join(', ')}.`,
        { data: { candidates: live.map(publicConnection) } },
      );
    }
    if (rows.length > 0) return rows[rows.length - 1]!;
    await this.runtime.plugins.get(ref); // throws "unknown provider" with the known ones
    throw new NotFoundError(`Organization ${this.organizationId} has no ${ref} integration.`, {
      hint: `Connect one with \`oxygen integrations connect ${ref}\`.`,
    });
  }

  /**
   * The scheme and credential a call for this connection uses; an OAuth token about to expire is
   * refreshed first (not in a dry run, which changes nothing).
   */
  private async authFor(
    row: StoredConnection,
    provider: ProviderDefinition,
    dryRun = false,
  ): Promise<CallAuth> {
    const credential = this.runtime.open(row);
    const scheme =
      credential.type === 'api_key'
        ? provider.auth.byok.find((s) => s.type === 'api_key')
        : provider.auth.byok.find((s) => s.type === 'oauth2');
    if (!scheme) {
      throw new OxygenError(
        'plugin',
        `${provider.name} no longer declares the auth scheme integration ${row.id} uses.`,
        {
          hint: `Reconnect with \`oxygen integrations connect ${provider.id}\`.`,
        },
      );
    }
    if (credential.type !== 'oauth2') return { scheme, credential };
    return { scheme, credential: await (await this.runtime.refresher()).fresh(row, provider, { dryRun }) };
  }

  /**
   * @internal Runs a plugin function that calls the provider (webhook subscriptions) with the
   * connection's credential, refreshed when needed, once more after a 401 for an OAuth token.
   */
  async callProvider<T>(
    row: StoredConnection,
    provider: ProviderDefinition,
    where: string,
    fn: (ctx: ActionContext) => Promise<T>,
    secrets: readonly string[] = [],
  ): Promise<T> {
    assertUsable(row);
    const { executeCall } = await engine();
    const info: ConnectionInfo = {
      id: row.id,
      organization_id: row.organization_id,
      provider: row.provider,
      auth_mode: row.auth_mode,
      account_label: row.account_label,
      scopes: row.scopes,
    };
    return this.retryUnauthorized(row, provider, await this.authFor(row, provider), false, async (auth) =>
      executeCall(
        {
          provider,
          connection: info,
          auth,
          rateLimiter: await this.runtime.limiterFor(row.id, provider),
          secrets,
          ...(await this.runtime.callDefaults(provider)),
        },
        where,
        fn,
      ),
    );
  }

  /** Runs `call`; after a 401 for an OAuth token, refreshes it once and runs `call` once more. */
  private async retryUnauthorized<T>(
    row: StoredConnection,
    provider: ProviderDefinition,
    auth: CallAuth,
    dryRun: boolean,
    call: (auth: CallAuth) => Promise<T>,
  ): Promise<T> {
    try {
      return await call(auth);
    } catch (error) {
      if (
        dryRun ||
        auth.credential.type !== 'oauth2' ||
        !AuthError.isInstance(error) ||
        error.status !== 401
      ) {
        throw error;
      }
      const credential = await (await this.runtime.refresher()).afterUnauthorized(
        row,
        provider,
        auth.credential,
      );
      return call({ scheme: auth.scheme, credential });
    }
  }
}

function assertUsable(row: StoredConnection): void {
  if (row.status === 'disconnected' || row.status === 'expired') {
    throw new AuthError(`Integration ${row.id} (${row.provider}) is ${row.status}.`, {
      hint: `Reconnect with \`oxygen integrations connect ${row.provider}\`.`,
    });
  }
}
