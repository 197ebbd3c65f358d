/**
 * Requests the sandbox accepts, written from LinkedIn's documentation (LinkedIn publishes no
 * OpenAPI; `../shared/provider-specs/linkedin/NOTES.md` records what is verified). Rest.li
 * bodies are strict: LinkedIn answers an unknown field with
 * `422 ERROR :: /field :: unrecognized field found but not allowed`, and so does the sandbox.
 *
 * @module
 */

import { z } from 'zod';

/** Scopes the sandbox app has products for (Sign In with LinkedIn using OpenID Connect, Share on LinkedIn). */
export const KNOWN_SCOPES = ['openid', 'profile', 'email', 'w_member_social'] as const;

/**
 * `GET /oauth/v2/authorization` query.
 * https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow#step-2-request-an-authorization-code
 */
export const authorizeQuery = z.object({
  response_type: z.literal('code'),
  client_id: z.string().min(1),
  redirect_uri: z.url(),
  state: z.string().optional(),
  scope: z.string().min(1),
  /** OIDC: echoed in the ID token. */
  nonce: z.string().optional(),
  /** Not part of LinkedIn's web flow; honoured when a client sends it anyway. */
  code_challenge: z.string().min(43).max(128).optional(),
  code_challenge_method: z.enum(['S256', 'plain']).optional(),
});

/**
 * `POST /oauth/v2/accessToken` form, `grant_type=authorization_code`.
 * https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow#step-3-exchange-authorization-code-for-an-access-token
 */
export const authorizationCodeForm = z.object({
  grant_type: z.literal('authorization_code'),
  code: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
  redirect_uri: z.string().min(1),
  code_verifier: z.string().optional(),
});

/**
 * `POST /oauth/v2/accessToken` form, `grant_type=refresh_token` (Marketing Developer Platform
 * partners only).
 * https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens
 */
export const refreshTokenForm = z.object({
  grant_type: z.literal('refresh_token'),
  refresh_token: z.string().min(1),
  client_id: z.string().min(1),
  client_secret: z.string().min(1),
});

const urn = (pattern: RegExp, what: string) => z.string().regex(pattern, `is not a valid ${what}`);

/**
 * `POST /rest/posts` body (Posts API).
 * https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/posts-api#create-a-post
 */
export const postBody = z.strictObject({
  author: urn(/^urn:li:(person|organization):[A-Za-z0-9_-]+$/, 'person or organization URN'),
  commentary: z.string(),
  visibility: z.enum(['PUBLIC', 'CONNECTIONS', 'LOGGED_IN', 'CONTAINER']),
  distribution: z.strictObject({
    feedDistribution: z.enum(['MAIN_FEED', 'NONE']),
    targetEntities: z.array(z.record(z.string(), z.unknown())).optional(),
    thirdPartyDistributionChannels: z.array(z.string()).optional(),
  }),
  content: z
    .strictObject({
      article: z.strictObject({
        source: z.url(),
        title: z.string().min(1),
        description: z.string().optional(),
        thumbnail: urn(/^urn:li:image:[A-Za-z0-9_-]+$/, 'image URN').optional(),
        thumbnailAltText: z.string().optional(),
      }),
    })
    .optional(),
  lifecycleState: z.enum(['PUBLISHED', 'DRAFT', 'PUBLISH_REQUESTED', 'PUBLISH_FAILED']),
  isReshareDisabledByAuthor: z.boolean().optional(),
  contentLandingPage: z.url().optional(),
  contentCallToActionLabel: z.string().optional(),
  reshareContext: z.strictObject({ parent: z.string(), root: z.string().optional() }).optional(),
});

/**
 * `POST /rest/socialActions/{target}/comments` body (Comments API).
 * https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/comments-api#create-a-comment
 */
export const commentBody = z.strictObject({
  actor: urn(/^urn:li:(person|organization):[A-Za-z0-9_-]+$/, 'person or organization URN'),
  object: urn(/^urn:li:(share|ugcPost|activity):\d+$/, 'share, ugcPost or activity URN'),
  message: z.strictObject({
    text: z.string().min(1),
    attributes: z.array(z.record(z.string(), z.unknown())).optional(),
  }),
  parentComment: urn(
    /^urn:li:comment:\(urn:li:(activity|share|ugcPost):\d+,\d+\)$/,
    'comment URN',
  ).optional(),
  content: z.array(z.record(z.string(), z.unknown())).optional(),
});

/**
 * `POST /rest/reactions?actor=...` body (Reactions API).
 * https://learn.microsoft.com/en-us/linkedin/marketing/community-management/shares/reactions-api#create-a-reaction-on-a-share
 */
export const reactionBody = z.strictObject({
  root: urn(
    /^urn:li:((share|ugcPost|activity):\d+|comment:\(urn:li:(activity|share|ugcPost):\d+,\d+\))$/,
    'share, ugcPost, activity or comment URN',
  ),
  reactionType: z.enum(['LIKE', 'PRAISE', 'EMPATHY', 'INTEREST', 'APPRECIATION', 'ENTERTAINMENT']),
});

/**
 * The platform data provider's `GET /enrichment/v1/person` query: exactly one key. Its contract
 * is defined by the plugin (`profile.enrich`), not by LinkedIn.
 */
export const enrichmentQuery = z.union([
  z.strictObject({
    linkedin_url: z.string().regex(/^https?:\/\/([a-z]{2,3}\.)?(www\.)?linkedin\.com\/in\/[^/?#]+\/?$/i),
  }),
  z.strictObject({ email: z.string().regex(/^[^@\s]+@[^@\s]+$/) }),
]);

/** Turns the first zod issue into LinkedIn's 422 `ERROR :: /path :: reason` text. */
export function restliIssue(issue: z.core.$ZodIssue): { path: string; reason: string } {
  if (issue.code === 'unrecognized_keys') {
    return {
      path: [...issue.path, issue.keys[0] ?? ''].map(String).join('/'),
      reason: 'unrecognized field found but not allowed',
    };
  }
  const path = issue.path.map(String).join('/');
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return { path, reason: 'field is required but not found and has no default value' };
  }
  return { path, reason: issue.message };
}
