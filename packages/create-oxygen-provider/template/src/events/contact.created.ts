import { defineEvent } from '@oxygen/core';
import { z } from 'zod';

/**
 * A contact was created in __NAME__ (webhook event `contact.created`). `data` is the contact as
 * __NAME__ delivers it.
 *
 * @example
 * ```json
 * { "id": "evt_01", "type": "contact.created", "created_at": "2026-01-05T10:00:00.000Z",
 *   "data": { "id": "con_01", "email": "ada@example.com", "name": "Ada Lovelace", "created_at": "2026-01-05T10:00:00.000Z" } }
 * ```
 */
export const contactCreated = defineEvent({
  type: 'contact.created',
  title: 'Contact created',
  description: 'A contact was created in __NAME__.',
  data: z.looseObject({
    id: z.string().describe('The __NAME__ contact id.'),
    email: z.string(),
    name: z.string().nullable(),
    created_at: z.string(),
  }),
});
