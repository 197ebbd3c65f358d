import { NotFoundError, type RecordedRequest, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contactGet, contactSearch, contactUpdate, contactUpsert } from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { contextFor, failure, run } from './helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ rejectEmails: ['bounce@example.com'] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('contact.upsert', () => {
  it('creates a contact, then updates the same one by email', async () => {
    const first = await run(sandbox, contactUpsert, { email: 'ada@example.com', firstname: 'Ada' });
    expect(first).toMatchObject({
      created: true,
      properties: { email: 'ada@example.com', firstname: 'Ada' },
    });

    const second = await run(sandbox, contactUpsert, {
      email: 'ADA@example.com',
      lastname: 'Lovelace',
      properties: { lifecyclestage: 'lead' },
    });
    expect(second).toMatchObject({ id: first.id, created: false });
    expect(second.properties).toMatchObject({
      firstname: 'Ada',
      lastname: 'Lovelace',
      lifecyclestage: 'lead',
    });
    expect(sandbox.contacts.size).toBe(1);
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /crm/v3/objects/contacts/batch/upsert',
      'POST /crm/v3/objects/contacts/batch/upsert',
    ]);
  });

  it('sends every property value as a string and clears a property with null', async () => {
    await run(sandbox, contactUpsert, {
      email: 'grace@example.com',
      phone: '+1 555 0100',
      properties: { hs_lead_status: 'NEW', zip: 10001, company: null },
    });
    expect(sandbox.requests[0]?.body).toEqual({
      inputs: [
        {
          idProperty: 'email',
          id: 'grace@example.com',
          properties: {
            hs_lead_status: 'NEW',
            zip: '10001',
            company: '',
            phone: '+1 555 0100',
            email: 'grace@example.com',
          },
        },
      ],
    });
  });

  it('turns a rejected email (207 with errors) into a ValidationError with HubSpot message and correlation id', async () => {
    const error = await failure(run(sandbox, contactUpsert, { email: 'bounce@example.com' }));
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.status).toBe(207);
    expect(error.providerMessage).toMatch(/^Property values were not valid: .*"INVALID_EMAIL"/);
    expect(error.message).toContain('Email address bounce@example.com is invalid');
    expect(error.field).toBe('email');
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sandbox.contacts.size).toBe(0);
  });

  it('turns a 400 for the whole batch into a ValidationError too', async () => {
    const strict = await startHubSpotSandbox({ rejectEmails: ['bounce@example.com'], batchErrorStatus: 400 });
    try {
      const error = await failure(run(strict, contactUpsert, { email: 'bounce@example.com' }));
      expect(ValidationError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({
        status: 400,
        field: 'email',
        data: { provider_code: 'VALIDATION_ERROR' },
      });
      expect(error.providerMessage).toMatch(/"INVALID_EMAIL"/);
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await strict.close();
    }
  });

  it('refuses a malformed email and unknown input fields before sending anything', () => {
    expect(contactUpsert.input.safeParse({ email: 'not-an-email' }).success).toBe(false);
    expect(contactUpsert.input.safeParse({ email: 'a@b.c', first_name: 'A' }).success).toBe(false);
  });

  it('records the one request in a dry run and sends nothing', async () => {
    const recorder: RecordedRequest[] = [];
    const ctx = contextFor(sandbox, { recorder });
    await expect(
      contactUpsert.run(contactUpsert.input.parse({ email: 'dry@example.com' }), ctx),
    ).rejects.toThrow(/dry run/);
    expect(recorder).toHaveLength(1);
    expect(recorder[0]).toMatchObject({ method: 'POST', headers: { authorization: 'Bearer [REDACTED]' } });
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('contact.get', () => {
  it('reads a contact by id and by email', async () => {
    const created = await run(sandbox, contactUpsert, {
      email: 'alan@example.com',
      firstname: 'Alan',
      jobtitle: 'Dr',
    });

    const byId = await run(sandbox, contactGet, { id: created.id });
    expect(byId).toMatchObject({
      id: created.id,
      archived: false,
      properties: { email: 'alan@example.com' },
    });

    const byEmail = await run(sandbox, contactGet, {
      email: 'alan@example.com',
      properties: ['jobtitle', 'phone'],
    });
    expect(byEmail.id).toBe(created.id);
    expect(byEmail.properties).toMatchObject({ jobtitle: 'Dr', phone: null });
    expect(sandbox.requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/crm/v3/objects/contacts/alan%40example.com',
      query: { idProperty: 'email', properties: 'jobtitle,phone' },
    });
  });

  it('answers not_found for an unknown contact', async () => {
    const error = await failure(run(sandbox, contactGet, { email: 'nobody@example.com' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('needs exactly one of id and email', () => {
    expect(contactGet.input.safeParse({}).success).toBe(false);
    expect(contactGet.input.safeParse({ id: '1', email: 'a@b.c' }).success).toBe(false);
  });
});

describe('contact.search', () => {
  beforeEach(async () => {
    for (const [n, name] of ['Ann', 'Bob', 'Cy', 'Dee', 'Eve'].entries()) {
      await run(sandbox, contactUpsert, {
        email: `${name.toLowerCase()}@paging.test`,
        firstname: name,
        properties: { zip: n },
      });
    }
    await run(sandbox, contactUpsert, { email: 'other@elsewhere.test', firstname: 'Zed' });
    sandbox.requests.length = 0;
  });

  it('finds contacts after an upsert and pages through them with cursor / next_cursor', async () => {
    const filters = [{ property: 'email', operator: 'CONTAINS_TOKEN' as const, value: '*@paging.test' }];
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run(sandbox, contactSearch, { filters, limit: 2, properties: ['email'], cursor });
      expect(page.total).toBe(5);
      seen.push(...page.results.map((r) => r.properties.email ?? ''));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([
      'ann@paging.test',
      'bob@paging.test',
      'cy@paging.test',
      'dee@paging.test',
      'eve@paging.test',
    ]);
    expect(sandbox.requests.map((r) => (r.body as { after: string }).after)).toEqual(['0', '2', '4']);
  });

  it('sorts, filters numerically and searches free text', async () => {
    const sorted = await run(sandbox, contactSearch, {
      filters: [{ property: 'zip', operator: 'GT', value: 1 }],
      sorts: [{ property: 'firstname', direction: 'DESCENDING' }],
      properties: ['firstname'],
    });
    expect(sorted.results.map((r) => r.properties.firstname)).toEqual(['Eve', 'Dee', 'Cy']);
    expect(sorted.next_cursor).toBeNull();

    const text = await run(sandbox, contactSearch, { query: 'zed' });
    expect(text.results.map((r) => r.properties.email)).toEqual(['other@elsewhere.test']);
  });
});

describe('contact.update', () => {
  it('updates by email (idProperty=email) and by id; only the given properties change', async () => {
    const created = await run(sandbox, contactUpsert, {
      email: 'kay@example.com',
      firstname: 'Kay',
      phone: '1',
    });

    const byEmail = await run(sandbox, contactUpdate, {
      email: 'kay@example.com',
      jobtitle: 'CTO',
      properties: { hs_lead_status: 'OPEN', phone: null },
    });
    expect(byEmail).toMatchObject({ id: created.id, properties: { firstname: 'Kay', jobtitle: 'CTO' } });
    expect(byEmail.properties.phone).toBeUndefined();
    expect(sandbox.requests.at(-1)).toMatchObject({
      method: 'PATCH',
      path: '/crm/v3/objects/contacts/kay%40example.com',
      query: { idProperty: 'email' },
      body: { properties: { hs_lead_status: 'OPEN', phone: '', jobtitle: 'CTO' } },
    });

    const byId = await run(sandbox, contactUpdate, { id: created.id, lifecyclestage: 'customer' });
    expect(byId.properties).toMatchObject({ lifecyclestage: 'customer', jobtitle: 'CTO' });
    expect(sandbox.requests.at(-1)).toMatchObject({
      path: `/crm/v3/objects/contacts/${created.id}`,
      query: {},
    });
    expect(sandbox.contacts.size).toBe(1);
  });

  it('an unknown contact is not_found and nothing is created', async () => {
    const error = await failure(run(sandbox, contactUpdate, { email: 'ghost@example.com', firstname: 'G' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(sandbox.contacts.size).toBe(0);
  });

  it("a value HubSpot refuses is a validation error naming the property, with HubSpot's message", async () => {
    await run(sandbox, contactUpsert, { email: 'val@example.com' });
    const error = await failure(
      run(sandbox, contactUpdate, { email: 'val@example.com', lifecyclestage: 'friend' }),
    );
    expect(ValidationError.isInstance(error)).toBe(true);
    expect(error.field).toBe('lifecyclestage');
    expect(error.providerMessage).toMatch(/friend was not one of the allowed options.*INVALID_OPTION/);
  });

  it('needs exactly one of id and email, and something to change', () => {
    expect(contactUpdate.input.safeParse({ email: 'a@b.c' }).success).toBe(false);
    expect(contactUpdate.input.safeParse({ email: 'a@b.c', properties: {} }).success).toBe(false);
    expect(contactUpdate.input.safeParse({ id: '1', email: 'a@b.c', firstname: 'A' }).success).toBe(false);
    expect(contactUpdate.input.safeParse({ id: '1', firstname: 'A' }).success).toBe(true);
  });
});
