/**
 * The plugin contract: what a provider declares and the context its code runs in.
 *
 * @module
 */

import type { Got } from 'got';
import type { z } from 'zod';
import type { ProviderAuth } from './auth.js';
import type { AuthMode } from './connection.js';

/**
 * The plugin contract version this copy of core defines. A plugin states the version it was
 * written for as a literal (`apiVersion: 1`); the runtime refuses versions it does not support.
 */
export const CONTRACT_VERSION = 1 as const;

/** Whether an action only reads provider state or changes it. */
export type ActionEffect = 'read' | 'write';

/** What the plugin's code may see of the connection it runs for. Never the credential. */
export interface ConnectionInfo {
  /** The connection's id (`conn_...`). */
  id: string;
  /** The organization that owns it. */
  organization_id: string;
  /** Provider id (`hubspot`). */
  provider: string;
  /** `managed` or `byok`. */
  auth_mode: AuthMode;
  /** Provider-side identifier: workspace name, portal, email. */
  account_label: string | null;
  /** Granted OAuth scopes; empty when not applicable. */
  scopes: string[];
}

/**
 * The context an action's `run` (and a provider's `verify`) receives.
 */
export interface ActionContext {
  /**
   * A got instance bound to this call: the provider's base URL as prefix (use relative paths
   * such as `'crm/v3/objects/contacts'`), the credential's auth header, rate limiting, retries
   * honouring `Retry-After`, timeouts, redaction and provider error mapping. Non-2xx answers
   * reject with core's typed errors. In a dry run it records requests and sends nothing.
   */
  http: Got;
  /** The connection the call runs for. */
  connection: ConnectionInfo;
  /** True in a dry run: `http` records instead of sending. */
  dryRun: boolean;
  /** Aborted when the caller gives up. */
  signal?: AbortSignal | undefined;
}

/** How a write's result is mirrored into a table cell. */
export interface MirrorSpec<Output> {
  /** The provider record id in the action's output. */
  recordId: (output: Output) => string | null | undefined;
  /** What the id is called (`hubspot_contact_id`). */
  label: string;
}

/**
 * An action: one thing a provider can do, with typed input and output.
 * Build it with {@link defineAction}.
 */
export interface ActionDefinition<Input extends z.ZodType = z.ZodType, Output extends z.ZodType = z.ZodType> {
  /** `object.verb`, e.g. `contact.upsert`. Unique within the provider. */
  slug: string;
  /** Short human name (`Get a contact`). */
  title: string;
  /** One or two sentences on what it does, shown in the catalog and to agents. */
  description: string;
  /** Schema of the input; the input is validated against it before `run`. */
  input: Input;
  /** Schema of the output; `run`'s result is validated against it. */
  output: Output;
  /** Modes this action may run in. */
  authModes: AuthMode[];
  /** Credits charged per call in managed mode. */
  credits: number;
  /** Whether it only reads provider state or changes it. */
  effect: ActionEffect;
  /**
   * True when sending the same request twice has the effect of sending it once (an upsert
   * by key), so a 5xx may be retried. Reads are always idempotent.
   */
  idempotent?: boolean | undefined;
  /** OAuth scopes the action needs. */
  scopes?: string[] | undefined;
  /** Where a write's result is mirrored. */
  mirror?: MirrorSpec<z.output<Output>> | undefined;
  /** Does the work: called with the validated input and a context bound to the connection. */
  run: (input: z.output<Input>, ctx: ActionContext) => Promise<z.input<Output>>;
}

/**
 * Declares an action. The input is validated before `run` is called and the output after.
 *
 * @example
 * ```ts
 * export const contactGet = defineAction({
 *   slug: 'contact.get', title: 'Get a contact', description: 'Reads one contact by id or email.',
 *   input: z.object({ id: z.string() }), output: z.object({ id: z.string() }),
 *   authModes: ['byok'], credits: 0, effect: 'read',
 *   run: async (input, ctx) => ctx.http.get(`crm/v3/objects/contacts/${input.id}`).json(),
 * });
 * ```
 */
