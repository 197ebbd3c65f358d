/**
 * The CLI as a client of a shared Oxygen server (`OXYGEN_API_URL` + `OXYGEN_API_TOKEN`, or
 * `oxygen login`): the same operations as the local runtime, over the server's `/v1` API. The
 * server answers exactly the values the local runtime returns, and its errors carry the same
 * stable codes, so commands render and exit the same way in both modes.
 */

import { type AuthMode, type Connection, type ErrorCode, NetworkError, OxygenError } from '@oxygen/core';
import type {
  ActionInfo,
  CreditBalance,
  CreditEntry,
  CreditGrant,
  DeliveryFilter,
  DeliveryRecord,
  DisableResult,
  DisconnectReport,
  DryRunReport,
  EnableResult,
  EventCatalogEntry,
  OAuthClient,
  OAuthStatus,
  PluginFailure,
  ProviderInfo,
  RevokeReport,
  RunReport,
  TriggerAddResult,
  TriggerInfo,
  VerifyReport,
} from '@oxygen/runtime';
import type { Got, Response } from 'got';
import pkg from '../../package.json' with { type: 'json' };
import type { CatalogBackend, OrgBackend, RemoteOAuth, RemoteOAuthStart } from './backend.js';

/** The longest wait the server takes in one `GET /v1/integrations/oauth/:id` (its `wait` maximum). */
export const OAUTH_MAX_WAIT_SECONDS = 25;

const ERROR_CODES: readonly ErrorCode[] = [
  'validation',
  'auth',
  'not_found',
  'conflict',
  'rate_limit',
  'provider',
  'network',
  'config',
  'plugin',
  'insufficient_credits',
  'internal',
];

interface Answer<T> {
  body: T;
  headers: Record<string, string | string[] | undefined>;
}

/** Rebuilds the server's `{ error }` body as the same typed error the local runtime would throw. */
export function errorFromBody(body: unknown, status: number, apiUrl: string): OxygenError {
  const e = (body as { error?: Record<string, unknown> } | null)?.error;
  if (!e || typeof e.message !== 'string' || !ERROR_CODES.includes(e.code as ErrorCode)) {
    return new NetworkError(
      `The Oxygen server at ${apiUrl} answered HTTP ${status} without an Oxygen error.`,
      {
        hint: 'Check that OXYGEN_API_URL points at an Oxygen server (`oxygen serve`), not a proxy or another service.',
      },
    );
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return new OxygenError(e.code as ErrorCode, e.message, {
    hint: str(e.hint),
    field: str(e.field),
    providerMessage: str(e.provider_message),
    requestId: str(e.request_id),
    status: typeof e.status === 'number' ? e.status : undefined,
    data: e.data && typeof e.data === 'object' ? (e.data as Record<string, unknown>) : undefined,
  });
}

/** Reads a header that carries an error as URI-encoded JSON (`oxygen-verify-error`, `oxygen-revoke-error`). */
function headerError(value: string | string[] | undefined, apiUrl: string): OxygenError | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  try {
    return errorFromBody({ error: JSON.parse(decodeURIComponent(value)) }, 200, apiUrl);
  } catch {
    return undefined;
  }
}

/** The query parameters that have a value. */
function defined(params: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params))
    if (value !== undefined && value !== '') out[name] = value;
  return out;
}

/** Talks to an Oxygen server's `/v1` API with an organization API token. */
export class HttpBackend implements OrgBackend, CatalogBackend, RemoteOAuth {
  private client: Got | undefined;
  private organization = '';

  /**
   * @param apiUrl - The server's URL (`https://oxygen.example.com`).
   * @param token - An organization API token (`oxy_…`); sent only as a bearer header.
   */
  constructor(
    readonly apiUrl: string,
    private readonly token: string,
  ) {}

  /** The token's organization, as the server named it in its last answer. */
  get organizationId(): string {
    return this.organization || 'of this API token';
  }

