import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { customVariables, email, leadFields, leadRecord, toLead, uuid } from '../shared.js';
import { parseWire, type WireCreateLead, wireLead } from '../wire.js';

/**
 * Adds one lead to a campaign or a lead list (`POST /api/v2/leads` with `campaign` or `list_id`):
 * the outbound enrollment write. Returns the lead with its Instantly id, which is mirrored into
 * the originating cell as `instantly_lead_id`. Instantly keeps one lead per email in a campaign;
 * `lead.add_bulk` reports leads already there as `duplicated`.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly lead.add \
 *   --input '{"campaign_id":"01938a5e-0000-7000-8000-00000000c001","email":"ada@example.com","first_name":"Ada","custom_variables":{"topic":"engines"}}' --json
 * ```
 */
export const leadAdd = defineAction({
  slug: 'lead.add',
  title: 'Add a lead to a campaign or list',
  description:
    'Enrolls one lead in an Instantly campaign (or adds it to a lead list), with custom variables for the campaign copy. Returns the lead and its Instantly id.',
  input: z
    .strictObject({
      campaign_id: uuid('campaign').optional().describe('The campaign to enroll the lead in.'),
      list_id: uuid('lead list')
        .optional()
        .describe('The lead list to add the lead to (instead of a campaign).'),
      email: email.optional().describe('Lead email: required when adding to a campaign.'),
      ...leadFields,
      custom_variables: customVariables.optional(),
    })
    .refine((i) => (i.campaign_id === undefined) !== (i.list_id === undefined), {
      message: 'give exactly one of "campaign_id" or "list_id"',
    })
    .refine((i) => i.list_id !== undefined || i.email !== undefined, {
      message: 'a lead added to a campaign needs an "email"',
      path: ['email'],
    })
    .refine((i) => i.email !== undefined || i.first_name !== undefined || i.last_name !== undefined, {
      message: 'give at least one of "email", "first_name" or "last_name"',
    }),
  output: leadRecord,
  authModes: ['byok'],
  credits: 0, // byok only: the organization pays Instantly, not Oxygen credits
  effect: 'write',
  // Not retried on a lost answer: Instantly does not document what a repeated create does.
  idempotent: false,
  scopes: ['leads:create'],
  mirror: { recordId: (o) => o.id, label: 'instantly_lead_id' },
  run: async (input, ctx) => {
    const { campaign_id, ...rest } = input;
    const json: WireCreateLead = { ...(campaign_id !== undefined ? { campaign: campaign_id } : {}), ...rest };
    const body = await ctx.http.post('api/v2/leads', { json }).json();
    return toLead(parseWire(wireLead, body, 'the lead create'));
  },
});
