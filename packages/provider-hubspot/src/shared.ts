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

/** The `after` cursor of a search's first page: HubSpot's search cursor is a result offset. */
export const FIRST_PAGE = '0';
