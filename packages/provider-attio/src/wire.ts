/**
 * Attio's request and response shapes, as far as this plugin uses them. Response schemas validate
 * only the fields the plugin reads and let everything else pass through, so a field Attio adds
 * never breaks a call. Request shapes are plain types: the plugin builds them.
 *
 * Source: Attio's published OpenAPI description ("Attio API" 2.0.0, https://api.attio.com/openapi/api).
 *
 * @module
 */

import { ProviderError } from '@oxygen/core';
import { z } from 'zod';
import type { AttioInputValue } from './values.js';

/** A record (`data` of the record endpoints). Ids are composite: workspace, object, record. */
export const wireRecord = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), object_id: z.string(), record_id: z.string() }),
  created_at: z.string(),
  web_url: z.string().optional(),
  values: z.record(z.string(), z.array(z.unknown())),
});
/** A record as Attio answers it. */
export type WireRecord = z.infer<typeof wireRecord>;

/** `{ data: record }`. */
export const wireRecordResponse = z.looseObject({ data: wireRecord });
/** `{ data: [record] }` (`POST /v2/objects/{object}/records/query`). */
export const wireRecordList = z.looseObject({ data: z.array(wireRecord) });

/** A list entry (`data` of the list-entry endpoints). */
export const wireEntry = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), list_id: z.string(), entry_id: z.string() }),
  parent_record_id: z.string(),
  parent_object: z.string(),
  created_at: z.string(),
  entry_values: z.record(z.string(), z.array(z.unknown())),
});
/** `{ data: entry }`. */
export const wireEntryResponse = z.looseObject({ data: wireEntry });

/** A note (`components.schemas.note`). */
export const wireNote = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), note_id: z.string() }),
  parent_object: z.string(),
  parent_record_id: z.string(),
  title: z.string(),
  content_plaintext: z.string(),
  content_markdown: z.string().optional(),
  created_at: z.string(),
});
/** `{ data: note }`. */
export const wireNoteResponse = z.looseObject({ data: wireNote });

/** A task (`components.schemas.task`). */
export const wireTask = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), task_id: z.string() }),
  content_plaintext: z.string(),
  deadline_at: z.string().nullable(),
  is_completed: z.boolean(),
  linked_records: z.array(z.looseObject({ target_object_id: z.string(), target_record_id: z.string() })),
  assignees: z.array(
    z.looseObject({ referenced_actor_type: z.string(), referenced_actor_id: z.string().nullable() }),
  ),
  created_at: z.string(),
});
/** `{ data: task }`. */
export const wireTaskResponse = z.looseObject({ data: wireTask });

/** An object (`components.schemas.object`). */
export const wireObject = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), object_id: z.string() }),
  api_slug: z.string().nullable(),
  singular_noun: z.string().nullable(),
  plural_noun: z.string().nullable(),
  created_at: z.string(),
});
/** `GET /v2/objects` answer. */
export const wireObjectList = z.looseObject({ data: z.array(wireObject) });

/** An attribute (`components.schemas.attribute`). */
export const wireAttribute = z.looseObject({
  id: z.looseObject({ workspace_id: z.string(), object_id: z.string(), attribute_id: z.string() }),
  title: z.string(),
  description: z.string().nullable().optional(),
  api_slug: z.string(),
  type: z.string(),
  is_system_attribute: z.boolean().optional(),
  is_writable: z.boolean().optional(),
  is_required: z.boolean().optional(),
  is_unique: z.boolean().optional(),
  is_multiselect: z.boolean(),
  is_archived: z.boolean().optional(),
  config: z
    .looseObject({
      record_reference: z
        .looseObject({ allowed_object_ids: z.array(z.string()).nullable().optional() })
        .nullable()
        .optional(),
    })
    .optional(),
});
/** An attribute as Attio answers it. */
export type WireAttribute = z.infer<typeof wireAttribute>;
/** `GET /v2/{objects|lists}/{identifier}/attributes` answer. */
export const wireAttributeList = z.looseObject({ data: z.array(wireAttribute) });

/** `GET /v2/self`: the token's identity; `{ active: false }` for a token Attio no longer honours. */
export const wireSelf = z.union([
  z.looseObject({
    active: z.literal(true),
    scope: z.string(),
    workspace_id: z.string(),
    workspace_name: z.string(),
    workspace_slug: z.string().optional(),
  }),
  z.looseObject({ active: z.literal(false) }),
]);

/** Attio's error body: `{ status_code, type, code, message }`, with `validation_errors` on 400s. */
export const wireError = z.looseObject({
  status_code: z.number().optional(),
  type: z.string().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
  validation_errors: z
    .array(
      z.looseObject({
        code: z.string().optional(),
        path: z.array(z.union([z.string(), z.number()])).optional(),
        message: z.string().optional(),
      }),
    )
    .optional(),
});

/** `{ data: { values } }`: the body of the record write endpoints. */
export interface WireRecordWrite {
  data: { values: Record<string, AttioInputValue[] | unknown[]> };
}

/** `POST /v2/objects/{object}/records/query` body. `limit` and `offset` go in the body. */
export interface WireRecordQuery {
  filter?: Record<string, unknown>;
  sorts?: { attribute: string; field?: string; direction: 'asc' | 'desc' }[];
  limit: number;
  offset: number;
}

/** `POST|PUT /v2/lists/{list}/entries` body. */
export interface WireEntryWrite {
  data: {
    parent_record_id: string;
    parent_object: string;
    entry_values: Record<string, AttioInputValue[] | unknown[]>;
  };
}

/** `POST /v2/notes` body. */
export interface WireNoteCreate {
  data: {
    parent_object: string;
    parent_record_id: string;
    title: string;
    format: 'plaintext' | 'markdown';
    content: string;
    created_at?: string;
  };
}

/** `POST /v2/tasks` body: every field is required by Attio. */
export interface WireTaskCreate {
  data: {
    content: string;
    format: 'plaintext';
    deadline_at: string | null;
    is_completed: boolean;
    linked_records: AttioInputValue[];
    assignees: AttioInputValue[];
  };
}

/** `POST /v2/webhooks` body: one subscription per event type, `filter: null` (every event). */
export interface WireWebhookCreate {
  data: {
    target_url: string;
    subscriptions: { event_type: string; filter: null }[];
  };
}

/** `POST /v2/webhooks` answer: the webhook, with its signing `secret` (returned only here). */
export const wireWebhookCreated = z.looseObject({
  data: z.looseObject({
    id: z.looseObject({ webhook_id: z.string() }),
    secret: z.string().min(1),
  }),
});

/**
 * Parses an Attio answer with a wire schema, throwing a {@link ProviderError} (not a crash) when
 * Attio answered something the plugin cannot use.
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProviderError(
    `Attio answered ${what} with an unexpected shape: ${issue?.message ?? 'invalid'} at "${issue?.path.join('.') ?? ''}".`,
    { hint: 'Attio may have changed this API; report it to the plugin author.' },
  );
}
