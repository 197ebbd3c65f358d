/**
 * Schemas and helpers shared by this provider's actions.
 *
 * @module
 */

import { z } from 'zod';
import type { WireObject, WireProperties } from './wire.js';

/** A property value as callers may give it; HubSpot receives it as a string (`null` clears it). */
export const propertyValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** Free property map: internal HubSpot property names to values. */
export const propertiesInput = z
  .record(z.string().min(1), propertyValue)
  .describe(
    'Any HubSpot properties by internal name (e.g. {"lifecyclestage": "lead"}). Numbers and booleans are sent as strings; null clears the value.',
  );

/** Property names to read back, by internal name. */
export const propertyNames = z
  .array(z.string().min(1))
  .max(250)
  .describe('Internal property names to return (HubSpot returns its defaults when omitted).');

/** A CRM record as actions return it. */
export const crmRecord = z.object({
  id: z.string().describe('HubSpot record id (hs_object_id).'),
  properties: z.record(z.string(), z.string().nullable()).describe('Property values; null when unset.'),
  createdAt: z.string().describe('ISO 8601 creation time.'),
  updatedAt: z.string().describe('ISO 8601 time of the last change.'),
  archived: z.boolean().describe('True when the record is in the recycle bin.'),
});
/** A CRM record as actions return it. */
export type CrmRecord = z.infer<typeof crmRecord>;

/** The output of an upsert: the record and whether this call created it. */
export const upsertOutput = crmRecord.omit({ archived: true }).extend({
  created: z.boolean().describe('True when this call created the record, false when it updated one.'),
});

/** Keeps the fields actions return; drops whatever else HubSpot sent. */
export function toRecord(o: WireObject): CrmRecord {
  return {
    id: o.id,
    properties: o.properties,
    createdAt: o.createdAt,
    updatedAt: o.updatedAt,
    archived: o.archived ?? false,
  };
}

/**
 * Merges property maps (later wins, `undefined` skipped) into HubSpot's wire form, where every
 * value is a string and `''` clears a property.
 *
 * @example
 * ```ts
 * toWireProperties({ employees: 12, active: true, fax: null }) // { employees: '12', active: 'true', fax: '' }
 * ```
 */
export function toWireProperties(
  ...maps: (Record<string, z.infer<typeof propertyValue> | undefined> | undefined)[]
): WireProperties {
  const out: WireProperties = {};
  for (const map of maps) {
    for (const [name, value] of Object.entries(map ?? {})) {
      if (value !== undefined) out[name] = value === null ? '' : String(value);
    }
  }
  return out;
}

/** A HubSpot record id (`hs_object_id`): digits. */
export const hubspotId = z.string().trim().regex(/^\d+$/, 'must be a numeric HubSpot id');

/** The CRM object types the plugin works with, in HubSpot's plural spelling. */
export const OBJECT_TYPES = ['contacts', 'companies', 'deals'] as const;
/** One of {@link OBJECT_TYPES}. */
export type ObjectType = (typeof OBJECT_TYPES)[number];
/** A CRM object type as an input field. */
export const objectType = z.enum(OBJECT_TYPES);

/** `cursor` in, the same way in every list and search action. */
export const cursorInput = z
  .string()
  .min(1)
  .optional()
  .describe('The next_cursor of the previous page; omit for the first page.');

/** `next_cursor` out, the same way in every list and search action. */
export const nextCursorOutput = z
  .string()
  .nullable()
  .describe('Pass as cursor for the next page; null on the last page.');

/** The named contact properties actions take besides `properties` (HubSpot's internal names). */
export const contactFields = {
  firstname: z.string().optional(),
  lastname: z.string().optional(),
  company: z
    .string()
    .optional()
    .describe('Company name as a contact property (does not associate a company).'),
  jobtitle: z.string().optional(),
  phone: z.string().optional(),
  website: z.string().optional(),
  lifecyclestage: z.string().optional().describe('e.g. subscriber, lead, marketingqualifiedlead, customer.'),
  properties: propertiesInput.optional(),
};

/** The object types a record read can list associated ids of (`associations` query). */
export const associationTypes = z
  .array(z.enum(['contacts', 'companies', 'deals', 'notes']))
  .max(4)
  .describe('Also return the ids of associated records of these types (HubSpot returns up to 500 of each).');

/** A record with the ids of its associated records, by object type (only types that have some). */
export const crmRecordWithAssociations = crmRecord.extend({
  associations: z
    .record(z.string(), z.array(z.string()))
    .optional()
    .describe('Ids of associated records by object type, when associations were asked for.'),
});

/** A record's `associations` as HubSpot answers a v3 read, reduced to unique ids per type. */
export function associatedIds(
  associations: Record<string, { results: { id: string }[] }> | undefined,
): Record<string, string[]> | undefined {
  if (!associations) return undefined;
  return Object.fromEntries(
    Object.entries(associations).map(([type, page]) => [type, [...new Set(page.results.map((r) => r.id))]]),
  );
}

/**
 * A date-time input as HubSpot's datetime properties take it: ISO 8601 (a date alone means
 * midnight UTC) or epoch milliseconds, sent as an ISO 8601 UTC string.
 */
export const dateTimeInput = z.union([z.string().trim(), z.number().int()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 date or date-time, or epoch milliseconds' });
    return z.NEVER;
  }
  return new Date(ms).toISOString();
});

/** A number input sent as HubSpot's string form (`1500.50`). */
export const numberInput = z
  .union([
    z.number(),
    z
      .string()
      .trim()
      .regex(/^-?\d+(\.\d+)?$/, 'must be a number such as 1500.50'),
  ])
  .transform(String);

/** What the plugin accepts as an email address before sending it (HubSpot checks it further). */
export const CONTACT_EMAIL = /^[^@\s]+@[^@\s]+$/;

/** The first value of a response header. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
