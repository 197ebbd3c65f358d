/**
 * HubSpot's request and response shapes, as far as this plugin uses them. Response schemas
 * validate only the fields the plugin reads and let everything else pass through, so a field
 * HubSpot adds never breaks a call. Request shapes are plain types: the plugin builds them.
 *
 * Source: HubSpot's CRM v3 and account-info v3 API reference (developers.hubspot.com).
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

/** One entry of a batch answer's `errors` (`StandardError`). */
export const wireBatchError = z.looseObject({
  message: z.string().optional(),
  category: z.string().optional(),
  errors: z.array(z.looseObject({ message: z.string().optional(), in: z.string().optional() })).optional(),
});

/** `POST /crm/v3/objects/{type}/batch/upsert` answer: 200, or 207 with `errors`. */
export const wireBatchUpsertResponse = z.looseObject({
  results: z.array(wireObject.extend({ new: z.boolean().optional() })),
  errors: z.array(wireBatchError).optional(),
});

/** `POST /crm/v3/objects/{type}/search` answer. `paging.next.after` is absent on the last page. */
export const wireSearchResponse = z.looseObject({
  total: z.number(),
  results: z.array(wireObject),
  paging: z.looseObject({ next: z.looseObject({ after: z.string() }).optional() }).optional(),
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
  errors: z.array(z.looseObject({ message: z.string().optional(), in: z.string().optional() })).optional(),
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
