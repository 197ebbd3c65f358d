import { defineAction, ProviderError } from '@oxygen/core';
import { z } from 'zod';
import { commentUrn, headerValue, memberUrn, personUrn, postOrActivityUrn, restHeaders } from '../shared.js';
import { parseWire, type WireReactionBody, wireReaction } from '../wire.js';

/** LinkedIn's reaction types and what the LinkedIn UI calls them. */
export const REACTION_TYPES = {
  LIKE: 'Like',
  PRAISE: 'Celebrate',
  EMPATHY: 'Love',
  INTEREST: 'Insightful',
  APPRECIATION: 'Support',
  ENTERTAINMENT: 'Funny',
} as const;

/**
 * Reacts to a post or a comment as the connected member through the Reactions API
 * (`POST /rest/reactions?actor={encoded member URN}` with `{ root, reactionType }`).
 *
 * @example
 * ```sh
 * oxygen integrations run linkedin reaction.create --input '{"target_urn":"urn:li:share:7264000000000000001","type":"PRAISE"}' --json
 * # {"urn":"urn:li:reaction:(urn:li:person:yH3rQ9xZ2b,urn:li:activity:7264000000000000002)","target_urn":"urn:li:share:7264000000000000001","type":"PRAISE"}
 * ```
 */
export const reactionCreate = defineAction({
  slug: 'reaction.create',
  title: 'React to a post or comment',
  description:
    'Adds a reaction (Like, Celebrate, Love, Insightful, Support, Funny) to a LinkedIn post or comment as the connected member.',
  input: z.strictObject({
    target_urn: z
      .union([postOrActivityUrn, commentUrn], {
        error:
          'must be a post URN (urn:li:share:..., urn:li:ugcPost:..., urn:li:activity:...) or a comment URN',
      })
      .describe('The post or comment to react to.'),
    type: z
      .enum(Object.keys(REACTION_TYPES) as [keyof typeof REACTION_TYPES, ...(keyof typeof REACTION_TYPES)[]])
      .default('LIKE')
      .describe(
        'LIKE (Like), PRAISE (Celebrate), EMPATHY (Love), INTEREST (Insightful), APPRECIATION (Support), ENTERTAINMENT (Funny).',
      ),
    actor: personUrn.optional().describe('The member URN to react as; omit to look it up (one request).'),
  }),
  output: z.object({
    urn: z.string().describe('The reaction id: urn:li:reaction:(<actor>,<target>).'),
    target_urn: z.string(),
    type: z.string(),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: false,
  scopes: ['openid', 'w_member_social'],
  mirror: { recordId: (o) => o.urn, label: 'linkedin_reaction_urn' },
  run: async (input, ctx) => {
    const actor = await memberUrn(ctx, input.actor);
    const json: WireReactionBody = { root: input.target_urn, reactionType: input.type };
    const response = await ctx.http.post('rest/reactions', {
      searchParams: { actor },
      json,
      headers: restHeaders(),
      responseType: 'json',
    });
    const reaction = parseWire(wireReaction, response.body || {}, 'the new reaction');
    const urn = reaction.id ?? headerValue(response.headers['x-restli-id']);
    if (!urn) {
      throw new ProviderError('LinkedIn created the reaction but its answer carried no reaction id.', {
        status: response.statusCode,
        requestId: headerValue(response.headers['x-li-uuid']),
      });
    }
    return { urn, target_urn: input.target_urn, type: reaction.reactionType ?? input.type };
  },
});
