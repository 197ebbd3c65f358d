import { NotFoundError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { companyGet, companySearch, companyUpsert } from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { call, failure, run } from './helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ customProperties: { companies: ['tier'] } });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('company.upsert', () => {
  it('creates a company, then updates it by domain', async () => {
    const created = await run(sandbox, companyUpsert, {
      domain: 'https://Example.com/about',
      name: 'Example',
    });
    expect(created).toMatchObject({ created: true, properties: { domain: 'example.com', name: 'Example' } });

    const updated = await run(sandbox, companyUpsert, {
      domain: 'example.com',
      city: 'Boston',
      properties: { tier: 2 },
    });
    expect(updated).toMatchObject({
      id: created.id,
      created: false,
      properties: { city: 'Boston', tier: '2' },
    });
    expect(sandbox.companies.size).toBe(1);
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /crm/v3/objects/companies/search',
      'POST /crm/v3/objects/companies',
      'POST /crm/v3/objects/companies/search',
      `PATCH /crm/v3/objects/companies/${created.id}`,
    ]);
  });

  it('updates the oldest company when several share the domain', async () => {
    const older = await call(sandbox, 'POST', '/crm/v3/objects/companies', {
      properties: { domain: 'dup.test' },
    });
    await call(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { domain: 'dup.test' } });
    const result = await run(sandbox, companyUpsert, { domain: 'dup.test', name: 'Dup' });
    expect(result).toMatchObject({ id: older.json.id, created: false });
  });

  it('refuses something that is not a domain', () => {
    expect(companyUpsert.input.safeParse({ domain: 'not a domain' }).success).toBe(false);
  });
});

describe('company.get and company.search', () => {
  it('finds a company right after an upsert, by domain filter and by free text, and reads it by id', async () => {
    const created = await run(sandbox, companyUpsert, {
      domain: 'acme.test',
      name: 'Acme Rockets',
      city: 'Reno',
    });
    await run(sandbox, companyUpsert, { domain: 'other.test', name: 'Other' });

    const byDomain = await run(sandbox, companySearch, {
      filters: [{ property: 'domain', operator: 'EQ', value: 'acme.test' }],
      properties: ['name', 'city'],
    });
    expect(byDomain).toMatchObject({ total: 1, next_cursor: null });
    expect(byDomain.results[0]).toMatchObject({
      id: created.id,
      properties: { name: 'Acme Rockets', city: 'Reno' },
    });
    const byText = await run(sandbox, companySearch, { query: 'rockets' });
    expect(byText.results.map((r) => r.id)).toEqual([created.id]);

    const read = await run(sandbox, companyGet, { id: created.id, properties: ['city', 'phone'] });
    expect(read).toMatchObject({
      id: created.id,
      archived: false,
      properties: { city: 'Reno', phone: null },
    });
    expect(read.associations).toBeUndefined();
    expect(sandbox.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: `/crm/v3/objects/companies/${created.id}`,
      query: { properties: 'city,phone' },
    });
  });

  it('pages company search with cursor / next_cursor', async () => {
    for (const n of [1, 2, 3]) await run(sandbox, companyUpsert, { domain: `c${n}.paging.test` });
    const first = await run(sandbox, companySearch, { limit: 2, sorts: [{ property: 'domain' }] });
    expect(first.results.map((r) => r.properties.domain)).toEqual(['c1.paging.test', 'c2.paging.test']);
    expect(first.next_cursor).toBe('2');
    const last = await run(sandbox, companySearch, { limit: 2, cursor: first.next_cursor ?? '' });
    expect(last).toMatchObject({ total: 3, next_cursor: null });
  });

  it('an unknown company id is not_found; a domain is not an id', async () => {
    const error = await failure(run(sandbox, companyGet, { id: '999999' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(companyGet.input.safeParse({ id: 'example.com' }).success).toBe(false);
  });
});
