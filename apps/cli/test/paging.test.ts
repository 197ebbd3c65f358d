/**
 * `oxygen integrations run ... --all`: follows `next_cursor` to the last page, as a user runs it
 * against HubSpot's sandbox (which enforces HubSpot's search limit of 4 requests per second).
 */

import { type HubSpotSandbox, startHubSpotSandbox } from '@oxygen/provider-hubspot/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oxygen, tempHome } from './helpers.js';

let sandbox: HubSpotSandbox;
let env: NodeJS.ProcessEnv;

const EMAILS = Array.from({ length: 9 }, (_, i) => `reader${i + 1}@paging.example`);
const SEARCH = JSON.stringify({
  filters: [{ property: 'email', operator: 'CONTAINS_TOKEN', value: '*@paging.example' }],
  sorts: [{ property: 'email', direction: 'ASCENDING' }],
  properties: ['email'],
  limit: 2,
});

const run = (args: string[], stdin?: string) => oxygen(args, { env, stdin });

beforeAll(async () => {
  sandbox = await startHubSpotSandbox({ enforceRateLimits: true });
  env = { OXYGEN_HOME: tempHome(), OXYGEN_PROVIDER_HUBSPOT_BASE_URL: sandbox.url };
  const connected = await run(
    ['integrations', 'connect', 'hubspot', '--api-key-stdin', '--json'],
    sandbox.token,
  );
  expect(connected.code, connected.stderr).toBe(0);
  // Seed the contacts the way a user would: one upsert each, plus one that must not match.
  for (const email of [...EMAILS, 'someone@elsewhere.example']) {
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.upsert',
      '--input',
      JSON.stringify({ email }),
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
  }
});

afterAll(async () => {
  await sandbox.close();
});

interface Page {
  results: { id: string; properties: Record<string, string | null> }[];
  total: number;
  next_cursor: string | null;
}

describe('oxygen integrations run --all against the HubSpot sandbox', () => {
  it("--json: one value, the last page with every page's results and next_cursor null; nothing on stderr", async () => {
    const searchesBefore = sandbox.requests.filter((q) => q.path.endsWith('/search')).length;
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.search',
      '--input',
      SEARCH,
      '--all',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const all = r.json() as Page;
    expect(Object.keys(all).sort()).toEqual(['next_cursor', 'results', 'total']);
    expect(all.next_cursor).toBeNull();
    expect(all.total).toBe(9);
    expect(all.results.map((c) => c.properties.email)).toEqual([...EMAILS].sort());
    expect(new Set(all.results.map((c) => c.id)).size).toBe(9);
    // 9 contacts at 2 a page: 5 pages, each after the first carrying the previous page's cursor
    // (a search the sandbox refused with a 429 is retried with the same cursor, and absorbed).
    const searches = sandbox.requests.filter((q) => q.path.endsWith('/search')).slice(searchesBefore);
    const afters = [...new Set(searches.map((q) => (q.body as { after?: string }).after))];
    expect(afters).toHaveLength(5);
    expect(afters[0]).toBe('0');
  });

  it('is the same as following next_cursor by hand', async () => {
    const byHand: string[] = [];
    let cursor: string | null = null;
    do {
      const input = { ...JSON.parse(SEARCH), ...(cursor ? { cursor } : {}) };
      const r = await run([
        'integrations',
        'run',
        'hubspot',
        'contact.search',
        '--input',
        JSON.stringify(input),
        '--json',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const page = r.json() as Page;
      byHand.push(...page.results.map((c) => c.id));
      cursor = page.next_cursor;
    } while (cursor);
    const all = (
      await run(['integrations', 'run', 'hubspot', 'contact.search', '--input', SEARCH, '--all', '--json'])
    ).json() as Page;
    expect(all.results.map((c) => c.id)).toEqual(byHand);
  });

  it('for people: a progress line per page on stderr (not a terminal), the JSON on stdout', async () => {
    const r = await run(['integrations', 'run', 'hubspot', 'contact.search', '--input', SEARCH, '--all']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split('\n').filter(Boolean)).toEqual([
      'page 1, 2 items…',
      'page 2, 4 items…',
      'page 3, 6 items…',
      'page 4, 8 items…',
      'page 5, 9 items…',
    ]);
    expect((JSON.parse(r.stdout) as Page).results).toHaveLength(9);
  });

  it('starts from a cursor given in the input', async () => {
    const first = (
      await run(['integrations', 'run', 'hubspot', 'contact.search', '--input', SEARCH, '--json'])
    ).json() as Page;
    const rest = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.search',
      '--input',
      JSON.stringify({ ...JSON.parse(SEARCH), cursor: first.next_cursor }),
      '--all',
      '--json',
    ]);
    expect(rest.code, rest.stderr).toBe(0);
    expect((rest.json() as Page).results).toHaveLength(7);
  });

  it('refuses --all on an action that does not page, naming the ones that do', async () => {
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.get',
      '--input',
      JSON.stringify({ email: EMAILS[0] }),
      '--all',
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const { error } = JSON.parse(r.stderr) as {
      error: { code: string; message: string; hint: string; field: string };
    };
    expect(error).toMatchObject({
      code: 'validation',
      field: 'all',
      message:
        'hubspot contact.get does not page (it takes no cursor and returns no next_cursor), so --all has nothing to follow.',
    });
    expect(error.hint).toContain('contact.search');
    expect(error.hint).not.toContain('contact.get');
  });

  it('refuses --all with --dry-run before doing anything', async () => {
    const before = sandbox.requests.length;
    const r = await run([
      'integrations',
      'run',
      'hubspot',
      'contact.search',
      '--input',
      SEARCH,
      '--all',
      '--dry-run',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      /^error: --all cannot be combined with --dry-run: a dry run sends nothing, so there is no next page to follow\./,
    );
    expect(sandbox.requests.length).toBe(before);
  });

  it('an unknown action with --all is not found (exit 4), listing the actions', async () => {
    const r = await run(['integrations', 'run', 'hubspot', 'contact.list', '--all']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(
      /^error: Unknown action "contact\.list" for hubspot\. Available: .*contact\.search/,
    );
  });

  it('a search that keeps failing stops --all with the provider error and prints no partial result', async () => {
    const searches = () => sandbox.requests.filter((q) => q.path.endsWith('/search')).length;
    const before = searches();
    // A 500 on a search is retried (it is idempotent): four answers exhaust the three retries.
    sandbox.failNext({ status: 500, count: 4, path: '/crm/v3/objects/contacts/search' });
    const r = await run(['integrations', 'run', 'hubspot', 'contact.search', '--input', SEARCH, '--all']);
    expect(searches() - before).toBe(4);
    expect(r.code).toBe(7);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: HubSpot answered 500/);
  });
});
