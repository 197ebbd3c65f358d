import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import {
  objectIdentifier,
  recordOutput,
  resolveAttributes,
  toRecordOutput,
  uuid,
  writeValues,
} from '../shared.js';
import { attributeTypes, plainValues, rawValues } from '../values.js';
import { parseWire, type WireRecordWrite, wireRecordResponse } from '../wire.js';

/**
 * Updates a record by id. By default multi-value attributes get the new values added
 * (`PATCH /v2/objects/{object}/records/{record_id}`); with `"multiselect":"replace"` they are
 * overwritten (`PUT`, same path).
 *
 * @example
 * ```sh
 * oxygen integrations run attio record.update \
 *   --input '{"object":"people","record_id":"bf071e1f-6035-429d-b874-d83ea64ea13b","values":{"job_title":"Mathematician"}}' --json
 * ```
 */
export const recordUpdate = defineAction({
  slug: 'record.update',
  title: 'Update a record',
  description:
    'Updates an Attio record by id with plain values. Multi-value attributes (emails, domains, multi-selects) get the values added, or replaced with "multiselect":"replace".',
  input: z
    .strictObject({
      object: objectIdentifier,
      record_id: uuid.describe('The record id.'),
      values: plainValues.optional(),
      raw_values: rawValues.optional(),
      attribute_types: attributeTypes.optional(),
      multiselect: z
        .enum(['append', 'replace'])
        .default('append')
        .describe('append (PATCH): add to multi-value attributes; replace (PUT): overwrite them.'),
    })
    .refine((i) => Object.keys(i.values ?? {}).length + Object.keys(i.raw_values ?? {}).length > 0, {
      message: 'give at least one attribute in "values" (or "raw_values")',
      path: ['values'],
    }),
  output: recordOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // appending to a multi-value attribute twice adds twice, so a lost answer is not retried;
  // "replace" sends PUT, which the HTTP context retries on its own.
  idempotent: false,
  scopes: ['record_permission:read-write', 'object_configuration:read'],
  mirror: { recordId: (o) => o.id, label: 'attio_record_id' },
  run: async (input, ctx) => {
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
    const path = `v2/objects/${encodeURIComponent(input.object)}/records/${encodeURIComponent(input.record_id)}`;
    const body = await (input.multiselect === 'replace'
      ? ctx.http.put(path, { json })
      : ctx.http.patch(path, { json })
    ).json();
    const record = parseWire(wireRecordResponse, body, 'the record update').data;
    return toRecordOutput(record, input.object, attributes.read);
  },
});
