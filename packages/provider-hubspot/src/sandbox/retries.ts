/**
 * Sends one webhook delivery and retries it the way a provider does: every attempt is a POST with
 * a timeout; an answer the provider counts as received ends the delivery, one it retries schedules
 * the next attempt after the next delay of the schedule, and anything else (or the end of the
 * schedule) fails it. The provider sandboxes carry the same copy of this file (keep them identical).
 *
 * @module
 */

/** One POST of a delivery and what came back. */
export interface WebhookAttempt {
  /** 1 for the first POST, 2 for the first retry, and so on. */
  attempt: number;
  /** When it was sent, ISO 8601. */
  sentAt: string;
  /** The URL POSTed to. */
  url: string;
  /** The exact body sent. */
  body: string;
  /** The headers sent. */
  headers: Record<string, string>;
  /** The receiver's status; `null` when none came (connection failed, timed out). */
  status: number | null;
  /** The receiver's answer body as text (`''` when none came). */
  response: string;
  /** Why no status came (`timed out after 5000 ms`, `ECONNREFUSED`); absent when one did. */
  error?: string;
  /** How long the attempt took, in milliseconds. */
  durationMs: number;
}

/**
 * Where a delivery stands: `delivered` (the receiver accepted an attempt), `retrying` (the next
 * attempt is scheduled), `failed` (the provider gave up: an answer it does not retry, or the
 * schedule ran out) or `cancelled` (the sandbox was reset or closed while retries were pending).
 */
export type WebhookOutcome = 'delivered' | 'retrying' | 'failed' | 'cancelled';

/** The attempts of a delivery, added to what each sandbox reports about it. */
export interface WebhookAttempts {
  /** Every POST of this delivery, oldest first; grows while it is `retrying`. */
  attempts: WebhookAttempt[];
  /** The latest attempt's status (`null`: no answer). */
  status: number | null;
  /** The latest attempt's answer body. */
  response: string;
  /** Where it stands; see {@link WebhookOutcome}. */
  outcome: WebhookOutcome;
  /** Resolves once no more attempt will be made (`outcome` is no longer `retrying`). */
  settled: Promise<void>;
}

/** Options every sandbox's `sendWebhook` and `emitWebhook` take. */
export interface WebhookSendOptions {
  /**
   * Resolve only once every retry is done (`outcome` final). Default false: resolve after the
   * first attempt while retries go on in the background (await `settled` for them).
   */
  waitForRetries?: boolean;
}

/** How a provider retries, as its sandbox applies it. */
export interface WebhookRetryPolicy {
  /** The delay before each retry, in milliseconds; its length is the number of retries. */
  delaysMs: readonly number[];
  /** How long an attempt may take before it counts as a failure without an answer. */
  timeoutMs: number;
  /** Whether the provider counts this status as received. */
  accepted(status: number): boolean;
  /** Whether the provider retries after this answer (`null`: none came). */
  retried(status: number | null): boolean;
}

/** The request of attempt `n` (1-based): the same bytes each time unless the provider changes them. */
export type BuildAttempt = (attempt: number) => {
  url: string;
  body: string;
  headers: Record<string, string>;
};

/**
 * `retries` delays that double each time and add up to `windowMs`: the schedule of a provider that
 * documents how many retries it makes over how long, but not the delays.
 *
 * @example
 * ```ts
 * backoffSchedule(3, 7_000); // [1000, 2000, 4000]
 * ```
 */
export function backoffSchedule(retries: number, windowMs: number): number[] {
  const base = windowMs / (2 ** retries - 1);
  const delays = Array.from({ length: retries }, (_, i) => Math.round(base * 2 ** i));
  // Rounding aside, the last delay ends the window exactly.
  if (retries > 0) delays[retries - 1] = windowMs - delays.slice(0, -1).reduce((a, b) => a + b, 0);
  return delays;
}

interface Pending {
  timer: ReturnType<typeof setTimeout> | undefined;
  cancel: () => void;
}

