import { describeConformance } from '@oxygen/testkit';
import plugin from '../src/index.js';
import { SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';

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
