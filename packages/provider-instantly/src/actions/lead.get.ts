import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { leadRecord, toLead, uuid } from '../shared.js';
import { parseWire, wireLead } from '../wire.js';

/**
 * Reads one lead (`GET /api/v2/leads/{id}`): fields, custom variables, status, interest and
 * engagement counts. An unknown id is a `not_found` error.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly lead.get --input '{"id":"01938a5e-0000-7000-8000-00000000a001"}' --json
 * ```
 */
export const leadGet = defineAction({
  slug: 'lead.get',
  title: 'Get a lead',
  description:
    'Reads one Instantly lead by id: its fields, custom variables, campaign, status, interest and open/reply/click counts.',
  input: z.strictObject({ id: uuid('lead').describe('Instantly lead id.') }),
  output: leadRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['leads:read'],
  run: async (input, ctx) => {
    const body = await ctx.http.get(`api/v2/leads/${encodeURIComponent(input.id)}`).json();
    return toLead(parseWire(wireLead, body, 'the lead read'));
  },
});
