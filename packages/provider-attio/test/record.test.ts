import { ConflictError, NotFoundError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordAssert, recordGet, recordQuery, recordUpdate } from '../src/index.js';
import { type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { dryRun, failure, run } from './helpers.js';

let sandbox: AttioSandbox;
beforeAll(async () => {
  sandbox = await startAttioSandbox({
    attributes: {
      people: [
        { api_slug: 'external_id', type: 'text', is_unique: true, title: 'External ID' },
        { api_slug: 'tier', type: 'select', options: ['Free', 'Pro', 'Enterprise'] },
        { api_slug: 'seats', type: 'number' },
      ],
    },
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const paths = () => sandbox.requests.map((r) => `${r.method} ${r.path}`);

describe('record.assert', () => {
  it('sends plain values as the nested shape Attio documents, matching people on email_addresses', async () => {
    const person = await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: ['ada@example.com'], name: 'Ada Lovelace', job_title: 'Analyst' },
    });
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]).toMatchObject({
      method: 'PUT',
      path: '/v2/objects/people/records',
      query: { matching_attribute: 'email_addresses' },
      body: {
        data: {
          values: {
            email_addresses: [{ email_address: 'ada@example.com' }],
            name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }],
            job_title: [{ value: 'Analyst' }],
          },
        },
      },
    });
    expect(sandbox.requests[0]?.headers['content-type']).toBe('application/json');
    expect(person).toMatchObject({
      object: 'people',
      values: {
        email_addresses: ['ada@example.com'],
        name: 'Ada Lovelace',
        job_title: 'Analyst',
        phone_numbers: [],
      },
    });
    expect(person.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(person.web_url).toBe(`https://app.attio.com/sandbox-workspace/person/${person.id}`);
    expect(person.raw).toMatchObject({ id: { record_id: person.id } });
    expect((person.raw.values as Record<string, unknown[]>).name?.[0]).toMatchObject({
      attribute_type: 'personal-name',
      first_name: 'Ada',
    });
  });

  it('asserting twice updates the same record', async () => {
    const first = await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'ada@example.com', name: 'Ada Lovelace' },
    });
    const second = await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'ADA@example.com', job_title: 'Mathematician' },
    });
    expect(second.id).toBe(first.id);
    expect(sandbox.records.size).toBe(1);
    expect(second.values).toMatchObject({
      email_addresses: ['ada@example.com'],
      name: 'Ada Lovelace',
      job_title: 'Mathematician',
    });
    expect(second.created_at).toBe(first.created_at);
  });

  it('finds the asserted record with record.query', async () => {
    const person = await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'grace@example.com', name: 'Grace Hopper' },
    });
    const found = await run(sandbox, recordQuery, {
      object: 'people',
      filter: { email_addresses: 'grace@example.com' },
    });
    expect(found.results.map((r) => r.id)).toEqual([person.id]);
    expect(found.results[0]?.values.name).toBe('Grace Hopper');
  });

  it('matches companies on domains by default and reduces a URL to its domain', async () => {
    const first = await run(sandbox, recordAssert, {
      object: 'companies',
      values: { domains: 'https://acme.com/about', name: 'Acme', categories: ['B2B', 'SaaS'] },
    });
    expect(sandbox.requests[0]).toMatchObject({
      query: { matching_attribute: 'domains' },
      body: {
        data: {
          values: {
            domains: [{ domain: 'acme.com' }],
            name: [{ value: 'Acme' }],
            categories: [{ option: 'B2B' }, { option: 'SaaS' }],
          },
        },
      },
    });
    const again = await run(sandbox, recordAssert, {
      object: 'companies',
      values: { domains: 'acme.com', name: 'Acme Inc' },
    });
    expect(again.id).toBe(first.id);
    expect(again.values).toMatchObject({
      domains: ['acme.com'],
      name: 'Acme Inc',
      categories: ['B2B', 'SaaS'],
    });
  });

  it('links a person to a company by domain (a reference by unique attribute)', async () => {
    const company = await run(sandbox, recordAssert, {
      object: 'companies',
      values: { domains: 'attio.com', name: 'Attio' },
    });
    const person = await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'alice@attio.com', company: { domains: 'attio.com' } },
    });
    expect(sandbox.requests.at(-1)?.body).toEqual({
      data: {
        values: {
          email_addresses: [{ email_address: 'alice@attio.com' }],
          company: [{ target_object: 'companies', domains: [{ domain: 'attio.com' }] }],
        },
      },
    });
    expect(person.values.company).toEqual({ object: 'companies', record_id: company.id });
    const team = await run(sandbox, recordGet, { object: 'companies', record_id: company.id });
    expect(team.values.team).toEqual([{ object: 'people', record_id: person.id }]);
  });

  it('looks up custom attributes once, then matches on one of them', async () => {
    const person = await run(sandbox, recordAssert, {
      object: 'people',
      matching_attribute: 'external_id',
      values: { external_id: 'crm-42', tier: 'Pro', seats: 12, email_addresses: 'x@example.com' },
    });
    expect(paths()).toEqual(['GET /v2/objects/people/attributes', 'PUT /v2/objects/people/records']);
    expect(sandbox.requests[1]).toMatchObject({
      query: { matching_attribute: 'external_id' },
      body: {
        data: {
          values: {
            external_id: [{ value: 'crm-42' }],
            tier: [{ option: 'Pro' }],
            seats: [{ value: 12 }],
            email_addresses: [{ email_address: 'x@example.com' }],
          },
        },
      },
    });
    // looked-up attributes are flattened by their multi-value setting: tier is single-select
    expect(person.values).toMatchObject({ external_id: 'crm-42', tier: 'Pro', seats: 12 });
  });

  it('needs no lookup when attribute_types names the custom attributes', async () => {
    await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'y@example.com', tier: 'Enterprise' },
      attribute_types: { tier: 'select' },
    });
    expect(paths()).toEqual(['PUT /v2/objects/people/records']);
  });

  it('a dry run shows the lookup it needs first and sends nothing', async () => {
    const requests = await dryRun(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'z@example.com', tier: 'Pro' },
    });
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      'GET /v2/objects/people/attributes',
    ]);
    expect(requests[0]?.headers.authorization).toBe('Bearer [REDACTED]');
    expect(sandbox.requests).toHaveLength(0);
    const plain = await dryRun(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'z@example.com' },
    });
    expect(plain).toEqual([
      expect.objectContaining({
        method: 'PUT',
        url: `${sandbox.url}/v2/objects/people/records?matching_attribute=email_addresses`,
        body: { data: { values: { email_addresses: [{ email_address: 'z@example.com' }] } } },
      }),
    ]);
    expect(sandbox.requests).toHaveLength(0);
  });

  it('matches on an attribute given by id (Attio checks that its value is present)', async () => {
    const emails = sandbox.workspace.objects
      .get('people')
      ?.attributes.find((a) => a.api_slug === 'email_addresses');
    const first = await run(sandbox, recordAssert, {
      object: 'people',
      matching_attribute: emails?.attribute_id,
      values: { email_addresses: 'byid@example.com' },
    });
    const again = await run(sandbox, recordAssert, {
      object: 'people',
      matching_attribute: emails?.attribute_id,
      values: { email_addresses: 'byid@example.com', job_title: 'CFO' },
    });
    expect(again.id).toBe(first.id);
    expect(sandbox.requests[0]?.query).toEqual({ matching_attribute: emails?.attribute_id });
  });

  it('sends raw_values unchanged', async () => {
    const location = {
      line_1: '1 Infinite Loop',
      line_2: null,
      line_3: null,
      line_4: null,
      locality: 'Cupertino',
      region: 'CA',
      postcode: '95014',
      country_code: 'US',
      latitude: '37.331741',
      longitude: '-122.030333',
    };
    const person = await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'steve@example.com' },
      raw_values: { primary_location: [location] },
    });
    expect(sandbox.requests[0]?.body).toEqual({
      data: {
        values: {
          email_addresses: [{ email_address: 'steve@example.com' }],
          primary_location: [location],
        },
      },
    });
    expect(person.values.primary_location).toEqual(location);
  });

  it('refuses, before sending anything, a missing matching value, an object without a default, or a bad value', async () => {
    const noMatch = await failure(
      run(sandbox, recordAssert, { object: 'people', values: { name: 'Nobody' } }),
    );
    expect(noMatch).toMatchObject({ code: 'validation', field: 'values.email_addresses' });
    const noDefault = await failure(
      run(sandbox, recordAssert, { object: 'deals', values: { name: 'Big deal' } }),
    );
    expect(noDefault).toMatchObject({ code: 'validation', field: 'matching_attribute' });
    const bad = await failure(
      run(sandbox, recordAssert, { object: 'people', values: { email_addresses: 'nope' } }),
    );
    expect(bad).toMatchObject({ code: 'validation', field: 'values.email_addresses' });
    const both = await failure(
      run(sandbox, recordAssert, {
        object: 'people',
        values: { email_addresses: 'a@b.co' },
        raw_values: { email_addresses: [] },
      }),
    );
    expect(both).toMatchObject({ code: 'validation', field: 'raw_values.email_addresses' });
    const empty = await failure(run(sandbox, recordAssert, { object: 'people', values: {} }));
    expect(empty).toMatchObject({ code: 'validation', field: 'values' });
    expect(sandbox.requests).toHaveLength(0);
  });

  it("turns Attio's refusals into typed errors with Attio's message", async () => {
    sandbox.seedRecord('people', { email_addresses: ['one@example.com'] });
    sandbox.seedRecord('people', { email_addresses: ['two@example.com'] });
    const several = await failure(
      run(sandbox, recordAssert, {
        object: 'people',
        values: { email_addresses: ['one@example.com', 'two@example.com'] },
      }),
    );
    expect(ValidationError.isInstance(several)).toBe(true);
    expect(several).toMatchObject({ status: 400, data: { provider_code: 'multiple_match_results' } });
    expect(several.providerMessage).toMatch(/^Multiple records were found/);

    const option = await failure(
      run(sandbox, recordAssert, {
        object: 'people',
        values: { email_addresses: 'opt@example.com', tier: 'Platinum' },
        attribute_types: { tier: 'select' },
      }),
    );
    expect(option).toMatchObject({ code: 'validation', data: { provider_code: 'value_not_found' } });
    expect(option.message).toContain('Cannot find select attribute with select option title "Platinum".');
  });
});

