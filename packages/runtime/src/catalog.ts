/**
 * The JSON views of providers and actions that `oxygen providers list` and
 * `oxygen integrations actions` print, derived from the plugins' declarations.
 *
 * @module
 */

import {
  type ActionDefinition,
  type AuthMode,
  type EventDefinition,
  type JsonSchema,
  type ProviderDefinition,
  toJsonSchema,
} from '@oxygen/core';

/** One action as the catalog shows it. */
export interface ActionInfo {
  /** `object.verb` (`contact.upsert`), unique within the provider. */
  slug: string;
  /** Short human name. */
  title: string;
  /** What the action does. */
  description: string;
  /** The modes it may run in (`managed`, `byok`). */
  auth_modes: AuthMode[];
  /** Credits charged per call in managed mode. */
  credits: number;
  /** Whether it only reads provider state or changes it. */
  effect: 'read' | 'write';
  /** OAuth scopes it needs; empty when none. */
  scopes: string[];
  /** The label of the provider record id a write mirrors into a table cell. */
  mirror: string | null;
  /** JSON Schema of the input it accepts. */
  input_schema: JsonSchema;
  /** JSON Schema of the output it returns. */
  output_schema: JsonSchema;
}

/** One event as the catalog shows it. */
export interface EventInfo {
  /** The event type (`contact.created`). */
  type: string;
  /** Short human name. */
  title: string;
  /** When it happens. */
  description: string;
  /** The provider's own name for it, when it differs from `type`. */
  provider_type: string | null;
  /** The provider's name for it in delivered payloads, when it differs from `provider_type`. */
  payload_type: string | null;
  /** JSON Schema of the normalised event's `data`. */
  data_schema: JsonSchema;
}

/** One provider as the catalog shows it. */
export interface ProviderInfo {
  /** Provider id (`hubspot`). */
  id: string;
  /** Display name (`HubSpot`). */
  name: string;
  /** What the provider is, when the plugin says. */
  description: string | null;
  /** The plugin package's version. */
  version: string | null;
  /** The plugin contract version it was written for. */
  api_version: number;
  /** The modes it can be connected in (`managed`, `byok`). */
  auth_modes: AuthMode[];
  /** How an organization can connect it. */
  auth: {
    /** The bring-your-own-key schemes, in order of preference. */
    byok: {
      /** `api_key` or `oauth2`. */
      type: 'api_key' | 'oauth2';
      /** What the key is called, or `OAuth 2.0`. */
      label: string;
      /** The OAuth scheme's required scopes; empty for API keys. */
      scopes: string[];
    }[];
    /** True when the platform can call it with its own key. */
    managed: boolean;
  };
  /**
   * Every OAuth scope the provider may ask for: the OAuth scheme's own (required and optional)
   * and each action's, deduplicated, in first-seen order.
   */
  scopes: string[];
  /** Every action it offers. */
  actions: ActionInfo[];
  /** Every event it can deliver. */
  events: EventInfo[];
}

/** The auth modes a provider supports. */
export function providerAuthModes(provider: ProviderDefinition): AuthMode[] {
  const modes: AuthMode[] = [];
  if (provider.auth.managed) modes.push('managed');
  if (provider.auth.byok.length > 0) modes.push('byok');
  return modes;
}

/** Describes one action, JSON Schemas derived from its zod schemas. */
// biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
export function describeAction(action: ActionDefinition<any, any>): ActionInfo {
  return {
    slug: action.slug,
    title: action.title,
    description: action.description,
    auth_modes: [...action.authModes],
    credits: action.credits,
    effect: action.effect,
    scopes: action.scopes ?? [],
    mirror: action.mirror?.label ?? null,
    input_schema: toJsonSchema(action.input, 'input'),
    output_schema: toJsonSchema(action.output, 'output'),
  };
}

/** Describes one event. */
export function describeEvent(event: EventDefinition): EventInfo {
  return {
    type: event.type,
    title: event.title,
    description: event.description,
    provider_type: event.providerType ?? null,
    payload_type: event.payloadType ?? null,
    data_schema: toJsonSchema(event.data, 'output'),
  };
}

/** The union of a provider's OAuth scopes and its actions' scopes, in first-seen order. */
export function providerScopes(provider: ProviderDefinition): string[] {
  const scopes = new Set<string>();
  for (const scheme of provider.auth.byok) {
    if (scheme.type !== 'oauth2') continue;
    for (const s of [...scheme.scopes, ...(scheme.optionalScopes ?? [])]) scopes.add(s);
  }
  for (const action of provider.actions) for (const s of action.scopes ?? []) scopes.add(s);
  return [...scopes];
}

/** Describes a provider: auth, scopes, actions and events. */
export function describeProvider(provider: ProviderDefinition): ProviderInfo {
  return {
    id: provider.id,
    name: provider.name,
    description: provider.description ?? null,
    version: provider.version ?? null,
    api_version: provider.apiVersion,
    auth_modes: providerAuthModes(provider),
    auth: {
      byok: provider.auth.byok.map((s) =>
        s.type === 'api_key'
          ? { type: s.type, label: s.label, scopes: [] }
          : { type: s.type, label: 'OAuth 2.0', scopes: [...s.scopes] },
      ),
      managed: !!provider.auth.managed,
    },
    scopes: providerScopes(provider),
    actions: provider.actions.map(describeAction),
    events: (provider.events ?? []).map(describeEvent),
  };
}
