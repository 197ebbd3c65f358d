/**
 * The conformance suite every Oxygen provider runs (`@oxygen/testkit`): the plugin contract, every
 * action green against the sandbox over real HTTP, dry runs that send nothing and show the exact
 * request, typed errors for every failure status, a 429 absorbed by a retry, paging to the end,
 * and no secret in any output.
 */

import { describeConformance } from '@oxygen/testkit';
import plugin from '../src/index.js';
import { start__PASCAL__Sandbox } from '../src/sandbox/index.js';

/** A contact seeded with a known id, so samples can name it. */
const GRACE = 'con_grace';

describeConformance({
  plugin,
  sandbox: async () => {
    const sandbox = await start__PASCAL__Sandbox();
    sandbox.seedContact({ id: GRACE, email: 'grace@example.com', name: 'Grace Hopper' });
    return {
      url: sandbox.url,
      credential: { type: 'api_key', key: sandbox.key },
      badCredential: { type: 'api_key', key: 'sk_wrong_0000000000000000' },
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
        sample: { slug: 'contact.list', input: { email: 'grace@example.com' } },
        statuses: [400, 401, 403, 404, 409, 429, 500, 503],
      },
      pagination: {
        slug: 'contact.list',
        input: { limit: 3 },
        minPages: 3,
        seed: async () => {
          for (let i = 1; i <= 8; i++) sandbox.seedContact({ email: `paging-${i}@example.com` });
        },
      },
      close: () => sandbox.close(),
    };
  },
  samples: {
    'contact.list': { limit: 10 },
    'contact.create': { email: 'ada@example.com', name: 'Ada Lovelace' },
  },
});
