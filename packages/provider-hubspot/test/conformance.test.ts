import { describeConformance } from '@oxygen/testkit';
import plugin from '../src/index.js';
import { startHubSpotSandbox } from '../src/sandbox/index.js';
import { call } from './helpers.js';

describeConformance({
  plugin,
  sandbox: async () => {
    const sandbox = await startHubSpotSandbox();
    return {
      url: sandbox.url,
      credential: { type: 'api_key', key: sandbox.token },
      badCredential: { type: 'api_key', key: 'pat-na1-refused-by-the-sandbox' },
      requestCount: () => sandbox.requests.length,
      requests: () =>
        sandbox.requests.map((r) => ({
          method: r.method,
          path:
            r.query && Object.keys(r.query).length > 0
              ? `${r.path}?${new URLSearchParams(r.query as Record<string, string>)}`
              : r.path,
          body: r.body,
        })),
      errors: {
        failNext: (f) => sandbox.failNext(f as Parameters<typeof sandbox.failNext>[0]),
        sample: { slug: 'contact.get', input: { email: 'ada@example.com' } },
        statuses: [400, 401, 403, 404, 409, 429, 500, 502, 503, 504],
      },
      pagination: {
        slug: 'contact.search',
        input: {
          filters: [{ property: 'email', operator: 'CONTAINS_TOKEN', value: '*@paging.test' }],
          limit: 4,
        },
        minPages: 3,
        seed: async () => {
          for (let n = 0; n < 10; n++) {
            const res = await call(sandbox, 'POST', '/crm/v3/objects/contacts', {
              properties: { email: `p${n}@paging.test` },
            });
            if (res.status !== 201) throw new Error(`seeding failed: ${res.status}`);
          }
        },
      },
      close: () => sandbox.close(),
    };
  },
  // Run in the plugin's order against one sandbox: ids are the sandbox's first ones (contacts
  // from 101, companies from 501, deals from 1001).
  samples: {
    'contact.upsert': { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace' },
    'contact.get': { email: 'ada@example.com', properties: ['firstname'], associations: ['companies'] },
    'contact.search': {
      filters: [{ property: 'email', operator: 'EQ', value: 'ada@example.com' }],
      limit: 10,
    },
    'contact.update': { email: 'ada@example.com', jobtitle: 'Analyst' },
    'contact.batch_upsert': {
      contacts: [{ email: 'ada@example.com', lastname: 'King' }, { email: 'grace@example.com' }],
    },
    'company.upsert': { domain: 'example.com', name: 'Example' },
    'company.get': { id: '501', properties: ['name', 'domain'] },
    'company.search': { filters: [{ property: 'domain', operator: 'EQ', value: 'example.com' }] },
    'deal.create': {
      dealname: 'Example - annual',
      dealstage: 'appointmentscheduled',
      amount: 12000,
      closedate: '2026-12-31',
      associations: { contacts: ['101'], companies: ['501'] },
    },
    'deal.update': { id: '1001', dealstage: 'qualifiedtobuy' },
    'deal.search': { filters: [{ property: 'dealstage', operator: 'EQ', value: 'qualifiedtobuy' }] },
    'association.create': { from_type: 'contacts', from_id: '101', to_type: 'companies', to_id: '501' },
    'note.create': { body: 'Called Ada.', timestamp: '2026-01-15T10:00:00Z', contact_id: '101' },
    'owner.list': { limit: 10 },
    'property.list': { object_type: 'deals' },
  },
});
