import { describeConformance } from '@oxygen/testkit';
import plugin, { leadAddBulk } from '../src/index.js';
import { type FailNextOptions, SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';
import { run } from './helpers.js';

const { campaigns, leads, emails } = SANDBOX_SEED;

describeConformance({
  plugin,
  sandbox: async () => {
    const sandbox = await startInstantlySandbox();
    return {
      url: sandbox.url,
      credential: { type: 'api_key', key: sandbox.token },
      badCredential: { type: 'api_key', key: 'instantly-not-a-real-key-0000000000' },
      requestCount: () => sandbox.requests.length,
      requests: () =>
        sandbox.requests.map((r) => ({
          method: r.method,
          path:
            Object.keys(r.query).length > 0
              ? `${r.path}?${new URLSearchParams(r.query as Record<string, string>)}`
              : r.path,
          body: r.body,
        })),
      errors: {
        failNext: (spec) => sandbox.failNext({ ...spec, status: spec.status as FailNextOptions['status'] }),
        sample: { slug: 'lead.get', input: { id: leads.grace } },
        statuses: [401, 403, 404, 429, 500, 503],
      },
      pagination: {
        // Instantly's lead listing is a POST with its paging (limit, starting_after) in the body.
        slug: 'lead.list',
        input: { campaign_id: campaigns.completed, limit: 3 },
        minPages: 3,
        seed: async () => {
          const leads = Array.from({ length: 8 }, (_, i) => ({ email: `paging-${i}@example.com` }));
          await run(sandbox, leadAddBulk, { campaign_id: campaigns.completed, leads });
        },
      },
      close: () => sandbox.close(),
    };
  },
  samples: {
    'campaign.list': { limit: 10 },
    'campaign.get': { id: campaigns.draft },
    'campaign.activate': { id: campaigns.draft },
    'campaign.pause': { id: campaigns.draft },
    'lead.add': {
      campaign_id: campaigns.active,
      email: 'new.lead@example.com',
      first_name: 'New',
      custom_variables: { topic: 'conformance' },
    },
    'lead.add_bulk': {
      campaign_id: campaigns.draft,
      leads: [{ email: 'bulk1@example.com' }, { email: 'bulk2@example.com', first_name: 'Bulk' }],
    },
    'lead.get': { id: leads.ada },
    'lead.list': { campaign_id: campaigns.active, limit: 2 },
    'lead.update': { id: leads.ada, job_title: 'Countess' },
    'lead.delete': { id: leads.alan },
    'email.list': { lead_email: 'ada@example.com' },
    'email.reply': {
      reply_to_uuid: emails.adaReply,
      eaccount: 'sam@send.example.com',
      subject: 'Re: Quick question about Analytical Engines',
      text: 'Thanks Ada, Tuesday works.',
    },
    'account.list': { limit: 2 },
  },
});
