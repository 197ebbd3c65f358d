import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { associationsTo } from '../associations.js';
import {
  crmRecord,
  dateTimeInput,
  hubspotId,
  numberInput,
  propertiesInput,
  toRecord,
  toWireProperties,
} from '../shared.js';
import { parseWire, wireObject } from '../wire.js';

/** The deal properties `deal.create` and `deal.update` take by name (HubSpot's internal names). */
export const dealFields = {
  dealname: z.string().trim().min(1).optional().describe('The deal name.'),
  pipeline: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe(
      'Pipeline id; HubSpot uses the default pipeline ("default") when a deal is created without one.',
    ),
  dealstage: z
    .string()
    .trim()
    .min(1)
    .optional()
    .describe('Stage id in the pipeline, e.g. appointmentscheduled, qualifiedtobuy, closedwon, closedlost.'),
  amount: numberInput.optional().describe('Deal amount, e.g. 1500 or "1500.50".'),
  closedate: dateTimeInput
    .optional()
    .describe('Expected close date: ISO 8601 date or date-time, or epoch milliseconds.'),
  hubspot_owner_id: hubspotId.optional().describe('Owner id (see owner.list).'),
  properties: propertiesInput.optional(),
};

/**
 * Creates a deal (`POST /crm/v3/objects/deals`), optionally associated with contacts and
 * companies in the same request (HubSpot's default deal → contact and deal → company types).
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot deal.create \
 *   --input '{"dealname":"Example - annual","dealstage":"appointmentscheduled","amount":12000,"closedate":"2026-12-31","associations":{"contacts":["101"],"companies":["501"]}}' --json
 * ```
 */
export const dealCreate = defineAction({
  slug: 'deal.create',
  title: 'Create a deal',
  description:
    'Creates a HubSpot deal with a name and stage (and pipeline, amount, close date, owner, any property), optionally associated with contacts and companies.',
  input: z.strictObject({
    ...dealFields,
    dealname: z.string().trim().min(1).describe('The deal name.'),
    dealstage: dealFields.dealstage.unwrap().describe(dealFields.dealstage.description ?? ''),
    associations: z
      .strictObject({
        contacts: z.array(hubspotId).max(100).optional().describe('Contact ids to associate.'),
        companies: z.array(hubspotId).max(100).optional().describe('Company ids to associate.'),
      })
      .optional()
      .describe('Records to associate the new deal with.'),
  }),
  output: crmRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // Not idempotent: retrying a create whose answer was lost could make a second deal.
  idempotent: false,
  scopes: ['crm.objects.deals.write'],
  mirror: { recordId: (o) => o.id, label: 'hubspot_deal_id' },
  run: async (input, ctx) => {
    const { associations, properties, ...named } = input;
    const json = {
      properties: toWireProperties(properties, named),
      associations: [
        ...associationsTo('deals', 'contacts', associations?.contacts),
        ...associationsTo('deals', 'companies', associations?.companies),
      ],
    };
    const body = await ctx.http.post('crm/v3/objects/deals', { json }).json();
    return toRecord(parseWire(wireObject, body, 'the deal create'));
  },
});
