import { defineAction, ValidationError } from '@oxygen/core';
import { z } from 'zod';
import { objectIdentifier, recordOutput, resolveAttributes, toRecordOutput, writeValues } from '../shared.js';
import { attributeTypes, DEFAULT_MATCHING_ATTRIBUTE, plainValues, rawValues } from '../values.js';
import { parseWire, type WireRecordWrite, wireRecordResponse } from '../wire.js';

/**
 * Creates a record, or updates the one whose unique matching attribute has the same value, in
 * one request (`PUT /v2/objects/{object}/records?matching_attribute=...`, Attio's assert).
 * People match on `email_addresses` and companies on `domains` unless told otherwise.
 *
 * @example
 * ```sh
 * oxygen integrations run attio record.assert \
 *   --input '{"object":"people","values":{"email_addresses":["ada@example.com"],"name":"Ada Lovelace"}}' --json
 * # {"id":"bf071e1f-...","object":"people","values":{"email_addresses":["ada@example.com"],"name":"Ada Lovelace",...},...}
 * ```
 */
export const recordAssert = defineAction({
  slug: 'record.assert',
  title: 'Create or update a record',
  description:
    'Creates an Attio record (person, company or any object), or updates the one with the same value of a unique matching attribute (email_addresses for people, domains for companies). Takes plain values. One request.',
  input: z
    .strictObject({
      object: objectIdentifier,
      matching_attribute: z
        .string()
        .trim()
        .min(1)
        .optional()
        .describe(
          'Slug or id of a unique attribute to match on. Default: email_addresses for people, domains for companies.',
        ),
      values: plainValues.optional(),
      raw_values: rawValues.optional(),
      attribute_types: attributeTypes.optional(),
    })
    .refine((i) => Object.keys(i.values ?? {}).length + Object.keys(i.raw_values ?? {}).length > 0, {
      message: 'give at least one attribute in "values" (or "raw_values")',
      path: ['values'],
    }),
  output: recordOutput,
  authModes: ['byok'],
  credits: 0, // byok only: the organization pays Attio, not Oxygen credits
  effect: 'write',
  idempotent: true,
  scopes: ['record_permission:read-write', 'object_configuration:read'],
  mirror: { recordId: (o) => o.id, label: 'attio_record_id' },
  run: async (input, ctx) => {
    const matching = input.matching_attribute ?? DEFAULT_MATCHING_ATTRIBUTE[input.object];
    if (!matching) {
      throw new ValidationError(
        `Invalid input: "matching_attribute" is required for ${input.object} (a unique attribute to match records on).`,
        {
          field: 'matching_attribute',
          hint: 'attribute.list shows which attributes are unique (is_unique).',
        },
      );
    }
    // an attribute id cannot be checked against slugs without a lookup: Attio checks it
    const isId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(matching);
    if (!isId && !(matching in (input.values ?? {})) && !(matching in (input.raw_values ?? {}))) {
      throw new ValidationError(
        `Invalid input: "values.${matching}" is required: it is the value record.assert matches existing records on.`,
        { field: `values.${matching}` },
      );
    }
    const attributes = await resolveAttributes(
      ctx,
      'objects',
      input.object,
      Object.keys(input.values ?? {}),
      input.attribute_types,
    );
    const json: WireRecordWrite = {
      data: { values: writeValues(input.values, input.raw_values, attributes.write, 'values', 'raw_values') },
    };
    const body = await ctx.http
      .put(`v2/objects/${encodeURIComponent(input.object)}/records`, {
        searchParams: { matching_attribute: matching },
        json,
      })
      .json();
    const record = parseWire(wireRecordResponse, body, 'the record assert').data;
    return toRecordOutput(record, input.object, attributes.read);
  },
});
