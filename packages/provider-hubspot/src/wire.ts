/**
 * HubSpot's request and response shapes, as far as this plugin uses them. Response schemas
 * validate only the fields the plugin reads and let everything else pass through, so a field
 * HubSpot adds never breaks a call. Request shapes are plain types: the plugin builds them.
 *
 * Sources (developers.hubspot.com): CRM objects v3 (contacts, companies, deals, notes), CRM
 * associations v4, owners v3, properties v3 and account-info v3 API references.
 *
 * @module
 */

import { ProviderError } from '@oxygen/core';
import { z } from 'zod';

/** A CRM record (`SimplePublicObject`): contact, company, ... Unset requested properties are `null`. */
export const wireObject = z.looseObject({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean().optional(),
});
/** A CRM record as HubSpot answers it. */
export type WireObject = z.infer<typeof wireObject>;

/** A record read with `associations=...`: associated ids per object type (`CollectionResponseAssociatedId`). */
export const wireObjectWithAssociations = wireObject.extend({
  associations: z
    .record(z.string(), z.looseObject({ results: z.array(z.looseObject({ id: z.string() })) }))
    .optional(),
});

/** An error's `context` (`{ ids: [...] }`, `{ missingScopes: [...] }`): lists of strings by name. */
const wireContext = z.record(z.string(), z.array(z.string())).optional().catch(undefined);

/** One entry of an error's `errors` (`ErrorDetail`). */
const wireErrorDetail = z.looseObject({
  message: z.string().optional(),
  in: z.string().optional(),
  code: z.string().optional(),
  context: wireContext,
});

/** One entry of a batch answer's `errors` (`StandardError`). */
export const wireBatchError = z.looseObject({
  message: z.string().optional(),
  category: z.string().optional(),
  context: wireContext,
  errors: z.array(wireErrorDetail).optional(),
});

/** `POST /crm/v3/objects/{type}/batch/upsert` answer: 200, or 207 with `errors`. */
export const wireBatchUpsertResponse = z.looseObject({
  results: z.array(
    wireObject.extend({ new: z.boolean().optional(), objectWriteTraceId: z.string().optional() }),
  ),
  errors: z.array(wireBatchError).optional(),
});

/** `POST /crm/v3/objects/{type}/search` answer. `paging.next.after` is absent on the last page. */
export const wireSearchResponse = z.looseObject({
  total: z.number(),
  results: z.array(wireObject),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
});

/** An association to make when creating a record (`PublicAssociationsForObject`). */
export interface WireAssociation {
  to: { id: string };
  types: { associationCategory: 'HUBSPOT_DEFINED'; associationTypeId: number }[];
}

/**
 * `PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}` answer
 * (`BatchResponsePublicDefaultAssociation`): the associations made, both directions.
 */
export const wireDefaultAssociationResponse = z.looseObject({
  results: z.array(
    z.looseObject({
      from: z.looseObject({ id: z.coerce.string() }),
      to: z.looseObject({ id: z.coerce.string() }),
      associationSpec: z.looseObject({ associationCategory: z.string(), associationTypeId: z.number() }),
    }),
  ),
});

/** The `paging` of a list answer: `next.after` is absent on the last page. */
const wirePaging = z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional();

/** `GET /crm/v3/owners` answer (`CollectionResponsePublicOwnerForwardPaging`). */
export const wireOwnersPage = z.looseObject({
  results: z.array(
    z.looseObject({
      id: z.string(),
      email: z.string().optional(),
      firstName: z.string().optional(),
      lastName: z.string().optional(),
      userId: z.number().optional(),
      archived: z.boolean().optional(),
      teams: z
        .array(z.looseObject({ id: z.string(), name: z.string(), primary: z.boolean().optional() }))
        .optional(),
    }),
  ),
  paging: wirePaging,
});

/** `GET /crm/v3/properties/{objectType}` answer (`CollectionResponsePropertyNoPaging`). */
export const wirePropertiesResponse = z.looseObject({
  results: z.array(
    z.looseObject({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      fieldType: z.string(),
      description: z.string().optional(),
      groupName: z.string().optional(),
      options: z
        .array(z.looseObject({ label: z.string(), value: z.string(), hidden: z.boolean().optional() }))
        .optional(),
      hidden: z.boolean().optional(),
      calculated: z.boolean().optional(),
      hasUniqueValue: z.boolean().optional(),
      hubspotDefined: z.boolean().optional(),
      modificationMetadata: z.looseObject({ readOnlyValue: z.boolean().optional() }).optional(),
    }),
  ),
});

/** `GET /account-info/v3/details` answer. */
export const wireAccountDetails = z.looseObject({
  portalId: z.number(),
  uiDomain: z.string().optional(),
});

/** HubSpot's error body. Every field is optional: some errors (429, gateways) differ in shape. */
export const wireError = z.looseObject({
  message: z.string().optional(),
  correlationId: z.string().optional(),
  category: z.string().optional(),
  /** Present on 429 answers instead of `category` (`RATE_LIMIT`). */
  errorType: z.string().optional(),
  context: wireContext,
  errors: z.array(wireErrorDetail).optional().catch(undefined),
});

/** A property map as HubSpot accepts it on writes: every value a string, `''` clears a value. */
export type WireProperties = Record<string, string>;

/** A search filter (`Filter`). */
export interface WireFilter {
  propertyName: string;
  operator: string;
  value?: string;
  highValue?: string;
  values?: string[];
}

/** `POST /crm/v3/objects/{type}/search` body (`PublicObjectSearchRequest`). */
export interface WireSearchRequest {
  filterGroups: { filters: WireFilter[] }[];
  /** HubSpot's search guide documents sorts as `{ propertyName, direction }`. */
  sorts: { propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }[];
  properties: string[];
  limit: number;
  after: string;
  query?: string;
}

/**
 * Parses a HubSpot answer with a wire schema, throwing a {@link ProviderError} (not a crash)
 * when HubSpot answered something the plugin cannot use.
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProviderError(
    `HubSpot answered ${what} with an unexpected shape: ${issue?.message ?? 'invalid'} at "${issue?.path.join('.') ?? ''}".`,
    { hint: 'HubSpot may have changed this API; report it to the plugin author.' },
  );
}
