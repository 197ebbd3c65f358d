/**
 * The API's request and response schemas, in zod. The same objects validate requests, serialize
 * responses and (through `@fastify/swagger`) become the OpenAPI document's components, so the
 * document cannot drift from what the server does.
 *
 * Response objects that mirror runtime values are "loose": a field the runtime adds later passes
 * through unchanged, so an API response stays exactly the CLI's `--json` value.
 *
 * @module
 */

import { AUTH_MODES, CONNECTION_STATUSES, type Connection } from '@oxygen/core';
import {
  type ActionInfo,
  type CreditBalance,
  type CreditEntry,
  type CreditGrant,
  DELIVERY_STATUSES,
  type DeliveryRecord,
  type DisableResult,
  type DryRunReport,
  type EnableResult,
  type EventCatalogEntry,
  type EventInfo,
  type EventSubscriptionInfo,
  type OAuthStatus,
  type ProviderInfo,
  type TriggerAddResult,
  type TriggerInfo,
} from '@oxygen/runtime';
import { z } from 'zod';

/**
 * Declares that a loose schema's output is the runtime's interface. Loose objects let fields the
 * runtime adds later pass through unchanged; their inferred type has an index signature the
 * runtime's interfaces lack, so TypeScript is told they agree. The serializer still validates
 * every response against the schema itself.
 */
function outputs<T>(schema: z.ZodType): z.ZodType<T> {
  return schema as unknown as z.ZodType<T>;
}

/** The longest `wait` a `GET /v1/integrations/oauth/:id` long poll takes, in seconds. */
export const OAUTH_MAX_WAIT_SECONDS = 25;

/** An arbitrary JSON Schema document (action inputs and outputs). */
export const JsonSchemaObject = z
  .record(z.string(), z.unknown())
  .meta({ id: 'JsonSchema', description: 'A JSON Schema (draft 2020-12) document.' });

/** A connection: exactly the product's fields, never a secret. */
export const ConnectionSchema = outputs<Connection>(
  z
    .looseObject({
      id: z.string().meta({ example: 'conn_01JDQ7Z3K4V8M2N6P0R5S9T1WX' }),
      organization_id: z.string(),
      provider: z.string().meta({ example: 'hubspot' }),
      auth_mode: z.enum(AUTH_MODES),
      status: z.enum(CONNECTION_STATUSES),
      account_label: z.string().nullable(),
      scopes: z.array(z.string()),
      connected_at: z.string(),
      last_verified_at: z.string().nullable(),
      last_error: z.string().nullable(),
      expires_at: z.string().nullable().meta({
        description:
          'When the OAuth access token stops working (ISO 8601, UTC); null when the credential does not expire or there is none.',
      }),
    })
    .meta({ id: 'Connection', description: 'A provider account connected to the organization.' }),
);

/** One action of a provider, as `oxygen integrations actions --json` prints it. */
export const ActionInfoSchema = outputs<ActionInfo>(
  z
    .looseObject({
      slug: z.string().meta({ example: 'contact.upsert' }),
      title: z.string(),
      description: z.string(),
      auth_modes: z.array(z.enum(AUTH_MODES)),
      credits: z.number(),
      effect: z.enum(['read', 'write']),
      scopes: z.array(z.string()),
      mirror: z.string().nullable(),
      input_schema: JsonSchemaObject,
      output_schema: JsonSchemaObject,
    })
    .meta({ id: 'Action' }),
);

/** One event a provider declares. */
export const EventInfoSchema = outputs<EventInfo>(
  z
    .looseObject({
      type: z.string(),
      title: z.string(),
      description: z.string(),
      provider_type: z.string().nullable(),
      payload_type: z.string().nullable(),
      data_schema: JsonSchemaObject,
    })
    .meta({ id: 'Event' }),
);

/** A provider in the catalog, as `oxygen providers show --json` prints it. */
export const ProviderInfoSchema = outputs<ProviderInfo>(
  z
    .looseObject({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      version: z.string().nullable(),
      api_version: z.number(),
      auth_modes: z.array(z.enum(AUTH_MODES)),
      auth: z.looseObject({
        byok: z.array(
          z.looseObject({
            type: z.enum(['api_key', 'oauth2']),
            label: z.string(),
            scopes: z.array(z.string()),
          }),
        ),
        managed: z.boolean(),
      }),
      scopes: z.array(z.string()),
      actions: z.array(ActionInfoSchema),
      events: z.array(EventInfoSchema),
    })
    .meta({ id: 'Provider' }),
);