describe('record.get', () => {
  it('reads a record with plain values', async () => {
    const seeded = sandbox.seedRecord('people', {
      email_addresses: ['ada@example.com'],
      name: 'Ada Lovelace',
      phone_numbers: ['+44 20 7946 0958'],
    });
    const person = await run(sandbox, recordGet, { object: 'people', record_id: seeded.record_id });
    expect(paths()).toEqual([`GET /v2/objects/people/records/${seeded.record_id}`]);
    expect(person.values).toMatchObject({
      record_id: seeded.record_id,
      email_addresses: ['ada@example.com'],
      name: 'Ada Lovelace',
      phone_numbers: ['+442079460958'],
      created_by: { type: 'api-token' },
    });
    expect(person.notes).toBeUndefined();
  });

  it("notes an attribute type it does not flatten and keeps it in Attio's shape", async () => {
    const seeded = sandbox.seedRecord('people', { email_addresses: ['new@example.com'] });
    seeded.values.description = [
      {
        active_from: '2026-01-01T00:00:00.000000000Z',
        active_until: null,
        created_by_actor: { type: 'system', id: null },
        attribute_type: 'hologram',
        depth: 3,
      },
    ];
    const person = await run(sandbox, recordGet, { object: 'people', record_id: seeded.record_id });
    expect(person.values.description).toEqual({ depth: 3 });
    expect(person.notes).toEqual([
      expect.stringMatching(/^values\.description: attribute type "hologram" is not flattened/),
    ]);
  });

  it('answers not_found for an unknown record or object', async () => {
    const missing = await failure(
      run(sandbox, recordGet, { object: 'people', record_id: '891dcbfc-9141-415d-9b2a-2238a6cc012d' }),
    );
    expect(NotFoundError.isInstance(missing)).toBe(true);
    expect(missing).toMatchObject({
      status: 404,
      providerMessage: 'Record with ID "891dcbfc-9141-415d-9b2a-2238a6cc012d" not found.',
      data: { provider_code: 'not_found' },
    });
    const object = await failure(
      run(sandbox, recordGet, { object: 'planets', record_id: '891dcbfc-9141-415d-9b2a-2238a6cc012d' }),
    );
    expect(object.providerMessage).toBe('Object with slug/ID "planets" not found.');
    expect(recordGet.input.safeParse({ object: 'people', record_id: 'abc' }).success).toBe(false);
  });
});

