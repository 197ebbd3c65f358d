/**
 * `@oxygen/provider-hubspot`: HubSpot CRM for Oxygen Integrations: contacts, companies, deals,
 * associations, notes, owners and properties, with HubSpot's webhook events.
 *
 * @example
 * ```ts
 * import hubspot from '@oxygen/provider-hubspot';
 * hubspot.actions.map((a) => a.slug); // ['contact.upsert', 'contact.get', ..., 'property.list']
 * ```
 *
 * @packageDocumentation
 */

import { apiKey, defineProvider, oauth2, type ParsedProviderError } from '@oxygen/core';
import { associationCreate } from './actions/association.create.js';
import { companyGet } from './actions/company.get.js';
import { companySearch } from './actions/company.search.js';
import { companyUpsert } from './actions/company.upsert.js';
import { contactBatchUpsert } from './actions/contact.batch_upsert.js';
import { contactGet } from './actions/contact.get.js';
import { contactSearch } from './actions/contact.search.js';
import { contactUpdate } from './actions/contact.update.js';
import { contactUpsert } from './actions/contact.upsert.js';
import { dealCreate } from './actions/deal.create.js';
import { dealSearch } from './actions/deal.search.js';
import { dealUpdate } from './actions/deal.update.js';
import { noteCreate } from './actions/note.create.js';
import { ownerList } from './actions/owner.list.js';
import { propertyList } from './actions/property.list.js';
import { companyCreated } from './events/company.created.js';
import { contactCreated } from './events/contact.created.js';
import { contactDeleted } from './events/contact.deleted.js';
import { contactPropertyChanged } from './events/contact.property_changed.js';
import { dealCreated } from './events/deal.created.js';
import { dealPropertyChanged } from './events/deal.property_changed.js';
import { hubspotWebhooks } from './webhook.js';
import { parseWire, wireAccountDetails, wireError } from './wire.js';

export { ASSOCIATION_TYPE_IDS } from './associations.js';
export { SEARCH_OPERATORS, SEARCH_RESULT_CAP, toSearchRequest } from './search.js';
export {
  HUBSPOT_TIMESTAMP_TOLERANCE_MS,
  type HubSpotSignInput,
  hubspotSignedUri,
  hubspotWebhookSetup,
  hubspotWebhooks,
  normalizeWebhookEvent,
  parseHubSpotWebhook,
  signHubSpotRequest,
  verifyHubSpotWebhook,
  type WireWebhookEvent,
  wireWebhookEvent,
} from './webhook.js';
export {
  associationCreate,
  companyCreated,
  companyGet,
  companySearch,
  companyUpsert,
  contactBatchUpsert,
  contactCreated,
  contactDeleted,
  contactGet,
  contactPropertyChanged,
  contactSearch,
  contactUpdate,
  contactUpsert,
  dealCreate,
  dealCreated,
  dealPropertyChanged,
  dealSearch,
  dealUpdate,
  noteCreate,
  ownerList,
  propertyList,
};

/**
 * Reads HubSpot's error body (`{ message, correlationId, category, errors: [{ message, in }] }`;
 * 429s carry `errorType` instead of `category`). Every field is optional. A 403 `MISSING_SCOPES`
 * names the scopes it wanted (`errors[].context.missingScopes`, or `requiredGranularScopes`),
 * which the message then lists.
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
  const scopes = [
    ...new Set(
      (error.errors ?? []).flatMap((e) => [
        ...(e.context?.missingScopes ?? []),
        ...(e.context?.requiredGranularScopes ?? []),
      ]),
    ),
  ];
  const message =
    scopes.length > 0 && error.message
      ? `${error.message} (missing scope: ${scopes.join(' or ')})`
      : error.message;
  return {
    message,
    requestId: error.correlationId,
    providerCode: error.category ?? error.errorType,
    field: error.errors?.find((e) => e.in)?.in,
  };
}

/** Every action, in the order a new user meets them (a write before the reads of what it wrote). */
const actions = [
  contactUpsert,
  contactGet,
  contactSearch,
  contactUpdate,
  contactBatchUpsert,
  companyUpsert,
  companyGet,
  companySearch,
  dealCreate,
  dealUpdate,
  dealSearch,
  associationCreate,
  noteCreate,
  ownerList,
  propertyList,
];

/** `oauth` (account details, for verify), then every scope an action declares, sorted. */
const OAUTH_SCOPES = ['oauth', ...[...new Set(actions.flatMap((a) => a.scopes ?? []))].sort()];

/**
 * The HubSpot provider plugin: contacts (upsert by email, batch upsert, get, update, search),
 * companies (upsert by domain, get, search), deals (create, update, search), associations,
 * notes, owners and properties, with a private app token or OAuth; HubSpot's contact, company
 * and deal webhook events.
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
  description:
    'HubSpot CRM: contacts (one or in bulk), companies, deals, associations between them, notes, owners and property definitions.',
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
        scopes: OAUTH_SCOPES,
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
      // HubSpot counts the window where requests arrive; 10.5 s leaves room for jitter, so the
      // 101st request never lands inside the 10 s of the 1st (as for the search limit below).
      limit: 100,
      intervalMs: 10_500,
      description:
        'HubSpot burst limit: 100 requests per 10 seconds per account (private apps and OAuth apps).',
    },
    {
      // HubSpot counts 4 searches a second where they arrive; spacing them over 1.1 s leaves room
      // for network jitter, so a burst of searches does not land five in HubSpot's second.
      limit: 4,
      intervalMs: 1_100,
      match: /\/search$/,
      description:
        'CRM search endpoints: 4 requests per second per account (HubSpot changelog), on top of the burst limit.',
    },
  ],
  parseError: parseHubSpotError,
  requestIdHeader: 'x-hubspot-correlation-id',
  actions,
  events: [
    contactCreated,
    contactPropertyChanged,
    contactDeleted,
    companyCreated,
    dealCreated,
    dealPropertyChanged,
  ],
  webhooks: hubspotWebhooks,
});