/** A request a dry run would send, secrets redacted. */
export const RecordedRequestSchema = z
  .looseObject({
    method: z.string(),
    url: z.string(),
    headers: z.record(z.string(), z.string()),
    body: z.unknown().optional(),
  })
  .meta({ id: 'RecordedRequest' });

/** What a dry run reports: nothing was sent. */
export const DryRunReportSchema = outputs<DryRunReport>(
  z
    .looseObject({
      dry_run: z.literal(true),
      integration: z.looseObject({
        id: z.string(),
        provider: z.string(),
        auth_mode: z.enum(AUTH_MODES),
        account_label: z.string().nullable(),
        status: z.enum(CONNECTION_STATUSES),
      }),
      action: z.string(),
      input: z.unknown(),
      credits: z.number(),
      requests: z.array(RecordedRequestSchema),
    })
    .meta({ id: 'DryRunReport' }),
);

/** The one error shape of every route: `OxygenError.toJSON()` under `error`. */
export const ErrorSchema = z
  .object({
    error: z.looseObject({
      code: z.enum([
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
      ]),
      message: z.string(),
      hint: z.string().optional(),
      field: z.string().optional(),
      provider_message: z.string().optional(),
      request_id: z.string().optional(),
      status: z.number().optional(),
      data: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error', description: 'Every failure, with a stable `code`; never a stack, never a secret.' });

/** `ref`: a connection id, or a provider id when the organization has exactly one live connection of it. */
export const RefParams = z.object({
  ref: z.string().min(1).max(200).meta({
    description:
      'A connection id (`conn_…`), or a provider id when the organization has exactly one live connection of it.',
  }),
});

/** `GET /v1/integrations` query. */
export const ListQuery = z.object({ provider: z.string().min(1).max(100).optional() });

/** `POST /v1/integrations/connect` body. */
export const ConnectBody = z
  .object({
    provider: z.string().min(1).max(100).meta({ example: 'hubspot' }),
    auth_mode: z.enum(AUTH_MODES).optional(),
    api_key: z.string().min(1).max(10_000).optional().meta({
      description:
        'The provider API key for `byok` API-key providers. Send it over TLS only; it is verified, then stored encrypted.',
    }),
  })
  .meta({ id: 'ConnectRequest' });

/** `POST /v1/integrations/oauth/start` body. */
export const OAuthStartBody = z
  .object({
    provider: z.string().min(1).max(100).meta({ example: 'hubspot' }),
    client: z
      .object({ client_id: z.string().min(1).max(500), client_secret: z.string().min(1).max(2000) })
      .optional()
      .meta({
        description:
          "The organization's own OAuth app; default the platform's (`OXYGEN_<PROVIDER>_CLIENT_ID`/`_SECRET` on the server). The secret is sealed in the vault, never returned.",
      }),
    redirect_uri: z.url().optional().meta({
      description: 'Where the provider sends the browser back; default `<public url>/oauth/callback`.',
    }),
  })
  .meta({ id: 'OAuthStartRequest' });

/** `POST /v1/integrations/oauth/start` response. */
export const OAuthStartResponse = z
  .object({
    id: z.string().meta({
      description:
        'The flow id (`oauth_…`): wait for the outcome with `GET /v1/integrations/oauth/{id}`. Not a secret; only this organization can read it.',
      example: 'oauth_01JDQ7Z3K4V8M2N6P0R5S9T1WX',
    }),
    url: z.string().meta({
      description: 'The provider approval URL to open in a browser; it carries the single-use state.',
    }),
    expires_at: z.string().meta({ description: 'When the approval must be completed by.' }),
    redirect_uri: z.string().meta({ description: 'Where the provider sends the browser back.' }),
  })
  .meta({ id: 'OAuthStart' });

/** `GET /v1/integrations/oauth/:id` and `POST .../cancel` params. */
export const OAuthFlowParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .meta({ description: 'The flow id `POST /v1/integrations/oauth/start` answered.' }),
});

/** `GET /v1/integrations/oauth/:id` query: how long to wait while the flow is pending (a long poll). */
export const OAuthStatusQuery = z.object({
  wait: z.coerce
    .number()
    .int()
    .min(0)
    .max(OAUTH_MAX_WAIT_SECONDS)
    .optional()
    .meta({
      description: `Seconds to wait while the flow is \`pending\` (0 to ${OAUTH_MAX_WAIT_SECONDS}, default 0): the answer comes as soon as it ends, or after that long.`,
    }),
});

/** Why an OAuth flow failed: the error's public fields, as in the `Error` shape. */
export const OAuthFailureSchema = ErrorSchema.shape.error.meta({
  id: 'OAuthFailure',
  description: 'Why the flow failed, as the error the connection raised; nothing was stored.',
});

/** `GET /v1/integrations/oauth/:id` response. */
export const OAuthStatusSchema = outputs<OAuthStatus<Connection>>(
  z
    .object({
      id: z.string(),
      provider: z.string().meta({ example: 'hubspot' }),
      status: z.enum(['pending', 'connected', 'failed', 'expired']).meta({
        description:
          '`pending`: not completed yet; `connected`: see `connection`; `failed`: see `error`; `expired`: nobody completed it before `expires_at`.',
      }),
      expires_at: z.string().meta({ description: 'When the approval stops being accepted.' }),
      connection: ConnectionSchema.optional().meta({
        description: 'With `connected`: the connection, as it is now.',
      }),
      error: OAuthFailureSchema.optional(),
    })
    .meta({
      id: 'OAuthStatus',
      description: 'How an OAuth connection started with `/v1/integrations/oauth/start` stands.',
    }),
);

/** `GET /oauth/callback` query, as the provider sends it. */
export const OAuthCallbackQuery = z.looseObject({
  state: z.string().max(2000).optional(),
  code: z.string().max(4000).optional(),
  error: z.string().max(500).optional(),
  error_description: z.string().max(2000).optional(),
});

/** `POST /v1/integrations/:ref/run` body. */
export const RunBody = z
  .object({
    action: z.string().min(1).max(200).meta({ example: 'contact.upsert' }),
    input: z
      .unknown()
      .optional()
      .meta({ description: 'The action input; validated against its input schema.' }),
    dry_run: z
      .boolean()
      .optional()
      .meta({ description: 'Send nothing: answer with the validated input and the exact requests.' }),
  })
  .meta({ id: 'RunRequest' });

/** `POST /v1/integrations/:ref/run` response: the action's output, or a dry-run report. */
export const RunResponse = z.unknown().meta({
  description:
    "The action's output (real run), or a `DryRunReport` (dry run). A real run also sends `oxygen-credits`, `oxygen-duration-ms`, `oxygen-request-ids` and `oxygen-integration` headers.",
});

/** `GET /v1/credits` response. */
export const CreditBalanceSchema = outputs<CreditBalance>(
  z.looseObject({ organization_id: z.string(), balance: z.number() }).meta({ id: 'CreditBalance' }),
);

/** A credits ledger entry. */
export const CreditEntrySchema = outputs<CreditEntry>(
  z
    .looseObject({
      id: z.string(),
      organization_id: z.string(),
      delta: z.number(),
      kind: z.string(),
      connection_id: z.string().nullable(),
      action: z.string().nullable(),
      note: z.string().nullable(),
      refund_of: z.string().nullable(),
      created_at: z.string(),
    })
    .meta({ id: 'CreditEntry' }),
);

/** `POST /v1/credits/grant` body. */
export const GrantBody = z
  .object({
    amount: z.number().int().positive().meta({ example: 100 }),
    note: z.string().max(500).optional(),
  })
  .meta({ id: 'GrantRequest' });

/** `POST /v1/credits/grant` response. */
export const CreditGrantSchema = outputs<CreditGrant>(
  z
    .looseObject({ organization_id: z.string(), balance: z.number(), entry: CreditEntrySchema })
    .meta({ id: 'CreditGrant' }),
);

/** `GET /v1/credits/history` query. */
export const HistoryQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).optional() });

