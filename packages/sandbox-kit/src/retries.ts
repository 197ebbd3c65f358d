/**
 * Webhook deliveries with a provider's retries, for sandboxes that send webhooks: every attempt is
 * a POST with a timeout; an answer the provider counts as received ends the delivery, one it
 * retries schedules the next attempt after the next delay of the schedule, and anything else (or
 * the end of the schedule) fails it. What a provider signs and sends stays in its sandbox: it
 * gives {@link WebhookSender.send} the request of each attempt and its {@link WebhookRetryPolicy}.
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

/**
 * A sandbox handle's webhook retry settings: the provider's defaults unless the sandbox was
 * started with others, and settable at any time (the next attempt uses the new values).
 */
export interface WebhookRetrySettings {
  /** The delay before each webhook retry, in ms; `[]` for none. */
  webhookRetryDelaysMs: number[];
  /** How long a webhook attempt may take, in ms. */
  webhookTimeoutMs: number;
}

/** What a sandbox's options may change of a provider's {@link WebhookRetryPolicy}. */
export interface WebhookRetryOverrides {
  /** Replaces {@link WebhookRetryPolicy.delaysMs} (tests pass small delays). */
  delaysMs?: readonly number[] | undefined;
  /** Replaces {@link WebhookRetryPolicy.timeoutMs}. */
  timeoutMs?: number | undefined;
}

interface Pending {
  timer: ReturnType<typeof setTimeout> | undefined;
  cancel: () => void;
}

/**
 * Sends deliveries with a provider's retries; {@link WebhookSender.cancel} stops pending ones.
 *
 * @example
 * ```ts
 * const sender = new WebhookSender({
 *   delaysMs: backoffSchedule(3, 30_000),
 *   timeoutMs: 5_000,
 *   accepted: (status) => status >= 200 && status < 300,
 *   retried: (status) => status === null || status >= 500,
 * }, { delaysMs: [10, 10, 10] });
 * const body = JSON.stringify({ event: 'contact.created' });
 * const headers = { 'content-type': 'application/json' };
 * const delivery = await sender.send({ url }, () => ({ url, body, headers }), { waitForRetries: true });
 * delivery.outcome; // 'delivered' once an attempt got a 2xx
 * delivery.attempts.map((a) => a.status); // e.g. [503, 200]
 * ```
 */
export class WebhookSender {
  readonly #policy: WebhookRetryPolicy;
  readonly #pending = new Set<Pending>();
  readonly #builders = new WeakMap<WebhookAttempts, BuildAttempt>();
  #delaysMs: number[];
  /** How long an attempt may take, in ms: the policy's unless overridden; read at each attempt. */
  timeoutMs: number;

  /** Retries as `policy` says, with its delays and timeout replaced by `overrides` where given. */
  constructor(policy: WebhookRetryPolicy, overrides: WebhookRetryOverrides = {}) {
    this.#policy = policy;
    this.#delaysMs = [...(overrides.delaysMs ?? policy.delaysMs)];
    this.timeoutMs = overrides.timeoutMs ?? policy.timeoutMs;
  }

  /**
   * The delay before each retry, in ms. Setting it stores a copy; a delivery already `retrying`
   * uses the new schedule for its next retry.
   */
  get delaysMs(): number[] {
    return this.#delaysMs;
  }

  set delaysMs(value: readonly number[]) {
    this.#delaysMs = [...value];
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
      const sent = await this.#post(delivery, build);
      if (delivery.outcome !== 'retrying') return;
      if (sent.status !== null && this.#policy.accepted(sent.status)) return finish('delivered');
      const delay = this.#delaysMs[retries];
      if (!this.#policy.retried(sent.status) || delay === undefined) return finish('failed');
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
   * Throws when `delivery` was not sent by this sender.
   */
  async redeliver(delivery: WebhookAttempts): Promise<WebhookAttempt> {
    const build = this.#builders.get(delivery);
    if (!build) throw new Error('redeliverWebhook: not a delivery this sandbox made');
    return this.#post(delivery, build);
  }

  /** Cancels every delivery still `retrying` (outcome `cancelled`): no further attempt is made. */
  cancel(): void {
    for (const pending of [...this.#pending]) pending.cancel();
  }

  async #post(delivery: WebhookAttempts, build: BuildAttempt): Promise<WebhookAttempt> {
    const timeoutMs = this.timeoutMs;
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

/**
 * Completes a sandbox handle with the {@link WebhookRetrySettings} properties, which read and set
 * `sender`'s {@link WebhookSender.delaysMs} and {@link WebhookSender.timeoutMs}. Give the handle's
 * type: `withWebhookRetrySettings<AcmeSandbox>(sender, { url, ... })`.
 */
export function withWebhookRetrySettings<S extends WebhookRetrySettings>(
  sender: WebhookSender,
  handle: Omit<S, keyof WebhookRetrySettings>,
): S {
  return Object.defineProperties(handle, {
    webhookRetryDelaysMs: {
      enumerable: true,
      get: () => sender.delaysMs,
      set: (value: readonly number[]) => {
        sender.delaysMs = value;
      },
    },
    webhookTimeoutMs: {
      enumerable: true,
      get: () => sender.timeoutMs,
      set: (value: number) => {
        sender.timeoutMs = value;
      },
    },
  }) as unknown as S;
}