describe('record.query', () => {
  beforeEach(() => {
    for (const [first, last] of [
      ['Ann', 'Zane'],
      ['Bob', 'Young'],
      ['Cy', 'Xu'],
      ['Dee', 'Wu'],
      ['Eve', 'Vance'],
    ]) {
      sandbox.seedRecord('people', {
        email_addresses: [`${first?.toLowerCase()}@paging.test`],
        name: { first_name: first, last_name: last },
      });
    }
    sandbox.seedRecord('people', { email_addresses: ['zed@elsewhere.test'], name: 'Zed Other' });
  });

  it('pages with cursor / next_cursor until the end, offset in the body', async () => {
    const filter = { email_addresses: { email_domain: 'paging.test' } };
    const seen: unknown[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run(sandbox, recordQuery, { object: 'people', filter, limit: 2, cursor });
      seen.push(...page.results.map((r) => r.values.email_addresses));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      ['ann@paging.test'],
      ['bob@paging.test'],
      ['cy@paging.test'],
      ['dee@paging.test'],
      ['eve@paging.test'],
    ]);
    expect(sandbox.requests.map((r) => r.body)).toEqual([
      { filter, limit: 2, offset: 0 },
      { filter, limit: 2, offset: 2 },
      { filter, limit: 2, offset: 4 },
    ]);
  });

  it('needs one more (empty) page when the last page is exactly full', async () => {
    sandbox.seedRecord('people', { email_addresses: ['fay@paging.test'] });
    const filter = { email_addresses: { email_domain: { $eq: 'paging.test' } } };
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await run(sandbox, recordQuery, { object: 'people', filter, limit: 3, cursor });
      sizes.push(page.results.length);
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(sizes).toEqual([3, 3, 0]);
  });

  it("filters with Attio's syntax and sorts", async () => {
    const result = await run(sandbox, recordQuery, {
      object: 'people',
      filter: {
        $and: [
          { email_addresses: { $contains: 'paging' } },
          {
            $or: [
              { name: { first_name: { $eq: 'Ann' } } },
              { name: { last_name: { $starts_with: 'V' } } },
              { name: 'Cy Xu' },
            ],
          },
        ],
      },
      sorts: [{ attribute: 'name', field: 'last_name', direction: 'asc' }],
    });
    expect(result.results.map((r) => r.values.name)).toEqual(['Eve Vance', 'Cy Xu', 'Ann Zane']);
    expect(result.next_cursor).toBeNull();
    expect(sandbox.requests[0]?.body).toMatchObject({
      sorts: [{ direction: 'asc', attribute: 'name', field: 'last_name' }],
      limit: 50,
      offset: 0,
    });
  });

  it('refuses a cursor it did not make, and reports a filter Attio refuses', async () => {
    const cursor = await failure(run(sandbox, recordQuery, { object: 'people', cursor: 'not-a-cursor' }));
    expect(cursor).toMatchObject({ code: 'validation', field: 'cursor' });
    expect(sandbox.requests).toHaveLength(0);
    const filter = await failure(run(sandbox, recordQuery, { object: 'people', filter: { shoe_size: 42 } }));
    expect(filter).toMatchObject({
      code: 'validation',
      status: 400,
      data: { provider_code: 'filter_error' },
    });
    expect(filter.providerMessage).toBe('Unknown attribute slug/ID "shoe_size" in filter.');
  });
});

