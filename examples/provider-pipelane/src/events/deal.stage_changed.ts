import { defineEvent } from '@oxygen/core';
import { z } from 'zod';

/**
 * A deal moved to another stage in Pipelane (webhook event `deal.stage_changed`): `data` holds
 * the deal as it is now and the stage it left.
 *
 * @example
 * ```json
 * { "id": "evt_5f0c", "type": "deal.stage_changed", "created_at": "2026-01-05T10:00:00Z",
 *   "data": { "deal": { "id": 41, "title": "Acme - 50 seats", "stage": "proposal", ... }, "previous_stage": "qualified" } }
 * ```
 */
export const dealStageChanged = defineEvent({
  type: 'deal.stage_changed',
  title: 'Deal stage changed',
  description: 'A Pipelane deal moved to another pipeline stage.',
  data: z.looseObject({
    deal: z.looseObject({ id: z.number(), title: z.string(), stage: z.string() }),
    previous_stage: z.string().describe('The stage the deal left.'),
  }),
});