/** `POST /v1/connect-links` body. */
export const ConnectLinkBody = z
  .object({ provider: z.string().min(1).max(100).meta({ example: 'hubspot' }) })
  .meta({ id: 'ConnectLinkRequest' });

/** `POST /v1/connect-links` response: the link, shown once. */
export const ConnectLinkSchema = z
  .object({
    id: z.string(),
    url: z
      .string()
      .meta({ description: 'Open it in a browser to type the key; works once, until `expires_at`.' }),
    provider: z.string(),
    organization_id: z.string(),
    expires_at: z.string(),
  })
  .meta({ id: 'ConnectLink' });

/** `GET /v1/me` response: who the token speaks for. */
export const IdentitySchema = z
  .object({
    organization_id: z.string(),
    organization_name: z.string(),
    token_id: z.string(),
    admin: z.boolean(),
  })
  .meta({ id: 'Identity' });

/** `GET /v1/providers/:id` params. */
export const ProviderParams = z.object({ id: z.string().min(1).max(100) });

/** A provider id that declares events, as `--source` takes it. */
const SourceField = z
  .string()
  .min(1)
  .max(100)
  .meta({ description: 'The provider id.', example: 'instantly' });
/** An event name as the product spells it. */
const EventField = z
  .string()
  .min(1)
  .max(200)
  .meta({ description: 'The event name.', example: 'email.reply_received' });