export function defineAction<Input extends z.ZodType, Output extends z.ZodType>(
  action: ActionDefinition<Input, Output>,
): ActionDefinition<Input, Output> {
  return action;
}

/**
 * An event a provider can tell us about. Build it with {@link defineEvent}.
 */
export interface EventDefinition<Data extends z.ZodType = z.ZodType> {
  /** `object.past_tense` or the product doc's spelling (`email.reply_received`). */
  type: string;
  /** Short human name (`Contact created`). */
  title: string;
  /** One sentence on when it happens, shown in the catalog and to agents. */
  description: string;
  /** The normalised event's `data`. */
  data: Data;
  /** The provider's own name for it (`contact.creation`), when it differs. */
  providerType?: string | undefined;
  /**
   * The provider's name for the event in delivered payloads, when it differs from the name a
   * subscription is registered with (`providerType`). Instantly subscribes with
   * `email_link_clicked` but delivers `event_type: "link_clicked"`. Ingress matches deliveries on
   * `payloadType ?? providerType ?? type`.
   */
  payloadType?: string | undefined;
}

/**
 * Declares an event.
 *
 * @example
 * ```ts
 * export const contactCreated = defineEvent({
 *   type: 'contact.created', providerType: 'contact.creation',
 *   title: 'Contact created', description: 'A contact was created in HubSpot.',
 *   data: z.object({ object_id: z.string() }),
 * });
 * ```
 */
export function defineEvent<Data extends z.ZodType>(event: EventDefinition<Data>): EventDefinition<Data> {
  return event;
}

/** A provider rate limit the runtime enforces per connection before sending. */
export interface RateLimit {
  /** Requests allowed per interval. */
  limit: number;
  /** Length of the interval, in milliseconds. */
  intervalMs: number;
  /** Applies only to requests whose path (after the base URL) matches. Default: all. */
  match?: RegExp | undefined;
  /**
   * Applies only to requests with one of these HTTP methods (upper or lower case, e.g.
   * `['POST', 'PUT', 'PATCH', 'DELETE']` for a write budget). Combined with `match`, a request
   * must satisfy both. Default (absent or empty): every method.
   */
  methods?: string[] | undefined;
  /** Why this limit exists, for docs. */
  description?: string | undefined;
}

/** What a provider's error body says, as its parser understood it. */
export interface ParsedProviderError {
  /** The provider's error message. */
  message?: string | undefined;
  /** The provider's request or correlation id, when the body carries it. */
  requestId?: string | undefined;
  /** The provider's own category or code (`VALIDATION_ERROR`). */
  providerCode?: string | undefined;
  /** Which input field the provider blamed. */
  field?: string | undefined;
}

/** What `verify` learns about the account. */
export interface VerifyResult {
  /** Provider-side identifier: workspace name, portal id, email. */
  accountLabel: string;
  /** Granted scopes, when the provider says. */
  scopes?: string[] | undefined;
}

/**
 * One webhook delivery as the ingress received it, before anything is parsed. Verification needs
 * the exact bytes and the URL the provider signed, so nothing here is normalised.
 */
export interface WebhookRequest {
  /** The HTTP method, as received (`POST`). */
  method: string;
  /**
   * The full URL as received, scheme and host included (`https://hooks.example.com/webhooks/hubspot?x=1`);
   * behind a proxy, rebuild it from the public host the provider was given.
   */
  url: string;
  /** The request headers; look-ups are by lower-case name. */
  headers: Record<string, string | undefined>;
  /** The body, byte for byte. */
  rawBody: Buffer;
}

/** Why a delivery was refused. */
export type WebhookRejection = 'missing_signature' | 'bad_signature' | 'stale_timestamp' | 'malformed';

/**
 * The outcome of {@link WebhookSupport.verify}: accepted, or refused with a reason and a one-line
 * detail that never contains the secret or the expected signature.
 */
