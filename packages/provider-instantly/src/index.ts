/**
 * `@oxygen/provider-instantly`: Instantly (API v2) campaigns, leads, Unibox emails, sending
 * accounts and webhook events for Oxygen Integrations.
 *
 * @example
 * ```ts
 * import instantly from '@oxygen/provider-instantly';
 * instantly.actions.map((a) => a.slug); // ['campaign.list', 'campaign.get', ..., 'account.list']
 * ```
 *
 * @packageDocumentation
 */

import { apiKey, defineProvider, type ParsedProviderError } from '@oxygen/core';
import { accountList } from './actions/account.list.js';
import { campaignActivate } from './actions/campaign.activate.js';
import { campaignGet } from './actions/campaign.get.js';
import { campaignList } from './actions/campaign.list.js';
import { campaignPause } from './actions/campaign.pause.js';
import { emailList } from './actions/email.list.js';
import { emailReply } from './actions/email.reply.js';
import { leadAdd } from './actions/lead.add.js';
import { leadAddBulk } from './actions/lead.add_bulk.js';
import { leadDelete } from './actions/lead.delete.js';
import { leadGet } from './actions/lead.get.js';
import { LEAD_FILTERS, leadList } from './actions/lead.list.js';
import { leadUpdate } from './actions/lead.update.js';
import { campaignCompleted } from './events/campaign.completed.js';
import { emailBounced } from './events/email.bounced.js';
import { emailLinkClicked } from './events/email.link_clicked.js';
import { emailOpened } from './events/email.opened.js';
import { emailReplyReceived } from './events/email.reply_received.js';
import { emailSent } from './events/email.sent.js';
import { leadInterested } from './events/lead.interested.js';
import { leadMeetingBooked } from './events/lead.meeting_booked.js';
import { leadUnsubscribed } from './events/lead.unsubscribed.js';
import { INSTANTLY_EVENTS, instantlyWebhooks } from './webhook.js';
import { parseWire, wireError, wireWorkspace } from './wire.js';

export { INTEREST_STATUS, type InterestStatus } from './shared.js';
export {
  INSTANTLY_EVENTS,
  INSTANTLY_WEBHOOK_SECRET_HEADER,
  instantlySubscriptions,
  instantlyWebhooks,
  matchInstantlyWebhook,
  parseInstantlyWebhook,
  verifyInstantlyWebhook,
} from './webhook.js';
export {
  accountList,
  campaignActivate,
  campaignCompleted,
  campaignGet,
  campaignList,
  campaignPause,
  emailBounced,
  emailLinkClicked,
  emailList,
  emailOpened,
  emailReply,
  emailReplyReceived,
  emailSent,
  LEAD_FILTERS,
  leadAdd,
  leadAddBulk,
  leadDelete,
  leadGet,
  leadInterested,
  leadList,
  leadMeetingBooked,
  leadUnsubscribed,
  leadUpdate,
};

/** The field a Fastify validation message names: `body/email must be string`, `must have required property 'x'`. */
function fieldOf(message: string): string | undefined {
  const required = /must have required property '([^']+)'/.exec(message);
  const at = /^(?:body|querystring|params)\/(\S+)/.exec(message)?.[1]?.replace(/\//g, '.');
  if (required?.[1]) return at ? `${at}.${required[1]}` : required[1];
  return at;
}

/**
 * Reads Instantly's error body (`{ statusCode, error, message }`, Fastify's shape; validation
 * errors may carry `code`). Every field is optional.
 *
 * @example
 * ```ts
 * parseInstantlyError({ statusCode: 400, error: 'Bad Request', message: "body must have required property 'eaccount'" });
 * // { message: "body must have required property 'eaccount'", providerCode: 'Bad Request', field: 'eaccount' }
 * ```
 */
export function parseInstantlyError(body: unknown): ParsedProviderError {
  if (typeof body === 'string') return { message: body.trim().slice(0, 500) || undefined };
  const error = wireError.safeParse(body).data;
  if (!error) return {};
  const parsed: ParsedProviderError = { message: error.message ?? error.error };
  const code = error.code ?? error.error;
  if (code) parsed.providerCode = code;
  const field = error.message ? fieldOf(error.message) : undefined;
  if (field) parsed.field = field;
  return parsed;
}

/**
 * The Instantly provider plugin: campaigns (list, get, activate, pause), leads (add one or in
 * bulk, get, list, update, delete), Unibox emails (list, reply), sending accounts, and nine
 * webhook events. BYOK only, with an Instantly API v2 key.
 *
 * @example
 * ```ts
 * import instantly from '@oxygen/provider-instantly';
 * instantly.auth.byok[0]?.type; // 'api_key'
 * ```
 */
export default defineProvider({
  apiVersion: 1,
  id: 'instantly',
  name: 'Instantly',
  description:
    'Instantly cold-email outreach: enroll leads in campaigns, start and pause campaigns, read and reply to emails, list sending accounts; events for sends, opens, clicks, replies, bounces and lead status.',
  baseUrl: 'https://api.instantly.ai',
  auth: {
    byok: [
      apiKey({
        label: 'Instantly API key (v2)',
        header: 'authorization',
        scheme: 'Bearer',
        helpUrl: 'https://developer.instantly.ai/api-reference/introduction',
      }),
    ],
  },
  verify: async (ctx) => {
    const workspace = parseWire(
      wireWorkspace,
      await ctx.http.get('api/v2/workspaces/current').json(),
      'the current workspace',
    );
    return { accountLabel: workspace.name };
  },
  rateLimits: [
    {
      limit: 100,
      intervalMs: 1_000,
      description: 'Instantly workspace limit: 100 requests per second, shared by every key and API v1.',
    },
    {
      limit: 6_000,
      intervalMs: 60_000,
      description: 'Instantly workspace limit: 6,000 requests per minute, shared by every key and API v1.',
    },
    {
      limit: 20,
      intervalMs: 60_000,
      match: /^api\/v2\/emails$/,
      description:
        'GET /api/v2/emails (the Unibox listing): 20 requests per minute, on top of the workspace limits.',
    },
  ],
  parseError: parseInstantlyError,
  actions: [
    campaignList,
    campaignGet,
    campaignActivate,
    campaignPause,
    leadAdd,
    leadAddBulk,
    leadGet,
    leadList,
    leadUpdate,
    leadDelete,
    emailList,
    emailReply,
    accountList,
  ],
  events: [...INSTANTLY_EVENTS],
  webhooks: instantlyWebhooks,
});
