import { defineAction, NotFoundError, ValidationError } from '@oxygen/core';
import { z } from 'zod';
import { dataProviderUrl, ENRICHMENT_PATH } from '../shared.js';
import { parseWire, wireEnrichedPerson } from '../wire.js';

const profileUrl = z
  .string()
  .trim()
  .regex(
    /^https?:\/\/([a-z]{2,3}\.)?(www\.)?linkedin\.com\/in\/[^/?#\s]+\/?(\?[^#\s]*)?$/i,
    'must be a public profile URL like https://www.linkedin.com/in/ada-lovelace',
  )
  .transform((url) => `https://www.linkedin.com/in/${/\/in\/([^/?#]+)/.exec(url)?.[1] ?? ''}`);

/**
 * Looks up a public LinkedIn profile by profile URL or by email through **the platform's data
 * provider**, with the platform's key: managed mode only, charged in credits. It is not a
 * LinkedIn member API (those need the member's own token and cannot look up other people).
 *
 * The data provider's contract (two endpoints):
 *
 * ```http
 * GET {base}/enrichment/v1/person?linkedin_url=https%3A%2F%2Fwww.linkedin.com%2Fin%2F<slug>   (or ?email=<email>)
 * Authorization: Bearer <OXYGEN_MANAGED_LINKEDIN_KEY>
 *
 * 200 {"person":{"linkedin_url","full_name","first_name","last_name","headline","title",
 *                "company":{"name","domain"}|null,"location","updated_at"}}
 * 404 {"status":404,"code":"PERSON_NOT_FOUND","message":"..."}     → {"found":false,"profile":null}
 * 400 INVALID_QUERY · 401 INVALID_API_KEY · 429 RATE_LIMITED (with Retry-After), same body shape
 *
 * GET {base}/enrichment/v1/account      (the plugin's verify in managed mode)
 * 200 {"account":{"name":"..."}}
 * ```
 *
 * `{base}` is `DATA_PROVIDER_URL` (`https://data.oxygen-integrations.com`); when the LinkedIn base URL is overridden
 * (`OXYGEN_PROVIDER_LINKEDIN_BASE_URL`: a sandbox or a proxy), the override serves it.
 *
 * @example
 * ```sh
 * oxygen integrations run linkedin profile.enrich --input '{"linkedin_url":"https://www.linkedin.com/in/ada-lovelace"}' --json
 * # {"found":true,"profile":{"linkedin_url":"https://www.linkedin.com/in/ada-lovelace","full_name":"Ada Lovelace",...}}
 * ```
 */
export const profileEnrich = defineAction({
  slug: 'profile.enrich',
  title: 'Look up a public profile',
  description:
    "Looks up a public LinkedIn profile by profile URL or email through the platform's data provider (not LinkedIn's member API). Managed mode only; costs credits.",
  input: z
    .strictObject({
      linkedin_url: profileUrl
        .optional()
        .describe('Public profile URL (https://www.linkedin.com/in/<slug>).'),
      email: z
        .string()
        .trim()
        .regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'must be an email address')
        .optional()
        .describe('Work or personal email of the person.'),
    })
    .refine((i) => (i.linkedin_url === undefined) !== (i.email === undefined), {
      message: 'give exactly one of "linkedin_url" or "email"',
    }),
  output: z.object({
    found: z.boolean().describe('False when the data provider knows no public profile for the input.'),
    profile: z
      .object({
        linkedin_url: z.string(),
        full_name: z.string().nullable(),
        first_name: z.string().nullable(),
        last_name: z.string().nullable(),
        headline: z.string().nullable(),
        title: z.string().nullable().describe('Current job title.'),
        company: z.object({ name: z.string().nullable(), domain: z.string().nullable() }).nullable(),
        location: z.string().nullable(),
        updated_at: z.string().nullable().describe('When the data provider last refreshed the profile.'),
      })
      .nullable(),
  }),
  authModes: ['managed'],
  credits: 2,
  effect: 'read',
  idempotent: true,
  run: async (input, ctx) => {
    if (ctx.connection.auth_mode !== 'managed') {
      // Never send a member's own LinkedIn token to the data provider.
      throw new ValidationError(
        `LinkedIn profile.enrich runs only in managed mode (the platform's data provider, charged in credits); integration ${ctx.connection.id} is ${ctx.connection.auth_mode}.`,
        { hint: 'Connect linkedin with --auth-mode managed and run profile.enrich on that integration.' },
      );
    }
    const searchParams = input.linkedin_url
      ? { linkedin_url: input.linkedin_url }
      : { email: input.email ?? '' };
    let body: unknown;
    try {
      body = await ctx.http
        .get(dataProviderUrl(ctx.http.defaults.options.prefixUrl, ENRICHMENT_PATH), { searchParams })
        .json();
    } catch (error) {
      if (NotFoundError.isInstance(error) && error.status === 404) return { found: false, profile: null };
      throw error;
    }
    const { person } = parseWire(wireEnrichedPerson, body, 'the profile lookup');
    return {
      found: true,
      profile: {
        linkedin_url: person.linkedin_url,
        full_name: person.full_name ?? null,
        first_name: person.first_name ?? null,
        last_name: person.last_name ?? null,
        headline: person.headline ?? null,
        title: person.title ?? null,
        company: person.company
          ? { name: person.company.name ?? null, domain: person.company.domain ?? null }
          : null,
        location: person.location ?? null,
        updated_at: person.updated_at ?? null,
      },
    };
  },
});
