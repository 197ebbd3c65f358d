/**
 * The conformance suite every Oxygen provider runs (`@oxygen/testkit`), against the Pipelane
 * sandbox over real HTTP.
 */

import { describeConformance } from '@oxygen/testkit';
import plugin from '../src/index.js';
import { startPipelaneSandbox } from '../src/sandbox/index.js';

describeConformance({
  plugin,
  sandbox: async () => {
    const sandbox = await startPipelaneSandbox();
    sandbox.seedDeal({ id: 41, title: 'Acme - 50 seats', value: 12000, stage: 'qualified' });
    return {
      url: sandbox.url,
      credential: { type: 'api_key', key: sandbox.key },
      badCredential: { type: 'api_key', key: 'f'.repeat(40) },
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
        failNext: (spec) => sandbox.failNext(spec),
        sample: { slug: 'deal.move', input: { id: '41', stage: 'proposal' } },
        statuses: [400, 401, 403, 404, 409, 429, 500, 502, 503],
      },
      pagination: {
        slug: 'deal.list',
        input: { limit: 4 },
        minPages: 3,
        seed: async () => {
          for (let i = 1; i <= 10; i++) sandbox.seedDeal({ title: `Paging ${i}` });
        },
      },
      close: () => sandbox.close(),
    };
  },
  samples: {
    'deal.list': { stage: 'qualified' },
    'deal.create': {
      title: 'Initech - renewal',
      value: 4800,
      currency: 'USD',
      person_email: 'peter@initech.example',
    },
    'deal.move': { id: '41', stage: 'proposal' },
  },
});
