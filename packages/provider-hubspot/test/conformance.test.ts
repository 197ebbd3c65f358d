import { describeConformance } from '@oxygen/testkit';
import plugin from '../src/index.js';
import { startHubSpotSandbox } from '../src/sandbox/index.js';

describeConformance({
  plugin,
  sandbox: async () => {
    const sandbox = await startHubSpotSandbox();
    return {
      url: sandbox.url,
      credential: { type: 'api_key', key: sandbox.token },
      badCredential: { type: 'api_key', key: 'pat-na1-00000000-0000-0000-0000-000000000000' },
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
      close: () => sandbox.close(),
    };
  },
  samples: {
    'contact.upsert': { email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace' },
    'contact.get': { email: 'ada@example.com', properties: ['firstname'] },
    'contact.search': {
      filters: [{ property: 'email', operator: 'EQ', value: 'ada@example.com' }],
      limit: 10,
    },
    'company.upsert': { domain: 'example.com', name: 'Example' },
  },
});
