import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { parseWire, wireContactPage } from '../wire.js';

/** A contact as the actions return it. */
export const contactOutput = z.object({
  id: z.string().describe('The __NAME__ contact id.'),
  email: z.string(),
  name: z.string().nullable(),
  created_at: z.string().describe('When it was created (ISO 8601).'),
});

/**
 * Lists contacts, one page at a time (`GET /v1/contacts`), optionally only the one with an email.
 * Takes `cursor` and returns `next_cursor` (`null` on the last page), so
 * `oxygen integrations run __ID__ contact.list --all` follows every page.
 *
 * @example
 * ```sh
 * oxygen integrations run __ID__ contact.list --input '{"limit":50}' --json
 * ```
 */
export const contactList = defineAction({
  slug: 'contact.list',
  title: 'List contacts',
  description: 'Lists __NAME__ contacts a page at a time, or finds the contact with an email address.',
  input: z.strictObject({
    email: z.email().optional().describe('Only the contact with this email address.'),
    limit: z.number().int().min(1).max(100).default(25).describe('Contacts per page (1-100).'),
    cursor: z.string().optional().describe("The previous page's next_cursor."),
  }),
  output: z.object({
    results: z.array(contactOutput),
    next_cursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  run: async (input, ctx) => {
    const searchParams: Record<string, string | number> = { limit: input.limit };
    if (input.email !== undefined) searchParams.email = input.email;
    if (input.cursor !== undefined) searchParams.cursor = input.cursor;
    const page = parseWire(
      wireContactPage,
      await ctx.http.get('v1/contacts', { searchParams }).json(),
      'the contact list',
    );
    return {
      results: page.data.map((c) => ({ id: c.id, email: c.email, name: c.name, created_at: c.created_at })),
      next_cursor: page.next_cursor,
    };
  },
});
