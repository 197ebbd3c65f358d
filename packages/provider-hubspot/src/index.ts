/**
 * `@oxygen/provider-hubspot`: HubSpot CRM contacts and companies for Oxygen Integrations.
 *
 * @example
 * ```ts
 * import hubspot from '@oxygen/provider-hubspot';
 * hubspot.actions.map((a) => a.slug); // ['contact.upsert', 'contact.get', 'contact.search', 'company.upsert']
 * ```
 *
 * @packageDocumentation
 */

import { apiKey, defineProvider, oauth2, type ParsedProviderError } from '@oxygen/core';
import { companyUpsert } from './actions/company.upsert.js';
import { contactGet } from './actions/contact.get.js';
import { contactSearch } from './actions/contact.search.js';
import { contactUpsert } from './actions/contact.upsert.js';
import { parseWire, wireAccountDetails, wireError } from './wire.js';

export { companyUpsert, contactGet, contactSearch, contactUpsert };

/**
 * Reads HubSpot's error body (`{ message, correlationId, category, errors: [{ message, in }] }`;
 * 429s carry `errorType` instead of `category`). Every field is optional.
 *
 * @example
 * ```ts
 * parseHubSpotError({ message: 'Property values were not valid', category: 'VALIDATION_ERROR', correlationId: 'c-1' });
 * // { message: 'Property values were not valid', requestId: 'c-1', providerCode: 'VALIDATION_ERROR', field: undefined }
 * ```
 */
export function parseHubSpotError(body: unknown): ParsedProviderError {
  if (typeof body === 'string') return { message: body.trim().slice(0, 500) || undefined };
  const error = wireError.safeParse(body).data;
  if (!error) return {};
  return {
    message: error.message,
    requestId: error.correlationId,
    providerCode: error.category ?? error.errorType,
    field: error.errors?.find((e) => e.in)?.in,
  };
}

/**
 * The HubSpot provider plugin: contacts (upsert by email, get, search) and companies (upsert by
 * domain), with a private app token or OAuth.
 *
 * @example
 * ```ts
 * import hubspot from '@oxygen/provider-hubspot';
 * hubspot.auth.byok[0]?.type; // 'api_key' (a private app token), then 'oauth2'
 * ```
 */
export default defineProvider({
  apiVersion: 1,
  id: 'hubspot',
  name: 'HubSpot',
  description: 'HubSpot CRM: create, update, read and search contacts; create or update companies.',
  baseUrl: 'https://api.hubapi.com',
  auth: {
    byok: [
      apiKey({
        label: 'Private app access token',
        header: 'authorization',
        scheme: 'Bearer',
        helpUrl: 'https://developers.hubspot.com/docs/api/private-apps',
      }),
      oauth2({
        authorizeUrl: 'https://app.hubspot.com/oauth/authorize',
        tokenUrl: 'https://api.hubapi.com/oauth/v3/token',
        revokeUrl: 'https://api.hubapi.com/oauth/v3/token/revoke',
        scopes: [
          'oauth',
          'crm.objects.contacts.read',
          'crm.objects.contacts.write',
          'crm.objects.companies.read',
          'crm.objects.companies.write',
        ],
        pkce: true,
        clientAuth: 'body',
      }),
    ],
  },
  verify: async (ctx) => {
    const details = parseWire(
      wireAccountDetails,
      await ctx.http.get('account-info/v3/details').json(),
      'the account details',
    );
    return { accountLabel: `portal ${details.portalId}` };
  },
  rateLimits: [
    {
      limit: 100,
      intervalMs: 10_000,
      description:
        'HubSpot burst limit: 100 requests per 10 seconds per account (private apps and OAuth apps).',
    },
    {
      limit: 4,
      intervalMs: 1_000,
      match: /\/search$/,
      description:
        'CRM search endpoints: about 4 requests per second per account, on top of the burst limit.',
    },
  ],
  parseError: parseHubSpotError,
  requestIdHeader: 'x-hubspot-correlation-id',
  actions: [contactUpsert, contactGet, contactSearch, companyUpsert],
});
