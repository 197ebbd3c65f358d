import { AuthError, createRateLimiter, ProviderError, type RateLimit, RateLimitError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, {
  companyUpsert,
  contactGet,
  contactSearch,
  contactUpsert,
  parseHubSpotError,
} from '../src/index.js';
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
      'contact.update',
      'contact.batch_upsert',
      'company.upsert',
      'company.get',
      'company.search',
      'deal.create',
      'deal.update',
      'deal.search',
      'association.create',
      'note.create',
      'owner.list',
      'property.list',
    ]);
    const mirrors: Record<string, string | undefined> = {};
    for (const action of plugin.actions) {
      expect(action.authModes).toEqual(['byok']);
      expect(action.credits).toBe(0); // byok only: credits are charged in managed mode alone
      expect(action.scopes?.length, action.slug).toBeGreaterThan(0);
      for (const scope of action.scopes ?? [])
        expect(scope).toMatch(/^crm\.(objects|schemas)\.[a-z]+\.(read|write)$/);
      if (action.effect === 'write') mirrors[action.slug] = action.mirror?.label;
    }
    // Every write that makes or changes one record mirrors its id; a batch (many records) and an
    // association (no id of its own) do not.
    expect(mirrors).toEqual({
      'contact.upsert': 'hubspot_contact_id',
      'contact.update': 'hubspot_contact_id',
      'contact.batch_upsert': undefined,
      'company.upsert': 'hubspot_company_id',
      'deal.create': 'hubspot_deal_id',
      'deal.update': 'hubspot_deal_id',
      'association.create': undefined,
      'note.create': 'hubspot_note_id',
    });
    // OAuth asks for exactly what the actions need, plus `oauth` for the account details.
    const oauth = plugin.auth.byok.find((s) => s.type === 'oauth2');
    expect(oauth?.type === 'oauth2' && oauth.scopes).toEqual([
      'oauth',
      ...new Set(plugin.actions.flatMap((a) => a.scopes ?? []).sort()),
    ]);
    expect(plugin.events?.map((e) => [e.type, e.providerType])).toEqual([
      ['contact.created', 'contact.creation'],
      ['contact.property_changed', 'contact.propertyChange'],
      ['contact.deleted', 'contact.deletion'],
      ['company.created', 'company.creation'],
      ['deal.created', 'deal.creation'],
      ['deal.property_changed', 'deal.propertyChange'],
    ]);
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

describe('rate limits', () => {
  it('the declared search limit keeps a burst of searches under HubSpot 4/s: no 429 at all', async () => {
    const strict = await startHubSpotSandbox({ enforceRateLimits: true });
    try {
      const search = { filters: [{ property: 'email', operator: 'HAS_PROPERTY' as const }] };
      // Without the limiter, the strict sandbox answers 429 past 4 searches a second.
      await Promise.allSettled(Array.from({ length: 8 }, () => run(strict, contactSearch, search)));
      expect(strict.requests.length).toBeGreaterThan(8);
      await new Promise((r) => setTimeout(r, 1100));
      strict.reset();
      const limiter = createRateLimiter(plugin.rateLimits ?? []);
      await Promise.all(
        Array.from({ length: 8 }, () => run(strict, contactSearch, search, { rateLimiter: limiter })),
      );
      expect(strict.requests).toHaveLength(8);
    } finally {
      await strict.close();
    }
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