export type WebhookVerification =
  | {
      /** The delivery is authentic. */
      ok: true;
    }
  | {
      /** The delivery was refused. */
      ok: false;
      /** Why it was refused. */
      reason: WebhookRejection;
      /** One line saying what was wrong, without the secret or the expected signature. */
      detail: string;
    };

/** Options of {@link WebhookSupport.verify}. */
export interface WebhookVerifyOptions {
  /** The current time in epoch milliseconds (default `Date.now()`); for tests. */
  now?: number | undefined;
  /** How old a signed timestamp may be; default the provider's documented window. */
  toleranceMs?: number | undefined;
}

/**
 * One event out of a delivery, in the provider's terms. A delivery may carry several (HubSpot
 * batches up to 100).
 */
export interface ParsedWebhookEvent {
  /** The provider's id for the event, stable across retries: the key that de-duplicates them. */
  providerEventId: string;
  /**
   * The provider's name for the event as delivered (HubSpot `contact.creation`, Instantly
   * `link_clicked`), matched against an event's `payloadType ?? providerType ?? type`.
   */
  providerType: string;
  /** When it happened on the provider's side, ISO 8601. */
  occurredAt: string;
  /** The event's data, in the shape of the matching event's `data` schema. */
  data: Record<string, unknown>;
}

/**
 * How a provider signs its webhooks (for docs and `events list`):
 * - `hubspot-v3`: base64 HMAC-SHA256 of method + URI + body + timestamp, keyed with the app's
 *   client secret, 5-minute timestamp window (v2/v1 plain SHA-256 hashes for older apps);
 * - `hmac-sha256-body`: hex HMAC-SHA256 of the raw body keyed with the subscription's secret, no
 *   timestamp (Attio);
 * - `shared-secret-header`: nothing is signed; a random secret registered with the subscription
 *   is echoed in a header on every delivery (Instantly).
 */
export type WebhookSigning = 'hubspot-v3' | 'hmac-sha256-body' | 'shared-secret-header';

/**
 * A provider's webhook verification and parsing, exactly as the provider documents them. Pure
 * functions over the received request: no network, no storage.
 */
export interface WebhookSupport {
  /** The signing scheme, see {@link WebhookSigning}. */
  signing: WebhookSigning;
  /**
   * Where the secret comes from: the OAuth app's `client_secret` (HubSpot), or the subscription
   * (returned by the provider when it is created, as Attio does, or generated by us and
   * registered with it, as for Instantly).
   */
  secretSource: 'client_secret' | 'subscription';
  /** One sentence on the scheme, for docs. */
  description: string;
  /**
   * Checks a delivery's authenticity with `secret`. Comparisons are constant-time. Never throws:
   * a malformed request is `{ ok: false, reason: 'malformed' }`.
   */
  verify(request: WebhookRequest, secret: string, options?: WebhookVerifyOptions): WebhookVerification;
  /**
   * Splits a verified delivery into events. Throws a `ValidationError` when the body is not what
   * the provider documents (not JSON, missing ids).
   */
  parse(request: WebhookRequest): ParsedWebhookEvent[];
  /**
   * Registers and removes subscriptions through the provider's API (Instantly, Attio). Absent
   * when the provider only allows webhooks in its app settings; {@link WebhookSupport.setup}
   * then says what to configure by hand.
   */
  subscriptions?: WebhookSubscriptions | undefined;
  /**
   * What a person must configure in the provider's settings for deliveries to reach `url`, one
   * step per line (HubSpot: the app's target URL and its event subscriptions). Shown by
   * `oxygen integrations events enable` when there is no {@link WebhookSupport.subscriptions}.
   */
  setup?: ((input: WebhookSetupInput) => string[]) | undefined;
}