  private async http(): Promise<Got> {
    if (!this.client) {
      const { default: got } = await import('got');
      this.client = got.extend({
        prefixUrl: `${this.apiUrl.replace(/\/+$/, '')}/v1/`,
        headers: { authorization: `Bearer ${this.token}`, 'user-agent': `oxygen-cli/${pkg.version}` },
        throwHttpErrors: false,
        retry: { limit: 0 },
        followRedirect: false,
        timeout: { lookup: 10_000, connect: 10_000, secureConnect: 10_000, response: 600_000 },
      });
    }
    return this.client;
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { json?: unknown; searchParams?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const client = await this.http();
    let response: Response<string>;
    try {
      response = await client(path, {
        method,
        ...(options.json !== undefined ? { json: options.json } : method === 'POST' ? { json: {} } : {}),
        ...(options.searchParams ? { searchParams: options.searchParams } : {}),
      });
    } catch (error) {
      const code = (error as { code?: string }).code;
      throw new NetworkError(`Cannot reach the Oxygen server at ${this.apiUrl}${code ? ` (${code})` : ''}.`, {
        hint: 'Check that the server is running (`oxygen serve`) and OXYGEN_API_URL (or `oxygen login --api-url`) is right.',
        cause: error,
      });
    }
    const org = response.headers['oxygen-organization'];
    if (typeof org === 'string' && org) this.organization = org;
    let body: unknown;
    try {
      body = response.body ? JSON.parse(String(response.body)) : undefined;
    } catch {
      body = undefined;
    }
    if (response.statusCode >= 400 || body === undefined) {
      throw errorFromBody(body, response.statusCode, this.apiUrl);
    }
    return { body: body as T, headers: response.headers };
  }

  private ref(ref: string): string {
    return `integrations/${encodeURIComponent(ref)}`;
  }

  /** Who the token speaks for (`GET /v1/me`). */
  async whoAmI(): Promise<{
    organization_id: string;
    organization_name: string;
    token_id: string;
    admin: boolean;
  }> {
    return (
      await this.call<{
        organization_id: string;
        organization_name: string;
        token_id: string;
        admin: boolean;
      }>('GET', 'me')
    ).body;
  }

  /** `GET /v1/integrations` */
  async list(filter: { provider?: string } = {}): Promise<Connection[]> {
    const searchParams = filter.provider ? { provider: filter.provider } : undefined;
    return (await this.call<Connection[]>('GET', 'integrations', searchParams ? { searchParams } : {})).body;
  }

  /** `GET /v1/integrations/:ref` */
  async get(ref: string): Promise<Connection> {
    return (await this.call<Connection>('GET', this.ref(ref))).body;
  }

  /** `POST /v1/integrations/connect` (the key travels in the body: use an https server URL). */
  async connect(providerId: string, options: { authMode?: AuthMode; apiKey?: string }): Promise<Connection> {
    const json: Record<string, unknown> = { provider: providerId };
    if (options.authMode) json.auth_mode = options.authMode;
    if (options.apiKey !== undefined) json.api_key = options.apiKey;
    return (await this.call<Connection>('POST', 'integrations/connect', { json })).body;
  }

  /** `GET /v1/integrations/:ref` and `.../actions`, together. */
  async actions(ref: string): Promise<{ integration: Connection; actions: ActionInfo[] }> {
    const [integration, actions] = await Promise.all([
      this.get(ref),
      this.call<ActionInfo[]>('GET', `${this.ref(ref)}/actions`),
    ]);
    return { integration, actions: actions.body };
  }

  /** `POST /v1/integrations/:ref/run`; a real run's report comes back in headers. */
  run(
    ref: string,
    slug: string,
    input: unknown,
    options: { dryRun: true; signal?: AbortSignal },
  ): Promise<DryRunReport>;
  run(
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
    const json = { action: slug, input, ...(options.dryRun ? { dry_run: true } : {}) };
    const answer = await this.call<unknown>('POST', `${this.ref(ref)}/run`, { json });
    if (options.dryRun) return answer.body as DryRunReport;
    const header = (name: string) => {
      const v = answer.headers[name];
      return typeof v === 'string' ? v : '';
    };
    const [id = ref, provider = '', authMode = 'byok'] = header('oxygen-integration').split(' ');
    return {
      output: answer.body,
      integration: { id, provider, auth_mode: authMode as AuthMode },
      action: slug,
      credits: Number(header('oxygen-credits')) || 0,
      request_ids: header('oxygen-request-ids').split(',').filter(Boolean),
      duration_ms: Number(header('oxygen-duration-ms')) || 0,
    };
  }

  /** `POST /v1/integrations/:ref/disconnect` */
  async disconnect(ref: string): Promise<Connection> {
    return (await this.disconnectReport(ref)).connection;
  }

  /** Disconnects, with what became of the revocation at the provider (from the server's headers). */
  async disconnectReport(ref: string): Promise<DisconnectReport> {
    const answer = await this.call<Connection>('POST', `${this.ref(ref)}/disconnect`);
    const status = answer.headers['oxygen-revoke'];
    const known: RevokeReport['status'][] = ['revoked', 'failed', 'not_supported', 'not_needed'];
    const revoke: RevokeReport = {
      status: known.includes(status as RevokeReport['status'])
        ? (status as RevokeReport['status'])
        : 'not_needed',
    };
    const error = headerError(answer.headers['oxygen-revoke-error'], this.apiUrl);
    if (error) revoke.error = error;
    return { connection: answer.body, revoke };
  }

  /** `POST /v1/integrations/:ref/verify` */
  async verify(ref: string): Promise<Connection> {
    return (await this.verifyReport(ref)).connection;
  }

  /** Verifies, with why it failed when it did (from the server's `oxygen-verify-error` header). */
  async verifyReport(ref: string): Promise<VerifyReport> {
    const answer = await this.call<Connection>('POST', `${this.ref(ref)}/verify`);
    return {
      connection: answer.body,
      error: headerError(answer.headers['oxygen-verify-error'], this.apiUrl) ?? null,
    };
  }

  /**
   * `POST /v1/integrations/oauth/start`: an approval URL whose redirect comes back to the
   * server's `/oauth/callback` (by default), which completes the connection there.
   */
  async startOAuth(
    providerId: string,
    options: { redirectUri?: string; client?: OAuthClient } = {},
  ): Promise<RemoteOAuthStart> {
    const json: Record<string, unknown> = { provider: providerId };
    if (options.redirectUri) json.redirect_uri = options.redirectUri;
    if (options.client)
      json.client = { client_id: options.client.clientId, client_secret: options.client.clientSecret };
    return (await this.call<RemoteOAuthStart>('POST', 'integrations/oauth/start', { json })).body;
  }

  /**
   * `GET /v1/integrations/oauth/:id`: how the flow stands; with `waitSeconds` (at most
   * {@link OAUTH_MAX_WAIT_SECONDS}) the server answers as soon as a pending flow ends.
   */
  async oauthStatus(id: string, options: { waitSeconds?: number } = {}): Promise<OAuthStatus<Connection>> {
    const wait = Math.min(OAUTH_MAX_WAIT_SECONDS, Math.max(0, Math.ceil(options.waitSeconds ?? 0)));
    return (
      await this.call<OAuthStatus<Connection>>('GET', `integrations/oauth/${encodeURIComponent(id)}`, {
        ...(wait > 0 ? { searchParams: { wait: String(wait) } } : {}),
      })
    ).body;
  }

  /** `POST /v1/integrations/oauth/:id/cancel`: an approval arriving later stores nothing. */
  async cancelOAuth(id: string): Promise<OAuthStatus<Connection>> {
    return (
      await this.call<OAuthStatus<Connection>>('POST', `integrations/oauth/${encodeURIComponent(id)}/cancel`)
    ).body;
  }

  /** `GET /v1/credits`, `POST /v1/credits/grant` (admin token), `GET /v1/credits/history`. */
  readonly credits = {
    balance: async (): Promise<CreditBalance> => (await this.call<CreditBalance>('GET', 'credits')).body,
    grant: async (amount: number, note?: string): Promise<CreditGrant> =>
      (await this.call<CreditGrant>('POST', 'credits/grant', { json: { amount, ...(note ? { note } : {}) } }))
        .body,
    history: async (limit?: number): Promise<CreditEntry[]> =>
      (
        await this.call<CreditEntry[]>(
          'GET',
          'credits/history',
          limit === undefined ? {} : { searchParams: { limit: String(limit) } },
        )
      ).body,
  };

  /**
   * `GET /v1/events`, `POST /v1/events/enable` and `/disable`, `GET /v1/events/deliveries`,
   * `POST /v1/events/deliveries/:id/replay`: the same values `runtime.org(id).events` returns.
   */
  readonly events = {
    list: async (): Promise<EventCatalogEntry[]> =>
      (await this.call<{ events: EventCatalogEntry[] }>('GET', 'events')).body.events,
    enable: async (ref: {
      source: string;
      event: string;
      connection?: string | undefined;
    }): Promise<EnableResult> =>
      (
        await this.call<EnableResult>('POST', 'events/enable', {
          json: {
            source: ref.source,
            event: ref.event,
            ...(ref.connection !== undefined ? { connection: ref.connection } : {}),
          },
        })
      ).body,
    disable: async (ref: { source: string; event: string }): Promise<DisableResult> =>
      (
        await this.call<DisableResult>('POST', 'events/disable', {
          json: { source: ref.source, event: ref.event },
        })
      ).body,
    deliveries: async (filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> =>
      (
        await this.call<{ deliveries: DeliveryRecord[] }>('GET', 'events/deliveries', {
          searchParams: defined({
            source: filter.source,
            event: filter.event,
            status: filter.status,
            since: filter.since,
            limit: filter.limit === undefined ? undefined : String(filter.limit),
          }),
        })
      ).body.deliveries,
    // The server attempts each new delivery once before answering, as the local runtime does.
    replay: async (id: string): Promise<DeliveryRecord[]> =>
      (
        await this.call<{ deliveries: DeliveryRecord[] }>(
          'POST',
          `events/deliveries/${encodeURIComponent(id)}/replay`,
        )
      ).body.deliveries,
  };

  /** `POST /v1/triggers`, `GET /v1/triggers`, `DELETE /v1/triggers/:id`. */
  readonly triggers = {
    add: async (ref: { source: string; event: string; url: string }): Promise<TriggerAddResult> =>
      (
        await this.call<TriggerAddResult>('POST', 'triggers', {
          json: { source: ref.source, event: ref.event, url: ref.url },
        })
      ).body,
    list: async (
      filter: { source?: string | undefined; event?: string | undefined } = {},
    ): Promise<TriggerInfo[]> =>
      (
        await this.call<{ triggers: TriggerInfo[] }>('GET', 'triggers', {
          searchParams: defined({ source: filter.source, event: filter.event }),
        })
      ).body.triggers,
    remove: async (id: string): Promise<TriggerInfo> =>
      (await this.call<{ trigger: TriggerInfo }>('DELETE', `triggers/${encodeURIComponent(id)}`)).body
        .trigger,
  };

  /** `GET /v1/providers`, with the plugins the server could not load (its `oxygen-plugin-failures` header). */
  async providers(): Promise<{ providers: ProviderInfo[]; failures: PluginFailure[] }> {
    const answer = await this.call<ProviderInfo[]>('GET', 'providers');
    let failures: PluginFailure[] = [];
    const header = answer.headers['oxygen-plugin-failures'];
    if (typeof header === 'string' && header) {
      try {
        const parsed: unknown = JSON.parse(decodeURIComponent(header));
        if (Array.isArray(parsed)) failures = parsed as PluginFailure[];
      } catch {}
    }
    return { providers: answer.body, failures };
  }

  /** `GET /v1/providers/:id` */
  async provider(id: string): Promise<ProviderInfo> {
    return (await this.call<ProviderInfo>('GET', `providers/${encodeURIComponent(id)}`)).body;
  }
}
