/**
 * Checks every request the plugin sends against Instantly's published OpenAPI description: the
 * path and method exist, query parameters are declared and their values match the parameter
 * schemas, path parameters match theirs, the auth header is the documented bearer token, a
 * required body is there, and the JSON body validates against the operation's request schema
 * with objects closed (no field Instantly does not document). It also checks that the sandbox
 * answers in the response shapes the description publishes.
 *
 * The spec is read at test time from the shared folder beside the repository
 * (`../shared/provider-specs/instantly/openapi-api-v2.json`); it is never copied into this
 * package. Without it the suite is skipped.
 */
import {
  type CapturedRequest,
  createRequestValidator,
  findProviderSpecs,
  loadOpenApiSpec,
  type RequestValidator,
} from '@oxygen/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, {
  accountList,
  campaignActivate,
  campaignGet,
  campaignList,
  campaignPause,
  emailList,
  emailReply,
  leadAdd,
  leadAddBulk,
  leadDelete,
  leadGet,
  leadList,
  leadUpdate,
} from '../src/index.js';
import { type InstantlySandbox, SANDBOX_SEED, startInstantlySandbox } from '../src/sandbox/index.js';
import { call, contextFor, run } from './helpers.js';

const specDir = findProviderSpecs('instantly', ['openapi-api-v2.json'], import.meta.url);

/** Every request checked against the description; a JSON content-type needs a body. */
function loadValidator(dir: string): RequestValidator {
  return createRequestValidator(loadOpenApiSpec(dir, ['openapi-api-v2.json']), {
    name: "Instantly's spec",
    jsonContentTypeWithoutBody: 'Instantly answers 400',
  });
}