/** What {@link WebhookSubscriptions.create} registers. */
export interface WebhookSubscriptionInput {
  /** The ingress URL deliveries must go to (one per subscription). */
  url: string;
  /** The provider's names of the events to subscribe to (each event's `providerType ?? type`). */
  providerTypes: string[];
  /**
   * A random secret (32 bytes, base64url) for providers that sign nothing but echo what is
   * registered (Instantly's custom `headers`). Providers that issue their own ignore it.
   */
  secret: string;
}

/** A subscription the provider created. */
export interface CreatedWebhookSubscription {
  /** The provider's id for it, which {@link WebhookSubscriptions.delete} takes. */
  id: string;
  /** The signing secret when the provider issues one (Attio); absent means the input's `secret`. */
  secret?: string | undefined;
}

/**
 * A provider's webhook subscription API. Both calls run with the connection's credential through
 * `ctx.http`, like actions, so they are rate limited, retried and error-mapped the same way.
 */
export interface WebhookSubscriptions {
  /** Creates a subscription delivering `providerTypes` to `url`. */
  create(ctx: ActionContext, input: WebhookSubscriptionInput): Promise<CreatedWebhookSubscription>;
  /** Deletes it; resolves (does not throw) when the provider says it is already gone (404). */
  delete(ctx: ActionContext, id: string): Promise<void>;
}

/** What {@link WebhookSupport.setup} describes. */
export interface WebhookSetupInput {
  /** The ingress URL the provider must deliver to. */
  url: string;
  /** The provider's names of the events to subscribe to. */
  providerTypes: string[];
}

/** A provider plugin. Build it with {@link defineProvider}. */
export interface ProviderDefinition {
  /** The plugin contract version this plugin was written for. */
  apiVersion: number;
  /** Lowercase id (`hubspot`), used in commands and env names. */
  id: string;
  /** Display name (`HubSpot`). */
  name: string;
  /** One sentence on what the provider is, shown in `oxygen providers list`. */
  description?: string | undefined;
  /** Provider API base URL; overridable by `OXYGEN_PROVIDER_<ID>_BASE_URL`. */
  baseUrl: string;
  /** The auth schemes an organization can connect with, and managed mode when offered. */
  auth: ProviderAuth;
  /** One cheap call proving the credential works; returns the account label. */
  verify: (ctx: ActionContext) => Promise<VerifyResult>;
  /** Limits the runtime enforces per connection before sending. */
  rateLimits?: RateLimit[] | undefined;
  /** Reads the provider's error body (any shape; fields optional). */
  parseError?:
    | ((body: unknown, status: number, headers: Record<string, string>) => ParsedProviderError)
    | undefined;
  /** Header carrying the provider's request id on every answer (`x-hubspot-correlation-id`). */
  requestIdHeader?: string | undefined;
  /** Every action the provider offers; slugs are unique. */
  // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
  actions: ActionDefinition<any, any>[];
  /** Every event the provider can deliver. */
  // biome-ignore lint/suspicious/noExplicitAny: events have heterogeneous schemas
  events?: EventDefinition<any>[] | undefined;
  /** How the provider's webhook deliveries are verified and parsed; absent when it has none we can use. */
  webhooks?: WebhookSupport | undefined;
  /** Agent skill text (Agent Skills format), usually the package's SKILL.md. */
  skill?: string | undefined;
  /** The plugin package's version, filled in by the loader when missing. */
  version?: string | undefined;
}

/**
 * Declares a provider plugin. A plugin package's default export is this value.
 *
 * @example
 * ```ts
 * export default defineProvider({
 *   apiVersion: 1, id: 'acme', name: 'Acme', baseUrl: 'https://api.acme.test',
 *   auth: { byok: [apiKey({ label: 'Acme API key' })] },
 *   verify: async (ctx) => ({ accountLabel: (await ctx.http.get('me').json<{ name: string }>()).name }),
 *   actions: [contactGet],
 * });
 * ```
 */
export function defineProvider<const P extends ProviderDefinition>(provider: P): P {
  return provider;
}
