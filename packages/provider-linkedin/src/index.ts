/**
 * `@oxygen/provider-linkedin`: LinkedIn for Oxygen Integrations. A member connects their own
 * account with OAuth 2.0 + OpenID Connect (BYOK) to read their profile and publish, delete,
 * comment and react; `profile.enrich` looks up public profiles through the platform's data
 * provider in managed mode.
 *
 * @example
 * ```ts
 * import linkedin from '@oxygen/provider-linkedin';
 * linkedin.actions.map((a) => a.slug);
 * // ['profile.me', 'post.create', 'post.delete', 'comment.create', 'reaction.create', 'profile.enrich']
 * ```
 *
 * @packageDocumentation
 */

import { defineProvider, managed, oauth2, type ParsedProviderError } from '@oxygen/core';
import { commentCreate } from './actions/comment.create.js';
import { postCreate } from './actions/post.create.js';
import { postDelete } from './actions/post.delete.js';
import { profileEnrich } from './actions/profile.enrich.js';
import { profileMe } from './actions/profile.me.js';
import { REACTION_TYPES, reactionCreate } from './actions/reaction.create.js';
import { ACCOUNT_PATH, dataProviderUrl, LINKEDIN_API_URL, userInfo } from './shared.js';
import { parseWire, wireDataProviderAccount, wireError } from './wire.js';

export { DATA_PROVIDER_URL, LINKEDIN_VERSION, RESTLI_PROTOCOL_VERSION, toLittleText } from './shared.js';
export { commentCreate, postCreate, postDelete, profileEnrich, profileMe, REACTION_TYPES, reactionCreate };

/**
 * Reads LinkedIn's error bodies: the documented `{ message, serviceErrorCode, status }`, the
 * Rest.li `{ status, code, message }` (422s name the field as `ERROR :: /field :: ...`), and the
 * OAuth endpoints' `{ error, error_description }`. Every field is optional.
 *
 * @example
 * ```ts
 * parseLinkedInError({ status: 401, serviceErrorCode: 65601, code: 'REVOKED_ACCESS_TOKEN',
 *   message: 'The token used in the request has been revoked by the user' });
 * // { message: 'The token used in the request has been revoked by the user', providerCode: 'REVOKED_ACCESS_TOKEN', field: undefined }
 * parseLinkedInError({ message: 'ERROR :: /commentary :: field is required but not found and has no default value', status: 422 });
 * // { message: 'ERROR :: /commentary :: ...', providerCode: undefined, field: 'commentary' }
 * ```
 */
export function parseLinkedInError(body: unknown): ParsedProviderError {
  if (typeof body === 'string') return { message: body.trim().slice(0, 500) || undefined };
  const error = wireError.safeParse(body).data;
  if (!error) return {};
  const message = error.message ?? error.error_description ?? error.error;
  const field = message ? /ERROR :: \/([^\s:]+) ::/.exec(message)?.[1]?.replaceAll('/', '.') : undefined;
  const providerCode =
    error.code ??
    (error.error_description ? error.error : undefined) ??
    (error.serviceErrorCode !== undefined && error.serviceErrorCode !== error.status
      ? String(error.serviceErrorCode)
      : undefined);
  return { message, providerCode, field };
}

/**
 * The LinkedIn provider plugin.
 *
 * - BYOK: OAuth 2.0 authorization code (LinkedIn's 3-legged flow; no PKCE, client secret in
 *   the token request body) with the scopes `openid profile email w_member_social`. Access
 *   tokens last 60 days; most apps get no refresh token, so the member reconnects.
 * - Managed: the platform's key (`OXYGEN_MANAGED_LINKEDIN_KEY`) for `profile.enrich` only.
 *
 * @example
 * ```ts
 * import linkedin from '@oxygen/provider-linkedin';
 * linkedin.auth.byok[0]?.type; // 'oauth2'
 * linkedin.auth.managed?.type; // 'managed'
 * ```
 */
export default defineProvider({
  apiVersion: 1,
  id: 'linkedin',
  name: 'LinkedIn',
  description:
    "LinkedIn: the member's profile, posts (create, delete), comments and reactions with their own account; public profile lookups through the platform's data provider (managed).",
  baseUrl: LINKEDIN_API_URL,
  auth: {
    byok: [
      oauth2({
        // https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
        authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
        tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
        // "Sign In with LinkedIn using OpenID Connect" + "Share on LinkedIn".
        scopes: ['openid', 'profile', 'email', 'w_member_social'],
        // LinkedIn's web 3-legged flow authenticates the app with its client secret; PKCE is
        // not part of it (see NOTES.md).
        pkce: false,
        clientAuth: 'body',
      }),
    ],
    managed: managed({ keyEnv: 'OXYGEN_MANAGED_LINKEDIN_KEY' }),
  },
  verify: async (ctx) => {
    if (ctx.connection.auth_mode === 'managed') {
      // The platform's key belongs to the data provider, not to a LinkedIn member.
      const { account } = parseWire(
        wireDataProviderAccount,
        await ctx.http.get(dataProviderUrl(ctx.http.defaults.options.prefixUrl, ACCOUNT_PATH)).json(),
        'the data provider account',
      );
      return { accountLabel: `${account.name} (managed)` };
    }
    const me = await userInfo(ctx);
    return { accountLabel: me.email ?? me.name ?? `urn:li:person:${me.sub}` };
  },
  // LinkedIn publishes no numbers: daily per-application and per-member counters per endpoint,
  // shown only in the app's Analytics tab, reset at midnight UTC. Nothing to enforce client-side;
  // a 429 is retried with backoff (no Retry-After is documented).
  parseError: parseLinkedInError,
  requestIdHeader: 'x-li-uuid',
  actions: [profileMe, postCreate, postDelete, commentCreate, reactionCreate, profileEnrich],
  // No `webhooks`: LinkedIn webhooks are gated to apps with an approved webhook use case (Lead Sync,
  // organization events); a member-level Share/OIDC app like this one cannot subscribe to any.
});
