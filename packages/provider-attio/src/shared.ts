/**
 * Schemas and helpers shared by this provider's actions.
 *
 * @module
 */

import { type ActionContext, ValidationError } from '@oxygen/core';
import { z } from 'zod';
import {
  type AttributeMap,
  type AttributeType,
  buildValues,
  flattenValues,
  type PlainValue,
  STANDARD_ATTRIBUTES,
} from './values.js';
import { parseWire, type WireAttribute, type WireRecord, wireAttributeList } from './wire.js';

/** An object slug (`people`, `companies`, `deals`, a custom one) or its UUID. */
export const objectIdentifier = z
  .string()
  .trim()
  .min(1)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an object slug (people, companies, ...) or an object id')
  .describe('Object api_slug (people, companies, deals, or a custom object) or its UUID.');

/** A list slug or UUID. */
export const listIdentifier = z
  .string()
  .trim()
  .min(1)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a list slug or a list id')
  .describe('List api_slug or UUID.');

/** A record, entry, note or task id: Attio ids are UUIDs. */
export const uuid = z
  .string()
  .trim()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    'must be an Attio id (a UUID)',
  );

/** A record as actions return it: plain values, the raw record kept under `raw`. */
export const recordOutput = z.object({
  id: z.string().describe('The record id (record_id).'),
  object: z.string().describe('The object the record belongs to, as the input named it.'),
  values: z
    .record(z.string(), z.unknown())
    .describe('Attribute values as plain values (the same shapes inputs take); null when empty.'),
  web_url: z.string().optional().describe('Link to the record in the Attio app.'),
  created_at: z.string().describe('When the record was created (ISO 8601).'),
  notes: z
    .array(z.string())
    .optional()
    .describe("Attributes whose type this plugin does not flatten; their values stay in Attio's shape."),
  raw: z.record(z.string(), z.unknown()).describe('The record exactly as Attio returned it.'),
});
/** A record as actions return it. */
export type RecordOutput = z.infer<typeof recordOutput>;

/** Turns Attio's record into the action output. */
export function toRecordOutput(record: WireRecord, object: string, attributes: AttributeMap): RecordOutput {
  const flat = flattenValues(record.values, attributes);
  return {
    id: record.id.record_id,
    object,
    values: flat.values,
    ...(record.web_url !== undefined ? { web_url: record.web_url } : {}),
    created_at: record.created_at,
    ...(flat.notes.length > 0 ? { notes: flat.notes } : {}),
    raw: record as Record<string, unknown>,
  };
}

/** Input field: the page to read (the previous answer's `next_cursor`). */
export const cursorInput = z
  .string()
  .min(1)
  .optional()
  .describe('The next_cursor of the previous page; omit for the first page.');

/** Output field: the cursor of the next page, null on the last one. */
export const nextCursorOutput = z
  .string()
  .nullable()
  .describe('Pass as cursor to read the next page; null on the last page.');

/**
 * Encodes an Attio offset as an opaque cursor.
 *
 * @example
 * ```ts
 * decodeCursor(encodeCursor(50)) // 50
 * ```
 */
export function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64url');
}

/** Reads a cursor made by {@link encodeCursor}; `undefined` is the first page (offset 0). */
export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) {
      return parsed.offset;
    }
  } catch {
    // fall through
  }
  throw new ValidationError('Invalid cursor: it is not a next_cursor this action returned.', {
    field: 'cursor',
    hint: 'Pass the next_cursor of the previous page unchanged, or omit cursor for the first page.',
  });
}

/** The cursor of the page after one that started at `offset` and returned `count` of `limit`. */
export function nextCursor(offset: number, count: number, limit: number): string | null {
  return count >= limit ? encodeCursor(offset + count) : null;
}

/** What an attribute lookup learned: for building values and for flattening answers. */
export interface ResolvedAttributes {
  /** Every slug the values use, with its type. */
  write: AttributeMap;
  /** Attributes whose multi-value setting is known (standard or looked up), for flattening. */
  read: AttributeMap;
}

/** Converts Attio's attribute definitions to {@link AttributeMap} entries, by slug and by id. */
export function attributeMapOf(attributes: WireAttribute[]): AttributeMap {
  const map: AttributeMap = {};
  for (const a of attributes) {
    const allowed = a.config?.record_reference?.allowed_object_ids ?? [];
    const info = {
      type: a.type,
      multiselect: a.is_multiselect,
      target: allowed.length === 1 ? allowed[0] : undefined,
    };
    map[a.api_slug] = info;
    map[a.id.attribute_id] = info;
  }
  return map;
}

/**
 * Finds the type of every attribute `slugs` names: standard attributes of `people` and
 * `companies` from the plugin's table, `declared` ones from the caller, and the rest with one
 * `GET /v2/{target}/{identifier}/attributes` (sent only when something is still unknown).
 */
export async function resolveAttributes(
  ctx: ActionContext,
  target: 'objects' | 'lists',
  identifier: string,
  slugs: string[],
  declared: Record<string, AttributeType> | undefined,
): Promise<ResolvedAttributes> {
  const read: AttributeMap = target === 'objects' ? { ...STANDARD_ATTRIBUTES[identifier] } : {};
  const write: AttributeMap = { ...read };
  for (const [slug, type] of Object.entries(declared ?? {})) {
    write[slug] = { type, multiselect: true };
  }
  if (slugs.some((slug) => !write[slug])) {
    const body = await ctx.http.get(`v2/${target}/${encodeURIComponent(identifier)}/attributes`).json();
    const looked = attributeMapOf(parseWire(wireAttributeList, body, 'the attribute list').data);
    for (const [slug, info] of Object.entries(looked)) {
      read[slug] = info;
      write[slug] ??= info;
    }
  }
  return { write, read };
}

/**
 * Builds the `values` (or `entry_values`) of a write: plain values through {@link buildValues},
 * raw values as given.
 *
 * @throws ValidationError when a slug is in both, or a plain value does not fit its attribute.
 */
export function writeValues(
  plain: Record<string, PlainValue> | undefined,
  raw: Record<string, unknown[]> | undefined,
  attributes: AttributeMap,
  field: string,
  rawField: string,
): Record<string, unknown[]> {
  const both = Object.keys(raw ?? {}).find((slug) => plain && slug in plain);
  if (both) {
    throw new ValidationError(`Invalid input: "${both}" is in both ${field} and ${rawField}; give it once.`, {
      field: `${rawField}.${both}`,
    });
  }
  return { ...buildValues(plain ?? {}, attributes, field), ...(raw ?? {}) };
}

/** Who made a change, in Attio's webhook events: a workspace member, an API token, an app, or `system` (id null). */
export const webhookActor = z
  .looseObject({
    type: z.string().nullable().describe('workspace-member, api-token, app or system.'),
    id: z.string().nullable(),
  })
  .describe('Who made the change.');
