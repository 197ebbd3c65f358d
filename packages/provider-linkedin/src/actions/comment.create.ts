import { defineAction, ProviderError } from '@oxygen/core';
import { z } from 'zod';
import {
  COMMENT_TEXT_MAX,
  commentUrn,
  headerValue,
  memberUrn,
  personUrn,
  postOrActivityUrn,
  restHeaders,
} from '../shared.js';
import { parseWire, type WireCommentBody, wireComment } from '../wire.js';

/**
 * Comments on a post as the connected member through the Comments API
 * (`POST /rest/socialActions/{encoded target}/comments`), or replies to a comment when
 * `parent_comment_urn` is given (then the target in the path is the parent comment and
 * `object` stays the post). The actor is `urn:li:person:<sub>` from userinfo unless given.
 *
 * @example
 * ```sh
 * oxygen integrations run linkedin comment.create --input '{"post_urn":"urn:li:share:7264000000000000001","text":"Great read"}' --json
 * # {"urn":"urn:li:comment:(urn:li:activity:7264000000000000002,7264000000000000003)","id":"7264000000000000003","post_urn":"urn:li:share:7264000000000000001"}
 * ```
 */
export const commentCreate = defineAction({
  slug: 'comment.create',
  title: 'Comment on a post',
  description:
    'Comments on a LinkedIn post (or replies to a comment on it) as the connected member. Returns the comment URN.',
  input: z.strictObject({
    post_urn: postOrActivityUrn.describe(
      'The post to comment on (urn:li:share:..., urn:li:ugcPost:... or urn:li:activity:...).',
    ),
    text: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(
        COMMENT_TEXT_MAX,
        `LinkedIn comments are limited to ${COMMENT_TEXT_MAX} characters; shorten the text`,
      )
      .describe(`The comment, plain text, up to ${COMMENT_TEXT_MAX} characters.`),
    parent_comment_urn: commentUrn
      .optional()
      .describe('Reply to this comment (urn:li:comment:(...)) instead of commenting on the post itself.'),
    actor: personUrn.optional().describe('The member URN to comment as; omit to look it up (one request).'),
  }),
  output: z.object({
    urn: z.string().describe('The comment URN: urn:li:comment:(<activity>,<id>).'),
    id: z.string().describe('The comment id.'),
    post_urn: z.string(),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: false,
  scopes: ['openid', 'w_member_social'],
  mirror: { recordId: (o) => o.urn, label: 'linkedin_comment_urn' },
  run: async (input, ctx) => {
    const actor = await memberUrn(ctx, input.actor);
    const target = input.parent_comment_urn ?? input.post_urn;
    const json: WireCommentBody = {
      actor,
      object: input.post_urn,
      message: { text: input.text },
      ...(input.parent_comment_urn ? { parentComment: input.parent_comment_urn } : {}),
    };
    const response = await ctx.http.post(`rest/socialActions/${encodeURIComponent(target)}/comments`, {
      json,
      headers: restHeaders(),
      responseType: 'json',
    });
    const comment = parseWire(wireComment, response.body || {}, 'the new comment');
    const urn = comment.commentUrn ?? comment.$URN;
    const id = comment.id ?? headerValue(response.headers['x-restli-id']) ?? urn?.match(/,(\d+)\)$/)?.[1];
    if (!urn || !id) {
      throw new ProviderError('LinkedIn created the comment but its answer carried no comment URN.', {
        status: response.statusCode,
        requestId: headerValue(response.headers['x-li-uuid']),
        hint: 'The comment may exist; check the post on linkedin.com before commenting again.',
      });
    }
    return { urn, id, post_urn: input.post_urn };
  },
});
