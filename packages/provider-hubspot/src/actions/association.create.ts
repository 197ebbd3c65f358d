import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { hubspotId, objectType } from '../shared.js';
import { parseWire, wireDefaultAssociationResponse } from '../wire.js';

/**
 * Associates two records with HubSpot's default (unlabeled) association type
 * (`PUT /crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}`,
 * no body): a contact with a company, a deal with a contact or a company, in either direction.
 * HubSpot stores both directions; associating twice changes nothing. An unknown record is
 * `not_found`.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot association.create --input '{"from_type":"contacts","from_id":"101","to_type":"companies","to_id":"501"}' --json
 * ```
 */
export const associationCreate = defineAction({
  slug: 'association.create',
  title: 'Associate two records',
  description:
    "Links a contact, company or deal to a record of another of those types with HubSpot's default association (both directions).",
  input: z
    .strictObject({
      from_type: objectType.describe('The first record type: contacts, companies or deals.'),
      from_id: hubspotId.describe('The first record id.'),
      to_type: objectType.describe('The other record type: contacts, companies or deals.'),
      to_id: hubspotId.describe('The other record id.'),
    })
    .refine((i) => i.from_type !== i.to_type, {
      message: 'from_type and to_type must differ (contact ↔ company ↔ deal)',
      path: ['to_type'],
    }),
  output: z.object({
    from_type: objectType,
    from_id: z.string(),
    to_type: objectType,
    to_id: z.string(),
    association_type_ids: z
      .array(z.number().int())
      .describe(
        'The HUBSPOT_DEFINED association type ids from the first record to the other (e.g. 279 contact → company).',
      ),
    reverse_type_ids: z
      .array(z.number().int())
      .describe('The type ids of the same link seen from the other record.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: true, // a PUT: the association exists once however often it is made
  scopes: ['crm.objects.contacts.write', 'crm.objects.companies.write', 'crm.objects.deals.write'],
  // No mirror: an association has no record id of its own.
  run: async (input, ctx) => {
    const path = `crm/v4/objects/${input.from_type}/${input.from_id}/associations/default/${input.to_type}/${input.to_id}`;
    const answer = parseWire(
      wireDefaultAssociationResponse,
      await ctx.http.put(path).json(),
      'the association',
    );
    const ids = (from: string, to: string) =>
      answer.results
        .filter((r) => r.from.id === from && r.to.id === to)
        .map((r) => r.associationSpec.associationTypeId);
    return {
      from_type: input.from_type,
      from_id: input.from_id,
      to_type: input.to_type,
      to_id: input.to_id,
      association_type_ids: ids(input.from_id, input.to_id),
      reverse_type_ids: ids(input.to_id, input.from_id),
    };
  },
});
