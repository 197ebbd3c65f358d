import { defineAction, ValidationError } from '@oxygen/core';
import { z } from 'zod';
import { cursorInput, nextCursorOutput, objectType } from '../shared.js';
import { parseWire, wirePropertiesResponse } from '../wire.js';

/**
 * Lists the properties of contacts, companies or deals (`GET /crm/v3/properties/{objectType}`):
 * internal names, labels, types and allowed options, for mapping table columns to HubSpot fields.
 * HubSpot answers every property at once; the action pages that list locally with the same
 * `cursor` / `next_cursor` as every other list (each page reads the list again).
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot property.list --input '{"object_type":"contacts","writable_only":true,"limit":200}' --json
 * ```
 */
export const propertyList = defineAction({
  slug: 'property.list',
  title: 'List properties',
  description:
    'Lists the properties (internal name, label, type, options, read-only or not) of HubSpot contacts, companies or deals, for mapping columns to fields.',
  input: z.strictObject({
    object_type: objectType.describe('contacts, companies or deals.'),
    writable_only: z.boolean().default(false).describe('Leave out read-only and calculated properties.'),
    include_hidden: z.boolean().default(false).describe('Include properties HubSpot hides in its UI.'),
    limit: z.number().int().min(1).max(1000).default(100).describe('Properties per page, 1-1000.'),
    cursor: cursorInput,
  }),
  output: z.object({
    object_type: objectType,
    results: z.array(
      z.object({
        name: z.string().describe('Internal name: the key to use in properties and filters.'),
        label: z.string(),
        type: z.string().describe('string, number, enumeration, datetime, date, bool, ...'),
        fieldType: z.string(),
        description: z.string(),
        groupName: z.string().nullable(),
        options: z
          .array(z.object({ label: z.string(), value: z.string() }))
          .describe('Allowed values of an enumeration: send value, HubSpot shows label.'),
        readOnly: z.boolean().describe('HubSpot computes it; writes are refused.'),
        unique: z.boolean().describe('Values are unique (custom unique identifiers).'),
        hubspotDefined: z.boolean().describe('A HubSpot default property, not a custom one.'),
        hidden: z.boolean(),
      }),
    ),
    total: z.number().int().describe('Properties matching, across all pages.'),
    next_cursor: nextCursorOutput,
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.schemas.contacts.read', 'crm.schemas.companies.read', 'crm.schemas.deals.read'],
  run: async (input, ctx) => {
    const offset = input.cursor === undefined ? 0 : Number(input.cursor);
    if (!Number.isInteger(offset) || offset < 0) {
      throw new ValidationError('cursor must be the next_cursor of a previous property.list page.', {
        field: 'cursor',
      });
    }
    const answer = parseWire(
      wirePropertiesResponse,
      await ctx.http.get(`crm/v3/properties/${input.object_type}`).json(),
      'the property list',
    );
    const all = answer.results
      .map((p) => ({
        name: p.name,
        label: p.label,
        type: p.type,
        fieldType: p.fieldType,
        description: p.description ?? '',
        groupName: p.groupName ?? null,
        options: (p.options ?? []).filter((o) => !o.hidden).map((o) => ({ label: o.label, value: o.value })),
        readOnly: p.modificationMetadata?.readOnlyValue === true || p.calculated === true,
        unique: p.hasUniqueValue ?? false,
        hubspotDefined: p.hubspotDefined ?? false,
        hidden: p.hidden ?? false,
      }))
      .filter((p) => (input.include_hidden || !p.hidden) && (!input.writable_only || !p.readOnly))
      .sort((a, b) => a.name.localeCompare(b.name));
    const end = offset + input.limit;
    return {
      object_type: input.object_type,
      results: all.slice(offset, end),
      total: all.length,
      next_cursor: end < all.length ? String(end) : null,
    };
  },
});