/** One event of the catalog, as `oxygen integrations events list --json` prints it. */
export const EventCatalogEntrySchema = outputs<EventCatalogEntry>(
  z
    .looseObject({
      source: z.string().meta({ example: 'instantly' }),
      event: z.string().meta({ example: 'email.reply_received' }),
      title: z.string(),
      description: z.string(),
      schema: JsonSchemaObject,
      signing: z.enum(['hubspot-v3', 'hmac-sha256-body', 'shared-secret-header']).nullable().meta({
        description: 'How the provider signs deliveries; null when the plugin cannot receive them.',
      }),
      enabled: z.boolean(),
      connection_id: z.string().nullable(),
      subscription_id: z.string().nullable(),
      url: z
        .string()
        .nullable()
        .meta({ description: 'The ingress URL the provider delivers to, when enabled.' }),
      setup: z.array(z.string()).nullable().meta({
        description: "Steps to take in the provider's settings, when it has no API for webhooks.",
      }),
    })
    .meta({ id: 'EventCatalogEntry' }),
);

/** `GET /v1/events` response. */
export const EventCatalogResponse = z
  .object({ events: z.array(EventCatalogEntrySchema) })
  .meta({ id: 'EventCatalog' });

/** An enabled event (never its signing secret). */
export const EventSubscriptionSchema = outputs<EventSubscriptionInfo>(
  z
    .looseObject({
      id: z.string().meta({ example: 'sub_01JDQ7Z3K4V8M2N6P0R5S9T1WX' }),
      organization_id: z.string(),
      source: z.string(),
      event: z.string(),
      connection_id: z.string(),
      provider_subscription_id: z.string().nullable(),
      url: z.string(),
      registration: z.enum(['registered', 'manual']),
      setup: z.array(z.string()).nullable(),
      created_at: z.string(),
    })
    .meta({ id: 'EventSubscription' }),
);

/** `POST /v1/events/enable` response. */
export const EnableResultSchema = outputs<EnableResult>(
  z
    .looseObject({
      subscription: EventSubscriptionSchema,
      created: z.boolean().meta({ description: 'False when it was already enabled (nothing changed).' }),
    })
    .meta({ id: 'EnableResult' }),
);

/** `POST /v1/events/disable` response. */
export const DisableResultSchema = outputs<DisableResult>(
  z
    .looseObject({
      source: z.string(),
      event: z.string(),
      subscription: EventSubscriptionSchema.nullable().meta({
        description: 'The subscription removed; null when the event was not enabled.',
      }),
      removed_at_provider: z.boolean(),
      warnings: z.array(z.string()),
    })
    .meta({ id: 'DisableResult' }),
);

