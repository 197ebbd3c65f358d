import { NotFoundError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { campaignActivate, campaignGet, campaignList, campaignPause } from '../src/index.js';
import { type InstantlySandbox, SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';
import { failure, run } from './helpers.js';

const { campaigns } = SANDBOX_SEED;
let sandbox: InstantlySandbox;
beforeAll(async () => {
  sandbox = await startInstantlySandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

describe('campaign.list', () => {
  it('lists the campaigns with readable statuses and their sending accounts', async () => {
    const page = await run(sandbox, campaignList, {});
    expect(page.results.map((c) => [c.name, c.status, c.status_code])).toEqual([
      ['Q1 Founders', 'draft', 0],
      ['Agency follow-up', 'active', 1],
      ['Webinar invite', 'completed', 3],
    ]);
    expect(page.results[0]?.sending_accounts).toEqual(['sam@send.example.com', 'alex@send.example.com']);
    expect(page.next_cursor).toBeNull();
    expect(sandbox.requests[0]).toMatchObject({
      method: 'GET',
      path: '/api/v2/campaigns',
      query: { limit: '25' },
    });
  });

  it('filters by status (sent as Instantly code) and by name', async () => {
    const active = await run(sandbox, campaignList, { status: 'active' });
    expect(active.results.map((c) => c.id)).toEqual([campaigns.active]);
    expect(sandbox.requests[0]?.query).toEqual({ limit: '25', status: '1' });
    const named = await run(sandbox, campaignList, { search: 'webinar' });
    expect(named.results.map((c) => c.name)).toEqual(['Webinar invite']);
  });

  it('pages with cursor / next_cursor (starting_after / next_starting_after) to the end', async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run(sandbox, campaignList, { limit: 1, cursor });
      names.push(...page.results.map((c) => c.name));
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor);
    expect(names).toEqual(['Q1 Founders', 'Agency follow-up', 'Webinar invite']);
    // The third page was full, so Instantly gave a cursor; the fourth, empty, ends the listing.
    expect(pages).toBe(4);
    expect(sandbox.requests.map((r) => r.query.starting_after)).toEqual([
      undefined,
      campaigns.draft,
      campaigns.active,
      campaigns.completed,
    ]);
  });
});

describe('campaign.get', () => {
  it('reads one campaign', async () => {
    const campaign = await run(sandbox, campaignGet, { id: campaigns.active });
    expect(campaign).toMatchObject({
      id: campaigns.active,
      name: 'Agency follow-up',
      status: 'active',
      daily_limit: 50,
      stop_on_reply: true,
      sending_accounts: ['sam@send.example.com'],
    });
  });

  it('answers not_found for an unknown campaign and refuses a malformed id before sending', async () => {
    const error = await failure(run(sandbox, campaignGet, { id: '01938a5e-0000-7000-8000-0000000000ff' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe('Campaign not found');
    await expect(run(sandbox, campaignGet, { id: 'abc' })).rejects.toThrow(/Instantly campaign id/);
    expect(sandbox.requests).toHaveLength(1);
  });
});

describe('campaign.activate and campaign.pause', () => {
  it('move the campaign through draft → active → paused → active, idempotently, with bodiless POSTs', async () => {
    expect((await run(sandbox, campaignActivate, { id: campaigns.draft })).status).toBe('active');
    expect(sandbox.campaigns.get(campaigns.draft)?.status).toBe(1);
    expect((await run(sandbox, campaignActivate, { id: campaigns.draft })).status).toBe('active');
    expect((await run(sandbox, campaignPause, { id: campaigns.draft })).status).toBe('paused');
    expect(sandbox.campaigns.get(campaigns.draft)?.status).toBe(2);
    expect((await run(sandbox, campaignActivate, { id: campaigns.draft })).status).toBe('active');
    for (const r of sandbox.requests) {
      expect(r.body).toBeUndefined();
      expect(r.headers['content-type']).toBeUndefined();
    }
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /api/v2/campaigns/${campaigns.draft}/activate`,
      `POST /api/v2/campaigns/${campaigns.draft}/activate`,
      `POST /api/v2/campaigns/${campaigns.draft}/pause`,
      `POST /api/v2/campaigns/${campaigns.draft}/activate`,
    ]);
  });

  it('mirror the campaign id', async () => {
    const out = await run(sandbox, campaignPause, { id: campaigns.active });
    expect(campaignPause.mirror?.recordId(out)).toBe(campaigns.active);
  });

  it('answer not_found for an unknown campaign', async () => {
    const error = await failure(run(sandbox, campaignPause, { id: '01938a5e-0000-7000-8000-0000000000ff' }));
    expect(NotFoundError.isInstance(error)).toBe(true);
  });
});
