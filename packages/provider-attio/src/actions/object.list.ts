import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { nextCursorOutput } from '../shared.js';
import { parseWire, wireObjectList } from '../wire.js';

/**
 * Lists the workspace's objects, standard and custom (`GET /v2/objects`). Attio answers them all
 * at once, so `next_cursor` is always null.
 *
 * @example
 * ```sh
 * oxygen integrations run attio object.list --input '{}' --json
 * # {"results":[{"id":"97052eb9-...","api_slug":"people","singular_noun":"Person","plural_noun":"People",...}],"next_cursor":null}
 * ```
 */
export const objectList = defineAction({
  slug: 'object.list',
  title: 'List objects',
  description:
    'Lists the objects of the Attio workspace (people, companies, deals, custom objects) with their slugs.',
  input: z.strictObject({}),
  output: z.object({
    results: z.array(
      z.object({
        id: z.string().describe('The object id.'),
        api_slug: z.string().nullable().describe('The slug actions take as "object".'),
        singular_noun: z.string().nullable(),
        plural_noun: z.string().nullable(),
        created_at: z.string(),
      }),
    ),
    next_cursor: nextCursorOutput,
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'read',
  idempotent: true,
  scopes: ['object_configuration:read'],
  run: async (_input, ctx) => {
    const objects = parseWire(
      wireObjectList,
      await ctx.http.get('v2/objects').json(),
      'the object list',
    ).data;
    return {
      results: objects.map((o) => ({
        id: o.id.object_id,
        api_slug: o.api_slug,
        singular_noun: o.singular_noun,
        plural_noun: o.plural_noun,
        created_at: o.created_at,
      })),
      next_cursor: null,
    };
  },
});
