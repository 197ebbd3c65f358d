import { AuthError, type RecordedRequest } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { contactBatchUpsert, contactSearch } from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { dryRun, failure, run } from './helpers.js';

const BATCH = '/crm/v3/objects/contacts/batch/upsert';
let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ rejectEmails: ['bounce@example.com'] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const people = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ({ email: `person${from + i}@bulk.test`, firstname: `P${from + i}` }));

describe('contact.batch_upsert', () => {
  it('upserts 250 contacts in exactly 3 requests of 100, 100 and 50, in order, with a result per row', async () => {
    const contacts = people(250);
    contacts[7] = { email: 'bounce@example.com', firstname: 'Bounce' }; // HubSpot refuses this one
    const out = await run(sandbox, contactBatchUpsert, { contacts });

    const sent = sandbox.requests.filter((r) => r.path === BATCH);
    expect(sandbox.requests).toHaveLength(3);
    expect(sent.map((r) => (r.body as { inputs: unknown[] }).inputs.length)).toEqual([100, 100, 50]);
    const order = sent.flatMap((r) => (r.body as { inputs: { id: string }[] }).inputs.map((i) => i.id));
    expect(order).toEqual(contacts.map((c) => c.email));

    expect(out).toMatchObject({ created: 249, updated: 0, failed: 1 });
    expect(out.results).toHaveLength(250);
    expect(out.results.map((r) => r.index)).toEqual(contacts.map((_, i) => i));
    expect(out.results[7]).toEqual({
      index: 7,
      email: 'bounce@example.com',
      status: 'failed',
      error: expect.stringMatching(/^Property values were not valid: .*INVALID_EMAIL/),
    });
    expect(out.results[8]).toEqual({
      index: 8,
      email: 'person8@bulk.test',
      status: 'created',
      id: expect.stringMatching(/^\d+$/),
    });
    for (const row of out.results.filter((r) => r.status === 'created')) {
      expect(sandbox.contacts.get(row.id ?? '')?.properties.email).toBe(row.email);
    }
    expect(sandbox.contacts.size).toBe(249);
  });

  it('reports updated for emails that exist, and a later search finds every row', async () => {
    await run(sandbox, contactBatchUpsert, { contacts: people(3) });
    const out = await run(sandbox, contactBatchUpsert, {
      contacts: [{ email: 'PERSON1@bulk.test', lastname: 'Again' }, ...people(1, 3)],
    });
    expect(out.results.map((r) => [r.email, r.status])).toEqual([
      ['PERSON1@bulk.test', 'updated'],
      ['person3@bulk.test', 'created'],
    ]);
    const found = await run(sandbox, contactSearch, {
      filters: [{ property: 'email', operator: 'CONTAINS_TOKEN', value: '*@bulk.test' }],
      properties: ['lastname'],
      limit: 100,
    });
    expect(found.total).toBe(4);
    expect(found.results.find((r) => r.id === out.results[0]?.id)?.properties.lastname).toBe('Again');
  });

  it('fails rows that are not emails, and repeats of an email, without sending them', async () => {
    const out = await run(sandbox, contactBatchUpsert, {
      contacts: [
        { email: 'ok@example.com' },
        { email: 'not an email' },
        { email: 'OK@example.com', firstname: 'Dup' },
      ],
    });
    expect(out).toMatchObject({ created: 1, failed: 2 });
    expect(out.results[1]).toMatchObject({ status: 'failed', error: expect.stringMatching(/not an email/) });
    expect(out.results[2]).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/same email as row 0/),
    });
    const inputs = (sandbox.requests[0]?.body as { inputs: { id: string }[] } | undefined)?.inputs ?? [];
    expect(inputs.map((i) => i.id)).toEqual(['ok@example.com']);
  });

  it('absorbs a burst of 429s with retries, without the user doing anything', async () => {
    sandbox.failNext({ status: 429, count: 2, retryAfterSeconds: 0, path: BATCH });
    const out = await run(sandbox, contactBatchUpsert, { contacts: people(150) });
    expect(out).toMatchObject({ created: 150, failed: 0 });
    // 2 refused attempts, then the two chunks: every row written once.
    expect(sandbox.requests).toHaveLength(4);
    expect(sandbox.contacts.size).toBe(150);
  });

  it('a batch HubSpot refuses as a whole (400) fails its rows; the next batches still go', async () => {
    const strict = await startHubSpotSandbox({ batchErrorStatus: 400, rejectEmails: ['bounce@example.com'] });
    try {
      // 100 addresses HubSpot refuses (no dot in the domain): the whole first request is a 400.
      const refused = Array.from({ length: 100 }, (_, i) => ({ email: `bad${i}@invalid` }));
      const out = await run(strict, contactBatchUpsert, { contacts: [...refused, ...people(5)] });
      expect(strict.requests).toHaveLength(2);
      expect(out).toMatchObject({ created: 5, failed: 100 });
      expect(out.results[0]).toMatchObject({
        status: 'failed',
        error: expect.stringMatching(/INVALID_EMAIL/),
      });
      expect(out.results[100]).toMatchObject({ status: 'created' });
    } finally {
      await strict.close();
    }
  });

  it('when HubSpot fails after some rows were written, the rest fail with its message; the output says which', async () => {
    sandbox.failNext({ status: 500, count: 10, path: BATCH, message: 'HubSpot is having a moment' });
    // The first chunk goes through: fail only from the second request on.
    const first = run(sandbox, contactBatchUpsert, { contacts: people(250) });
    const error = await failure(first);
    // With nothing written yet, the failure is the call's error.
    expect(error.code).toBe('provider');
    expect(error.providerMessage).toBe('HubSpot is having a moment');
    expect(sandbox.contacts.size).toBe(0);

    sandbox.reset();
    let calls = 0;
    const out = await run(
      sandbox,
      contactBatchUpsert,
      { contacts: people(250) },
      {
        rateLimiter: async (path) => {
          if (path.endsWith('batch/upsert') && ++calls === 2) {
            sandbox.failNext({ status: 500, count: 10, path: BATCH, message: 'HubSpot is having a moment' });
          }
        },
      },
    );
    expect(out).toMatchObject({ created: 100, failed: 150 });
    expect(out.results[100]).toMatchObject({
      status: 'failed',
      error: 'not written: HubSpot is having a moment',
    });
    expect(out.results[249]?.status).toBe('failed');
    expect(sandbox.contacts.size).toBe(100);
  });

  it('a refused token fails the whole call', async () => {
    const error = await failure(
      run(sandbox, contactBatchUpsert, { contacts: people(2) }, { token: 'pat-na1-wrong' }),
    );
    expect(AuthError.isInstance(error)).toBe(true);
  });

  it('a dry run shows the first request and sends nothing', async () => {
    const requests: RecordedRequest[] = await dryRun(sandbox, contactBatchUpsert, { contacts: people(101) });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', url: `${sandbox.url}${BATCH}` });
    const inputs = (requests[0]?.body as { inputs: unknown[] } | undefined)?.inputs ?? [];
    expect(inputs).toHaveLength(100);
    expect(inputs[0]).toEqual({
      idProperty: 'email',
      id: 'person0@bulk.test',
      objectWriteTraceId: '0',
      properties: { firstname: 'P0', email: 'person0@bulk.test' },
    });
    expect(sandbox.requests).toHaveLength(0);
  });

  it('refuses an empty list and more than 10,000 rows before sending anything', () => {
    expect(contactBatchUpsert.input.safeParse({ contacts: [] }).success).toBe(false);
    expect(contactBatchUpsert.input.safeParse({ contacts: people(10_001) }).success).toBe(false);
  });
});
