import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { contactFields, crmRecord, hubspotId, toRecord, toWireProperties } from '../shared.js';
import { parseWire, wireObject } from '../wire.js';

/**
 * Updates an existing contact (`PATCH /crm/v3/objects/contacts/{id}`, or by email with
 * `idProperty=email`). Only the given properties change; `null` clears one. An unknown contact is
 * `not_found` (nothing is created: use `contact.upsert` for that).
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot contact.update --input '{"email":"ada@example.com","jobtitle":"CTO","properties":{"hs_lead_status":"OPEN"}}' --json
 * ```
 */
export const contactUpdate = defineAction({
  slug: 'contact.update',
  title: 'Update a contact',
  description:
    'Changes properties of an existing HubSpot contact found by id or by email; fails with not_found instead of creating one.',
  input: z
    .strictObject({
      id: hubspotId.optional().describe('HubSpot contact id.'),
      email: z.string().trim().min(3).optional().describe('The email of the contact to update.'),
      ...contactFields,
    })
    .refine((i) => (i.id === undefined) !== (i.email === undefined), {
      message: 'give exactly one of "id" or "email"',
    })
    .refine(
      ({ id: _id, email: _email, properties, ...named }) =>
        Object.keys({ ...properties, ...named }).length > 0,
      {
        message: 'give at least one property to change',
      },
    ),
  output: crmRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // Setting the same values twice leaves the contact as setting them once.
  idempotent: true,
  scopes: ['crm.objects.contacts.write'],
  mirror: { recordId: (o) => o.id, label: 'hubspot_contact_id' },
  run: async (input, ctx) => {
    const { id, email, properties, ...named } = input;
    const searchParams = email !== undefined ? new URLSearchParams({ idProperty: 'email' }) : undefined;
    const body = await ctx.http
      .patch(`crm/v3/objects/contacts/${encodeURIComponent(id ?? email ?? '')}`, {
        json: { properties: toWireProperties(properties, named) },
        ...(searchParams ? { searchParams } : {}),
      })
      .json();
    return toRecord(parseWire(wireObject, body, 'the contact update'));
  },
});
