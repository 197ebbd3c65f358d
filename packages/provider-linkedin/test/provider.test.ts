import { AuthError } from '@oxygen/core';
import { checkPlugin, describeProvider } from '@oxygen/runtime';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, { parseLinkedInError, postCreate, toLittleText } from '../src/index.js';
import type { LinkedInSandbox } from '../src/sandbox/index.js';
import { ADA, failure, oauthCredential, startSandbox, verify } from './helpers.js';

let sandbox: LinkedInSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('the plugin', () => {
  it('declares BYOK OAuth, managed mode, and which action runs in which mode', () => {
    expect(plugin).toMatchObject({
      apiVersion: 1,
      id: 'linkedin',
      name: 'LinkedIn',
      baseUrl: 'https://api.linkedin.com',
    });
    expect(plugin.auth.managed).toEqual({
      type: 'managed',
      keyEnv: 'OXYGEN_MANAGED_LINKEDIN_KEY',
      header: 'authorization',
      scheme: 'Bearer',
    });
    expect(plugin.requestIdHeader).toBe('x-li-uuid');
    expect(checkPlugin({ default: plugin }, '@oxygen/provider-linkedin')).toBe(plugin);
    const info = describeProvider(plugin);
    expect(info.auth_modes).toEqual(['managed', 'byok']);
    expect(info.actions.map((a) => [a.slug, a.auth_modes.join('|'), a.credits, a.effect, a.mirror])).toEqual([
      ['profile.me', 'byok', 0, 'read', null],
      ['post.create', 'byok', 0, 'write', 'linkedin_post_urn'],
      ['post.delete', 'byok', 0, 'write', null],
      ['comment.create', 'byok', 0, 'write', 'linkedin_comment_urn'],
      ['reaction.create', 'byok', 0, 'write', 'linkedin_reaction_urn'],
      ['profile.enrich', 'managed', 2, 'read', null],
    ]);
    for (const action of plugin.actions.filter((a) => a.authModes.includes('byok'))) {
      expect(action.scopes?.every((s) => ['openid', 'profile', 'email', 'w_member_social'].includes(s))).toBe(
        true,
      );
    }
    expect(postCreate.mirror?.recordId({ urn: 'urn:li:share:1' })).toBe('urn:li:share:1');
  });

  it('verify reads userinfo and labels the connection with the member’s email', async () => {
    const result = await verify(sandbox, oauthCredential(sandbox));
    expect(result.accountLabel).toBe('ada@example.com');
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/userinfo']);
  });

  it('verify falls back to the name when the email scope was not granted', async () => {
    const result = await verify(sandbox, oauthCredential(sandbox, ADA, ['openid', 'profile']));
    expect(result.accountLabel).toBe('Ada Lovelace');
  });

  it('verify in managed mode proves the platform key against the data provider', async () => {
    const result = await verify(sandbox, { type: 'api_key', key: sandbox.managedKey }, 'managed');
    expect(result.accountLabel).toBe('Oxygen data provider (sandbox) (managed)');
    expect(sandbox.requests.map((r) => r.path)).toEqual(['/enrichment/v1/account']);
    const refused = await failure(verify(sandbox, { type: 'api_key', key: 'oxy_managed_wrong' }, 'managed'));
    expect(refused).toMatchObject({ code: 'auth', status: 401 });
  });

  it('a refused token fails verify with an AuthError carrying LinkedIn’s message and x-li-uuid', async () => {
    const error = await failure(verify(sandbox, { type: 'oauth2', access_token: 'AQnot-a-token' }));
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      status: 401,
      providerMessage: 'Invalid access token',
      data: { provider_code: 'INVALID_ACCESS_TOKEN' },
    });
    expect(error.requestId).toMatch(/==$/);
    expect(JSON.stringify(error.toJSON())).not.toContain('AQnot-a-token');
  });
});

describe('parseLinkedInError', () => {
  it('reads the documented body (serviceErrorCode equal to the status is no extra code)', () => {
    expect(
      parseLinkedInError({ message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 }),
    ).toEqual({
      message: 'Empty oauth2_access_token',
      providerCode: undefined,
      field: undefined,
    });
    expect(
      parseLinkedInError({ message: 'Not enough permissions', serviceErrorCode: 100, status: 403 }),
    ).toMatchObject({
      providerCode: '100',
    });
  });

  it('prefers the Rest.li code and names the field of a 422', () => {
    expect(
      parseLinkedInError({
        status: 401,
        serviceErrorCode: 65601,
        code: 'REVOKED_ACCESS_TOKEN',
        message: 'revoked',
      }),
    ).toEqual({ message: 'revoked', providerCode: 'REVOKED_ACCESS_TOKEN', field: undefined });
    expect(
      parseLinkedInError({
        message: 'ERROR :: /distribution/feedDistribution :: not a valid enum\n',
        status: 422,
      }),
    ).toMatchObject({ field: 'distribution.feedDistribution' });
  });

  it('reads OAuth errors and survives bodies of any shape', () => {
    expect(
      parseLinkedInError({ error: 'invalid_client', error_description: 'Client authentication failed' }),
    ).toEqual({
      message: 'Client authentication failed',
      providerCode: 'invalid_client',
      field: undefined,
    });
    expect(parseLinkedInError(undefined)).toEqual({});
    expect(parseLinkedInError([1])).toEqual({});
    expect(parseLinkedInError('<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' });
    expect(parseLinkedInError({ message: 42 })).toEqual({});
  });
});

describe('toLittleText', () => {
  it('escapes every reserved character and the backslash, keeps mentions', () => {
    expect(toLittleText('a|b{c}d@e[f]g(h)i<j>k*l_m~n\\o')).toBe(
      'a\\|b\\{c\\}d\\@e\\[f\\]g\\(h\\)i\\<j\\>k\\*l\\_m\\~n\\\\o',
    );
    expect(toLittleText('Hi @[Acme (EU)](urn:li:organization:2414183) and @[Ada](urn:li:person:abc)!')).toBe(
      'Hi @[Acme \\(EU\\)](urn:li:organization:2414183) and @[Ada](urn:li:person:abc)!',
    );
    expect(toLittleText('email me@x.com #tag')).toBe('email me\\@x.com #tag');
  });
});
