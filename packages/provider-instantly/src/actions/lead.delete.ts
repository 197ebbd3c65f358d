import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { uuid } from '../shared.js';
import { parseWire, wireLead } from '../wire.js';

/**
 * Deletes a lead (`DELETE /api/v2/leads/{id}`, no body): it leaves its campaign or list and
 * receives no more emails. An unknown (or already deleted) id is a `not_found` error.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly lead.delete --input '{"id":"01938a5e-0000-7000-8000-00000000a002"}' --json
 * ```
 */
export const leadDelete = defineAction({
  slug: 'lead.delete',
  title: 'Delete a lead',
  description: 'Deletes an Instantly lead: it leaves its campaign or list and receives no more emails.',
  input: z.strictObject({ id: uuid('lead').describe('Instantly lead id.') }),
  output: z.object({
    id: z.string(),
    email: z.string().nullable(),
    deleted: z.literal(true),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: true,
  scopes: ['leads:delete'],
  // No mirror: once deleted, there is no Instantly record left to point a cell at.
  run: async (input, ctx) => {
    const body = await ctx.http.delete(`api/v2/leads/${encodeURIComponent(input.id)}`).json();
    const lead = parseWire(wireLead, body, 'the lead delete');
    return { id: lead.id, email: lead.email ?? null, deleted: true as const };
  },
});
