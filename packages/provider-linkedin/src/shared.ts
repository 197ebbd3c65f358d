/**
 * Constants, schemas and helpers shared by this provider's actions.
 *
 * @module
 */

import type { ActionContext } from '@oxygen/core';
import { z } from 'zod';
import { parseWire, type WireUserInfo, wireUserInfo } from './wire.js';

/** LinkedIn's API host: the plugin's default base URL. */
export const LINKEDIN_API_URL = 'https://api.linkedin.com';

/**
 * The `LinkedIn-Version` (YYYYMM) this plugin sends on every versioned (`/rest`) call.
 * LinkedIn releases a version monthly and sunsets each about a year later, answering
 * `426 NONEXISTENT_VERSION` after that; move this forward (and re-test) at least yearly.
 * https://learn.microsoft.com/en-us/linkedin/marketing/versioning
 */
export const LINKEDIN_VERSION = '202609';

/** The Rest.li protocol version the versioned APIs require (`X-Restli-Protocol-Version`). */
export const RESTLI_PROTOCOL_VERSION = '2.0.0';

/**
 * Headers every versioned (`/rest/...`) call carries, as the Posts, Comments and Reactions
 * API pages document them.
 *
 * @example
 * ```ts
 * ctx.http.post('rest/posts', { json: body, headers: restHeaders() });
 * ```
 */
export function restHeaders(): Record<string, string> {
  return { 'linkedin-version': LINKEDIN_VERSION, 'x-restli-protocol-version': RESTLI_PROTOCOL_VERSION };
}

/**
 * Base URL of the platform's data provider, the service `profile.enrich` calls in managed mode
 * with the platform's own key (`OXYGEN_MANAGED_LINKEDIN_KEY`). It is not a LinkedIn API:
 * LinkedIn's member APIs need the member's own token and cannot look up other people.
 * Its endpoints are `GET /enrichment/v1/person?linkedin_url=...|email=...` and
 * `GET /enrichment/v1/account` (see `actions/profile.enrich.ts` for the exact contract). When the LinkedIn base URL is overridden
 * (`OXYGEN_PROVIDER_LINKEDIN_BASE_URL`, e.g. a sandbox or a proxy), the override serves it too.
 */
export const DATA_PROVIDER_URL = 'https://data.oxygen-integrations.com';

/** The data provider's person lookup, relative to its base URL. */
export const ENRICHMENT_PATH = 'enrichment/v1/person';
/** The data provider's account endpoint (`verify` in managed mode), relative to its base URL. */
export const ACCOUNT_PATH = 'enrichment/v1/account';

/**
 * Where a data provider call goes: the data provider's own host when the call would otherwise
 * go to LinkedIn's API host, or the overriding base URL (sandbox, proxy) when one is set.
 * Core has no per-mode base URL yet, so the plugin decides from the call's prefix URL.
 *
 * @example
 * ```ts
 * dataProviderUrl('https://api.linkedin.com/', ENRICHMENT_PATH).toString();
 * // 'https://data.oxygen-integrations.com/enrichment/v1/person'
 * dataProviderUrl('http://127.0.0.1:4010/', ENRICHMENT_PATH); // 'enrichment/v1/person' (relative to the override)
 * ```
 */
export function dataProviderUrl(prefixUrl: string | URL, path: string): string | URL {
  const prefix = String(prefixUrl);
  if (!prefix || new URL(prefix).origin === LINKEDIN_API_URL) return new URL(path, `${DATA_PROVIDER_URL}/`);
  return path;
}

/** Post commentary limit (characters), per LinkedIn's Posts API and share box. */
export const POST_COMMENTARY_MAX = 3000;
/** Comment text limit (characters), as LinkedIn's comment box enforces it. */
export const COMMENT_TEXT_MAX = 1250;

/** A member URN: `urn:li:person:<id>`, where `<id>` is the OIDC `sub`. */
export const personUrn = z
  .string()
  .regex(/^urn:li:person:[A-Za-z0-9_-]+$/, 'must be a member URN like urn:li:person:<id>');

/** A post URN, as `post.create` returns it (`urn:li:share:...` or `urn:li:ugcPost:...`). */
export const postUrn = z
  .string()
  .trim()
  .regex(
    /^urn:li:(share|ugcPost):\d+$/,
    'must be a post URN like urn:li:share:7100000000000000000 or urn:li:ugcPost:...',
  );

/** Something a comment or reaction can target: a post (share, ugcPost or activity URN). */
export const postOrActivityUrn = z
  .string()
  .trim()
  .regex(
    /^urn:li:(share|ugcPost|activity):\d+$/,
    'must be a post URN (urn:li:share:..., urn:li:ugcPost:... or urn:li:activity:...)',
  );

/** A comment URN: `urn:li:comment:(urn:li:activity:<id>,<comment id>)`. */
export const commentUrn = z
  .string()
  .trim()
  .regex(
    /^urn:li:comment:\(urn:li:(activity|share|ugcPost):\d+,\d+\)$/,
    'must be a comment URN like urn:li:comment:(urn:li:activity:7100000000000000000,7100000000000000001)',
  );

/** Reads the member's OIDC userinfo (`GET /v2/userinfo`; needs the `openid` scope). */
export async function userInfo(ctx: ActionContext): Promise<WireUserInfo> {
  return parseWire(wireUserInfo, await ctx.http.get('v2/userinfo').json(), 'the userinfo request');
}

/**
 * The URN the connected member acts as: `given` when the caller passed one, else
 * `urn:li:person:<sub>` from userinfo (one extra request).
 */
export async function memberUrn(ctx: ActionContext, given?: string): Promise<string> {
  if (given) return given;
  return `urn:li:person:${(await userInfo(ctx)).sub}`;
}

/** The web address of a post: `https://www.linkedin.com/feed/update/<urn>/`. */
export function postWebUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}

/** Characters LinkedIn's "little text" format reserves (escaped with a backslash), and the backslash. */
const RESERVED = /[\\|{}@[\]()<>*_~]/g;

/** A mention in the text we accept: `@[Display Name](urn:li:person:<id>)` or an organization URN. */
const MENTION = /@\[([^\]\n]{1,200})\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)/g;

/**
 * Turns plain text into LinkedIn "little text": reserved characters
 * (`\ | { } @ [ ] ( ) < > * _ ~`) are escaped with a backslash, so LinkedIn shows them instead
 * of cutting the post short, and mentions written `@[Name](urn:li:person:<id>)` or
 * `@[Name](urn:li:organization:<id>)` are kept as mentions.
 *
 * @example
 * ```ts
 * toLittleText('Thanks @[Ada Lovelace](urn:li:person:abc123) (and team)!');
 * // 'Thanks @[Ada Lovelace](urn:li:person:abc123) \\(and team\\)!'
 * ```
 */
export function toLittleText(text: string): string {
  const escaped = (s: string) => s.replace(RESERVED, (c) => `\\${c}`);
  let out = '';
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    out += escaped(text.slice(last, match.index));
    out += `@[${escaped(match[1] ?? '')}](${match[2]})`;
    last = match.index + match[0].length;
  }
  return out + escaped(text.slice(last));
}

/** Reads one header value. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
