import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { parseWire, type WireContactCreate, wireContact } from '../wire.js';
import { contactOutput } from './contact.list.js';

/**
 * Creates a contact (`POST /v1/contacts`). __NAME__ refuses a second contact with the same email
 * with a 409, which reaches the caller as a `conflict` error. A write declares `mirror`: when it
 * runs for a table cell, the new contact's id is mirrored into the cell as `__SNAKE___contact_id`.
 *
 * @example
 * ```sh
 * oxygen integrations run __ID__ contact.create --input '{"email":"ada@example.com","name":"Ada Lovelace"}' --json
 * ```
 */
export const contactCreate = defineAction({
  slug: 'contact.create',
  title: 'Create a contact',
  description: 'Creates a __NAME__ contact with an email address and an optional name.',
  input: z.strictObject({
    email: z.email().describe('The contact email address; unique in __NAME__.'),
    name: z.string().min(1).optional().describe('The full name.'),
  }),
  output: contactOutput,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // A second identical POST would fail with a 409, not create twice, but a retried 5xx could
  // still double-create on some providers: say false unless the provider documents otherwise.
  idempotent: false,
  mirror: { recordId: (out) => out.id, label: '__SNAKE___contact_id' },
  run: async (input, ctx) => {
    const json: WireContactCreate = { email: input.email, ...(input.name ? { name: input.name } : {}) };
    const contact = parseWire(
      wireContact,
      await ctx.http.post('v1/contacts', { json }).json(),
      'the contact',
    );
    return { id: contact.id, email: contact.email, name: contact.name, created_at: contact.created_at };
  },
});
