/**
 * Request bodies the sandbox accepts, written from HubSpot's CRM v3 API reference. Objects are
 * strict: HubSpot answers an unrecognised JSON field with a 400, and so does the sandbox.
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
    .max(100),
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