/** `POST /v1/events/enable` body. */
export const EnableBody = z
  .object({
    source: SourceField,
    event: EventField,
    connection: z.string().min(1).max(200).optional().meta({
      description:
        "The connection whose account delivers the event (id, or provider id when there is one); default the organization's only one.",
    }),
  })
  .meta({ id: 'EnableRequest' });

/** `POST /v1/events/disable` body. */
export const DisableBody = z
  .object({ source: SourceField, event: EventField })
  .meta({ id: 'DisableRequest' });

/** One row of the deliveries log. */
export const DeliveryRecordSchema = outputs<DeliveryRecord>(
  z
    .looseObject({
      id: z.string().meta({ example: 'dlv_01JDQ7Z3K4V8M2N6P0R5S9T1WX' }),
      event_id: z.string().nullable(),
      source: z.string(),
      event: z.string().nullable(),
      provider_event_id: z.string().nullable(),
      status: z.enum(DELIVERY_STATUSES as [DeliveryRecord['status'], ...DeliveryRecord['status'][]]),
      reason: z.string().nullable().meta({
        description:
          'Why it was ignored, rejected, a duplicate or failed (`not_enabled`, `no_trigger`, `bad_signature`, `stale_timestamp`, `max_attempts`, ...).',
      }),
      detail: z.string().nullable(),
      trigger_id: z.string().nullable(),
      url: z.string().nullable(),
      attempts: z.number(),
      max_attempts: z.number(),
      status_code: z.number().nullable(),
      duration_ms: z.number().nullable(),
      last_error: z.string().nullable(),
      next_attempt_at: z.string().nullable(),
      replay_of: z.string().nullable(),
      created_at: z.string(),
      updated_at: z.string(),
      delivered_at: z.string().nullable(),
    })
    .meta({ id: 'Delivery' }),
);

/** `GET /v1/events/deliveries` and `POST .../replay` response. */
export const DeliveriesResponse = z
  .object({ deliveries: z.array(DeliveryRecordSchema) })
  .meta({ id: 'Deliveries' });

/** `GET /v1/events/deliveries` query. */
export const DeliveriesQuery = z.object({
  source: z.string().min(1).max(100).optional(),
  event: z.string().min(1).max(200).optional(),
  status: z.enum(DELIVERY_STATUSES as [DeliveryRecord['status'], ...DeliveryRecord['status'][]]).optional(),
  since: z.string().min(1).max(100).optional().meta({
    description: 'An ISO 8601 time, or a duration back from now (`30m`, `2h`, `7d`).',
  }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .meta({ description: 'Newest first, at most this many (default 50).' }),
});

/** `:id` of a delivery or a trigger. */
export const IdParams = z.object({ id: z.string().min(1).max(200) });

/** A workflow trigger (never its secret). */
export const TriggerInfoSchema = outputs<TriggerInfo>(
  z
    .looseObject({
      id: z.string().meta({ example: 'trg_01JDQ7Z3K4V8M2N6P0R5S9T1WX' }),
      organization_id: z.string(),
      source: z.string(),
      event: z.string(),
      url: z.string(),
      created_at: z.string(),
    })
    .meta({ id: 'Trigger' }),
);

/** `POST /v1/triggers` body. */
export const TriggerBody = z
  .object({
    source: SourceField,
    event: EventField,
    url: z.string().min(1).max(2000).meta({
      description: 'Where matching events are POSTed, signed with the Standard Webhooks scheme.',
      example: 'https://example.com/hooks/replies',
    }),
  })
  .meta({ id: 'TriggerRequest' });

/** `POST /v1/triggers` response: the trigger and, when created, its secret (shown once). */
export const TriggerAddResultSchema = outputs<TriggerAddResult>(
  z
    .looseObject({
      trigger: TriggerInfoSchema,
      created: z.boolean(),
      secret: z.string().nullable().meta({
        description:
          'The `whsec_…` secret to verify deliveries with (the `standardwebhooks` package); only when the trigger was created, never again.',
      }),
    })
    .meta({ id: 'TriggerAddResult' }),
);

/** `GET /v1/triggers` query. */
export const TriggersQuery = z.object({
  source: z.string().min(1).max(100).optional(),
  event: z.string().min(1).max(200).optional(),
});
