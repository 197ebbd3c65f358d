import { describeConformance } from '@oxygen/testkit';
import { describe, expect, it } from 'vitest';
import plugin from '../src/index.js';
import { startLinkedInSandbox } from '../src/sandbox/index.js';
import { ADA, ADA_POST, GRACE, GRACE_POST, run, startSandbox } from './helpers.js';

// The conformance suite runs every action with the sandbox's BYOK credential on a byok
// connection, and has no way to pass a managed credential. profile.enrich runs in managed mode
// only (it refuses byok connections without sending anything), so the suite gets the byok
// actions and profile.enrich gets the same checks in managed mode below.
const byokActions = plugin.actions.filter((a) => a.authModes.includes('byok'));

describeConformance({
  plugin: { ...plugin, actions: byokActions },
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
      requestCount: () => sandbox.requests.length,
      requests: () => sandbox.requests.map((r) => ({ method: r.method, path: r.rawPath, body: r.body })),
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
  },
});

describe('linkedin: profile.enrich conformance in managed mode (the suite runs byok only)', () => {
  it('dry run sends nothing and shows the exact request; the real run sends it and matches the schema', async () => {
    const sandbox = await startSandbox();
    try {
      const input = { linkedin_url: 'https://www.linkedin.com/in/grace-hopper' };
      const dry = await run(sandbox, 'profile.enrich', input, { mode: 'managed', dryRun: true });
      expect(sandbox.requests).toHaveLength(0);
      if (!dry.dryRun) throw new Error('expected a dry run');
      const real = await run(sandbox, 'profile.enrich', input, { mode: 'managed' });
      if (real.dryRun) throw new Error('expected a real run');
      const action = plugin.actions.find((a) => a.slug === 'profile.enrich')!;
      expect(action.output.safeParse(real.output).success).toBe(true);
      const sent = sandbox.requests[0]!;
      expect({ method: sent.method, url: sandbox.url + sent.rawPath }).toEqual({
        method: dry.requests[0]?.method,
        url: dry.requests[0]?.url,
      });
      const printed = JSON.stringify([dry, real.output]);
      expect(printed).not.toContain(sandbox.managedKey);
    } finally {
      await sandbox.close();
    }
  });
});