describe('record.update', () => {
  it('appends to multi-value attributes with PATCH, replaces them with PUT', async () => {
    const seeded = sandbox.seedRecord('people', { email_addresses: ['ada@example.com'], name: 'Ada' });
    const appended = await run(sandbox, recordUpdate, {
      object: 'people',
      record_id: seeded.record_id,
      values: { email_addresses: 'ada@work.test', name: { first_name: 'Ada', last_name: 'Lovelace' } },
    });
    expect(sandbox.requests[0]).toMatchObject({
      method: 'PATCH',
      path: `/v2/objects/people/records/${seeded.record_id}`,
      body: {
        data: {
          values: {
            email_addresses: [{ email_address: 'ada@work.test' }],
            name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }],
          },
        },
      },
    });
    expect(appended.values).toMatchObject({
      email_addresses: ['ada@work.test', 'ada@example.com'],
      name: 'Ada Lovelace',
    });

    const replaced = await run(sandbox, recordUpdate, {
      object: 'people',
      record_id: seeded.record_id,
      values: { email_addresses: ['ada@new.test'], job_title: null },
      multiselect: 'replace',
    });
    expect(sandbox.requests[1]).toMatchObject({
      method: 'PUT',
      body: { data: { values: { email_addresses: [{ email_address: 'ada@new.test' }], job_title: [] } } },
    });
    expect(replaced.values).toMatchObject({ email_addresses: ['ada@new.test'], job_title: null });
  });

  it('is a conflict when another record holds a unique value', async () => {
    sandbox.seedRecord('people', { email_addresses: ['taken@example.com'] });
    const other = sandbox.seedRecord('people', { email_addresses: ['free@example.com'] });
    const error = await failure(
      run(sandbox, recordUpdate, {
        object: 'people',
        record_id: other.record_id,
        values: { email_addresses: 'taken@example.com' },
      }),
    );
    expect(ConflictError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 409, data: { provider_code: 'uniqueness_conflict' } });
    expect(sandbox.requests).toHaveLength(1); // a PATCH is not retried
  });
});
