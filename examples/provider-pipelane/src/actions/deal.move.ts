import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { parseWire, STAGES, type WireDealMove, wireDealAnswer } from '../wire.js';
import { dealOutput, toDeal } from './deal.list.js';

/**
 * Moves a deal to another stage (`PATCH /v2/deals/{id}`). A deal that is already `won` or `lost`
 * cannot move: Pipelane answers 409, a `conflict` error.
 *
 * @example
 * ```sh
 * oxygen integrations run pipelane deal.move --input '{"id":"41","stage":"proposal"}' --json
 * ```
 */
export const dealMove = defineAction({
  slug: 'deal.move',
  title: 'Move a deal to a stage',
  description: 'Moves a Pipelane deal to another pipeline stage (lead, qualified, proposal, won, lost).',
  input: z.strictObject({
    id: z.string().regex(/^\d+$/, 'must be a Pipelane deal id (digits)').describe('The deal id.'),
    stage: z.enum(STAGES).describe('The stage to move it to.'),
  }),
  output: dealOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // Setting the same stage twice leaves the deal as setting it once.
  idempotent: true,
  mirror: { recordId: (out) => out.id, label: 'pipelane_deal_id' },
  run: async (input, ctx) => {
    const json: WireDealMove = { stage: input.stage };
    const answer = parseWire(
      wireDealAnswer,
      await ctx.http.patch(`v2/deals/${input.id}`, { json }).json(),
      'the deal',
    );
    return toDeal(answer.data);
  },
});
