import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { toSearchRequest } from '../search.js';
import { propertiesInput, toWireProperties, upsertOutput } from '../shared.js';
import { parseWire, wireObject, wireSearchResponse } from '../wire.js';

const text = z.string();

/** `https://www.Example.com/about` → `www.example.com`: the host HubSpot stores as `domain`. */
export function normalizeDomain(value: string): string {
  return value
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/\.$/, '');
}

/**
 * Creates a company, or updates the one with the same domain. HubSpot's `domain` is not a
 * unique property, so this searches first (`POST /crm/v3/objects/companies/search`, domain EQ),
 * then updates the oldest match (`PATCH /crm/v3/objects/companies/{id}`) or creates one
 * (`POST /crm/v3/objects/companies`).
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot company.upsert --input '{"domain":"example.com","name":"Example Inc"}' --json
 * ```
 */
export const companyUpsert = defineAction({
  slug: 'company.upsert',
  title: 'Create or update a company',
  description:
    'Creates a HubSpot company, or updates the existing company with the same domain (the oldest, if several). Two requests: a search, then a create or an update.',
  input: z.strictObject({
    domain: z
      .string()
      .transform(normalizeDomain)
      .pipe(z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be a domain such as example.com'))
      .describe('Company domain (a URL is reduced to its host): the key the upsert matches on.'),
    name: text.optional(),
    phone: text.optional(),
    city: text.optional(),
    country: text.optional(),
    industry: text.optional().describe("One of HubSpot's industry option values, e.g. COMPUTER_SOFTWARE."),
    properties: propertiesInput.optional(),
  }),
  output: upsertOutput,
  authModes: ['byok'],
  credits: 0, // byok only: the organization pays HubSpot, not Oxygen credits
  effect: 'write',
  // Not idempotent: retrying a create whose answer was lost could make a duplicate company.
  idempotent: false,
  scopes: ['crm.objects.companies.read', 'crm.objects.companies.write'],
  mirror: { recordId: (o) => o.id, label: 'hubspot_company_id' },
  run: async (input, ctx) => {
    const { domain, properties, ...named } = input;
    const wireProperties = toWireProperties(properties, named, { domain });
    const search = toSearchRequest({
      filters: [{ property: 'domain', operator: 'EQ', value: domain }],
      properties: ['domain'],
      limit: 100,
    });
    const found = parseWire(
      wireSearchResponse,
      await ctx.http.post('crm/v3/objects/companies/search', { json: search }).json(),
      'the company search',
    );
    const existing = found.results.map((r) => r.id).sort((a, b) => Number(a) - Number(b))[0];
    const written = existing
      ? await ctx.http
          .patch(`crm/v3/objects/companies/${encodeURIComponent(existing)}`, {
            json: { properties: wireProperties },
          })
          .json()
      : await ctx.http
          .post('crm/v3/objects/companies', { json: { properties: wireProperties, associations: [] } })
          .json();
    const record = parseWire(wireObject, written, existing ? 'the company update' : 'the company create');
    return {
      id: record.id,
      created: !existing,
      properties: record.properties,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  },
});
