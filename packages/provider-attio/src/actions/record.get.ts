import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { objectIdentifier, recordOutput, toRecordOutput, uuid } from '../shared.js';
import { STANDARD_ATTRIBUTES } from '../values.js';
import { parseWire, wireRecordResponse } from '../wire.js';

/**
 * Reads one record by id (`GET /v2/objects/{object}/records/{record_id}`). A record that does not
 * exist is a `not_found` error.
 *
 * @example
 * ```sh
 * oxygen integrations run attio record.get --input '{"object":"people","record_id":"bf071e1f-6035-429d-b874-d83ea64ea13b"}' --json
 * ```
 */
export const recordGet = defineAction({
  slug: 'record.get',
  title: 'Get a record',
  description: 'Reads one Attio record (person, company or any object) by its record id, with plain values.',
  input: z.strictObject({
    object: objectIdentifier,
    record_id: uuid.describe('The record id.'),
  }),
  output: recordOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['record_permission:read', 'object_configuration:read'],
  run: async (input, ctx) => {
    const body = await ctx.http
      .get(`v2/objects/${encodeURIComponent(input.object)}/records/${encodeURIComponent(input.record_id)}`)
      .json();
    const record = parseWire(wireRecordResponse, body, 'the record read').data;
    return toRecordOutput(record, input.object, STANDARD_ATTRIBUTES[input.object] ?? {});
  },
});
