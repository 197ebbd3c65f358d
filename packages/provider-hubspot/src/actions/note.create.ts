import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { associationsTo } from '../associations.js';
import { crmRecord, dateTimeInput, hubspotId, toRecord, toWireProperties } from '../shared.js';
import { parseWire, wireObject } from '../wire.js';

/**
 * Logs a note on a contact, a company or a deal (any of them at once):
 * `POST /crm/v3/objects/notes` with `hs_note_body`, `hs_timestamp` (HubSpot requires it: where the
 * note sits on the timeline; default now) and the associations in the same request (note →
 * contact 202, → company 190, → deal 214).
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot note.create --input '{"body":"Called Ada: wants a demo next week.","contact_id":"101"}' --json
 * ```
 */
export const noteCreate = defineAction({
  slug: 'note.create',
  title: 'Add a note',
  description: 'Logs a note (text or simple HTML) on the timeline of a HubSpot contact, company and/or deal.',
  input: z
    .strictObject({
      body: z
        .string()
        .min(1)
        .max(65_536)
        .describe('The note text (HubSpot keeps up to 65,536 characters; HTML allowed).'),
      timestamp: dateTimeInput
        .optional()
        .describe(
          'When it happened (ISO 8601 or epoch milliseconds): its place on the timeline. Default: now.',
        ),
      owner_id: hubspotId.optional().describe('The owner shown as the note creator (see owner.list).'),
      contact_id: hubspotId.optional().describe('Contact to log the note on.'),
      company_id: hubspotId.optional().describe('Company to log the note on.'),
      deal_id: hubspotId.optional().describe('Deal to log the note on.'),
    })
    .refine((i) => i.contact_id ?? i.company_id ?? i.deal_id, {
      message: 'give at least one of contact_id, company_id or deal_id',
    }),
  output: crmRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // Not idempotent: a retried create whose answer was lost would log the note twice.
  idempotent: false,
  scopes: ['crm.objects.contacts.write'],
  mirror: { recordId: (o) => o.id, label: 'hubspot_note_id' },
  run: async (input, ctx) => {
    const json = {
      properties: toWireProperties({
        hs_note_body: input.body,
        hs_timestamp: input.timestamp ?? new Date().toISOString(),
        hubspot_owner_id: input.owner_id,
      }),
      associations: [
        ...associationsTo('notes', 'contacts', input.contact_id ? [input.contact_id] : []),
        ...associationsTo('notes', 'companies', input.company_id ? [input.company_id] : []),
        ...associationsTo('notes', 'deals', input.deal_id ? [input.deal_id] : []),
      ],
    };
    const body = await ctx.http.post('crm/v3/objects/notes', { json }).json();
    return toRecord(parseWire(wireObject, body, 'the note create'));
  },
});
