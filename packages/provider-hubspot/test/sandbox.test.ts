import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { call } from './helpers.js';

const CONTACTS = '/crm/v3/objects/contacts';
let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ tokens: ['pat-na1-sandbox-a', 'pat-na1-sandbox-b'] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function contact(properties: Record<string, string>): Promise<string> {
  const res = await call(sandbox, 'POST', CONTACTS, { properties });
  expect(res.status).toBe(201);
  return res.json.id as string;
}

describe('sandbox: auth, headers, recording', () => {
  it('accepts its configured tokens and answers 401 in HubSpot shape otherwise', async () => {
    expect(sandbox.token).toBe('pat-na1-sandbox-a');
    expect(
      (await call(sandbox, 'GET', '/account-info/v3/details', undefined, 'pat-na1-sandbox-b')).status,
    ).toBe(200);
    for (const token of [null, 'wrong']) {
      const res = await call(sandbox, 'GET', '/account-info/v3/details', undefined, token);
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({
        status: 'error',
        message: expect.stringMatching(/^Authentication credentials not found/),
        category: 'INVALID_AUTHENTICATION',
        correlationId: res.headers.get('x-hubspot-correlation-id'),
      });
    }
  });

  it('sends correlation id and rate-limit headers on every answer and records each request', async () => {
    const first = await call(sandbox, 'GET', '/account-info/v3/details');
    const second = await call(sandbox, 'GET', `${CONTACTS}/1?properties=email&properties=phone`);
    expect(first.headers.get('x-hubspot-correlation-id')).not.toBe(
      second.headers.get('x-hubspot-correlation-id'),
    );
    expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('100');
    expect(first.headers.get('x-hubspot-ratelimit-remaining')).toBe('99');
    expect(second.headers.get('x-hubspot-ratelimit-remaining')).toBe('98');
    expect(second.headers.get('x-hubspot-ratelimit-daily')).toBe('250000');
    expect(sandbox.requests[1]).toMatchObject({
      method: 'GET',
      path: `${CONTACTS}/1`,
      query: { properties: ['email', 'phone'] },
      headers: { authorization: 'Bearer pat-na1-sandbox-a' },
    });
  });

  it('answers 404 for paths and methods it does not serve', async () => {
    for (const [method, path] of [
      ['GET', '/crm/v3/objects/deals'],
      ['DELETE', `${CONTACTS}/1`],
      ['POST', '/crm/v3/objects/companies/batch/upsert'],
    ] as const) {
      const res = await call(sandbox, method, path, method === 'POST' ? { inputs: [] } : undefined);
      expect(res.status).toBe(404);
      expect(res.json).toMatchObject({ status: 'error', category: 'NOT_FOUND' });
    }
  });

  it('waits delayMs before answering', async () => {
    sandbox.delayMs = 60;
    const started = Date.now();
    await call(sandbox, 'GET', '/account-info/v3/details');
    sandbox.delayMs = 0;
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('sandbox: request validation', () => {
  it('answers 400 VALIDATION_ERROR naming the field for a body off the documented shape', async () => {
    const cases: [unknown, string][] = [
      [{ properties: { email: 5 } }, 'properties.email'],
      [{ propertes: {} }, 'properties'],
      [{ properties: {}, extra: true }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const res = await call(sandbox, 'POST', CONTACTS, body);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
      expect((res.json.errors as { in: string }[]).map((e) => e.in)).toContain(field);
    }
    const notJson = await call(sandbox, 'POST', CONTACTS, '{"properties":');
    expect(notJson.json).toMatchObject({
      category: 'VALIDATION_ERROR',
      message: expect.stringMatching(/^Invalid input JSON/),
    });
  });

  it('refuses unknown, read-only and invalid property values as HubSpot does', async () => {
    const res = await call(sandbox, 'POST', CONTACTS, {
      properties: { email: 'nope', favourite_colour: 'red', hs_object_id: '1' },
    });
    expect(res.status).toBe(400);
    const message = res.json.message as string;
    expect(message).toMatch(/^Property values were not valid: /);
    expect(message).toContain('"INVALID_EMAIL"');
    expect(message).toContain('"PROPERTY_DOESNT_EXIST"');
    expect(message).toContain('"READ_ONLY_VALUE"');
  });

  it('keeps contact emails unique: 409 on create, upsert updates', async () => {
    const id = await contact({ email: 'Ada@Example.com' });
    const again = await call(sandbox, 'POST', CONTACTS, { properties: { email: 'ada@example.com' } });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${id}`,
    });

    const other = await contact({ email: 'other@example.com' });
    const patch = await call(sandbox, 'PATCH', `${CONTACTS}/${other}`, {
      properties: { email: 'ada@example.com' },
    });
    expect(patch.status).toBe(409);
  });

  it('reads and updates by a unique idProperty only', async () => {
    const id = await contact({ email: 'ida@example.com' });
    const patched = await call(sandbox, 'PATCH', `${CONTACTS}/ida%40example.com?idProperty=email`, {
      properties: { firstname: 'Ida', phone: '' },
    });
    expect(patched.json).toMatchObject({ id, properties: { firstname: 'Ida' } });
    const got = await call(sandbox, 'GET', `${CONTACTS}/${id}`);
    expect(got.json.properties).toEqual({
      createdate: expect.any(String),
      email: 'ida@example.com',
      firstname: 'Ida',
      hs_object_id: id,
      lastmodifieddate: expect.any(String),
      lastname: null,
    });
    const byDomain = await call(sandbox, 'GET', '/crm/v3/objects/companies/x.com?idProperty=domain');
    expect(byDomain.status).toBe(400);
    const missing = await call(sandbox, 'GET', `${CONTACTS}/424242`);
    expect(missing).toMatchObject({ status: 404, json: { category: 'OBJECT_NOT_FOUND' } });
  });
});

describe('sandbox: batch upsert', () => {
  it('answers 207 with per-input errors when some inputs fail', async () => {
    const res = await call(sandbox, 'POST', `${CONTACTS}/batch/upsert`, {
      inputs: [
        { idProperty: 'email', id: 'ok@example.com', properties: { firstname: 'Ok' } },
        { idProperty: 'email', id: 'bad-email', properties: {} },
      ],
    });
    expect(res.status).toBe(207);
    expect(res.json).toMatchObject({
      status: 'COMPLETE',
      numErrors: 1,
      results: [{ new: true, properties: { email: 'ok@example.com', firstname: 'Ok' } }],
      errors: [
        { status: 'error', category: 'VALIDATION_ERROR', errors: [{ in: 'email', code: 'INVALID_EMAIL' }] },
      ],
    });
  });

  it('refuses duplicate ids in one batch and more than 100 inputs', async () => {
    const dup = await call(sandbox, 'POST', `${CONTACTS}/batch/upsert`, {
      inputs: [
        { idProperty: 'email', id: 'a@example.com', properties: {} },
        { idProperty: 'email', id: 'A@example.com', properties: {} },
      ],
    });
    expect(dup.json.message).toMatch(/^Duplicate IDs found in batch input/);
    const inputs = Array.from({ length: 101 }, (_, n) => ({
      idProperty: 'email',
      id: `${n}@x.com`,
      properties: {},
    }));
    expect((await call(sandbox, 'POST', `${CONTACTS}/batch/upsert`, { inputs })).status).toBe(400);
  });
});

describe('sandbox: search', () => {
  beforeEach(async () => {
    await contact({ email: 'ann@corp.test', firstname: 'Ann', zip: '100' });
    await contact({ email: 'bob@corp.test', firstname: 'Bob', zip: '200' });
    await contact({ email: 'cy@home.test', firstname: 'Cy' });
  });

  async function emails(filters: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
    const res = await call(sandbox, 'POST', `${CONTACTS}/search`, { filterGroups: [{ filters }], ...extra });
    expect(res.status).toBe(200);
    return (res.json.results as { properties: { email: string } }[]).map((r) => r.properties.email);
  }

  it('implements the filter operators', async () => {
    expect(await emails([{ propertyName: 'email', operator: 'EQ', value: 'BOB@corp.test' }])).toEqual([
      'bob@corp.test',
    ]);
    expect(await emails([{ propertyName: 'firstname', operator: 'NEQ', value: 'Bob' }])).toEqual([
      'ann@corp.test',
      'cy@home.test',
    ]);
    expect(
      await emails([{ propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@corp.test' }]),
    ).toHaveLength(2);
    expect(await emails([{ propertyName: 'firstname', operator: 'CONTAINS_TOKEN', value: 'cy' }])).toEqual([
      'cy@home.test',
    ]);
    expect(await emails([{ propertyName: 'zip', operator: 'GT', value: '150' }])).toEqual(['bob@corp.test']);
    expect(await emails([{ propertyName: 'zip', operator: 'LT', value: '150' }])).toEqual(['ann@corp.test']);
    expect(await emails([{ propertyName: 'zip', operator: 'HAS_PROPERTY' }])).toHaveLength(2);
    expect(
      await emails([{ propertyName: 'zip', operator: 'BETWEEN', value: '50', highValue: '100' }]),
    ).toEqual(['ann@corp.test']);
    expect(await emails([{ propertyName: 'firstname', operator: 'IN', values: ['ann', 'cy'] }])).toHaveLength(
      2,
    );
  });

  it('ORs filter groups, matches free text and sorts', async () => {
    const res = await call(sandbox, 'POST', `${CONTACTS}/search`, {
      filterGroups: [
        { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Ann' }] },
        { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Cy' }] },
      ],
      sorts: [{ propertyName: 'email', direction: 'DESCENDING' }],
    });
    expect((res.json.results as { id: string }[]).length).toBe(2);
    expect(await emails([], { query: 'bo' })).toEqual(['bob@corp.test']);
    expect(await emails([], { sorts: ['firstname'] })).toEqual([
      'ann@corp.test',
      'bob@corp.test',
      'cy@home.test',
    ]);
  });

  it('pages with after and paging.next.after, and caps limit at 200', async () => {
    const first = await call(sandbox, 'POST', `${CONTACTS}/search`, { limit: 2 });
    expect(first.json).toMatchObject({ total: 3, paging: { next: { after: '2' } } });
    const last = await call(sandbox, 'POST', `${CONTACTS}/search`, { limit: 2, after: '2' });
    expect(last.json.results).toHaveLength(1);
    expect(last.json.paging).toBeUndefined();
    expect((await call(sandbox, 'POST', `${CONTACTS}/search`, { limit: 201 })).status).toBe(400);
    const bad = await call(sandbox, 'POST', `${CONTACTS}/search`, {
      filterGroups: [{ filters: [{ propertyName: 'zip', operator: 'EQ' }] }],
    });
    expect(bad).toMatchObject({ status: 400, json: { category: 'VALIDATION_ERROR' } });
  });
});

describe('sandbox: failure switches', () => {
  it('failNext(429) answers HubSpot 429 body and headers, count times, then recovers', async () => {
    sandbox.failNext({ status: 429, count: 2, retryAfterSeconds: 1 });
    for (let n = 0; n < 2; n++) {
      const res = await call(sandbox, 'GET', '/account-info/v3/details');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('x-hubspot-ratelimit-secondly-remaining')).toBe('0');
      expect(res.json).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' });
    }
    expect((await call(sandbox, 'GET', '/account-info/v3/details')).status).toBe(200);
  });

  it('failNext answers each status with a HubSpot-shaped body, only on the path asked', async () => {
    const categories = {
      401: 'INVALID_AUTHENTICATION',
      403: 'MISSING_SCOPES',
      404: 'OBJECT_NOT_FOUND',
      409: 'CONFLICT',
    };
    for (const [status, category] of Object.entries(categories)) {
      sandbox.failNext({ status: Number(status) as 401, path: '/account-info/v3/details' });
      expect((await call(sandbox, 'POST', `${CONTACTS}/search`, {})).status).toBe(200);
      const res = await call(sandbox, 'GET', '/account-info/v3/details');
      expect(res).toMatchObject({ status: Number(status), json: { status: 'error', category } });
    }
    sandbox.failNext({ status: 500, path: /search$/, message: 'boom' });
    expect((await call(sandbox, 'POST', `${CONTACTS}/search`, {})).json).toMatchObject({ message: 'boom' });
  });

  it('enforces the rate limits when asked to', async () => {
    const strict = await startHubSpotSandbox({ enforceRateLimits: true });
    try {
      const statuses: number[] = [];
      for (let n = 0; n < 5; n++)
        statuses.push((await call(strict, 'POST', `${CONTACTS}/search`, {})).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429]);
    } finally {
      await strict.close();
    }
  });

  it('reset forgets records, requests and pending failures', async () => {
    await contact({ email: 'gone@example.com' });
    sandbox.failNext({ status: 500 });
    sandbox.reset();
    expect(sandbox.contacts.size).toBe(0);
    expect(sandbox.requests).toHaveLength(0);
    expect((await call(sandbox, 'GET', '/account-info/v3/details')).status).toBe(200);
    expect(await contact({ email: 'new@example.com' })).toBe('101');
  });
});

describe('sandbox: deals, notes, associations, owners, properties', () => {
  it('refuses undocumented query parameters and out-of-range values with a HubSpot 400', async () => {
    const id = await contact({ email: 'q@example.com' });
    const unknown = await call(sandbox, 'GET', `${CONTACTS}/${id}?propertys=email`);
    expect(unknown).toMatchObject({ status: 400, json: { category: 'VALIDATION_ERROR' } });
    expect((unknown.json.errors as { in: string }[])[0]?.in).toBe('propertys');
    expect((await call(sandbox, 'GET', '/crm/v3/owners?limit=501')).status).toBe(400);
    expect((await call(sandbox, 'GET', '/account-info/v3/details?verbose=1')).status).toBe(400);
  });

  it('refuses a batch of more than 100 inputs with HubSpot-shaped 400 naming the limit', async () => {
    const inputs = Array.from({ length: 101 }, (_, n) => ({
      idProperty: 'email',
      id: `${n}@x.com`,
      properties: {},
    }));
    const res = await call(sandbox, 'POST', `${CONTACTS}/batch/upsert`, { inputs });
    expect(res).toMatchObject({ status: 400, json: { status: 'error', category: 'VALIDATION_ERROR' } });
    expect(res.json.message).toMatch(/inputs: at most 100 inputs per batch request/);
    expect(sandbox.contacts.size).toBe(0);
  });

  it('deals: pipeline defaults to "default", stages are checked, amounts must be numbers', async () => {
    const ok = await call(sandbox, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'D', dealstage: 'closedwon' },
    });
    expect(ok.status).toBe(201);
    expect(ok.json.properties).toMatchObject({ pipeline: 'default', dealstage: 'closedwon' });
    const bad = await call(sandbox, 'POST', '/crm/v3/objects/deals', {
      properties: { dealname: 'D', dealstage: 'won', amount: 'lots' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('"INVALID_OPTION"');
    expect(bad.json.message).toContain('"INVALID_LONG"');
  });

  it('notes need hs_timestamp, and associations on create must point at existing records', async () => {
    const missing = await call(sandbox, 'POST', '/crm/v3/objects/notes', {
      properties: { hs_note_body: 'x' },
    });
    expect(missing).toMatchObject({ status: 400, json: { category: 'VALIDATION_ERROR' } });
    expect(missing.json.message).toMatch(/hs_timestamp/);
    const wrongType = await call(sandbox, 'POST', '/crm/v3/objects/notes', {
      properties: { hs_note_body: 'x', hs_timestamp: '2026-01-01T00:00:00Z' },
      associations: [
        { to: { id: '1' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] },
      ],
    });
    expect(wrongType.status).toBe(400);
    expect(sandbox.notes.size).toBe(0);
  });

  it('v4 associations: default PUT answers both directions; the list pages; unknown records are 404', async () => {
    const id = await contact({ email: 'assoc@example.com' });
    const company = (await call(sandbox, 'POST', '/crm/v3/objects/companies', { properties: { name: 'C' } }))
      .json.id as string;
    const put = await call(
      sandbox,
      'PUT',
      `/crm/v4/objects/contact/${id}/associations/default/0-2/${company}`,
    );
    expect(put.status).toBe(200);
    expect(put.json).toMatchObject({
      status: 'COMPLETE',
      results: [
        { from: { id }, to: { id: company }, associationSpec: { associationTypeId: 279 } },
        { from: { id: company }, to: { id }, associationSpec: { associationTypeId: 280 } },
      ],
    });
    const listed = await call(
      sandbox,
      'GET',
      `/crm/v4/objects/contacts/${id}/associations/companies?limit=1`,
    );
    expect(listed.json).toEqual({
      results: [
        {
          toObjectId: Number(company),
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 279, label: null }],
        },
      ],
    });
    const read = await call(sandbox, 'GET', `${CONTACTS}/${id}?associations=companies,tickets`);
    expect(read.json.associations).toEqual({
      companies: { results: [{ id: company, type: 'contact_to_company_unlabeled' }] },
    });
    const ghost = await call(
      sandbox,
      'PUT',
      `/crm/v4/objects/contacts/${id}/associations/default/companies/999`,
    );
    expect(ghost).toMatchObject({
      status: 404,
      json: { status: 'error', category: 'OBJECT_NOT_FOUND', message: 'No company with ID 999 exists.' },
    });
    const odd = await call(sandbox, 'PUT', `/crm/v4/objects/widgets/${id}/associations/default/companies/1`);
    expect(odd).toMatchObject({
      status: 400,
      json: { category: 'VALIDATION_ERROR', message: 'Unable to infer object type from: widgets' },
    });
  });

  it('owners and properties answer in HubSpot shapes', async () => {
    const owners = await call(sandbox, 'GET', '/crm/v3/owners?limit=1');
    expect(owners.json).toMatchObject({
      results: [{ id: '41629779', type: 'PERSON', userIdIncludingInactive: 9586504 }],
      paging: { next: { after: '1' } },
    });
    const properties = await call(sandbox, 'GET', '/crm/v3/properties/deals?properties=dealstage');
    expect(properties.json).toMatchObject({
      results: [
        {
          name: 'dealstage',
          type: 'enumeration',
          fieldType: 'radio',
          hubspotDefined: true,
          modificationMetadata: { readOnlyValue: false },
        },
      ],
    });
  });

  it('a token limited to some scopes (tokenScopes) gets a 403 MISSING_SCOPES outside them', async () => {
    const limited = await startHubSpotSandbox({
      tokens: ['pat-na1-limited'],
      tokenScopes: { 'pat-na1-limited': ['crm.objects.contacts.read'] },
    });
    try {
      expect((await call(limited, 'POST', `${CONTACTS}/search`, {}, 'pat-na1-limited')).status).toBe(200);
      const res = await call(limited, 'POST', CONTACTS, { properties: {} }, 'pat-na1-limited');
      expect(res).toMatchObject({
        status: 403,
        json: {
          status: 'error',
          category: 'MISSING_SCOPES',
          errors: [{ context: { missingScopes: ['crm.objects.contacts.write'] } }],
          links: { scopes: 'https://developers.hubspot.com/scopes' },
        },
      });
      expect(limited.contacts.size).toBe(0);
    } finally {
      await limited.close();
    }
  });

  it('failNext(403) names the scopes of the route it fails', async () => {
    sandbox.failNext({ status: 403 });
    const res = await call(sandbox, 'POST', '/crm/v3/objects/deals/search', {});
    expect(res.json).toMatchObject({
      category: 'MISSING_SCOPES',
      errors: [{ context: { missingScopes: ['crm.objects.deals.read'] } }],
    });
  });
});
