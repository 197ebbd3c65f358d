/**
 * Requests the sandbox accepts: JSON bodies and query strings, written from HubSpot's API
 * reference (CRM objects v3 for contacts, companies, deals and notes; associations v4; owners v3;
 * properties v3). Objects are strict: HubSpot answers an unrecognised JSON field with a 400, and
 * so does the sandbox. Query strings are strict too (HubSpot ignores unknown parameters; the
 * sandbox refuses them, so a plugin sending one is caught).
 *
 * @module
 */

import { z } from 'zod';

/** Property values are strings on the wire (`''` clears one). */
const properties = z.record(z.string(), z.string({ error: 'property values must be strings' }));

/** `POST /crm/v3/objects/{type}` (`SimplePublicObjectInputForCreate`). */
export const createBody = z.strictObject({
  properties,
  associations: z
    .array(
      z.strictObject({
        to: z.strictObject({ id: z.string() }),
        types: z.array(
          z.strictObject({
            associationCategory: z.enum(['HUBSPOT_DEFINED', 'INTEGRATOR_DEFINED', 'USER_DEFINED', 'WORK']),
            associationTypeId: z.number().int(),
          }),
        ),
      }),
    )
    .optional(),
});

/** `PATCH /crm/v3/objects/{type}/{id}` (`SimplePublicObjectInput`). */
export const updateBody = z.strictObject({ properties });

/** `POST /crm/v3/objects/{type}/batch/upsert` (`BatchInputSimplePublicObjectBatchInputUpsert`). */
export const batchUpsertBody = z.strictObject({
  inputs: z
    .array(
      z.strictObject({
        id: z.string().min(1),
        idProperty: z.string().min(1).optional(),
        objectWriteTraceId: z.string().optional(),
        properties,
      }),
    )
    .min(1)
    // The batch endpoints take at most 100 inputs per request (CRM objects v3 reference, batch limits).
    .max(100, { error: 'at most 100 inputs per batch request' }),
});

/** Search filter operators. */
export const OPERATORS = [
  'EQ',
  'NEQ',
  'LT',
  'LTE',
  'GT',
  'GTE',
  'BETWEEN',
  'IN',
  'NOT_IN',
  'HAS_PROPERTY',
  'NOT_HAS_PROPERTY',
  'CONTAINS_TOKEN',
  'NOT_CONTAINS_TOKEN',
] as const;

const filter = z
  .strictObject({
    propertyName: z.string().min(1),
    operator: z.enum(OPERATORS),
    value: z.string().optional(),
    highValue: z.string().optional(),
    values: z.array(z.string()).optional(),
  })
  .superRefine((f, ctx) => {
    const required: ('value' | 'highValue' | 'values')[] =
      f.operator === 'IN' || f.operator === 'NOT_IN'
        ? ['values']
        : f.operator === 'BETWEEN'
          ? ['value', 'highValue']
          : f.operator === 'HAS_PROPERTY' || f.operator === 'NOT_HAS_PROPERTY'
            ? []
            : ['value'];
    for (const field of required) {
      if (f[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${f.operator} needs ${field}` });
      }
    }
  });

/**
 * A sort rule. HubSpot's search guide documents `{ propertyName, direction }`; the reference
 * types each rule as a string, which the sandbox reads as a property name sorted ascending.
 */
const sort = z.union([
  z.string().min(1),
  z.strictObject({
    propertyName: z.string().min(1),
    direction: z.enum(['ASCENDING', 'DESCENDING']).optional(),
  }),
]);

/** `POST /crm/v3/objects/{type}/search` (`PublicObjectSearchRequest`). Every field may be omitted. */
export const searchBody = z
  .strictObject({
    filterGroups: z
      .array(z.strictObject({ filters: z.array(filter).max(6) }))
      .max(6)
      .optional(),
    sorts: z.array(sort).optional(),
    properties: z.array(z.string()).optional(),
    limit: z.number().int().min(0).max(200).optional(),
    after: z.string().regex(/^\d+$/, 'after must be the cursor from paging.next.after').optional(),
    query: z.string().max(3000).optional(),
  })
  .refine((b) => (b.filterGroups ?? []).reduce((n, g) => n + g.filters.length, 0) <= 18, {
    message: 'at most 18 filters in total',
    path: ['filterGroups'],
  });
/** A parsed search body. */
export type SearchBody = z.infer<typeof searchBody>;

/** A comma-separated list (repeated parameters arrive joined with commas). */
const csv = z.string();
const bool = z.enum(['true', 'false'], { error: 'must be true or false' });
const intIn = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be an integer')
    .refine((v) => Number(v) >= min && Number(v) <= max, `must be between ${min} and ${max}`);

/** A route without query parameters. */
export const noQuery = z.strictObject({});

/** `GET /crm/v3/objects/{type}/{id}` query. */
export const readQuery = z.strictObject({
  properties: csv.optional(),
  propertiesWithHistory: csv.optional(),
  associations: csv.optional(),
  archived: bool.optional(),
  idProperty: z.string().min(1).optional(),
});

/** `PATCH /crm/v3/objects/{type}/{id}` query. */
export const updateQuery = z.strictObject({ idProperty: z.string().min(1).optional() });

/**
 * `GET /crm/v4/objects/{type}/{id}/associations/{toType}` query: `after` and `limit` (≤ 500), per
 * HubSpot's associations v4 reference ("List associations of an object by type").
 */
export const associationsListQuery = z.strictObject({
  after: z.string().regex(/^\d+$/, 'after must be the cursor from paging.next.after').optional(),
  limit: intIn(1, 500).optional(),
});

/** `GET /crm/v3/owners` query (owners v3 reference: `email`, `after`, `limit` ≤ 500, `archived`). */
export const ownersQuery = z.strictObject({
  email: z.string().optional(),
  after: z.string().regex(/^\d+$/, 'after must be the cursor from paging.next.after').optional(),
  limit: intIn(1, 500).optional(),
  archived: bool.optional(),
});

/** `GET /crm/v3/properties/{objectType}` query (properties v3 reference). */
export const propertiesQuery = z.strictObject({
  archived: bool.optional(),
  properties: csv.optional(),
  dataSensitivity: z.enum(['non_sensitive', 'sensitive', 'highly_sensitive']).optional(),
  locale: z.string().optional(),
});
