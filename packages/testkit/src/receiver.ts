/**
 * A local webhook receiver for tests: records each delivery as an ingress sees it (a
 * `WebhookRequest`: method, full URL, headers, raw body) and answers the statuses it is told to,
 * in order. What a sandbox's `sendWebhook`/`emitWebhook` deliver to, so the plugin's own
 * `webhooks.verify` and `webhooks.parse` can be run on exactly what arrived.
 *
 * @module
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookRequest } from '@oxygen/core';

/** What the receiver answers one delivery: a status, or `'hang'` (no answer until it closes). */
export type ReceiverAnswer = number | 'hang';

/** A running receiver. */
export interface Receiver {
  /** Its base URL, e.g. `http://127.0.0.1:53124`; any path is accepted. */
  readonly url: string;
  /** Every delivery received, oldest first. */
  readonly received: WebhookRequest[];
  /** The answers to give next, in order; once used up, `fallback`. */
  answers: ReceiverAnswer[];
  /** The answer when `answers` is empty. Default 200. */
  fallback: ReceiverAnswer;
  /** Forgets deliveries and answers; `fallback` back to 200. */
  reset(): void;
  /** Resolves once `n` deliveries have arrived (rejects after `timeoutMs`, default 2 s). */
  waitFor(n: number, timeoutMs?: number): Promise<void>;
  /** Stops listening; a delivery left hanging gets no answer (its connection is closed). */
  close(): Promise<void>;
}

/**
 * Starts a receiver on a free local port (127.0.0.1).
 *
 * @example
 * ```ts
 * import { startReceiver } from '@oxygen/testkit';
 *
 * const receiver = await startReceiver();
 * receiver.answers = [500, 200]; // fail the first delivery, accept the retry
 * await sandbox.sendWebhook({ url: `${receiver.url}/webhooks/acme`, event, waitForRetries: true });
 * receiver.received.map((r) => plugin.webhooks?.verify(r, secret)); // [{ ok: true }, { ok: true }]
 * await receiver.close();
 * ```
 */
export async function startReceiver(): Promise<Receiver> {
  const received: WebhookRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method as string,
        url: `http://${req.headers.host}${req.url}`,
        headers: req.headers as Record<string, string>,
        rawBody: Buffer.concat(chunks),
      });
      const answer = receiver.answers.shift() ?? receiver.fallback;
      if (answer === 'hang') return;
      res.statusCode = answer;
      res.end(answer < 300 ? '' : `answered ${answer}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    answers: [],
    fallback: 200,
    reset() {
      received.length = 0;
      receiver.answers = [];
      receiver.fallback = 200;
    },
    async waitFor(n, timeoutMs = 2_000) {
      const until = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} deliveries, got ${received.length}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return receiver;
}
