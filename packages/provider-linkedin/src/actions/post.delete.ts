import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { postUrn, restHeaders } from '../shared.js';

/**
 * Deletes one of the connected member's posts (`DELETE /rest/posts/{encoded URN}` on the
 * versioned Posts API, with `X-RestLi-Method: DELETE`). LinkedIn answers 204, also for a post
 * already deleted (deletion is idempotent); a post that never existed is a `not_found` error.
 *
 * @example
 * ```sh
 * oxygen integrations run linkedin post.delete --input '{"urn":"urn:li:share:7264000000000000001"}' --json
 * # {"urn":"urn:li:share:7264000000000000001","deleted":true}
 * ```
 */
export const postDelete = defineAction({
  slug: 'post.delete',
  title: 'Delete a post',
  description: "Deletes one of the connected member's LinkedIn posts by its URN.",
  input: z.strictObject({
    urn: postUrn.describe('The post URN post.create returned (urn:li:share:... or urn:li:ugcPost:...).'),
  }),
  output: z.object({
    urn: z.string(),
    deleted: z.literal(true),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: true, // deleting twice leaves the same state as deleting once
  scopes: ['w_member_social'],
  run: async (input, ctx) => {
    await ctx.http.delete(`rest/posts/${encodeURIComponent(input.urn)}`, {
      headers: { ...restHeaders(), 'x-restli-method': 'DELETE' },
    });
    return { urn: input.urn, deleted: true as const };
  },
});
