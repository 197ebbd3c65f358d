import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { companyUpsert } from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { call, run } from './helpers.js';

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
