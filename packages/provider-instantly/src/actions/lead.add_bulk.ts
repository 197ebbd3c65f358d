import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { customVariables, email, leadFields, uuid } from '../shared.js';
import { parseWire, wireBulkAddResponse } from '../wire.js';

const lead = z.strictObject({
  email: email.optional(),
  ...leadFields,
  custom_variables: customVariables.optional(),
});

/**
 * Adds up to 1,000 leads to a campaign or a lead list in one request (`POST /api/v2/leads/add`).
 * Instantly validates emails, checks the blocklist and skips leads already in the campaign or
 * list; the answer counts each outcome and lists the created leads with their input index.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly lead.add_bulk \
 *   --input '{"campaign_id":"01938a5e-0000-7000-8000-00000000c001","leads":[{"email":"ada@example.com"},{"email":"alan@example.com"}],"skip_if_in_workspace":true}' --json
 * ```
 */
export const leadAddBulk = defineAction({
  slug: 'lead.add_bulk',
  title: 'Add leads in bulk',
  description:
    'Adds up to 1,000 leads to an Instantly campaign or lead list in one request; reports how many were uploaded, skipped as duplicates, blocklisted or invalid, and the ids of the created leads.',
  input: z
    .strictObject({
      campaign_id: uuid('campaign').optional().describe('The campaign to enroll the leads in.'),
      list_id: uuid('lead list')
        .optional()
        .describe('The lead list to add the leads to (instead of a campaign).'),
      leads: z
        .array(lead)
        .min(1)
        .max(1000)
        .describe('1 to 1,000 leads; each needs an email when adding to a campaign.'),
      skip_if_in_workspace: z
        .boolean()
        .optional()
        .describe(
          'Skip leads that already exist anywhere in the workspace (overrides the other skip flags).',
        ),
      skip_if_in_campaign: z
        .boolean()
        .optional()
        .describe('Skip leads already in any campaign of the workspace.'),
      skip_if_in_list: z.boolean().optional().describe('Skip leads already in any list of the workspace.'),
      verify_leads_on_import: z
        .boolean()
        .optional()
        .describe('Verify the emails in a background job (uses Instantly verification credits).'),
    })
    .refine((i) => (i.campaign_id === undefined) !== (i.list_id === undefined), {
      message: 'give exactly one of "campaign_id" or "list_id"',
    })
    .refine((i) => i.list_id !== undefined || i.leads.every((l) => l.email !== undefined), {
      message: 'every lead added to a campaign needs an "email"',
      path: ['leads'],
    }),
  output: z.object({
    uploaded: z.number().describe('Leads created.'),
    total_sent: z.number(),
    duplicated: z.number().describe('Already in this campaign or list: not added again.'),
    skipped: z.number().describe('Skipped by the skip_if_in_* flags.'),
    in_blocklist: z.number(),
    invalid_email: z.number(),
    duplicate_email_in_request: z.number(),
    remaining_in_plan: z.number().nullable().describe('Lead uploads left in the plan (campaign adds only).'),
    created: z
      .array(z.object({ index: z.number(), id: z.string(), email: z.string().nullable() }))
      .describe('Created leads, with the index of their input.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // Leads without an email (list adds) could be created twice if a lost answer were retried.
  idempotent: false,
  scopes: ['leads:create'],
  run: async (input, ctx) => {
    const { campaign_id, list_id, ...rest } = input;
    const json = {
      ...(campaign_id !== undefined ? { campaign_id } : {}),
      ...(list_id !== undefined ? { list_id } : {}),
      ...rest,
    };
    const body = await ctx.http.post('api/v2/leads/add', { json }).json();
    const r = parseWire(wireBulkAddResponse, body, 'the bulk lead add');
    return {
      uploaded: r.leads_uploaded,
      total_sent: r.total_sent ?? input.leads.length,
      duplicated: r.duplicated_leads ?? 0,
      skipped: r.skipped_count ?? 0,
      in_blocklist: r.in_blocklist ?? 0,
      invalid_email: r.invalid_email_count ?? 0,
      duplicate_email_in_request: r.duplicate_email_count ?? 0,
      remaining_in_plan: r.remaining_in_plan ?? null,
      created: (r.created_leads ?? []).map((l) => ({ index: l.index, id: l.id, email: l.email ?? null })),
    };
  },
});
