/**
 * Request bodies and query strings the sandbox accepts, written from Attio's API reference
 * (docs.attio.com) and its published OpenAPI description. Objects are strict: a field Attio does
 * not document is a 400 `validation_type` naming it, as Attio's own validation does.
 *
 * Attribute values are checked per attribute type by the store, not here: Attio accepts a single
 * value or a list, and for most types a plain string or number as well as the documented object.
 *
 * @module
 */

import { z } from 'zod';

const uuid = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'Invalid uuid');
const values = z.record(z.string().min(1), z.unknown());

/** `POST /v2/objects/{object}/records`, `PUT` (assert), `PATCH|PUT .../records/{record_id}`. */
export const recordWriteBody = z.strictObject({ data: z.strictObject({ values }) });

/** `POST /v2/objects/{object}/records/query`. */
export const recordQueryBody = z.strictObject({
  filter: z.record(z.string(), z.unknown()).optional(),
  sorts: z
    .array(
      z.union([
        z.strictObject({
          direction: z.enum(['asc', 'desc']),
          attribute: z.string().min(1),
          field: z.string().min(1).optional(),
        }),
        z.strictObject({
          direction: z.enum(['asc', 'desc']),
          path: z.array(z.tuple([z.string(), z.string()])).min(1),
          field: z.string().min(1).optional(),
        }),
      ]),
    )
    .optional(),
  limit: z.number().int().min(1).optional(),
  offset: z.number().int().min(0).optional(),
});

/** `POST|PUT /v2/lists/{list}/entries`. */
export const entryWriteBody = z.strictObject({
  data: z.strictObject({
    parent_record_id: uuid,
    parent_object: z.string().min(1),
    entry_values: values,
  }),
});

/** `POST /v2/notes`. */
export const noteCreateBody = z.strictObject({
  data: z.strictObject({
    parent_object: z.string().min(1),
    parent_record_id: uuid,
    title: z.string(),
    format: z.enum(['plaintext', 'markdown']),
    content: z.string(),
    created_at: z.string().optional(),
    meeting_id: uuid.nullable().optional(),
  }),
});

/** `POST /v2/tasks`: every field is required. */
export const taskCreateBody = z.strictObject({
  data: z.strictObject({
    content: z.string().max(2000),
    format: z.literal('plaintext'),
    deadline_at: z.string().nullable(),
    is_completed: z.boolean(),
    linked_records: z.array(z.looseObject({ target_object: z.string().min(1) })),
    assignees: z.array(
      z.union([
        z.strictObject({ referenced_actor_type: z.literal('workspace-member'), referenced_actor_id: uuid }),
        z.strictObject({ workspace_member_email_address: z.string().min(1) }),
      ]),
    ),
  }),
});

const queryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');
const queryInt = z
  .string()
  .regex(/^\d+$/, 'Expected an integer')
  .transform((v) => Number(v));

/** `PUT /v2/objects/{object}/records` query string. */
export const assertQuery = z.strictObject({ matching_attribute: z.string().min(1) });

/** `GET /v2/{objects|lists}/{identifier}/attributes` query string. */
export const attributeListQuery = z.strictObject({
  limit: queryInt.optional(),
  offset: queryInt.optional(),
  show_archived: queryBoolean.optional(),
});

/** `GET /v2/notes` query string. */
export const noteListQuery = z.strictObject({
  limit: queryInt.optional(),
  offset: queryInt.optional(),
  parent_object: z.string().optional(),
  parent_record_id: uuid.optional(),
});

/** `GET /v2/tasks` query string (the subset the sandbox serves). */
export const taskListQuery = z.strictObject({
  limit: queryInt.optional(),
  offset: queryInt.optional(),
  sort: z.enum(['created_at:asc', 'created_at:desc']).optional(),
  assignee: z.string().optional(),
  is_completed: queryBoolean.optional(),
  linked_object: z.string().optional(),
  linked_record_id: uuid.optional(),
});

/** A query string that takes no parameters. */
export const noQuery = z.strictObject({});

/** Every event type a webhook subscription may name (Attio's enum). */
export const WEBHOOK_EVENT_TYPES = [
  'call-recording.created',
  'comment.created',
  'comment.resolved',
  'comment.unresolved',
  'comment.deleted',
  'list.created',
  'list.updated',
  'list.deleted',
  'list-attribute.created',
  'list-attribute.updated',
  'list-entry.created',
  'list-entry.updated',
  'list-entry.deleted',
  'object-attribute.created',
  'object-attribute.updated',
  'note.created',
  'note-content.updated',
  'note.updated',
  'note.deleted',
  'record.created',
  'record.merged',
  'record.updated',
  'record.deleted',
  'task.created',
  'task.updated',
  'task.deleted',
  'workspace-member.created',
] as const;

const webhookCondition = z.strictObject({
  field: z.string(),
  operator: z.enum(['equals', 'not_equals']),
  value: z.string(),
});
const targetUrl = z.url({ protocol: /^https$/, error: 'Expected an https URL' });
const subscriptions = z.array(
  z.strictObject({
    event_type: z.enum(WEBHOOK_EVENT_TYPES),
    filter: z.union([
      z.strictObject({ $or: z.array(webhookCondition) }),
      z.strictObject({ $and: z.array(webhookCondition) }),
      z.null(),
    ]),
  }),
);

/** `POST /v2/webhooks`: `target_url` must be https; each subscription needs `filter` (null = always). */
export const webhookCreateBody = z.strictObject({
  data: z.strictObject({ target_url: targetUrl, subscriptions }),
});

/** `PATCH /v2/webhooks/{webhook_id}`: either field, or none. */
export const webhookUpdateBody = z.strictObject({
  data: z.strictObject({ target_url: targetUrl.optional(), subscriptions: subscriptions.optional() }),
});

/** `GET /v2/webhooks` query string: `limit` between 10 and 100 (default 10), `offset`. */
export const webhookListQuery = z.strictObject({
  limit: queryInt.pipe(z.number().min(10).max(100)).optional(),
  offset: queryInt.optional(),
});
