import { describeConformance } from '@oxygen/testkit';
import plugin from '../src/index.js';
import { type FailNextOptions, startLinkedInSandbox } from '../src/sandbox/index.js';
import { ADA, ADA_POST, GRACE, GRACE_POST } from './helpers.js';

// Every action, profile.enrich included: the suite runs the byok actions with a member's OAuth
// token and profile.enrich (managed mode only) on a managed connection with the platform key.
// LinkedIn has no list action, so there is no pagination case.
describeConformance({
  plugin,
  sandbox: async () => {
    const sandbox = await startLinkedInSandbox({
      members: [
        { sub: ADA, given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com' },
        { sub: GRACE, given_name: 'Grace', family_name: 'Hopper', email: 'grace@example.com' },
      ],
      posts: [
        { urn: GRACE_POST, author: GRACE, commentary: 'Nanoseconds, explained with a wire.' },
        { urn: ADA_POST, author: ADA, commentary: 'Notes on the Analytical Engine.' },
      ],
    });
    return {
      url: sandbox.url,
      credential: { type: 'oauth2', access_token: sandbox.issueToken(ADA).access_token },
      badCredential: { type: 'oauth2', access_token: 'AQV-not-issued-by-the-sandbox-0000000000' },
      managedCredential: { type: 'api_key', key: sandbox.managedKey },
      requestCount: () => sandbox.requests.length,
      requests: () => sandbox.requests.map((r) => ({ method: r.method, path: r.rawPath, body: r.body })),
      errors: {
        // LinkedIn sends no Retry-After on its 429s: the sandbox ignores retryAfterSeconds.
        failNext: ({ status, count, path }) =>
          sandbox.failNext({ status: status as FailNextOptions['status'], count, path }),
        sample: { slug: 'profile.me', input: {} },
        path: '/v2/userinfo',
      },
      close: () => sandbox.close(),
    };
  },
  samples: {
    'profile.me': {},
    'post.create': {
      commentary: 'Hello from Oxygen (conformance) with @[Grace Hopper](urn:li:person:gR4ceH0pp3r)',
      link: { url: 'https://example.com/engine', title: 'The Engine' },
    },
    'post.delete': { urn: ADA_POST },
    'comment.create': { post_urn: GRACE_POST, text: 'Great read' },
    'reaction.create': { target_urn: GRACE_POST, type: 'INTEREST', actor: `urn:li:person:${ADA}` },
    'profile.enrich': { linkedin_url: 'https://www.linkedin.com/in/grace-hopper' },
  },
});
