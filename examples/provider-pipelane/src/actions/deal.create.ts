import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { parseWire, STAGES, type WireDealCreate, wireDealAnswer } from '../wire.js';
import { dealOutput, toDeal } from './deal.list.js';

/**
 * Creates a deal (`POST /v2/deals`). Run for a table cell, the new deal's id is mirrored into
 * the cell as `pipelane_deal_id`.
 *
 * @example
 * ```sh
 * oxygen integrations run pipelane deal.create --input '{"title":"Acme - 50 seats","value":12000,"person_email":"ada@acme.example"}' --json
 * ```
 */
export const dealCreate = defineAction({
  slug: 'deal.create',
  title: 'Create a deal',
  description: 'Creates a Pipelane deal with a title, a value and currency, a stage and a contact email.',
  input: z.strictObject({
    title: z.string().min(1).max(255).describe('What the deal is.'),
    value: z.number().min(0).optional().describe('Its value in currency (default 0).'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .optional()
      .describe('ISO 4217 code (default EUR).'),
    stage: z.enum(STAGES).optional().describe('Where it starts (default lead).'),
    person_email: z.email().optional().describe('The contact it is with.'),
  }),
  output: dealOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: false,
  mirror: { recordId: (out) => out.id, label: 'pipelane_deal_id' },
  run: async (input, ctx) => {
    // Send only what was given: Pipelane applies its own defaults to the rest.
    const json: WireDealCreate = { title: input.title };
    if (input.value !== undefined) json.value = input.value;
    if (input.currency !== undefined) json.currency = input.currency;
    if (input.stage !== undefined) json.stage = input.stage;
    if (input.person_email !== undefined) json.person_email = input.person_email;
    const answer = parseWire(wireDealAnswer, await ctx.http.post('v2/deals', { json }).json(), 'the deal');
    return toDeal(answer.data);
  },
});
