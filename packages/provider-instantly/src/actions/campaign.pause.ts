import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { campaignRecord, toCampaign, uuid } from '../shared.js';
import { parseWire, wireCampaign } from '../wire.js';

/**
 * Pauses a campaign (`POST /api/v2/campaigns/{id}/pause`, no body): it stops sending until
 * `campaign.activate` resumes it.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly campaign.pause --input '{"id":"01938a5e-0000-7000-8000-00000000c001"}' --json
 * ```
 */
export const campaignPause = defineAction({
  slug: 'campaign.pause',
  title: 'Pause a campaign',
  description:
    'Stops a campaign from sending (POST /api/v2/campaigns/{id}/pause); campaign.activate resumes it. Pausing a paused campaign changes nothing.',
  input: z.strictObject({ id: uuid('campaign').describe('Instantly campaign id.') }),
  output: campaignRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // The same request twice leaves the campaign in the same state.
  idempotent: true,
  scopes: ['campaigns:update'],
  mirror: { recordId: (o) => o.id, label: 'instantly_campaign_id' },
  run: async (input, ctx) => {
    const body = await ctx.http.post(`api/v2/campaigns/${encodeURIComponent(input.id)}/pause`).json();
    return toCampaign(parseWire(wireCampaign, body, 'the campaign pause'));
  },
});
