import { defineAction, ProviderError } from '@oxygen/core';
import { z } from 'zod';
import {
  headerValue,
  memberUrn,
  POST_COMMENTARY_MAX,
  personUrn,
  postWebUrl,
  restHeaders,
  toLittleText,
} from '../shared.js';
import type { WirePostBody } from '../wire.js';

/**
 * Publishes a text post as the connected member through LinkedIn's versioned Posts API
 * (`POST /rest/posts` with `LinkedIn-Version` and `X-Restli-Protocol-Version: 2.0.0`), optionally
 * with a link shown as an article card. The author is `urn:li:person:<sub>` from userinfo (one
 * request first) unless `author` is given. LinkedIn answers 201 with an empty body and the new
 * post's URN in the `x-restli-id` header.
 *
 * @example
 * ```sh
 * oxygen integrations run linkedin post.create --input '{"commentary":"Hello from Oxygen"}' --json
 * # {"urn":"urn:li:share:7264000000000000001","url":"https://www.linkedin.com/feed/update/urn:li:share:7264000000000000001/"}
 * ```
 */
export const postCreate = defineAction({
  slug: 'post.create',
  title: 'Publish a post',
  description:
    'Publishes a text post (optionally with a link card) on LinkedIn as the connected member, through the versioned Posts API. Returns the post URN.',
  input: z.strictObject({
    commentary: z
      .string()
      .min(1, 'must not be empty')
      .max(
        POST_COMMENTARY_MAX,
        `LinkedIn posts are limited to ${POST_COMMENTARY_MAX} characters; shorten the commentary`,
      )
      .describe(
        `The post text, up to ${POST_COMMENTARY_MAX} characters. Mention someone with @[Their Name](urn:li:person:<id>) or @[Company](urn:li:organization:<id>). Reserved characters are escaped for you (format "text").`,
      ),
    format: z
      .enum(['text', 'little_text'])
      .default('text')
      .describe(
        '"text" (default): plain text; ( ) [ ] { } < > @ | ~ _ * and \\ are escaped and @[Name](urn) mentions kept. "little_text": sent as is (you escaped it).',
      ),
    link: z
      .strictObject({
        url: z.url({ protocol: /^https?$/ }).describe('The page to share (http or https).'),
        title: z.string().min(1).max(400).describe('The link card title.'),
        description: z.string().max(4086).optional().describe('The link card description.'),
      })
      .optional()
      .describe('A link shown as an article card under the text.'),
    visibility: z
      .enum(['PUBLIC', 'CONNECTIONS', 'LOGGED_IN'])
      .default('PUBLIC')
      .describe('PUBLIC (anyone), CONNECTIONS (1st-degree connections), LOGGED_IN (signed-in members).'),
    author: personUrn
      .optional()
      .describe('The member URN to post as; must be the connected member. Omit to look it up (one request).'),
  }),
  output: z.object({
    urn: z.string().describe('The post URN (urn:li:share:... or urn:li:ugcPost:...).'),
    url: z.string().optional().describe('The post on linkedin.com.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: false, // a second POST publishes a second post
  scopes: ['openid', 'w_member_social'],
  mirror: { recordId: (o) => o.urn, label: 'linkedin_post_urn' },
  run: async (input, ctx) => {
    const author = await memberUrn(ctx, input.author);
    const body: WirePostBody = {
      author,
      commentary: input.format === 'text' ? toLittleText(input.commentary) : input.commentary,
      visibility: input.visibility,
      distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
      ...(input.link
        ? {
            content: {
              article: {
                source: input.link.url,
                title: input.link.title,
                ...(input.link.description ? { description: input.link.description } : {}),
              },
            },
          }
        : {}),
      lifecycleState: 'PUBLISHED',
      isReshareDisabledByAuthor: false,
    };
    const response = await ctx.http.post('rest/posts', { json: body, headers: restHeaders() });
    const urn = headerValue(response.headers['x-restli-id'])?.trim();
    if (!urn) {
      throw new ProviderError(
        `LinkedIn answered ${response.statusCode} to the post but sent no x-restli-id header with the post URN.`,
        {
          status: response.statusCode,
          requestId: headerValue(response.headers['x-li-uuid']),
          hint: 'The post may exist; check the member’s activity on linkedin.com before posting again.',
        },
      );
    }
    return { urn, url: postWebUrl(urn) };
  },
});
