import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import {
  cursorInput,
  decodeCursor,
  listIdentifier,
  nextCursor,
  nextCursorOutput,
  objectIdentifier,
} from '../shared.js';
import { parseWire, wireAttributeList } from '../wire.js';

/**
 * Lists the attributes of an object or a list (`GET /v2/{objects|lists}/{identifier}/attributes`)
 * with their slug, type and whether they are unique or multi-value: what a column maps to.
 *
 * @example
 * ```sh
 * oxygen integrations run attio attribute.list --input '{"object":"people"}' --json
 * ```
 */
export const attributeList = defineAction({
  slug: 'attribute.list',
  title: 'List attributes',
  description:
    'Lists the attributes of an Attio object or list: api_slug, type, unique, multi-value, required, writable. Use it to map table columns to attribute slugs.',
  input: z
    .strictObject({
      object: objectIdentifier.optional(),
      list: listIdentifier.optional(),
      show_archived: z.boolean().optional().describe('Include archived attributes.'),
      limit: z.number().int().min(1).max(1000).default(100).describe('Attributes per page.'),
      cursor: cursorInput,
    })
    .refine((i) => (i.object === undefined) !== (i.list === undefined), {
      message: 'give exactly one of "object" or "list"',
    }),
  output: z.object({
    results: z.array(
      z.object({
        id: z.string().describe('The attribute id.'),
        api_slug: z.string().describe('The key to use in values.'),
        title: z.string(),
        type: z.string().describe('Attio attribute type (text, email-address, select, ...).'),
        is_multiselect: z.boolean(),
        is_unique: z.boolean().nullable(),
        is_required: z.boolean().nullable(),
        is_writable: z.boolean().nullable(),
        is_archived: z.boolean().nullable(),
        description: z.string().nullable(),
        allowed_object_ids: z
          .array(z.string())
          .nullable()
          .describe('For record references: the objects whose records it may point at.'),
      }),
    ),
    next_cursor: nextCursorOutput,
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['object_configuration:read'],
  run: async (input, ctx) => {
    const offset = decodeCursor(input.cursor);
    const target = input.list !== undefined ? 'lists' : 'objects';
    const identifier = input.list ?? input.object ?? '';
    const searchParams: Record<string, string | number | boolean> = { limit: input.limit, offset };
    if (input.show_archived !== undefined) searchParams.show_archived = input.show_archived;
    const body = await ctx.http
      .get(`v2/${target}/${encodeURIComponent(identifier)}/attributes`, { searchParams })
      .json();
    const attributes = parseWire(wireAttributeList, body, 'the attribute list').data;
    return {
      results: attributes.map((a) => ({
        id: a.id.attribute_id,
        api_slug: a.api_slug,
        title: a.title,
        type: a.type,
        is_multiselect: a.is_multiselect,
        is_unique: a.is_unique ?? null,
        is_required: a.is_required ?? null,
        is_writable: a.is_writable ?? null,
        is_archived: a.is_archived ?? null,
        description: a.description ?? null,
        allowed_object_ids:
          a.type === 'record-reference' ? (a.config?.record_reference?.allowed_object_ids ?? null) : null,
      })),
      next_cursor: nextCursor(offset, attributes.length, input.limit),
    };
  },
});
