import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { campaignRecord, toCampaign, uuid } from '../shared.js';
import { parseWire, wireCampaign } from '../wire.js';

/**
 * Starts (or resumes) a campaign (`POST /api/v2/campaigns/{id}/activate`, no body). Instantly then
 * sends to the campaign's leads within its schedule and daily limits.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly campaign.activate --input '{"id":"01938a5e-0000-7000-8000-00000000c001"}' --json
 * ```
 */
export const campaignActivate = defineAction({
  slug: 'campaign.activate',
  title: 'Activate a campaign',
  description:
    'Starts a draft campaign or resumes a paused one (POST /api/v2/campaigns/{id}/activate): Instantly begins sending to its leads within the campaign schedule. Activating an active campaign changes nothing.',
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
    const body = await ctx.http.post(`api/v2/campaigns/${encodeURIComponent(input.id)}/activate`).json();
    return toCampaign(parseWire(wireCampaign, body, 'the campaign activate'));
  },
});
