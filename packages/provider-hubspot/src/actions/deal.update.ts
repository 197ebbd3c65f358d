import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { crmRecord, hubspotId, toRecord, toWireProperties } from '../shared.js';
import { parseWire, wireObject } from '../wire.js';
import { dealFields } from './deal.create.js';

/**
 * Updates a deal (`PATCH /crm/v3/objects/deals/{dealId}`): move it to another stage, change its
 * amount or close date, or any property. Only the given properties change; `null` clears one.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot deal.update --input '{"id":"1001","dealstage":"closedwon","amount":"12500.00"}' --json
 * ```
 */
export const dealUpdate = defineAction({
  slug: 'deal.update',
  title: 'Update a deal',
  description:
    'Changes properties of an existing HubSpot deal by id (stage, amount, close date, owner, any property).',
  input: z
    .strictObject({ id: hubspotId.describe('HubSpot deal id.'), ...dealFields })
    .refine(({ id: _id, properties, ...named }) => Object.keys({ ...properties, ...named }).length > 0, {
      message: 'give at least one property to change',
    }),
  output: crmRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: true,
  scopes: ['crm.objects.deals.write'],
  mirror: { recordId: (o) => o.id, label: 'hubspot_deal_id' },
  run: async (input, ctx) => {
    const { id, properties, ...named } = input;
    const body = await ctx.http
      .patch(`crm/v3/objects/deals/${id}`, { json: { properties: toWireProperties(properties, named) } })
      .json();
    return toRecord(parseWire(wireObject, body, 'the deal update'));
  },
});
