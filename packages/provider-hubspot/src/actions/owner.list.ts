import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { cursorInput, nextCursorOutput } from '../shared.js';
import { parseWire, wireOwnersPage } from '../wire.js';

/**
 * Lists the account's owners (`GET /crm/v3/owners`): the ids `hubspot_owner_id` takes when a
 * contact, company, deal or note is assigned to someone. Pages with `cursor` / `next_cursor`.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot owner.list --input '{"email":"ada.owner@example.com"}' --json
 * ```
 */
export const ownerList = defineAction({
  slug: 'owner.list',
  title: 'List owners',
  description:
    'Lists the HubSpot users records can be assigned to, with the owner id to put in hubspot_owner_id; optionally by email, or the archived (deactivated) ones.',
  input: z.strictObject({
    email: z.string().trim().min(3).optional().describe('Only the owner with this email.'),
    archived: z.boolean().default(false).describe('True lists only archived (deactivated) owners.'),
    limit: z.number().int().min(1).max(500).default(100).describe('Owners per page, 1-500.'),
    cursor: cursorInput,
  }),
  output: z.object({
    results: z.array(
      z.object({
        id: z.string().describe('The owner id: the value of hubspot_owner_id.'),
        email: z.string().nullable(),
        firstName: z.string().nullable(),
        lastName: z.string().nullable(),
        userId: z.number().int().nullable().describe('The user id (for the settings API; not an owner id).'),
        archived: z.boolean(),
        teams: z.array(z.object({ id: z.string(), name: z.string(), primary: z.boolean() })),
      }),
    ),
    next_cursor: nextCursorOutput,
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['crm.objects.owners.read'],
  run: async (input, ctx) => {
    const searchParams = new URLSearchParams({
      limit: String(input.limit),
      archived: String(input.archived),
    });
    if (input.email !== undefined) searchParams.set('email', input.email);
    if (input.cursor !== undefined) searchParams.set('after', input.cursor);
    const page = parseWire(
      wireOwnersPage,
      await ctx.http.get('crm/v3/owners', { searchParams }).json(),
      'the owner list',
    );
    return {
      results: page.results.map((o) => ({
        id: o.id,
        email: o.email ?? null,
        firstName: o.firstName ?? null,
        lastName: o.lastName ?? null,
        userId: o.userId ?? null,
        archived: o.archived ?? false,
        teams: (o.teams ?? []).map((t) => ({ id: t.id, name: t.name, primary: t.primary ?? false })),
      })),
      next_cursor: page.paging?.next?.after ?? null,
    };
  },
});
