import { NotFoundError, RateLimitError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountList, emailList, emailReply, leadGet } from '../src/index.js';
import { type InstantlySandbox, SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';
import { failure, run } from './helpers.js';

const { emails, threads, campaigns, leads } = SANDBOX_SEED;
let sandbox: InstantlySandbox;
beforeAll(async () => {
  sandbox = await startInstantlySandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  sandbox.enforceRateLimits = false;
});

describe('email.list', () => {
  it("lists a lead's emails, the reply included, newest first", async () => {
    const page = await run(sandbox, emailList, { lead_email: 'ada@example.com' });
    expect(page.results.map((e) => [e.id, e.type, e.is_reply, e.is_unread])).toEqual([
      [emails.adaReply, 'received', true, true],
      [emails.adaStep1, 'campaign', false, false],
    ]);
    expect(page.results[0]).toMatchObject({
      thread_id: threads.ada,
      from: 'ada@example.com',
      to: ['sam@send.example.com'],
      lead_id: leads.ada,
      campaign_id: campaigns.active,
      eaccount: 'sam@send.example.com',
      text: 'Hi Sam, yes that is me. Happy to talk next week.',
    });
    expect(sandbox.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/v2/emails',
      query: { limit: '25', lead: 'ada@example.com' },
    });
  });

  it("lists a campaign's replies, a thread, unread ones", async () => {
    const replies = await run(sandbox, emailList, { campaign_id: campaigns.active, type: 'received' });
    expect(replies.results.map((e) => e.id)).toEqual([emails.adaReply]);
    const thread = await run(sandbox, emailList, { thread_id: threads.grace, order: 'asc' });
    expect(thread.results.map((e) => e.id)).toEqual([emails.graceStep1]);
    expect(sandbox.requests[1]?.query).toMatchObject({
      search: `thread:${threads.grace}`,
      sort_order: 'asc',
    });
    const unread = await run(sandbox, emailList, { unread_only: true });
    expect(unread.results.map((e) => e.id)).toEqual([emails.adaReply]);
    expect(sandbox.requests[2]?.query).toMatchObject({ is_unread: 'true' });
  });

  it('pages to the end', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await run(sandbox, emailList, { limit: 2, cursor });
      seen.push(...page.results.map((e) => e.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual([emails.adaReply, emails.graceStep1, emails.adaStep1]);
  });

  it('hits the separate 20-a-minute limit of GET /api/v2/emails while other endpoints still answer', async () => {
    sandbox.enforceRateLimits = true;
    for (let n = 0; n < 20; n++) await run(sandbox, emailList, { limit: 1 }, { retryLimit: 0 });
    const error = await failure(run(sandbox, emailList, { limit: 1 }, { retryLimit: 0 }));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe('Rate limit exceeded');
    expect((await run(sandbox, leadGet, { id: leads.ada })).id).toBe(leads.ada);
  });
});

describe('email.reply', () => {
  it('replies in the thread: to the lead, from the sending account, mirrored by email id', async () => {
    const reply = await run(sandbox, emailReply, {
      reply_to_uuid: emails.adaReply,
      eaccount: 'sam@send.example.com',
      subject: 'Re: Quick question about Analytical Engines',
      text: 'Great, Tuesday at 10?',
      cc: ['boss@send.example.com'],
    });
    expect(reply).toMatchObject({
      thread_id: threads.ada,
      type: 'sent',
      is_reply: false,
      from: 'sam@send.example.com',
      to: ['ada@example.com'],
      cc: ['boss@send.example.com'],
      lead_id: leads.ada,
      text: 'Great, Tuesday at 10?',
    });
    expect(emailReply.mirror?.recordId(reply)).toBe(reply.id);
    expect(sandbox.requests[0]?.body).toEqual({
      reply_to_uuid: emails.adaReply,
      eaccount: 'sam@send.example.com',
      subject: 'Re: Quick question about Analytical Engines',
      body: { text: 'Great, Tuesday at 10?' },
      cc_address_email_list: 'boss@send.example.com',
    });
    const thread = await run(sandbox, emailList, { thread_id: threads.ada, order: 'asc' });
    expect(thread.results.map((e) => e.id)).toEqual([emails.adaStep1, emails.adaReply, reply.id]);
    expect(thread.results[1]?.is_unread).toBe(false);
  });

  it('answers not_found for an unknown email and needs a body', async () => {
    const error = await failure(
      run(sandbox, emailReply, {
        reply_to_uuid: '01938a5e-0000-7000-8000-0000000000ff',
        eaccount: 'sam@send.example.com',
        subject: 'Re',
        html: '<p>hi</p>',
      }),
    );
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(
      emailReply.input.safeParse({
        reply_to_uuid: emails.adaReply,
        eaccount: 'sam@send.example.com',
        subject: 'Re',
      }).success,
    ).toBe(false);
  });
});

describe('account.list', () => {
  it('lists sending accounts with warm-up state and limits', async () => {
    const page = await run(sandbox, accountList, {});
    expect(
      page.results.map((a) => [a.email, a.provider, a.warmup_status, a.warmup_score, a.daily_limit]),
    ).toEqual([
      ['sam@send.example.com', 'google', 'active', 98, 30],
      ['alex@send.example.com', 'microsoft', 'active', 91, 25],
      ['new@send.example.com', 'google', 'active', null, 5],
    ]);
    expect(page.results[2]).toMatchObject({
      status: 'active',
      warmup_daily_limit: 10,
      sending_gap_minutes: 10,
    });
  });

  it('pages with the timestamp&email cursor and filters by status', async () => {
    const first = await run(sandbox, accountList, { limit: 2 });
    expect(first.next_cursor).toBe('2024-11-28T09:01:00.000Z&alex@send.example.com');
    const second = await run(sandbox, accountList, { limit: 2, cursor: first.next_cursor ?? undefined });
    expect(second.results.map((a) => a.email)).toEqual(['new@send.example.com']);
    expect(second.next_cursor).toBeNull();
    const acc = sandbox.accounts.get('alex@send.example.com');
    if (acc) acc.status = 2;
    const paused = await run(sandbox, accountList, { status: 'paused' });
    expect(paused.results.map((a) => a.email)).toEqual(['alex@send.example.com']);
    expect(sandbox.requests.at(-1)?.query).toEqual({ limit: '25', status: '2' });
  });
});
