import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STANDARD_ATTRIBUTES } from '../src/index.js';
import { type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { call } from './helpers.js';

let sandbox: AttioSandbox;
beforeAll(async () => {
  sandbox = await startAttioSandbox({ tokens: ['a'.repeat(64)], workspaceName: 'Test Co' });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const people = '/v2/objects/people/records';

describe('the sandbox speaks Attio', () => {
  it('has a base URL without a trailing slash, and paths under /v2', async () => {
    expect(sandbox.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const self = await call(sandbox, 'GET', '/v2/self');
    expect(self.status).toBe(200);
    expect(self.json).toMatchObject({
      active: true,
      workspace_name: 'Test Co',
      workspace_slug: 'test-co',
      iss: 'attio.com',
    });
  });

  it('401 without a token or with an unknown one; /v2/self reports an unknown token as inactive', async () => {
    const none = await call(sandbox, 'GET', '/v2/objects', undefined, null);
    expect(none.status).toBe(401);
    expect(none.json).toEqual({
      status_code: 401,
      type: 'auth_error',
      code: 'unauthorized',
      message: 'Authentication failed: the access token is missing, invalid or revoked.',
    });
    expect((await call(sandbox, 'GET', '/v2/objects', undefined, 'b'.repeat(64))).status).toBe(401);
    expect(await call(sandbox, 'GET', '/v2/self', undefined, 'b'.repeat(64))).toMatchObject({
      status: 200,
      json: { active: false },
    });
  });

  it('accepts the token as the username of HTTP Basic auth, as Attio does', async () => {
    const res = await fetch(`${sandbox.url}/v2/objects`, {
      headers: { authorization: `Basic ${Buffer.from(`${sandbox.token}:`).toString('base64')}` },
    });
    expect(res.status).toBe(200);
  });

  it("answers an unknown path or method with a 404 in Attio's shape", async () => {
    const path = await call(sandbox, 'GET', '/v2/contacts');
    expect(path).toMatchObject({
      status: 404,
      json: { status_code: 404, type: 'invalid_request_error', code: 'not_found' },
    });
    const method = await call(sandbox, 'DELETE', '/v2/notes');
    expect(method.status).toBe(404);
    expect(method.json.message).toBe('DELETE is not supported on /v2/notes.');
    const noVersion = await call(sandbox, 'GET', '/objects');
    expect(noVersion.json.message).toMatch(/Paths start with \/v2/);
  });

  it('refuses a body field Attio does not document with a 400 listing it', async () => {
    const res = await call(sandbox, 'PUT', `${people}?matching_attribute=email_addresses`, {
      data: { values: { email_addresses: ['a@b.co'] }, extra: true },
    });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({
      status_code: 400,
      type: 'invalid_request_error',
      code: 'validation_type',
      message: 'Body payload validation error.',
      validation_errors: [{ code: 'unrecognized_keys', path: ['data', 'extra'] }],
    });
  });

  it('refuses a missing or wrong body, a wrong content type and an unknown query parameter', async () => {
    const missing = await call(sandbox, 'POST', '/v2/notes', {});
    expect(missing.json.validation_errors).toEqual([expect.objectContaining({ path: ['data'] })]);
    const text = await fetch(`${sandbox.url}/v2/notes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sandbox.token}`, 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(text.status).toBe(400);
    const query = await call(sandbox, 'GET', '/v2/objects/people/attributes?limit=5&color=red');
    expect(query.status).toBe(400);
    expect(query.json.validation_errors).toEqual([expect.objectContaining({ path: ['color'] })]);
    const noMatching = await call(sandbox, 'PUT', people, { data: { values: {} } });
    expect(noMatching.json.validation_errors).toEqual([
      expect.objectContaining({ path: ['matching_attribute'] }),
    ]);
  });

  it('checks each value against its attribute type and names the field', async () => {
    const res = await call(sandbox, 'POST', people, {
      data: { values: { email_addresses: [{ email_address: 'not-an-email' }] } },
    });
    expect(res.status).toBe(400);
    expect(res.json.validation_errors).toEqual([
      expect.objectContaining({
        path: ['data', 'values', 'email_addresses', 0],
        message: 'Invalid email address "not-an-email"',
      }),
    ]);
    const single = await call(sandbox, 'POST', people, { data: { values: { job_title: ['a', 'b'] } } });
    expect(single.json.validation_errors).toEqual([
      expect.objectContaining({ path: ['data', 'values', 'job_title'] }),
    ]);
    const unknown = await call(sandbox, 'POST', people, { data: { values: { shoe_size: [{ value: 42 }] } } });
    expect(unknown.json).toMatchObject({
      code: 'value_not_found',
      message: 'Cannot find attribute with slug/ID "shoe_size".',
    });
    const system = await call(sandbox, 'POST', people, { data: { values: { record_id: ['x'] } } });
    expect(system.json.validation_errors).toEqual([
      expect.objectContaining({ path: ['data', 'values', 'record_id'] }),
    ]);
  });

  it("accepts the shorthands Attio accepts and answers values in Attio's output shape", async () => {
    const res = await call(sandbox, 'POST', people, {
      data: {
        values: { email_addresses: 'Ada@Example.com', name: 'Ada Lovelace', description: 'Met at the event' },
      },
    });
    expect(res.status).toBe(200);
    const values = (res.json.data as { values: Record<string, Record<string, unknown>[]> }).values;
    expect(values.email_addresses?.[0]).toMatchObject({
      original_email_address: 'Ada@Example.com',
      email_address: 'ada@example.com',
      email_domain: 'example.com',
      email_root_domain: 'example.com',
      email_local_specifier: 'ada',
      attribute_type: 'email-address',
      active_until: null,
      created_by_actor: { type: 'api-token' },
    });
    expect(values.name?.[0]).toMatchObject({
      first_name: 'Ada',
      last_name: 'Lovelace',
      full_name: 'Ada Lovelace',
    });
    expect(values.job_title).toEqual([]);
    expect(String((res.json.data as { created_at: string }).created_at)).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/,
    );
  });

  it('keeps unique attributes unique: a create with a taken email is a 409', async () => {
    sandbox.seedRecord('people', { email_addresses: ['ada@example.com'] });
    const res = await call(sandbox, 'POST', people, {
      data: { values: { email_addresses: ['ADA@example.com'] } },
    });
    expect(res.status).toBe(409);
    expect(res.json).toMatchObject({ code: 'uniqueness_conflict' });
  });

  it('assert: update if exactly one match, create if none, error if several', async () => {
    const url = `${people}?matching_attribute=email_addresses`;
    const created = await call(sandbox, 'PUT', url, {
      data: { values: { email_addresses: ['one@example.com'] } },
    });
    const updated = await call(sandbox, 'PUT', url, {
      data: { values: { email_addresses: ['one@example.com', 'uno@example.com'], job_title: 'CTO' } },
    });
    const id = (r: { json: Record<string, unknown> }) =>
      (r.json.data as { id: { record_id: string } }).id.record_id;
    expect(id(updated)).toBe(id(created));
    // the matching attribute is appended to, never trimmed
    const again = await call(sandbox, 'PUT', url, {
      data: { values: { email_addresses: ['uno@example.com'] } },
    });
    expect(
      (
        again.json.data as { values: { email_addresses: { email_address: string }[] } }
      ).values.email_addresses.map((e) => e.email_address),
    ).toEqual(['one@example.com', 'uno@example.com']);
    sandbox.seedRecord('people', { email_addresses: ['two@example.com'] });
    const several = await call(sandbox, 'PUT', url, {
      data: { values: { email_addresses: ['one@example.com', 'two@example.com'] } },
    });
    expect(several).toMatchObject({ status: 400, json: { code: 'multiple_match_results' } });
    const notUnique = await call(sandbox, 'PUT', `${people}?matching_attribute=job_title`, {
      data: { values: { job_title: 'CTO' } },
    });
    expect(notUnique.status).toBe(400);
    const nowhere = await call(sandbox, 'PUT', `${people}?matching_attribute=shoe_size`, {
      data: { values: { job_title: 'CTO' } },
    });
    expect(nowhere.json).toMatchObject({
      code: 'value_not_found',
      message: 'No attribute was found for matching_attribute slug/ID "shoe_size".',
    });
  });

  it('query: shorthand, operators, value fields, $and/$or/$not, sorts, limit and offset', async () => {
    for (const [email, first, last, title] of [
      ['ann@a.test', 'Ann', 'Zane', 'CEO'],
      ['bob@b.test', 'Bob', 'Young', 'CTO'],
      ['cy@a.test', 'Cy', 'Xu', null],
    ] as const) {
      sandbox.seedRecord('people', {
        email_addresses: [email],
        name: { first_name: first, last_name: last },
        ...(title ? { job_title: title } : {}),
      });
    }
    const query = async (body: unknown) => {
      const res = await call(sandbox, 'POST', '/v2/objects/people/records/query', body);
      expect(res.status, JSON.stringify(res.json)).toBe(200);
      return (res.json.data as { values: { name: { full_name: string }[] } }[]).map(
        (r) => r.values.name[0]?.full_name,
      );
    };
    expect(await query({ filter: { email_addresses: 'BOB@b.test' } })).toEqual(['Bob Young']);
    expect(await query({ filter: { email_addresses: { email_domain: 'a.test' } } })).toEqual([
      'Ann Zane',
      'Cy Xu',
    ]);
    expect(await query({ filter: { name: { last_name: { $in: ['Xu', 'Young'] } } } })).toEqual([
      'Bob Young',
      'Cy Xu',
    ]);
    expect(await query({ filter: { job_title: { $not_empty: false } } })).toEqual(['Cy Xu']);
    expect(
      await query({
        filter: { $or: [{ job_title: 'CEO' }, { name: { first_name: { $starts_with: 'c' } } }] },
      }),
    ).toEqual(['Ann Zane', 'Cy Xu']);
    expect(await query({ filter: { $not: { job_title: { $contains: 'c' } } } })).toEqual(['Cy Xu']);
    expect(
      await query({ sorts: [{ direction: 'desc', attribute: 'name', field: 'first_name' }], limit: 2 }),
    ).toEqual(['Cy Xu', 'Bob Young']);
    expect(await query({ sorts: [{ direction: 'asc', attribute: 'job_title' }], offset: 1 })).toEqual([
      'Bob Young',
      'Cy Xu',
    ]);
    const bad = await call(sandbox, 'POST', '/v2/objects/people/records/query', {
      filter: { job_title: { $like: 'x' } },
    });
    expect(bad.json).toMatchObject({
      status_code: 400,
      code: 'filter_error',
      message: 'Unknown filter operator "$like".',
    });
  });

  it('keeps a relationship in step on both sides (person.company and company.team)', async () => {
    const acme = sandbox.seedRecord('companies', { domains: ['acme.com'] });
    const globex = sandbox.seedRecord('companies', { domains: ['globex.com'] });
    const ada = sandbox.seedRecord('people', {
      email_addresses: ['ada@acme.com'],
      company: [{ target_object: 'companies', target_record_id: acme.record_id }],
    });
    expect(acme.values.team?.map((v) => v.target_record_id)).toEqual([ada.record_id]);
    await call(sandbox, 'PATCH', `${people}/${ada.record_id}`, {
      data: { values: { company: [{ target_object: 'companies', domains: [{ domain: 'globex.com' }] }] } },
    });
    expect(acme.values.team).toEqual([]);
    expect(globex.values.team?.map((v) => v.target_record_id)).toEqual([ada.record_id]);
  });

  it('lists, entries, notes, tasks and members', async () => {
    const acme = sandbox.seedRecord('companies', { domains: ['acme.com'] });
    const lists = await call(sandbox, 'GET', '/v2/lists');
    expect(lists.json.data).toEqual([
      expect.objectContaining({ api_slug: 'sales_pipeline', parent_object: ['companies'] }),
    ]);
    const entry = await call(sandbox, 'PUT', '/v2/lists/sales_pipeline/entries', {
      data: { parent_record_id: acme.record_id, parent_object: 'companies', entry_values: { stage: 'Lead' } },
    });
    const entryId = (entry.json.data as { id: { entry_id: string } }).id.entry_id;
    expect((await call(sandbox, 'GET', `/v2/lists/sales_pipeline/entries/${entryId}`)).status).toBe(200);
    const note = await call(sandbox, 'POST', '/v2/notes', {
      data: {
        parent_object: 'companies',
        parent_record_id: acme.record_id,
        title: 'Hi',
        format: 'plaintext',
        content: 'x',
      },
    });
    expect(note.status).toBe(200);
    const notes = await call(
      sandbox,
      'GET',
      `/v2/notes?parent_object=companies&parent_record_id=${acme.record_id}`,
    );
    expect(notes.json.data).toHaveLength(1);
    const members = await call(sandbox, 'GET', '/v2/workspace_members');
    expect(members.json.data).toEqual([expect.objectContaining({ email_address: 'owner@example.com' })]);
    const task = await call(sandbox, 'POST', '/v2/tasks', {
      data: {
        content: 'x',
        format: 'plaintext',
        deadline_at: null,
        is_completed: false,
        linked_records: [],
        assignees: [],
      },
    });
    expect(task.status).toBe(200);
    const missingField = await call(sandbox, 'POST', '/v2/tasks', {
      data: { content: 'x', format: 'plaintext' },
    });
    expect(missingField.status).toBe(400);
    expect((missingField.json.validation_errors as unknown[]).length).toBe(4);
  });

  it('can be told to fail, with Retry-After as an HTTP date on 429', async () => {
    sandbox.failNext({ status: 429, path: '/v2/objects' });
    const limited = await call(sandbox, 'GET', '/v2/objects');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual({
      status_code: 429,
      type: 'rate_limit_error',
      code: 'rate_limit_exceeded',
      message: 'Rate limit exceeded, please try again later',
    });
    const retryAfter = limited.headers.get('retry-after') ?? '';
    expect(retryAfter).toMatch(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    expect(Date.parse(retryAfter) - Date.now()).toBeLessThanOrEqual(1000);
    expect((await call(sandbox, 'GET', '/v2/objects')).status).toBe(200);

    sandbox.failNext({ status: 500, count: 2, path: /records/ });
    expect((await call(sandbox, 'GET', '/v2/objects')).status).toBe(200);
    expect((await call(sandbox, 'POST', `${people}/query`, {})).status).toBe(500);
    expect((await call(sandbox, 'POST', `${people}/query`, {})).status).toBe(500);
    expect((await call(sandbox, 'POST', `${people}/query`, {})).status).toBe(200);
  });

  it("enforces Attio's limits when asked: 25 writes per second", async () => {
    const strict = await startAttioSandbox({ enforceRateLimits: true });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          call(strict, 'POST', '/v2/objects/people/records', {
            data: { values: { email_addresses: [`p${i}@x.test`] } },
          }).then((r) => r.status),
        ),
      );
      expect(statuses.filter((s) => s === 200)).toHaveLength(25);
      expect(statuses.filter((s) => s === 429)).toHaveLength(5);
      expect((await call(strict, 'GET', '/v2/objects')).status).toBe(200); // reads have their own budget
    } finally {
      await strict.close();
    }
  });

  it('logs every request, failed ones included, and reset forgets everything but the configuration', async () => {
    await call(sandbox, 'GET', '/v2/nowhere', undefined, null);
    sandbox.seedRecord('people', { email_addresses: ['x@y.test'] });
    expect(sandbox.requests).toEqual([
      expect.objectContaining({ method: 'GET', path: '/v2/nowhere', headers: expect.any(Object) }),
    ]);
    sandbox.reset();
    expect(sandbox.requests).toHaveLength(0);
    expect(sandbox.records.size).toBe(0);
    expect(sandbox.workspace.objects.size).toBe(2);
  });

  it("serves the same standard attributes the plugin's table knows (slug, type, multi-value)", async () => {
    for (const object of ['people', 'companies']) {
      const res = await call(sandbox, 'GET', `/v2/objects/${object}/attributes`);
      const served = res.json.data as { api_slug: string; type: string; is_multiselect: boolean }[];
      for (const a of served) {
        expect(STANDARD_ATTRIBUTES[object]?.[a.api_slug], `${object}.${a.api_slug}`).toMatchObject({
          type: a.type,
          multiselect: a.is_multiselect,
        });
      }
    }
  });
});
