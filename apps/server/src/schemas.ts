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
import type {
  ActionInfo,
  CreditBalance,
  CreditEntry,
  CreditGrant,
  DryRunReport,
  EventInfo,
  OAuthStatus,
  ProviderInfo,
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
