import { AuthError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contactUpsert, ownerList, propertyList } from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { failure, run } from './helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox({
    customProperties: {
      contacts: [
        'favourite_colour',
        { name: 'customer_tier', label: 'Customer tier', options: ['gold', 'silver'] },
        { name: 'external_id', label: 'External ID', hasUniqueValue: true },
      ],
    },
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('owner.list', () => {
  it('lists the active owners with the id hubspot_owner_id takes, page by page', async () => {
    const first = await run(sandbox, ownerList, { limit: 2 });
    expect(first.results).toEqual([
      {
        id: '41629779',
        email: 'ada.owner@example.com',
        firstName: 'Ada',
        lastName: 'Owner',
        userId: 9586504,
        archived: false,
        teams: [{ id: '368389', name: 'Sales Team', primary: true }],
      },
      expect.objectContaining({ id: '41629780' }),
    ]);
    expect(first.next_cursor).toBe('2');
    expect(sandbox.requests[0]).toMatchObject({
      method: 'GET',
      path: '/crm/v3/owners',
      query: { limit: '2', archived: 'false' },
    });
    const second = await run(sandbox, ownerList, { limit: 2, cursor: first.next_cursor ?? '' });
    expect(second.results.map((o) => o.id)).toEqual(['41629781']);
    expect(second.next_cursor).toBeNull();
    expect(sandbox.requests[1]?.query).toMatchObject({ after: '2' });
  });

  it('finds one owner by email, and lists archived ones on request', async () => {
    const one = await run(sandbox, ownerList, { email: 'GRACE.owner@example.com' });
    expect(one.results.map((o) => o.id)).toEqual(['41629780']);
    const archived = await run(sandbox, ownerList, { archived: true });
    expect(archived.results).toEqual([expect.objectContaining({ id: '41629782', archived: true })]);
  });

  it("a token without crm.objects.owners.read gets HubSpot's 403 MISSING_SCOPES, naming the scope", async () => {
    const limited = await startHubSpotSandbox({
      tokens: ['pat-na1-limited'],
      tokenScopes: { 'pat-na1-limited': ['crm.objects.contacts.read', 'crm.objects.contacts.write'] },
    });
    try {
      await run(limited, contactUpsert, { email: 'ok@example.com' }); // covered by its scopes
      const error = await failure(run(limited, ownerList, {}));
      expect(AuthError.isInstance(error)).toBe(true);
      expect(error.status).toBe(403);
      expect(error.data).toEqual({ provider_code: 'MISSING_SCOPES' });
      expect(error.providerMessage).toMatch(
        /^This app hasn't been granted all required scopes .*\(missing scope: crm\.objects\.owners\.read\)$/,
      );
      expect(error.hint).toMatch(/scope/);
    } finally {
      await limited.close();
    }
  });
});

describe('property.list', () => {
  it('lists contact properties for mapping: names, labels, types, options, read-only and custom ones', async () => {
    const out = await run(sandbox, propertyList, { object_type: 'contacts', limit: 1000 });
    expect(sandbox.requests[0]).toMatchObject({
      method: 'GET',
      path: '/crm/v3/properties/contacts',
      query: {},
    });
    const byName = Object.fromEntries(out.results.map((p) => [p.name, p]));
    expect(byName.email).toMatchObject({
      label: 'Email',
      type: 'string',
      readOnly: false,
      hubspotDefined: true,
    });
    expect(byName.lifecyclestage?.options).toContainEqual({ label: 'Lead', value: 'lead' });
    expect(byName.createdate).toMatchObject({ type: 'datetime', readOnly: true });
    expect(byName.customer_tier).toMatchObject({
      label: 'Customer tier',
      type: 'enumeration',
      hubspotDefined: false,
      options: [
        { label: 'gold', value: 'gold' },
        { label: 'silver', value: 'silver' },
      ],
    });
    expect(byName.external_id).toMatchObject({ unique: true });
    expect(byName.favourite_colour).toMatchObject({ type: 'string', hubspotDefined: false });
    expect(out.results.map((p) => p.name)).toEqual([...out.results.map((p) => p.name)].sort());
    expect(out).toMatchObject({ object_type: 'contacts', total: out.results.length, next_cursor: null });
  });

  it('writable_only leaves out what HubSpot computes; deals list their pipeline stages', async () => {
    const writable = await run(sandbox, propertyList, {
      object_type: 'contacts',
      writable_only: true,
      limit: 1000,
    });
    const names = writable.results.map((p) => p.name);
    expect(names).toContain('email');
    expect(names).not.toContain('hs_object_id');
    expect(names).not.toContain('createdate');
    const deals = await run(sandbox, propertyList, { object_type: 'deals', limit: 1000 });
    expect(deals.results.find((p) => p.name === 'dealstage')?.options.map((o) => o.value)).toEqual([
      'appointmentscheduled',
      'qualifiedtobuy',
      'presentationscheduled',
      'decisionmakerboughtin',
      'contractsent',
      'closedwon',
      'closedlost',
    ]);
  });

  it('pages with cursor / next_cursor over the list HubSpot gives at once', async () => {
    const all = await run(sandbox, propertyList, { object_type: 'companies', limit: 1000 });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run(sandbox, propertyList, {
        object_type: 'companies',
        limit: 5,
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.results.map((p) => p.name));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(all.results.map((p) => p.name));
    expect(pages).toBe(Math.ceil(all.total / 5));
    const bad = await failure(run(sandbox, propertyList, { object_type: 'companies', cursor: 'abc' }));
    expect(bad).toMatchObject({ code: 'validation', field: 'cursor' });
  });
});
