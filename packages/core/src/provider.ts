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
  id: string;
  organization_id: string;
  provider: string;
  auth_mode: AuthMode;
  account_label: string | null;
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
  title: string;
  description: string;
  input: Input;
  output: Output;
  /** Modes this action may run in. */
  authModes: AuthMode[];
  /** Credits charged per call in managed mode. */
  credits: number;
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
  title: string;
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
  message?: string | undefined;
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

/** A provider plugin. Build it with {@link defineProvider}. */
export interface ProviderDefinition {
  /** The plugin contract version this plugin was written for. */
  apiVersion: number;
  /** Lowercase id (`hubspot`), used in commands and env names. */
  id: string;
  /** Display name (`HubSpot`). */
  name: string;
  description?: string | undefined;
  /** Provider API base URL; overridable by `OXYGEN_PROVIDER_<ID>_BASE_URL`. */
  baseUrl: string;
  auth: ProviderAuth;
  /** One cheap call proving the credential works; returns the account label. */
  verify: (ctx: ActionContext) => Promise<VerifyResult>;
  rateLimits?: RateLimit[] | undefined;
  /** Reads the provider's error body (any shape; fields optional). */
  parseError?:
    | ((body: unknown, status: number, headers: Record<string, string>) => ParsedProviderError)
    | undefined;
  /** Header carrying the provider's request id on every answer (`x-hubspot-correlation-id`). */
  requestIdHeader?: string | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
  actions: ActionDefinition<any, any>[];
  // biome-ignore lint/suspicious/noExplicitAny: events have heterogeneous schemas
  events?: EventDefinition<any>[] | undefined;
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
