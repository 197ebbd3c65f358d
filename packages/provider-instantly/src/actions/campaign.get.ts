import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { campaignRecord, toCampaign, uuid } from '../shared.js';
import { parseWire, wireCampaign } from '../wire.js';

/**
 * Reads one campaign (`GET /api/v2/campaigns/{id}`). An unknown id is a `not_found` error.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly campaign.get --input '{"id":"01938a5e-0000-7000-8000-00000000c001"}' --json
 * ```
 */
export const campaignGet = defineAction({
  slug: 'campaign.get',
  title: 'Get a campaign',
  description: 'Reads one Instantly campaign by id: name, status, daily limit and sending accounts.',
  input: z.strictObject({ id: uuid('campaign').describe('Instantly campaign id.') }),
  output: campaignRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['campaigns:read'],
  run: async (input, ctx) => {
    const body = await ctx.http.get(`api/v2/campaigns/${encodeURIComponent(input.id)}`).json();
    return toCampaign(parseWire(wireCampaign, body, 'the campaign read'));
  },
});
