/**
 * LinkedIn's request and response shapes, as far as this plugin uses them. Response schemas
 * validate only the fields the plugin reads and let everything else pass through, so a field
 * LinkedIn adds never breaks a call. Request shapes are plain types: the plugin builds them.
 *
 * LinkedIn publishes no OpenAPI description for these APIs. Sources (see
 * `../shared/provider-specs/linkedin/NOTES.md` for what is verified and what is secondary):
 * - OIDC userinfo: https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
 * - Posts API: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api
 * - Comments API: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api
 * - Reactions API: https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/reactions-api
 * - Errors: https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling
 *
 * @module
 */

import { ProviderError } from '@oxygen/core';
import { z } from 'zod';

/**
 * `GET /v2/userinfo` answer (OpenID Connect). `sub` needs `openid`; the name and picture fields
 * need `profile`; `email` and `email_verified` need `email`. `locale` is an object
 * (`{country, language}`) in LinkedIn's answers; a string is accepted too.
 */
export const wireUserInfo = z.looseObject({
  sub: z.string().min(1),
  name: z.string().optional(),
  given_name: z.string().optional(),
  family_name: z.string().optional(),
  picture: z.string().optional(),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  locale: z
    .union([z.string(), z.looseObject({ country: z.string().optional(), language: z.string().optional() })])
    .optional(),
});
/** The member's OIDC userinfo as LinkedIn answers it. */
export type WireUserInfo = z.infer<typeof wireUserInfo>;

/** `POST /rest/socialActions/{target}/comments` answer (201): the created comment. */
export const wireComment = z.looseObject({
  id: z.string().optional(),
  commentUrn: z.string().optional(),
  $URN: z.string().optional(),
  object: z.string().optional(),
  actor: z.string().optional(),
  created: z.looseObject({ time: z.number().optional() }).optional(),
});

/** `POST /rest/reactions?actor=...` answer (201): the created reaction. */
export const wireReaction = z.looseObject({
  id: z.string().optional(),
  root: z.string().optional(),
  reactionType: z.string().optional(),
  created: z.looseObject({ time: z.number().optional() }).optional(),
});

/**
 * The platform data provider's answer to `GET /enrichment/v1/person` (used by `profile.enrich`
 * in managed mode; not a LinkedIn API). `null` fields are unknown.
 */
export const wireEnrichedPerson = z.looseObject({
  person: z.looseObject({
    linkedin_url: z.string(),
    full_name: z.string().nullable().optional(),
    first_name: z.string().nullable().optional(),
    last_name: z.string().nullable().optional(),
    headline: z.string().nullable().optional(),
    title: z.string().nullable().optional(),
    company: z
      .looseObject({ name: z.string().nullable().optional(), domain: z.string().nullable().optional() })
      .nullable()
      .optional(),
    location: z.string().nullable().optional(),
    updated_at: z.string().nullable().optional(),
  }),
});

/** The platform data provider's answer to `GET /enrichment/v1/account` (managed `verify`). */
export const wireDataProviderAccount = z.looseObject({
  account: z.looseObject({ name: z.string().min(1) }),
});

/**
 * LinkedIn's error body. The documented shape is `{ message, serviceErrorCode, status }`;
 * Rest.li (versioned `/rest`) endpoints may answer `{ status, code, message }` instead, and the
 * OAuth endpoints `{ error, error_description }`. Every field is optional.
 */
export const wireError = z.looseObject({
  message: z.string().optional(),
  serviceErrorCode: z.number().optional(),
  status: z.number().optional(),
  code: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

/**
 * `POST /rest/posts` body for a member's text post (Posts API), optionally with an article
 * (a link with its title). Field names from the Posts API schema.
 */
export interface WirePostBody {
  author: string;
  commentary: string;
  visibility: 'PUBLIC' | 'CONNECTIONS' | 'LOGGED_IN';
  distribution: {
    feedDistribution: 'MAIN_FEED';
    targetEntities: never[];
    thirdPartyDistributionChannels: never[];
  };
  content?: { article: { source: string; title: string; description?: string } };
  lifecycleState: 'PUBLISHED';
  isReshareDisabledByAuthor: boolean;
}

/** `POST /rest/socialActions/{target}/comments` body (Comments API). */
export interface WireCommentBody {
  actor: string;
  object: string;
  message: { text: string };
  parentComment?: string;
}

/** `POST /rest/reactions?actor=...` body (Reactions API). */
export interface WireReactionBody {
  root: string;
  reactionType: string;
}

/**
 * Parses a LinkedIn answer with a wire schema, throwing a {@link ProviderError} (not a crash)
 * when LinkedIn answered something the plugin cannot use.
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProviderError(
    `LinkedIn answered ${what} with an unexpected shape: ${issue?.message ?? 'invalid'} at "${issue?.path.join('.') ?? ''}".`,
    { hint: 'LinkedIn may have changed this API; report it to the plugin author.' },
  );
}
