import { AuthError, ProviderError, type RateLimit, RateLimitError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, { companyUpsert, contactGet, contactUpsert, parseHubSpotError } from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { rateLimitErrorBody, validationErrorBody } from './__fixtures__/errors.js';
import { contextFor, failure, run } from './helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ portalId: 62515 });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('the plugin', () => {
  it('declares what the runtime needs', () => {
    expect(plugin).toMatchObject({
      apiVersion: 1,
      id: 'hubspot',
      name: 'HubSpot',
      baseUrl: 'https://api.hubapi.com',
    });
    expect(plugin.auth.byok.map((s) => s.type)).toEqual(['api_key', 'oauth2']);
    expect('managed' in plugin.auth).toBe(false);
    expect(plugin.actions.map((a) => a.slug)).toEqual([
      'contact.upsert',
      'contact.get',
      'contact.search',
      'company.upsert',
    ]);
    for (const action of plugin.actions) {
      expect(action.authModes).toEqual(['byok']);
      expect(action.credits).toBe(0); // byok only: credits are charged in managed mode alone
      if (action.effect === 'write') expect(action.mirror?.label).toMatch(/^hubspot_(contact|company)_id$/);
    }
    const limits: readonly RateLimit[] = plugin.rateLimits;
    const search = limits.find((l) => l.match);
    expect(search?.match?.test('crm/v3/objects/contacts/search')).toBe(true);
    expect(search?.match?.test('crm/v3/objects/contacts/batch/upsert')).toBe(false);
  });

  it('verify reads the portal id', async () => {
    expect(await plugin.verify(contextFor(sandbox))).toEqual({ accountLabel: 'portal 62515' });
    expect(sandbox.requests[0]).toMatchObject({ method: 'GET', path: '/account-info/v3/details' });
  });

  it('a bad token is an AuthError carrying HubSpot message and correlation id, never the token', async () => {
    const token = 'pat-na1-not-a-real-token-000000';
    const error = await failure(plugin.verify(contextFor(sandbox, { token })));
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, data: { provider_code: 'INVALID_AUTHENTICATION' } });
    expect(error.providerMessage).toMatch(/^Authentication credentials not found/);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(error.toJSON())).not.toContain(token);
  });

  it('absorbs a 429 with a retry (the sandbox sees two requests)', async () => {
    sandbox.failNext({ status: 429, retryAfterSeconds: 0 });
    const result = await run(sandbox, contactUpsert, { email: 'retry@example.com' });
    expect(result.created).toBe(true);
    expect(sandbox.requests).toHaveLength(2);
    expect(sandbox.contacts.size).toBe(1);
  });

  it('gives up with a RateLimitError when the 429s outlast the retries', async () => {
    sandbox.failNext({ status: 429, count: 10, retryAfterSeconds: 0 });
    const error = await failure(run(sandbox, contactGet, { id: '1' }));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe('You have reached your secondly limit.');
    expect(sandbox.requests).toHaveLength(4);
  });

  it('retries a 500 on a read but not on a create that is not idempotent', async () => {
    sandbox.failNext({ status: 500, path: /\/search$/ });
    const error = await failure(run(sandbox, companyUpsert, { domain: 'once.test' }));
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(sandbox.requests).toHaveLength(1);

    sandbox.reset();
    sandbox.failNext({ status: 503 });
    const err2 = await failure(run(sandbox, contactGet, { id: '999' }));
    expect(err2.code).toBe('not_found');
    expect(sandbox.requests).toHaveLength(2);
  });
});

describe('parseHubSpotError', () => {
  it('reads the documented error body', () => {
    expect(parseHubSpotError(validationErrorBody)).toEqual({
      message: 'Property values were not valid',
      requestId: '5b1e7d0c-3f61-4a2e-9c55-0d2b8f6c1a47',
      providerCode: 'VALIDATION_ERROR',
      field: 'name',
    });
  });

  it('reads a 429 body, which has errorType instead of category', () => {
    expect(parseHubSpotError(rateLimitErrorBody)).toMatchObject({
      providerCode: 'RATE_LIMIT',
      requestId: rateLimitErrorBody.correlationId,
    });
  });

  it('survives bodies of any shape', () => {
    expect(parseHubSpotError(undefined)).toEqual({});
    expect(parseHubSpotError([1, 2])).toEqual({});
    expect(parseHubSpotError('<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' });
    expect(parseHubSpotError({ message: 42, errors: 'x' })).toEqual({});
  });
});
