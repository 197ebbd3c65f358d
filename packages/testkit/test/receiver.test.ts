import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Receiver, startReceiver } from '../src/index.js';

let receiver: Receiver;

beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(() => receiver.close());
beforeEach(() => receiver.reset());

const post = (path: string, body: string, signal?: AbortSignal) =>
  fetch(`${receiver.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-signature': 'abc' },
    body,
    signal,
  });

describe('startReceiver', () => {
  it('records each delivery as an ingress sees it: method, full URL, headers, raw body', async () => {
    expect(receiver.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await post('/webhooks/acme?org=a%3Ab', '{"id":1}');
    expect([res.status, await res.text()]).toEqual([200, '']);
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    expect(delivery).toMatchObject({
      method: 'POST',
      url: `${receiver.url}/webhooks/acme?org=a%3Ab`,
      headers: { 'content-type': 'application/json', 'x-signature': 'abc' },
    });
    expect(delivery?.rawBody.toString()).toBe('{"id":1}');
  });

  it('answers the statuses it is given in order, then the fallback; hang answers nothing', async () => {
    receiver.answers = [500, 202];
    receiver.fallback = 410;
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post('/h', '{}')).status);
    expect(statuses).toEqual([500, 202, 410]);
    receiver.answers = ['hang'];
    await expect(post('/h', '{}', AbortSignal.timeout(100))).rejects.toThrow();
    expect(receiver.received).toHaveLength(4);
    const answered = await post('/h', 'x');
    expect([answered.status, await answered.text()]).toEqual([410, 'answered 410']);
  });

  it('reset forgets deliveries and answers and puts the fallback back to 200', async () => {
    receiver.answers = [503];
    receiver.fallback = 500;
    await post('/h', '{}');
    receiver.reset();
    expect([receiver.received, receiver.answers, receiver.fallback]).toEqual([[], [], 200]);
    expect((await post('/h', '{}')).status).toBe(200);
  });

  it('waitFor resolves once enough deliveries arrived, and rejects saying how many did', async () => {
    const waiting = receiver.waitFor(2);
    await post('/a', '1');
    await post('/b', '2');
    await expect(waiting).resolves.toBeUndefined();
    await expect(receiver.waitFor(3, 50)).rejects.toThrow('expected 3 deliveries, got 2');
  });

  it('close stops listening, even with a delivery left hanging', async () => {
    const other = await startReceiver();
    other.fallback = 'hang';
    const hanging = fetch(`${other.url}/h`, { method: 'POST', body: '{}' }).catch((e: Error) => e);
    await other.waitFor(1);
    await other.close();
    expect(await hanging).toBeInstanceOf(Error);
    await expect(fetch(`${other.url}/h`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
