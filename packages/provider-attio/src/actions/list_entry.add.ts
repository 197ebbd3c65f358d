import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { listIdentifier, objectIdentifier, resolveAttributes, uuid, writeValues } from '../shared.js';
import { attributeTypes, flattenValues, plainValues, rawValues } from '../values.js';
import { parseWire, type WireEntryWrite, wireEntryResponse } from '../wire.js';

/**
 * Adds a record to a list. By default it asserts by parent (`PUT /v2/lists/{list}/entries`): a
 * record already in the list keeps its one entry, whose values are updated. With
 * `"allow_duplicates": true` it always creates a new entry (`POST`, same path).
 *
 * @example
 * ```sh
 * oxygen integrations run attio list_entry.add \
 *   --input '{"list":"sales_pipeline","parent_object":"companies","parent_record_id":"99a03ff3-0435-47da-95cc-76b2caeb4dab","entry_values":{"stage":"Lead"}}' --json
 * ```
 */
export const listEntryAdd = defineAction({
  slug: 'list_entry.add',
  title: 'Add a record to a list',
  description:
    "Adds an Attio record to a list (or updates its entry if it is already there), with the entry's own attribute values as plain values.",
  input: z.strictObject({
    list: listIdentifier,
    parent_object: objectIdentifier.describe('The object of the record to add (people, companies, ...).'),
    parent_record_id: uuid.describe('The record to add.'),
    entry_values: plainValues
      .optional()
      .describe('The list\'s own attributes for this entry, as plain values ({"stage":"Lead"}).'),
    raw_entry_values: rawValues.optional(),
    attribute_types: attributeTypes.optional(),
    allow_duplicates: z
      .boolean()
      .default(false)
      .describe('true: always create a new entry, even when the record is already in the list.'),
  }),
  output: z.object({
    id: z.string().describe('The entry id (entry_id).'),
    list: z.string().describe('The list, as the input named it.'),
    list_id: z.string().describe('The list id.'),
    parent_object: z.string(),
    parent_record_id: z.string(),
    values: z.record(z.string(), z.unknown()).describe("The entry's attribute values as plain values."),
    created_at: z.string(),
    notes: z.array(z.string()).optional(),
    raw: z.record(z.string(), z.unknown()).describe('The entry exactly as Attio returned it.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // the default (PUT, assert by parent) is idempotent and retried by the HTTP context;
  // allow_duplicates (POST) must not be retried after a lost answer.
  idempotent: false,
  scopes: ['list_entry:read-write', 'list_configuration:read'],
  mirror: { recordId: (o) => o.id, label: 'attio_entry_id' },
  run: async (input, ctx) => {
    const slugs = Object.keys(input.entry_values ?? {});
    const attributes =
      slugs.length > 0
        ? await resolveAttributes(ctx, 'lists', input.list, slugs, input.attribute_types)
        : { write: {}, read: {} };
    const json: WireEntryWrite = {
      data: {
        parent_record_id: input.parent_record_id,
        parent_object: input.parent_object,
        entry_values: writeValues(
          input.entry_values,
          input.raw_entry_values,
          attributes.write,
          'entry_values',
          'raw_entry_values',
        ),
      },
    };
    const path = `v2/lists/${encodeURIComponent(input.list)}/entries`;
    const body = await (input.allow_duplicates
      ? ctx.http.post(path, { json })
      : ctx.http.put(path, { json })
    ).json();
    const entry = parseWire(wireEntryResponse, body, 'the list entry').data;
    const flat = flattenValues(entry.entry_values, attributes.read);
    return {
      id: entry.id.entry_id,
      list: input.list,
      list_id: entry.id.list_id,
      parent_object: entry.parent_object,
      parent_record_id: entry.parent_record_id,
      values: flat.values,
      created_at: entry.created_at,
      ...(flat.notes.length > 0 ? { notes: flat.notes } : {}),
      raw: entry as Record<string, unknown>,
    };
  },
});
