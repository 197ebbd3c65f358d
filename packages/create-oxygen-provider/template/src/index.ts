/**
 * `__PACKAGE__`: the __NAME__ provider plugin for Oxygen Integrations. Its default export is the
 * plugin; `__PACKAGE__/sandbox` is a local fake of __NAME__'s API for tests and demos.
 *
 * @example
 * ```ts
 * import __CAMEL__ from '__PACKAGE__';
 * __CAMEL__.actions.map((a) => a.slug); // ['contact.list', 'contact.create']
 * ```
 *
 * @packageDocumentation
 */

import { apiKey, defineProvider, type ParsedProviderError } from '@oxygen/core';
import { contactCreate } from './actions/contact.create.js';
import { contactList } from './actions/contact.list.js';
import { contactCreated } from './events/contact.created.js';
import { __CAMEL__Webhooks } from './webhook.js';
import { parseWire, wireError, wireMe } from './wire.js';

export {
  __CAMEL__Subscriptions,
  __CAMEL__Webhooks,
  parse__PASCAL__Webhook,
  SIGNATURE_HEADER,
  sign__PASCAL__Body,
  verify__PASCAL__Webhook,
} from './webhook.js';
export { contactCreate, contactCreated, contactList };

/**
 * Reads __NAME__'s error body (`{ "error": { "code", "message" } }`) so errors carry the
 * provider's own message and code. Every field is optional: a proxy may answer with anything.
 *
 * @example
 * ```ts
 * parse__PASCAL__Error({ error: { code: 'not_found', message: 'No contact con_1.' } });
 * // { message: 'No contact con_1.', providerCode: 'not_found' }
 * ```
 */
export function parse__PASCAL__Error(body: unknown): ParsedProviderError {
  if (typeof body === 'string') return { message: body.trim().slice(0, 500) || undefined };
  const error = wireError.safeParse(body).data?.error;
  if (!error) return {};
  return {
    ...(error.message ? { message: error.message } : {}),
    ...(error.code ? { providerCode: error.code } : {}),
  };
}

/**
 * The __NAME__ plugin: list and create contacts, and hear about new ones through webhooks.
 * Connects with an API key sent as `Authorization: Bearer <key>`.
 *
 * @example
 * ```ts
 * import __CAMEL__ from '__PACKAGE__';
 * __CAMEL__.auth.byok.map((s) => s.type); // ['api_key']
 * ```
 */
export default defineProvider({
  // The plugin contract version this plugin is written for; the runtime refuses others.
  apiVersion: 1,
  id: '__ID__',
  name: '__NAME__',
  description: '__NAME__: list and create contacts, and hear when a contact is created.',
  // __NAME__'s production API; OXYGEN_PROVIDER___ENV___BASE_URL points it elsewhere (the sandbox).
  baseUrl: 'https://api.__ID__.example',
  auth: {
    byok: [apiKey({ label: '__NAME__ API key', header: 'authorization', scheme: 'Bearer' })],
  },
  // One cheap call that proves the key works and names the account (the connection's label).
  verify: async (ctx) => {
    const me = parseWire(wireMe, await ctx.http.get('v1/me').json(), 'the account');
    return { accountLabel: me.account.name };
  },
  // The limit __NAME__ documents; the runtime waits rather than send past it.
  rateLimits: [{ limit: 10, intervalMs: 1_000, description: '__NAME__: 10 requests per second per key.' }],
  requestIdHeader: 'x-request-id',
  parseError: parse__PASCAL__Error,
  actions: [contactList, contactCreate],
  events: [contactCreated],
  webhooks: __CAMEL__Webhooks,
});
