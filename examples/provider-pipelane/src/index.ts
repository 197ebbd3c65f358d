/**
 * `oxygen-provider-pipelane`: an example third-party provider plugin for Oxygen Integrations, for
 * Pipelane, a fictional sales-pipeline CRM whose API reference is `API.md`. It was scaffolded with
 * `create-oxygen-provider pipelane --name Pipelane` and then written against that reference. Its
 * default export is the plugin; `oxygen-provider-pipelane/sandbox` is a local fake of the API.
 *
 * @example
 * ```ts
 * import pipelane from 'oxygen-provider-pipelane';
 * pipelane.actions.map((a) => a.slug); // ['deal.list', 'deal.create', 'deal.move']
 * ```
 *
 * @packageDocumentation
 */

import { apiKey, defineProvider, type ParsedProviderError } from '@oxygen/core';
import { dealCreate } from './actions/deal.create.js';
import { dealList } from './actions/deal.list.js';
import { dealMove } from './actions/deal.move.js';
import { dealStageChanged } from './events/deal.stage_changed.js';
import { pipelaneWebhooks } from './webhook.js';
import { parseWire, wireError, wireMe } from './wire.js';

export {
  parsePipelaneWebhook,
  pipelaneSubscriptions,
  pipelaneWebhooks,
  SIGNATURE_HEADER,
  signPipelaneBody,
  verifyPipelaneWebhook,
} from './webhook.js';
export { STAGES, type Stage } from './wire.js';
export { dealCreate, dealList, dealMove, dealStageChanged };

/**
 * Reads Pipelane's failure body (`{ success: false, error, error_code }`) so errors carry the
 * provider's own message and code. Every field is optional: a proxy may answer with anything.
 *
 * @example
 * ```ts
 * parsePipelaneError({ success: false, error: 'Deal 41 not found.', error_code: 'not_found' });
 * // { message: 'Deal 41 not found.', providerCode: 'not_found' }
 * ```
 */
export function parsePipelaneError(body: unknown): ParsedProviderError {
  if (typeof body === 'string') return { message: body.trim().slice(0, 500) || undefined };
  const error = wireError.safeParse(body).data;
  if (!error) return {};
  return {
    ...(error.error ? { message: error.error } : {}),
    ...(error.error_code ? { providerCode: error.error_code } : {}),
  };
}

/**
 * The Pipelane plugin: list, create and move deals, and hear when a deal changes stage.
 * Connects with an API token sent as `X-Api-Token: <token>`.
 *
 * @example
 * ```ts
 * import pipelane from 'oxygen-provider-pipelane';
 * pipelane.auth.byok.map((s) => s.type); // ['api_key']
 * ```
 */
export default defineProvider({
  apiVersion: 1,
  id: 'pipelane',
  name: 'Pipelane',
  description:
    'Pipelane (an example provider): list, create and move sales deals, and hear when a deal changes stage.',
  baseUrl: 'https://api.pipelane.example',
  auth: {
    byok: [
      apiKey({
        label: 'Pipelane API token',
        header: 'x-api-token',
        scheme: '',
        helpUrl: 'https://app.pipelane.example/settings/api',
      }),
    ],
  },
  verify: async (ctx) => {
    const me = parseWire(wireMe, await ctx.http.get('v2/users/me').json(), 'the current user');
    return { accountLabel: me.data.company_name };
  },
  rateLimits: [
    { limit: 20, intervalMs: 2_000, description: 'Pipelane: 20 requests per 2 seconds per token.' },
  ],
  requestIdHeader: 'x-request-id',
  parseError: parsePipelaneError,
  actions: [dealList, dealCreate, dealMove],
  events: [dealStageChanged],
  webhooks: pipelaneWebhooks,
});
