import { NotFoundError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { companyUpsert, contactUpsert, dealCreate, dealSearch, dealUpdate } from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { dryRun, failure, run } from './helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox({
    customProperties: { deals: [{ name: 'source', options: ['web', 'event'] }] },
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('deal.create', () => {
  it('creates a deal with its properties as strings and its associations in the same request', async () => {
    const contact = await run(sandbox, contactUpsert, { email: 'buyer@example.com' });
    const company = await run(sandbox, companyUpsert, { domain: 'buyer.test' });
    sandbox.requests.length = 0;

    const deal = await run(sandbox, dealCreate, {
      dealname: 'Buyer - annual',
      dealstage: 'appointmentscheduled',
      amount: 12000.5,
      closedate: '2026-12-31',
      hubspot_owner_id: '41629779',
      properties: { source: 'web' },
      associations: { contacts: [contact.id], companies: [company.id] },
    });
    expect(deal.properties).toMatchObject({
      dealname: 'Buyer - annual',
      dealstage: 'appointmentscheduled',
      pipeline: 'default', // HubSpot puts a deal without a pipeline in the default one
      amount: '12000.5',
      closedate: '2026-12-31T00:00:00.000Z',
      source: 'web',
    });
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]).toMatchObject({
      method: 'POST',
      path: '/crm/v3/objects/deals',
      body: {
        properties: {
          dealname: 'Buyer - annual',
          dealstage: 'appointmentscheduled',
          amount: '12000.5',
          closedate: '2026-12-31T00:00:00.000Z',
          hubspot_owner_id: '41629779',
          source: 'web',
        },
        associations: [
          {
            to: { id: contact.id },
            types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }],
          },
          {
            to: { id: company.id },
            types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 341 }],
          },
        ],
      },
    });
    // Visible from both sides, as HubSpot stores associations in both directions.
    expect(sandbox.associatedIds('deals', deal.id, 'contacts')).toEqual([contact.id]);
    expect(sandbox.associatedIds('contacts', contact.id, 'deals')).toEqual([deal.id]);
    expect(sandbox.associatedIds('companies', company.id, 'deals')).toEqual([deal.id]);
  });

  it('closedate takes epoch milliseconds too; a bad date or amount is refused before sending', () => {
    const parsed = dealCreate.input.parse({
      dealname: 'x',
      dealstage: 'closedwon',
      closedate: 1_767_139_200_000,
    });
    expect(parsed.closedate).toBe('2025-12-31T00:00:00.000Z');
    expect(
      dealCreate.input.safeParse({ dealname: 'x', dealstage: 'closedwon', closedate: 'soon' }).success,
    ).toBe(false);
    expect(
      dealCreate.input.safeParse({ dealname: 'x', dealstage: 'closedwon', amount: '1,000' }).success,
    ).toBe(false);
    expect(dealCreate.input.safeParse({ dealname: 'x' }).success).toBe(false); // a stage is required
  });

  it("an unknown stage is HubSpot's INVALID_OPTION, as a validation error on dealstage", async () => {
    const error = await failure(run(sandbox, dealCreate, { dealname: 'Bad', dealstage: 'registered' }));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.field).toBe('dealstage');
    expect(error.providerMessage).toMatch(/registered is not a valid pipeline stage ID/);
    expect(sandbox.deals.size).toBe(0);
  });

  it('associating a contact that does not exist is refused and creates nothing', async () => {
    const error = await failure(
      run(sandbox, dealCreate, {
        dealname: 'D',
        dealstage: 'closedwon',
        associations: { contacts: ['424242'] },
      }),
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toMatch(/contact 424242 does not exist/);
    expect(sandbox.deals.size).toBe(0);
  });

  it('a dry run shows the one create and sends nothing', async () => {
    const requests = await dryRun(sandbox, dealCreate, { dealname: 'Dry', dealstage: 'closedwon' });
    expect(requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: `${sandbox.url}/crm/v3/objects/deals`,
        body: { properties: { dealname: 'Dry', dealstage: 'closedwon' }, associations: [] },
      }),
    ]);
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('deal.update and deal.search', () => {
  it('moves a deal through stages, and search finds it by stage and amount right after', async () => {
    const deal = await run(sandbox, dealCreate, {
      dealname: 'Mover',
      dealstage: 'appointmentscheduled',
      amount: 500,
    });
    await run(sandbox, dealCreate, { dealname: 'Other', dealstage: 'closedlost', amount: 50 });

    const moved = await run(sandbox, dealUpdate, { id: deal.id, dealstage: 'closedwon', amount: '750' });
    expect(moved).toMatchObject({ id: deal.id, properties: { dealstage: 'closedwon', amount: '750' } });
    expect(sandbox.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: `/crm/v3/objects/deals/${deal.id}`,
      body: { properties: { dealstage: 'closedwon', amount: '750' } },
    });

    const won = await run(sandbox, dealSearch, {
      filters: [
        { property: 'dealstage', operator: 'EQ', value: 'closedwon' },
        { property: 'amount', operator: 'GTE', value: 700 },
      ],
      properties: ['dealname', 'amount'],
    });
    expect(won).toMatchObject({ total: 1, next_cursor: null });
    expect(won.results[0]).toMatchObject({ id: deal.id, properties: { dealname: 'Mover', amount: '750' } });
    expect(sandbox.requests.at(-1)).toMatchObject({
      path: '/crm/v3/objects/deals/search',
      body: {
        filterGroups: [
          {
            filters: [
              { propertyName: 'dealstage', operator: 'EQ', value: 'closedwon' },
              { propertyName: 'amount', operator: 'GTE', value: '700' },
            ],
          },
        ],
        sorts: [],
        properties: ['dealname', 'amount'],
        limit: 10,
        after: '0',
      },
    });
    const byName = await run(sandbox, dealSearch, { query: 'mover' });
    expect(byName.results.map((r) => r.id)).toEqual([deal.id]);
  });

  it('pages deal search with cursor / next_cursor until null', async () => {
    for (let n = 0; n < 5; n++)
      await run(sandbox, dealCreate, { dealname: `Deal ${n}`, dealstage: 'qualifiedtobuy' });
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run(sandbox, dealSearch, { limit: 2, ...(cursor ? { cursor } : {}) });
      ids.push(...page.results.map((r) => r.id));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(5);
  });

  it('an unknown deal is not_found; an update needs something to change', async () => {
    const error = await failure(run(sandbox, dealUpdate, { id: '999999', dealstage: 'closedwon' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(dealUpdate.input.safeParse({ id: '1' }).success).toBe(false);
  });
});
