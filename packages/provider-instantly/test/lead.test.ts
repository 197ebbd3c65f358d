import { NotFoundError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { leadAdd, leadAddBulk, leadDelete, leadGet, leadList, leadUpdate } from '../src/index.js';
import { type InstantlySandbox, SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';
import { failure, run } from './helpers.js';

const { campaigns, leads, list } = SANDBOX_SEED;
let sandbox: InstantlySandbox;
beforeAll(async () => {
  sandbox = await startInstantlySandbox({ blocklist: ['blocked.example'] });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('lead.add (outbound enrollment)', () => {
  it('enrolls a lead in a campaign with custom variables and returns its Instantly id, mirrored', async () => {
    const lead = await run(sandbox, leadAdd, {
      campaign_id: campaigns.active,
      email: 'Katherine@Example.com',
      first_name: 'Katherine',
      company_name: 'NASA',
      custom_variables: { topic: 'orbits', score: 97, vip: true },
    });
    expect(lead.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(leadAdd.mirror?.recordId(lead)).toBe(lead.id);
    expect(lead).toMatchObject({
      email: 'katherine@example.com',
      campaign_id: campaigns.active,
      list_id: null,
      status: 'active',
      interest_status: null,
      custom_variables: { topic: 'orbits', score: 97, vip: true },
    });
    expect(sandbox.leads.get(lead.id)).toMatchObject({
      campaign: campaigns.active,
      email: 'katherine@example.com',
    });
    expect(sandbox.requests[0]).toMatchObject({
      method: 'POST',
      path: '/api/v2/leads',
      body: {
        campaign: campaigns.active,
        email: 'Katherine@Example.com',
        first_name: 'Katherine',
        company_name: 'NASA',
        custom_variables: { topic: 'orbits', score: 97, vip: true },
      },
    });
    expect(await run(sandbox, leadGet, { id: lead.id })).toMatchObject({
      custom_variables: { topic: 'orbits' },
    });
  });

  it('does not add an email twice to one campaign: the same lead comes back', async () => {
    const again = await run(sandbox, leadAdd, { campaign_id: campaigns.active, email: 'ADA@example.com' });
    expect(again.id).toBe(leads.ada);
    expect(sandbox.leads.size).toBe(4);
    const other = await run(sandbox, leadAdd, { campaign_id: campaigns.draft, email: 'ada@example.com' });
    expect(other.id).not.toBe(leads.ada);
    expect(other.campaign_id).toBe(campaigns.draft);
  });

  it('adds a lead to a list, where a name is enough', async () => {
    const lead = await run(sandbox, leadAdd, { list_id: list, first_name: 'Nameless' });
    expect(lead).toMatchObject({ list_id: list, campaign_id: null, email: null, first_name: 'Nameless' });
    expect(sandbox.requests[0]?.body).toEqual({ list_id: list, first_name: 'Nameless' });
  });

  it('refuses bad input before sending anything', async () => {
    const cases = [
      { campaign_id: campaigns.active, list_id: list, email: 'a@example.com' },
      { campaign_id: campaigns.active, first_name: 'No email' },
      { list_id: list },
      { campaign_id: campaigns.active, email: 'not-an-email' },
      { campaign_id: campaigns.active, email: 'a@example.com', custom_variables: { nested: { no: 1 } } },
      { campaign_id: campaigns.active, email: 'a@example.com', tags: ['x'] },
    ];
    for (const input of cases) {
      const error = await failure(run(sandbox, leadAdd, input as never));
      expect(ValidationError.isInstance(error), JSON.stringify(input)).toBe(true);
    }
    expect(sandbox.requests).toHaveLength(0);
  });

  it('answers not_found for a campaign that does not exist', async () => {
    const error = await failure(
      run(sandbox, leadAdd, { campaign_id: '01938a5e-0000-7000-8000-0000000000ff', email: 'a@example.com' }),
    );
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe('Campaign not found');
  });
});

describe('lead.add_bulk', () => {
  it('adds leads and reports duplicates, in-request repeats, skips and blocklisted ones', async () => {
    const result = await run(sandbox, leadAddBulk, {
      campaign_id: campaigns.active,
      leads: [
        { email: 'new1@example.com', first_name: 'New' },
        { email: 'ada@example.com' },
        { email: 'new1@example.com' },
        { email: 'linus@example.org' },
        { email: 'someone@blocked.example' },
        { email: 'new2@example.com', custom_variables: { topic: 'bulk' } },
      ],
      skip_if_in_list: true,
    });
    expect(result).toMatchObject({
      uploaded: 2,
      total_sent: 6,
      duplicated: 1,
      duplicate_email_in_request: 1,
      skipped: 1,
      in_blocklist: 1,
      invalid_email: 0,
    });
    expect(result.created.map((c) => [c.index, c.email])).toEqual([
      [0, 'new1@example.com'],
      [5, 'new2@example.com'],
    ]);
    for (const c of result.created) expect(sandbox.leads.get(c.id)?.campaign).toBe(campaigns.active);
    expect(result.remaining_in_plan).toBe(25_000 - 6);
    expect(sandbox.requests[0]?.body).toMatchObject({ campaign_id: campaigns.active, skip_if_in_list: true });
  });

  it('adds to a list, where leads need no email', async () => {
    const result = await run(sandbox, leadAddBulk, {
      list_id: list,
      leads: [{ first_name: 'A' }, { email: 'b@example.com' }],
    });
    expect(result).toMatchObject({ uploaded: 2, remaining_in_plan: null });
  });

  it('needs an email for every campaign lead and at most 1,000 leads', () => {
    expect(
      leadAddBulk.input.safeParse({ campaign_id: campaigns.active, leads: [{ first_name: 'A' }] }).success,
    ).toBe(false);
    const many = Array.from({ length: 1001 }, (_, n) => ({ email: `l${n}@example.com` }));
    expect(leadAddBulk.input.safeParse({ campaign_id: campaigns.active, leads: many }).success).toBe(false);
    expect(leadAddBulk.input.safeParse({ campaign_id: campaigns.active, leads: many.slice(1) }).success).toBe(
      true,
    );
  });
});

describe('lead.get', () => {
  it('reads a lead with its counts and custom variables (not the standard payload copies)', async () => {
    const ada = await run(sandbox, leadGet, { id: leads.ada });
    expect(ada).toMatchObject({
      id: leads.ada,
      email: 'ada@example.com',
      first_name: 'Ada',
      last_name: 'Lovelace',
      company_name: 'Analytical Engines',
      campaign_id: campaigns.active,
      status: 'active',
      opens: 2,
      replies: 1,
      clicks: 0,
      custom_variables: { topic: 'engines' },
      last_contacted_at: '2024-12-06T15:00:00.000Z',
    });
    expect(Object.keys(ada.custom_variables)).toEqual(['topic']);
  });

  it('answers not_found for an unknown lead', async () => {
    const error = await failure(run(sandbox, leadGet, { id: '01938a5e-0000-7000-8000-0000000000ff' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
  });
});

describe('lead.list', () => {
  async function all(input: z.input<typeof leadList.input>) {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run(sandbox, leadList, { ...input, cursor });
      seen.push(...page.results.map((l) => l.email ?? ''));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    return { seen, pages };
  }

  it('follows the paging to the end, with filters and paging in the POST body', async () => {
    for (const name of ['p1', 'p2', 'p3', 'p4', 'p5']) {
      await run(sandbox, leadAdd, { campaign_id: campaigns.draft, email: `${name}@paging.test` });
    }
    sandbox.requests.length = 0;
    const { seen, pages } = await all({ campaign_id: campaigns.draft, limit: 2 });
    expect(seen).toEqual([
      'p1@paging.test',
      'p2@paging.test',
      'p3@paging.test',
      'p4@paging.test',
      'p5@paging.test',
    ]);
    expect(pages).toBe(3);
    const bodies = sandbox.requests.map(
      (r) => r.body as { starting_after?: string; campaign: string; limit: number },
    );
    expect(sandbox.requests.every((r) => r.method === 'POST' && r.path === '/api/v2/leads/list')).toBe(true);
    expect(sandbox.requests.every((r) => Object.keys(r.query).length === 0)).toBe(true);
    expect(bodies[0]).toEqual({ campaign: campaigns.draft, limit: 2 });
    const ids = [...sandbox.leads.values()].filter((l) => l.campaign === campaigns.draft).map((l) => l.id);
    expect(bodies.map((b) => b.starting_after)).toEqual([undefined, ids[1], ids[3]]);
  });

  it('ends on an empty page when the last page was full', async () => {
    for (const name of ['q1', 'q2', 'q3', 'q4'])
      await run(sandbox, leadAdd, { campaign_id: campaigns.draft, email: `${name}@paging.test` });
    sandbox.requests.length = 0;
    const { seen, pages } = await all({ campaign_id: campaigns.draft, limit: 2 });
    expect(seen).toHaveLength(4);
    expect(pages).toBe(3);
  });

  it('filters by status filter, search text and emails', async () => {
    const replied = await run(sandbox, leadList, {
      campaign_id: campaigns.active,
      filter: 'FILTER_VAL_REPLIED',
    });
    expect(replied.results.map((l) => l.id)).toEqual([leads.ada]);
    const searched = await run(sandbox, leadList, { search: 'hopper' });
    expect(searched.results.map((l) => l.id)).toEqual([leads.grace]);
    const byEmail = await run(sandbox, leadList, { emails: ['linus@example.org', 'alan@example.com'] });
    expect(byEmail.results.map((l) => l.id)).toEqual([leads.linus, leads.alan]);
    expect(sandbox.requests.at(-1)?.body).toEqual({
      contacts: ['linus@example.org', 'alan@example.com'],
      limit: 25,
    });
    const inList = await run(sandbox, leadList, { list_id: list });
    expect(inList.results.map((l) => l.id)).toEqual([leads.linus]);
  });
});

describe('lead.update', () => {
  it('changes fields and interest, sending lt_interest_status', async () => {
    const updated = await run(sandbox, leadUpdate, {
      id: leads.grace,
      job_title: 'Rear Admiral',
      interest_status: 'meeting_booked',
    });
    expect(updated).toMatchObject({
      id: leads.grace,
      job_title: 'Rear Admiral',
      interest_status: 'meeting_booked',
    });
    expect(sandbox.requests[0]).toMatchObject({
      method: 'PATCH',
      path: `/api/v2/leads/${leads.grace}`,
      body: { job_title: 'Rear Admiral', lt_interest_status: 2 },
    });
    expect(leadUpdate.mirror?.recordId(updated)).toBe(leads.grace);
    const booked = await run(sandbox, leadList, { filter: 'FILTER_LEAD_MEETING_BOOKED' });
    expect(booked.results.map((l) => l.id)).toEqual([leads.grace]);
  });

  it('sends custom variables as given: they replace the previous ones', async () => {
    const updated = await run(sandbox, leadUpdate, { id: leads.ada, custom_variables: { tier: 'gold' } });
    expect(updated.custom_variables).toEqual({ tier: 'gold' });
    expect(updated.first_name).toBe('Ada');
  });

  it('needs at least one change and refuses email changes', async () => {
    for (const input of [
      { id: leads.ada },
      { id: leads.ada, email: 'x@example.com' },
      { id: leads.ada, interest_status: 'keen' },
    ]) {
      expect(ValidationError.isInstance(await failure(run(sandbox, leadUpdate, input as never)))).toBe(true);
    }
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('lead.delete', () => {
  it('deletes a lead with a bodiless DELETE; a second delete is not_found', async () => {
    expect(await run(sandbox, leadDelete, { id: leads.alan })).toEqual({
      id: leads.alan,
      email: 'alan@example.com',
      deleted: true,
    });
    expect(sandbox.leads.has(leads.alan)).toBe(false);
    expect(sandbox.requests[0]).toMatchObject({
      method: 'DELETE',
      path: `/api/v2/leads/${leads.alan}`,
      body: undefined,
    });
    expect(sandbox.requests[0]?.headers['content-type']).toBeUndefined();
    const error = await failure(run(sandbox, leadDelete, { id: leads.alan }));
    expect(NotFoundError.isInstance(error)).toBe(true);
  });
});
