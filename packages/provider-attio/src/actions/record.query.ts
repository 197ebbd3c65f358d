import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import {
  cursorInput,
  decodeCursor,
  nextCursor,
  nextCursorOutput,
  objectIdentifier,
  recordOutput,
  toRecordOutput,
} from '../shared.js';
import { STANDARD_ATTRIBUTES } from '../values.js';
import { parseWire, type WireRecordQuery, wireRecordList } from '../wire.js';

/**
 * Lists records matching a filter in Attio's filter syntax, sorted, a page at a time
 * (`POST /v2/objects/{object}/records/query`). Pages with `cursor` in and `next_cursor` out;
 * `next_cursor` is null on the last page.
 *
 * @example
 * ```sh
 * oxygen integrations run attio record.query \
 *   --input '{"object":"people","filter":{"email_addresses":"ada@example.com"},"limit":10}' --json
 * ```
 */
export const recordQuery = defineAction({
  slug: 'record.query',
  title: 'Query records',
  description:
    'Lists Attio records of one object, filtered with Attio\'s filter syntax ({"email_addresses":"ada@example.com"}, {"name":{"first_name":{"$eq":"Ada"}}}, $and/$or), sorted, with cursor paging.',
  input: z.strictObject({
    object: objectIdentifier,
    filter: z
      .record(z.string(), z.unknown())
      .optional()
      .describe(
        'Attio filter: shorthand {"<attribute>": value}, operators {"<attribute>": {"$eq"|"$contains"|"$starts_with"|"$ends_with"|"$in"|"$lt"|"$lte"|"$gt"|"$gte"|"$not_empty": value}}, fields {"name": {"last_name": {"$eq": "Lovelace"}}}, and {"$and"|"$or": [filters]}.',
      ),
    sorts: z
      .array(
        z.strictObject({
          attribute: z.string().min(1).describe('Attribute slug or id to sort by.'),
          field: z
            .string()
            .min(1)
            .optional()
            .describe('Field of the value to sort by, e.g. last_name on name.'),
          direction: z.enum(['asc', 'desc']).default('asc'),
        }),
      )
      .optional()
      .describe('Sort rules, applied in order.'),
    limit: z.number().int().min(1).max(500).default(50).describe('Records per page, 1-500.'),
    cursor: cursorInput,
  }),
  output: z.object({
    results: z.array(recordOutput),
    next_cursor: nextCursorOutput,
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['record_permission:read', 'object_configuration:read'],
  run: async (input, ctx) => {
    const offset = decodeCursor(input.cursor);
    const json: WireRecordQuery = {
      ...(input.filter !== undefined ? { filter: input.filter } : {}),
      ...(input.sorts !== undefined
        ? {
            sorts: input.sorts.map((s) => ({
              direction: s.direction,
              attribute: s.attribute,
              ...(s.field !== undefined ? { field: s.field } : {}),
            })),
          }
        : {}),
      limit: input.limit,
      offset,
    };
    const body = await ctx.http
      .post(`v2/objects/${encodeURIComponent(input.object)}/records/query`, { json })
      .json();
    const records = parseWire(wireRecordList, body, 'the record query').data;
    const attributes = STANDARD_ATTRIBUTES[input.object] ?? {};
    return {
      results: records.map((r) => toRecordOutput(r, input.object, attributes)),
      next_cursor: nextCursor(offset, records.length, input.limit),
    };
  },
});
