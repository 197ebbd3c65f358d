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
 * Reads one company by HubSpot id (`GET /crm/v3/objects/companies/{id}`), optionally with the
 * ids of its associated contacts, deals or notes. Company domains are not unique in HubSpot, so
 * there is no read by domain: use `company.search` with a `domain` filter.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot company.get --input '{"id":"501","properties":["name","domain"],"associations":["contacts"]}' --json
 * ```
 */
export const companyGet = defineAction({
  slug: 'company.get',
  title: 'Get a company',
  description: 'Reads one HubSpot company by id, optionally with the ids of associated records.',
  input: z.strictObject({
    id: hubspotId.describe('HubSpot company id.'),
    properties: propertyNames.optional(),
    associations: associationTypes.optional(),
  }),
  output: crmRecordWithAssociations,
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.objects.companies.read'],
  run: async (input, ctx) => {
    const searchParams = new URLSearchParams();
    if (input.properties?.length) searchParams.set('properties', input.properties.join(','));
    if (input.associations?.length) searchParams.set('associations', input.associations.join(','));
    const body = await ctx.http.get(`crm/v3/objects/companies/${input.id}`, { searchParams }).json();
    const record = parseWire(wireObjectWithAssociations, body, 'the company read');
    const associations = associatedIds(record.associations);
    return { ...toRecord(record), ...(associations ? { associations } : {}) };
  },
});
