import { defineAction, ValidationError } from '@oxygen/core';
import { z } from 'zod';
import { CONTACT_EMAIL, contactFields, headerValue, toWireProperties, upsertOutput } from '../shared.js';
import { parseWire, wireBatchUpsertResponse, wireError } from '../wire.js';

/**
 * Creates a contact, or updates the one with the same email, in one request
 * (`POST /crm/v3/objects/contacts/batch/upsert` keyed by `email`, HubSpot's unique contact property).
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot contact.upsert --input '{"email":"ada@example.com","firstname":"Ada"}' --json
 * # {"id":"101","created":true,"properties":{"email":"ada@example.com","firstname":"Ada",...},...}
 * ```
 */
export const contactUpsert = defineAction({
  slug: 'contact.upsert',
  title: 'Create or update a contact',
  description:
    'Creates a HubSpot contact, or updates the existing contact with the same email (emails are unique per contact). One request.',
  input: z.strictObject({
    email: z
      .string()
      .trim()
      .regex(CONTACT_EMAIL, 'must be an email address')
      .describe('The contact email: the key the upsert matches on.'),
    ...contactFields,
  }),
  output: upsertOutput,
  authModes: ['byok'],
  credits: 0, // byok only: the organization pays HubSpot, not Oxygen credits
  effect: 'write',
  idempotent: true,
  scopes: ['crm.objects.contacts.write'],
  mirror: { recordId: (o) => o.id, label: 'hubspot_contact_id' },
  run: async (input, ctx) => {
    const { email, properties, ...named } = input;
    const json = {
      inputs: [
        { idProperty: 'email', id: email, properties: toWireProperties(properties, named, { email }) },
      ],
    };
    const response = await ctx.http.post('crm/v3/objects/contacts/batch/upsert', {
      json,
      responseType: 'json',
    });
    const body = parseWire(wireBatchUpsertResponse, response.body, 'the contact upsert');
    const result = body.results[0];
    if (!result) {
      // 207 Multi-Status: HubSpot reports a rejected input in `errors` instead of failing the request.
      const error = wireError.safeParse(body.errors?.[0]).data;
      const message = error?.message ?? 'HubSpot did not upsert the contact and gave no reason.';
      throw new ValidationError(`HubSpot rejected the contact: ${message}`, {
        providerMessage: message,
        requestId: headerValue(response.headers['x-hubspot-correlation-id']),
        status: response.statusCode,
        field: error?.errors?.[0]?.in,
        data: error?.category ? { provider_code: error.category } : undefined,
      });
    }
    return {
      id: result.id,
      created: result.new ?? result.createdAt === result.updatedAt,
      properties: result.properties,
      createdAt: result.createdAt,
      updatedAt: result.updatedAt,
    };
  },
});
