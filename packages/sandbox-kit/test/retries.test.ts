import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  backoffSchedule,
  type RunningServer,
  readRequest,
  serve,
  type WebhookRetryPolicy,
  type WebhookRetrySettings,
  WebhookSender,
  withWebhookRetrySettings,
} from '../src/index.js';

// A provider that counts 2xx as received and retries 5xx and no answer, never other 4xx.
const POLICY: WebhookRetryPolicy = {
  delaysMs: backoffSchedule(3, 30_000),
  timeoutMs: 5_000,
  accepted: (status) => status >= 200 && status < 300,
  retried: (status) => status === null || status >= 500,
};

/** What the local endpoint got, and the statuses it answers in turn ('hang': no answer). */
let hits: { attempt: string | undefined; body: string }[] = [];
let answers: (number | 'hang')[] = [];
let endpoint: RunningServer;

beforeAll(async () => {
  endpoint = await serve(
    async (req, res) => {
      const { headers, raw } = await readRequest(req);
      hits.push({ attempt: headers['x-attempt'], body: raw });
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') return;
      res.statusCode = answer;
      res.end(`status ${answer}`);
    },
    (res) => res.end(),
  );
});
afterAll(() => endpoint.close());
beforeEach(() => {
  hits = [];
  answers = [];
});

/** Attempt `n` is the same body with the attempt number in a header, as a re-signing provider does. */
const build = (n: number) => ({
  url: `${endpoint.url}/hook`,
  body: '{"event":"contact.created"}',
  headers: { 'content-type': 'application/json', 'x-attempt': String(n) },
});

describe('backoffSchedule', () => {
  it('doubles each delay and ends exactly at the window', () => {
    expect(backoffSchedule(3, 7_000)).toEqual([1_000, 2_000, 4_000]);
    const day = backoffSchedule(10, 24 * 60 * 60 * 1000);
    expect(day).toHaveLength(10);
    expect(day.reduce((a, b) => a + b)).toBe(24 * 60 * 60 * 1000);
    expect(day[9]).toBeCloseTo(2 * (day[8] as number), -1);
    expect(backoffSchedule(0, 1_000)).toEqual([]);
  });
});

describe('WebhookSender', () => {
  it('retries per the policy until an answer is accepted, reporting every attempt', async () => {
    answers = [503, 'hang', 200];
    // Long enough that a busy machine (CI builds in parallel) answers the first attempt in time;
    // only the hanging attempt waits it out.
    const sender = new WebhookSender(POLICY, { delaysMs: [10, 10, 10], timeoutMs: 1_500 });
    const delivery = await sender.send({ id: 'd1' }, build);
    expect([delivery.id, delivery.outcome, delivery.attempts.length]).toEqual(['d1', 'retrying', 1]);
    await delivery.settled;
    expect(delivery.outcome).toBe('delivered');
    expect(delivery.attempts.map((a) => [a.attempt, a.status, a.error])).toEqual([
      [1, 503, undefined],
      [2, null, 'timed out after 1500 ms'],
      [3, 200, undefined],
    ]);
    expect([delivery.status, delivery.response]).toEqual([200, 'status 200']);
    expect(hits.map((h) => h.attempt)).toEqual(['1', '2', '3']);
    expect(new Set(hits.map((h) => h.body)).size).toBe(1);
  });

  it('fails on an answer the provider does not retry, or when the schedule runs out', async () => {
    const sender = new WebhookSender(POLICY, { delaysMs: [5, 5] });
    answers = [404];
    const refused = await sender.send({}, build, { waitForRetries: true });
    expect([refused.outcome, refused.attempts.map((a) => a.status)]).toEqual(['failed', [404]]);
    answers = [500, 500, 500, 200];
    const exhausted = await sender.send({}, build, { waitForRetries: true });
    expect([exhausted.outcome, exhausted.attempts.map((a) => a.status)]).toEqual(['failed', [500, 500, 500]]);
  });

  it('reports a receiver that is down as no status, ECONNREFUSED', async () => {
    const down = await serve(
      async () => {},
      () => {},
    );
    await down.close();
    const sender = new WebhookSender(POLICY, { delaysMs: [] });
    const delivery = await sender.send({}, () => ({ ...build(1), url: `${down.url}/hook` }));
    expect(delivery.outcome).toBe('failed');
    expect(delivery.attempts[0]).toMatchObject({ status: null, error: 'ECONNREFUSED' });
  });

  it('cancel stops pending retries: cancelled, no further attempt', async () => {
    answers = [500, 500];
    const sender = new WebhookSender(POLICY, { delaysMs: [40] });
    const delivery = await sender.send({}, build);
    sender.cancel();
    await delivery.settled;
    expect(delivery.outcome).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(hits).toHaveLength(1);
  });

  it('redeliver sends the next attempt outside the schedule, and refuses a delivery it did not make', async () => {
    const sender = new WebhookSender(POLICY);
    const delivery = await sender.send({}, build);
    expect(await sender.redeliver(delivery)).toMatchObject({ attempt: 2, status: 200 });
    expect(hits.map((h) => h.attempt)).toEqual(['1', '2']);
    await expect(new WebhookSender(POLICY).redeliver(delivery)).rejects.toThrow(/not a delivery/);
  });
});

describe('withWebhookRetrySettings', () => {
  it("gives a handle the sender's delays and timeout, defaults from the policy, settable later", async () => {
    const sender = new WebhookSender(POLICY);
    const handle = withWebhookRetrySettings<WebhookRetrySettings & { name: string }>(sender, {
      name: 'acme',
    });
    expect([handle.name, handle.webhookRetryDelaysMs, handle.webhookTimeoutMs]).toEqual([
      'acme',
      POLICY.delaysMs,
      5_000,
    ]);
    const delays = [5];
    handle.webhookRetryDelaysMs = delays;
    handle.webhookTimeoutMs = 100;
    delays.push(5);
    expect([sender.delaysMs, sender.timeoutMs]).toEqual([[5], 100]);
    answers = [500, 500];
    const delivery = await sender.send({}, build, { waitForRetries: true });
    expect(delivery.attempts.map((a) => a.status)).toEqual([500, 500]);
  });
});