/** Sends deliveries with a provider's retries; {@link WebhookSender.cancel} stops pending ones. */
export class WebhookSender {
  readonly #policy: () => WebhookRetryPolicy;
  readonly #pending = new Set<Pending>();
  readonly #builders = new WeakMap<WebhookAttempts, BuildAttempt>();

  /** `policy` is read before each attempt, so changing the sandbox's schedule applies at once. */
  constructor(policy: () => WebhookRetryPolicy) {
    this.#policy = policy;
  }

  /**
   * Sends attempt 1 of a delivery and schedules its retries. `base` is what the sandbox reports
   * about the delivery; it is returned with the {@link WebhookAttempts} fields added.
   */
  async send<D extends object>(
    base: D,
    build: BuildAttempt,
    options: WebhookSendOptions = {},
  ): Promise<D & WebhookAttempts> {
    let settle!: () => void;
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const delivery: D & WebhookAttempts = Object.assign(base, {
      attempts: [] as WebhookAttempt[],
      status: null,
      response: '',
      outcome: 'retrying' as WebhookOutcome,
      settled,
    });
    this.#builders.set(delivery, build);
    let retries = 0;
    const pending: Pending = {
      timer: undefined,
      cancel: () => finish('cancelled'),
    };
    const finish = (outcome: WebhookOutcome) => {
      if (pending.timer) clearTimeout(pending.timer);
      this.#pending.delete(pending);
      if (delivery.outcome === 'retrying') delivery.outcome = outcome;
      settle();
    };
    const attempt = async (): Promise<void> => {
      pending.timer = undefined;
      const policy = this.#policy();
      const sent = await this.#post(delivery, build, policy.timeoutMs);
      if (delivery.outcome !== 'retrying') return;
      if (sent.status !== null && policy.accepted(sent.status)) return finish('delivered');
      const delay = policy.delaysMs[retries];
      if (!policy.retried(sent.status) || delay === undefined) return finish('failed');
      retries += 1;
      pending.timer = setTimeout(() => void attempt(), delay);
    };
    this.#pending.add(pending);
    await attempt();
    if (options.waitForRetries) await settled;
    return delivery;
  }

  /**
   * POSTs a delivery once more, as the provider's own retry would (same bytes, or the provider's
   * changes for the next attempt), outside its schedule: for sending the same event again.
   */
  async redeliver(delivery: WebhookAttempts): Promise<WebhookAttempt> {
    const build = this.#builders.get(delivery);
    if (!build) throw new Error('redeliverWebhook: not a delivery this sandbox made');
    return this.#post(delivery, build, this.#policy().timeoutMs);
  }

  /** Cancels every delivery still `retrying` (outcome `cancelled`): no further attempt is made. */
  cancel(): void {
    for (const pending of [...this.#pending]) pending.cancel();
  }

  async #post(delivery: WebhookAttempts, build: BuildAttempt, timeoutMs: number): Promise<WebhookAttempt> {
    const number = delivery.attempts.length + 1;
    const request = build(number);
    const started = Date.now();
    const attempt: WebhookAttempt = {
      attempt: number,
      sentAt: new Date(started).toISOString(),
      url: request.url,
      body: request.body,
      headers: request.headers,
      status: null,
      response: '',
      durationMs: 0,
    };
    delivery.attempts.push(attempt);
    try {
      const res = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      attempt.status = res.status;
      attempt.response = await res.text();
    } catch (error) {
      const e = error as Error & { cause?: { code?: string; message?: string } };
      attempt.status = null;
      attempt.error =
        e.name === 'TimeoutError'
          ? `timed out after ${timeoutMs} ms`
          : (e.cause?.code ?? e.cause?.message ?? e.message);
    }
    attempt.durationMs = Date.now() - started;
    delivery.status = attempt.status;
    delivery.response = attempt.response;
    return attempt;
  }
}