describe.skipIf(!specDir)("every request the plugin sends matches Instantly's published spec", () => {
  let sandbox: InstantlySandbox;
  let spec: RequestValidator;
  const problems = (r: CapturedRequest) => spec.problems(r);
  /** The validator of an operation's documented answer with this status. */
  const answer = (method: string, path: string, status: string) => {
    const op = spec.find(method, path);
    return op && spec.response(op, status);
  };
  beforeAll(async () => {
    spec = loadValidator(specDir as string);
    sandbox = await startInstantlySandbox();
  });
  afterAll(() => sandbox?.close());

  it('checks itself: undocumented fields, queries, paths and bad values are caught', () => {
    const base = { query: {}, headers: { authorization: 'Bearer t', 'content-type': 'application/json' } };
    const extra = {
      ...base,
      method: 'POST',
      path: '/api/v2/leads',
      body: { campaign: SANDBOX_SEED.campaigns.active, email: 'a@b.co', tags: [] },
    };
    expect(problems(extra).join('\n')).toMatch(/additional properties .*"tags"/);
    const listExtra = {
      ...base,
      method: 'POST',
      path: '/api/v2/leads/list',
      body: { limit: 10, cursor: 'x' },
    };
    expect(problems(listExtra).join('\n')).toMatch(/additional properties .*"cursor"/);
    const tooMany = { ...base, method: 'POST', path: '/api/v2/leads/list', body: { limit: 500 } };
    expect(problems(tooMany).join('\n')).toMatch(/must be <= 100/);
    const noBody = { ...base, method: 'POST', path: '/api/v2/emails/reply', body: undefined };
    expect(problems(noBody).join('\n')).toMatch(/requires a body/);
    const query = {
      ...base,
      method: 'GET',
      path: '/api/v2/campaigns',
      query: { cursor: 'x', limit: '500' },
      body: undefined,
    };
    expect(problems(query)).toEqual([
      'GET /api/v2/campaigns: undocumented query cursor',
      'GET /api/v2/campaigns: bad query limit=500',
      'GET /api/v2/campaigns: a JSON content-type with an empty body (Instantly answers 400)',
    ]);
    const badId = {
      ...base,
      method: 'GET',
      path: '/api/v2/leads/42',
      body: undefined,
      headers: { authorization: 'Bearer t' },
    };
    expect(problems(badId)).toEqual(['GET /api/v2/leads/{id}: bad path id=42']);
    const nowhere = { ...base, method: 'POST', path: '/api/v2/leads/upsert', body: {} };
    expect(problems(nowhere)).toEqual(["POST /api/v2/leads/upsert is not in Instantly's spec"]);
    const campaignAnswer = answer('GET', `/api/v2/campaigns/${SANDBOX_SEED.campaigns.draft}`, '200');
    expect(campaignAnswer?.({ id: SANDBOX_SEED.campaigns.draft, name: 'x' })).toBe(false);
  });

  it('for every action, with every optional input used', async () => {
    const { campaigns, leads, emails, list } = SANDBOX_SEED;
    await plugin.verify(contextFor(sandbox));
    await run(sandbox, campaignList, { search: 'a', status: 'active', limit: 1 });
    const all = await run(sandbox, campaignList, { limit: 1 });
    await run(sandbox, campaignList, { limit: 1, cursor: all.next_cursor ?? undefined });
    await run(sandbox, campaignGet, { id: campaigns.draft });
    await run(sandbox, campaignActivate, { id: campaigns.draft });
    await run(sandbox, campaignPause, { id: campaigns.draft });
    const added = await run(sandbox, leadAdd, {
      campaign_id: campaigns.active,
      email: 'spec@example.com',
      first_name: 'Spec',
      last_name: 'Check',
      company_name: 'Acme',
      job_title: 'Tester',
      website: 'https://acme.test',
      phone: '+1 555 0100',
      personalization: 'Loved your talk.',
      custom_variables: { tier: 1, vip: true, note: null, topic: 'specs' },
    });
    await run(sandbox, leadAdd, { list_id: list, first_name: 'Listed' });
    await run(sandbox, leadAddBulk, {
      campaign_id: campaigns.draft,
      leads: [
        { email: 'b1@example.com', first_name: 'B', custom_variables: { x: 1 } },
        { email: 'b2@example.com' },
      ],
      skip_if_in_workspace: false,
      skip_if_in_campaign: true,
      skip_if_in_list: false,
      verify_leads_on_import: false,
    });
    await run(sandbox, leadAddBulk, { list_id: list, leads: [{ last_name: 'Only' }] });
    await run(sandbox, leadGet, { id: added.id });
    const page = await run(sandbox, leadList, {
      campaign_id: campaigns.active,
      search: 'a',
      filter: 'FILTER_VAL_ACTIVE',
      ids: [leads.ada, added.id],
      emails: ['ada@example.com', 'spec@example.com'],
      limit: 1,
    });
    await run(sandbox, leadList, { list_id: list, limit: 1, cursor: page.next_cursor ?? leads.ada });
    await run(sandbox, leadUpdate, {
      id: added.id,
      first_name: 'Spec',
      last_name: 'Checked',
      company_name: 'Acme',
      job_title: 'Lead',
      website: 'https://acme.test',
      phone: '+1',
      personalization: 'p',
      custom_variables: { tier: 2 },
      interest_status: 'meeting_booked',
    });
    await run(sandbox, leadDelete, { id: added.id });
    await run(sandbox, emailList, {
      lead_email: 'ada@example.com',
      campaign_id: campaigns.active,
      thread_id: SANDBOX_SEED.threads.ada,
      type: 'received',
      unread_only: true,
      eaccount: 'sam@send.example.com',
      order: 'asc',
      limit: 1,
    });
    const some = await run(sandbox, emailList, { limit: 1 });
    await run(sandbox, emailList, { limit: 1, cursor: some.next_cursor ?? undefined });
    await run(sandbox, emailReply, {
      reply_to_uuid: emails.adaReply,
      eaccount: 'sam@send.example.com',
      subject: 'Re: Quick question',
      text: 'Thanks!',
      html: '<p>Thanks!</p>',
      cc: ['cc@example.com', 'cc2@example.com'],
      bcc: ['bcc@example.com'],
    });
    await run(sandbox, accountList, { search: 'send', status: 'active', limit: 1 });
    const accounts = await run(sandbox, accountList, { limit: 2 });
    await run(sandbox, accountList, { cursor: accounts.next_cursor ?? undefined });

    const sent = sandbox.requests.map(
      (r) => `${r.method} ${spec.find(r.method, r.path)?.template ?? r.path}`,
    );
    expect(new Set(sent)).toEqual(
      new Set([
        'GET /api/v2/workspaces/current',
        'GET /api/v2/campaigns',
        'GET /api/v2/campaigns/{id}',
        'POST /api/v2/campaigns/{id}/activate',
        'POST /api/v2/campaigns/{id}/pause',
        'POST /api/v2/leads',
        'POST /api/v2/leads/add',
        'GET /api/v2/leads/{id}',
        'POST /api/v2/leads/list',
        'PATCH /api/v2/leads/{id}',
        'DELETE /api/v2/leads/{id}',
        'GET /api/v2/emails',
        'POST /api/v2/emails/reply',
        'GET /api/v2/accounts',
      ]),
    );
    expect(sandbox.requests.flatMap((r) => problems(r))).toEqual([]);
  });

  it('webhook subscriptions: create and delete (and delete again) as the spec documents them', async () => {
    sandbox.reset();
    const subscriptions = plugin.webhooks?.subscriptions;
    if (!subscriptions) throw new Error('no subscriptions');
    const ctx = contextFor(sandbox);
    const { id } = await subscriptions.create(ctx, {
      url: 'https://hooks.example.com/webhooks/instantly/sub_1',
      providerTypes: ['reply_received'],
      secret: 'a-random-secret',
    });
    await subscriptions.delete(ctx, id);
    await subscriptions.delete(ctx, id);
    const sent = sandbox.requests.map(
      (r) => `${r.method} ${spec.find(r.method, r.path)?.template ?? r.path}`,
    );
    expect(sent).toEqual([
      'POST /api/v2/webhooks',
      'DELETE /api/v2/webhooks/{id}',
      'DELETE /api/v2/webhooks/{id}',
    ]);
    expect(sandbox.requests.flatMap((r) => problems(r))).toEqual([]);
    const created = await call(sandbox, 'POST', '/api/v2/webhooks', sandbox.requests[0]?.body);
    expect(answer('POST', '/api/v2/webhooks', '200')?.(created.json)).toBe(true);
    const deleted = await call(sandbox, 'DELETE', `/api/v2/webhooks/${created.json.id}`);
    expect(answer('DELETE', '/api/v2/webhooks/{id}', '200')?.(deleted.json)).toBe(true);
    const gone = await call(sandbox, 'DELETE', `/api/v2/webhooks/${created.json.id}`);
    expect([gone.status, answer('DELETE', '/api/v2/webhooks/{id}', '404')?.(gone.json)]).toEqual([404, true]);
  });

  it("the sandbox answers in the response shapes Instantly's spec publishes", async () => {
    sandbox.reset();
    const { campaigns, leads, emails } = SANDBOX_SEED;
    const calls: [string, string, unknown?][] = [
      ['GET', '/api/v2/workspaces/current'],
      ['GET', '/api/v2/campaigns?limit=2'],
      ['GET', `/api/v2/campaigns/${campaigns.active}`],
      ['POST', `/api/v2/campaigns/${campaigns.draft}/activate`],
      ['POST', `/api/v2/campaigns/${campaigns.draft}/pause`],
      [
        'POST',
        '/api/v2/leads',
        { campaign: campaigns.active, email: 'shape@example.com', custom_variables: { a: 1 } },
      ],
      [
        'POST',
        '/api/v2/leads/add',
        { campaign_id: campaigns.active, leads: [{ email: 'x@example.com' }, { email: 'ada@example.com' }] },
      ],
      ['POST', '/api/v2/leads/list', { limit: 2 }],
      ['GET', `/api/v2/leads/${leads.ada}`],
      ['PATCH', `/api/v2/leads/${leads.ada}`, { lt_interest_status: 1 }],
      ['DELETE', `/api/v2/leads/${leads.alan}`],
      ['GET', '/api/v2/emails?limit=5'],
      [
        'POST',
        '/api/v2/emails/reply',
        {
          reply_to_uuid: emails.adaReply,
          eaccount: 'sam@send.example.com',
          subject: 'Re',
          body: { text: 'Hi' },
        },
      ],
      ['GET', '/api/v2/accounts?limit=5'],
      // Errors, in the documented error shapes.
      ['GET', `/api/v2/leads/${campaigns.draft}`],
      ['POST', '/api/v2/leads', { campaign: campaigns.active }],
    ];
    const out: string[] = [];
    for (const [method, target, body] of calls) {
      const res = await call(sandbox, method, target, body);
      const path = target.split('?')[0] ?? target;
      const validate = answer(method, path, String(res.status));
      if (!validate) out.push(`${method} ${path}: ${res.status} is not a documented answer`);
      else if (!validate(res.json))
        out.push(`${method} ${path} ${res.status}: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
    }
    const unauthorized = await call(sandbox, 'GET', '/api/v2/workspaces/current', undefined, null);
    if (!answer('GET', '/api/v2/workspaces/current', '401')?.(unauthorized.json))
      out.push('401 body is off the documented shape');
    expect(out).toEqual([]);
  });
});
