import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import {
  associatedIds,
  associationTypes,
  crmRecordWithAssociations,
  hubspotId,
  propertyNames,
  toRecord,
} from '../shared.js';
import { parseWire, wireObjectWithAssociations } from '../wire.js';

/**
 * Reads one contact by HubSpot id or by email (`GET /crm/v3/objects/contacts/{id}`, with
 * `idProperty=email` for an email), optionally with the ids of its associated companies, deals
 * or notes (`associations=companies,deals`). A contact that does not exist is a `not_found` error.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot contact.get --input '{"email":"ada@example.com","properties":["firstname"],"associations":["companies"]}' --json
 * ```
 */
export const contactGet = defineAction({
  slug: 'contact.get',
  title: 'Get a contact',
  description: 'Reads one HubSpot contact by id or by email, optionally with the ids of associated records.',
  input: z
    .strictObject({
      id: hubspotId.optional().describe('HubSpot contact id.'),
      email: z.string().trim().min(3).optional().describe('Contact email (unique per contact).'),
      properties: propertyNames.optional(),
      associations: associationTypes.optional(),
    })
    .refine((i) => (i.id === undefined) !== (i.email === undefined), {
      message: 'give exactly one of "id" or "email"',
    }),
  output: crmRecordWithAssociations,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.objects.contacts.read'],
  run: async (input, ctx) => {
    const searchParams = new URLSearchParams();
    if (input.email !== undefined) searchParams.set('idProperty', 'email');
    if (input.properties?.length) searchParams.set('properties', input.properties.join(','));
    if (input.associations?.length) searchParams.set('associations', input.associations.join(','));
    const key = encodeURIComponent(input.id ?? input.email ?? '');
    const body = await ctx.http.get(`crm/v3/objects/contacts/${key}`, { searchParams }).json();
    const record = parseWire(wireObjectWithAssociations, body, 'the contact read');
    const associations = associatedIds(record.associations);
    return { ...toRecord(record), ...(associations ? { associations } : {}) };
  },
});
