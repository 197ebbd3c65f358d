/**
 * `@oxygen/provider-attio`: Attio CRM records, lists, notes and tasks for Oxygen Integrations,
 * with plain values in and out (the plugin builds and reads Attio's nested value shapes).
 *
 * @example
 * ```ts
 * import attio from '@oxygen/provider-attio';
 * attio.actions.map((a) => a.slug);
 * // ['record.assert', 'record.get', 'record.query', 'record.update', 'list_entry.add',
 * //  'note.create', 'task.create', 'object.list', 'attribute.list']
 * ```
 *
 * @packageDocumentation
 */

import { AuthError, apiKey, defineProvider, oauth2, type ParsedProviderError } from '@oxygen/core';
import { attributeList } from './actions/attribute.list.js';
import { listEntryAdd } from './actions/list_entry.add.js';
import { noteCreate } from './actions/note.create.js';
import { objectList } from './actions/object.list.js';
import { recordAssert } from './actions/record.assert.js';
import { recordGet } from './actions/record.get.js';
import { recordQuery } from './actions/record.query.js';
import { recordUpdate } from './actions/record.update.js';
import { taskCreate } from './actions/task.create.js';
import { listEntryCreated } from './events/list_entry.created.js';
import { noteCreated } from './events/note.created.js';
import { recordCreated } from './events/record.created.js';
import { recordDeleted } from './events/record.deleted.js';
import { recordUpdated } from './events/record.updated.js';
import { attioWebhooks } from './webhook.js';
import { parseWire, wireError, wireSelf } from './wire.js';

export {
  ATTRIBUTE_TYPES,
  type AttributeInfo,
  type AttributeMap,
  type AttributeType,
  buildReferences,
  buildValues,
  DEFAULT_MATCHING_ATTRIBUTE,
  type Flattened,
  flattenValue,
  flattenValues,
  normalizeDomain,
  type PlainValue,
  STANDARD_ATTRIBUTES,
} from './values.js';
export {
  attioSubscriptions,
  attioWebhooks,
  parseAttioWebhook,
  signAttioBody,
  verifyAttioWebhook,
  wireAttioDelivery,
} from './webhook.js';
export {
  attributeList,
  listEntryAdd,
  listEntryCreated,
  noteCreate,
  noteCreated,
  objectList,
  recordAssert,
  recordCreated,
  recordDeleted,
  recordGet,
  recordQuery,
  recordUpdate,
  recordUpdated,
  taskCreate,
};

/**
 * Reads Attio's error body (`{ status_code, type, code, message }`; 400s with a bad body add
 * `validation_errors: [{ code, path, message }]`). The field Attio blamed is returned relative to
 * the request's `data` (`values.email_addresses`), which is also where the action input has it.
 * Every field is optional.
 *
 * @example
 * ```ts
 * parseAttioError({ status_code: 404, type: 'invalid_request_error', code: 'not_found', message: 'Record with ID "x" not found.' });
 * // { message: 'Record with ID "x" not found.', providerCode: 'not_found' }
 * ```
 */
export function parseAttioError(body: unknown): ParsedProviderError {
  if (typeof body === 'string') return { message: body.trim().slice(0, 500) || undefined };
  const error = wireError.safeParse(body).data;
  if (!error) return {};
  const details = (error.validation_errors ?? [])
    .slice(0, 3)
    .map((v) => `${(v.path ?? []).join('.')}: ${v.message ?? v.code ?? 'invalid'}`.replace(/^: /, ''));
  const path = error.validation_errors?.find((v) => v.path?.length)?.path;
  const field = path
    ? path
        .map(String)
        .join('.')
        .replace(/^data\./, '')
    : undefined;
  const message = [error.message, ...details].filter(Boolean).join(' ');
  return {
    ...(message ? { message } : {}),
    ...(error.code ? { providerCode: error.code } : {}),
    ...(field ? { field } : {}),
  };
}

/** HTTP methods that write in Attio's API. */
const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'];
/**
 * Every path but the query endpoints, which take their filter as a POST body and count as reads
 * (`v2/objects/{object}/records/query`, `v2/lists/{list}/entries/query`).
 */
const NOT_QUERY = /^(?!.*\/query$)/;

/**
 * The Attio provider plugin: assert, read, query and update records (people, companies, any
 * object) with plain values; add records to lists; create notes and tasks; list objects and
 * attributes. Connects with a workspace access token or OAuth.
 *
 * @example
 * ```ts
 * import attio from '@oxygen/provider-attio';
 * attio.auth.byok.map((s) => s.type); // ['api_key', 'oauth2']
 * ```
 */
export default defineProvider({
  apiVersion: 1,
  id: 'attio',
  name: 'Attio',
  description:
    'Attio CRM: create or update people, companies and any object by a unique attribute, read, query and update records with plain values, add records to lists, and create notes and tasks.',
  baseUrl: 'https://api.attio.com',
  auth: {
    byok: [
      apiKey({
        label: 'Attio access token',
        header: 'authorization',
        scheme: 'Bearer',
        helpUrl: 'https://docs.attio.com/rest-api/guides/authentication',
      }),
      oauth2({
        authorizeUrl: 'https://app.attio.com/authorize',
        tokenUrl: 'https://app.attio.com/oauth/token',
        // Attio grants the scopes configured on the OAuth app; the authorize URL requests none.
        scopes: [],
        // Attio documents client_id, response_type, redirect_uri and state only: no PKCE.
        pkce: false,
        clientAuth: 'body',
      }),
    ],
  },
  verify: async (ctx) => {
    const self = parseWire(wireSelf, await ctx.http.get('v2/self').json(), 'the token identity');
    if (!self.active) {
      throw new AuthError('Attio says this access token is no longer active.', {
        providerMessage: 'active: false',
        hint: 'Create a new access token (or re-approve the app) and reconnect with `oxygen integrations connect attio`.',
      });
    }
    return { accountLabel: self.workspace_name, scopes: self.scope.split(/\s+/).filter(Boolean) };
  },
  rateLimits: [
    {
      limit: 100,
      intervalMs: 1_000,
      description: 'Attio: 100 read requests per second per workspace (the whole API).',
    },
    {
      limit: 25,
      intervalMs: 1_000,
      methods: WRITE_METHODS,
      match: NOT_QUERY,
      description:
        'Attio: 25 write requests per second (POST, PUT, PATCH, DELETE; a POST to a query endpoint is a read).',
    },
  ],
  parseError: parseAttioError,
  actions: [
    recordAssert,
    recordGet,
    recordQuery,
    recordUpdate,
    listEntryAdd,
    noteCreate,
    taskCreate,
    objectList,
    attributeList,
  ],
  events: [recordCreated, recordUpdated, recordDeleted, listEntryCreated, noteCreated],
  webhooks: attioWebhooks,
});
