import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { userInfo } from '../shared.js';

/**
 * Reads the connected member's own profile through OpenID Connect (`GET /v2/userinfo`): their
 * member id (`sub`, and the `urn:li:person:<sub>` URN posts are authored with), name, picture,
 * email and locale.
 *
 * @example
 * ```sh
 * oxygen integrations run linkedin profile.me --input '{}' --json
 * # {"sub":"yH3rQ9xZ2b","person_urn":"urn:li:person:yH3rQ9xZ2b","name":"Ada Lovelace","email":"ada@example.com",...}
 * ```
 */
export const profileMe = defineAction({
  slug: 'profile.me',
  title: 'Read my profile',
  description:
    "Reads the connected member's own LinkedIn profile (OpenID Connect userinfo): member id and URN, name, picture, email.",
  input: z.strictObject({}),
  output: z.object({
    sub: z.string().describe('The member id (OIDC subject).'),
    person_urn: z.string().describe('urn:li:person:<sub>: the author URN of the member’s posts.'),
    name: z.string().nullable(),
    given_name: z.string().nullable(),
    family_name: z.string().nullable(),
    email: z.string().nullable().describe('Primary email; null without the email scope.'),
    email_verified: z.boolean().nullable(),
    picture: z.string().nullable().describe('Profile picture URL.'),
    locale: z.string().nullable().describe('e.g. en_US.'),
  }),
  authModes: ['byok'],
  credits: 0, // byok only: the member's own token, no Oxygen credits
  effect: 'read',
  idempotent: true,
  scopes: ['openid', 'profile', 'email'],
  run: async (_input, ctx) => {
    const me = await userInfo(ctx);
    const locale =
      typeof me.locale === 'string'
        ? me.locale
        : me.locale
          ? [me.locale.language, me.locale.country].filter(Boolean).join('_') || null
          : null;
    return {
      sub: me.sub,
      person_urn: `urn:li:person:${me.sub}`,
      name: me.name ?? null,
      given_name: me.given_name ?? null,
      family_name: me.family_name ?? null,
      email: me.email ?? null,
      email_verified: me.email_verified ?? null,
      picture: me.picture ?? null,
      locale,
    };
  },
});
