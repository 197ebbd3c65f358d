/**
 * Where delivery attempts wait for a worker. On PostgreSQL they are pg-boss jobs (claimed with
 * `SELECT ... FOR UPDATE SKIP LOCKED`, so any number of server processes can work the queue),
 * written in the same transaction as the delivery row: an accepted event can never be left
 * without its job. On the embedded SQLite store the delivery rows themselves are the queue
 * (`next_attempt_at`), polled by one in-process worker.
 *
 * @module
 */

import { CompiledQuery } from 'kysely';
import type { Store } from '../store/types.js';

/** One queued attempt: the delivery, and how many attempts it had when it was queued. */
export interface DeliveryJob {
  /** The delivery's id (`dlv_...`). */
  id: string;
  /** Attempts the delivery had when this one was queued (0 for the first). */
  attempt: number;
}

/** How many attempts one {@link DeliveryQueue.dispatch} job carries at most. */
export const DISPATCH_JOB_SIZE = 50;

/** A pg-boss job's data: one attempt, or a batch of attempts due now ({@link DeliveryQueue.dispatch}). */
type JobData = DeliveryJob | { batch: DeliveryJob[] };

/** The attempts a job's data asks for. */
export function jobAttempts(data: JobData): DeliveryJob[] {
  return 'batch' in data ? data.batch : [data];
}

/** A delivery queue. */
export interface DeliveryQueue {
  /** `embedded` (the SQLite store's own rows) or `pg-boss` (PostgreSQL). */
  readonly kind: 'embedded' | 'pg-boss';
  /**
   * Queues an attempt of delivery `job.id` at `runAt`. Call it inside the transaction (`store`)
   * that wrote the delivery row, so both commit or neither does.
   */
  enqueue(store: Store, job: DeliveryJob, runAt: string): Promise<void>;
  /** Queues several attempts at once, in the caller's transaction. */
  enqueueMany(store: Store, jobs: { job: DeliveryJob; runAt: string }[]): Promise<void>;
  /**
   * Queues attempts, due now, of deliveries already committed (the ingress's first attempts,
   * after its write; the sweep's): one job per 50 of them (`DISPATCH_JOB_SIZE`). Not
   * transactional: a delivery whose job was lost (the process died first) is queued again by the
   * worker's sweep.
   */
  dispatch(jobs: DeliveryJob[]): Promise<void>;
  /** Runs `handler` for batches of due attempts until {@link DeliveryQueue.stop}. */
  work(handler: (jobs: DeliveryJob[]) => Promise<void>, concurrency: number): Promise<void>;
  /** Tells a local worker new attempts are due (after a commit). */
  wake(): void;
  /** Stops working and releases connections. */
  stop(): Promise<void>;
}

/** The pg-boss queue name. */
export const DELIVERY_QUEUE = 'oxygen-event-deliveries';

/**
 * The embedded queue: due rows of `event_deliveries`, polled every `pollMs` (and at once when
 * woken). One worker per store file: SQLite has one writer anyway.
 */
export class EmbeddedQueue implements DeliveryQueue {
  readonly kind = 'embedded' as const;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private again = false;
  private handler: ((jobs: DeliveryJob[]) => Promise<void>) | undefined;
  private concurrency = 4;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly pollMs = 250,
  ) {}

  async enqueue(): Promise<void> {
    // The row's next_attempt_at is the schedule; nothing else to write.
  }

  async enqueueMany(): Promise<void> {}

  async dispatch(): Promise<void> {
    // The rows are the queue: new pending rows only need the worker awake.
    this.wake();
  }

  async work(handler: (jobs: DeliveryJob[]) => Promise<void>, concurrency: number): Promise<void> {
    this.handler = handler;
    this.concurrency = concurrency;
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  wake(): void {
    if (!this.handler || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    const handler = this.handler;
    if (!handler) return;
    for (;;) {
      const now = new Date().toISOString();
      let due: { id: string; attempts: number }[];
      try {
        due = await this.store.db
          .selectFrom('event_deliveries')
          .select(['id', 'attempts'])
          .where('status', 'in', ['pending', 'retrying'])
          .where('next_attempt_at', '<=', now)
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
          .orderBy('next_attempt_at')
          .limit(this.concurrency)
          .execute();
      } catch {
        return; // store closed or busy: the next tick tries again
      }
      if (due.length === 0 || this.stopped) return;
      await handler(due.map((row) => ({ id: row.id, attempt: row.attempts }))).catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await new Promise((r) => setTimeout(r, 10));
  }
}

/** Options of {@link PgBossQueue}. */
export interface PgBossQueueOptions {
  /** The PostgreSQL URL pg-boss connects with (`postgres://...`). */
  connectionString: string;
  /** The PostgreSQL schema pg-boss keeps its tables in. */
  schema: string;
}

/** pg-boss's `db` option over the caller's store: job rows go in the caller's transaction. */
function transactional(store: Store) {
  return {
    executeSql: async (text: string, values: unknown[]) => {
      const result = await store.db.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows };
    },
  };
}

/** The PostgreSQL queue: pg-boss jobs, started on first use. */
export class PgBossQueue implements DeliveryQueue {
  readonly kind = 'pg-boss' as const;
  // biome-ignore lint/suspicious/noExplicitAny: pg-boss is loaded lazily (CommonJS default export)
  private boss: Promise<any> | undefined;
  /** This process's pg-boss workers, to wake when new attempts are due. */
  private workers: string[] = [];

  constructor(private readonly options: PgBossQueueOptions) {}

  // biome-ignore lint/suspicious/noExplicitAny: see above
  private start(): Promise<any> {
    if (!this.boss) {
      const starting = this.startWithRetries();
      this.boss = starting;
      // A failed start is not remembered: the next call tries again.
      starting.catch(() => {
        if (this.boss === starting) this.boss = undefined;
      });
    }
    return this.boss;
  }

  /**
   * Starts pg-boss, retrying a few times: processes starting together on a fresh database race to
   * create its schema and queue, and PostgreSQL resolves the race by failing one of them with a
   * deadlock; a moment later the schema is there and the start succeeds.
   */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  private async startWithRetries(): Promise<any> {
    const { default: PgBoss } = await import('pg-boss');
    for (let attempt = 1; ; attempt++) {
      const boss = new PgBoss({
        connectionString: this.options.connectionString,
        schema: this.options.schema,
        max: 4,
        // Maintenance (expiring jobs whose worker died, archiving) runs in every process that
        // uses the queue; pg-boss takes a lock so only one does it at a time.
        supervise: true,
        schedule: false,
        application_name: 'oxygen-deliveries',
      });
      boss.on('error', (error: Error) => {
        process.stderr.write(`oxygen: delivery queue: ${error.message}\n`);
      });
      try {
        await boss.start();
        // Each job is one attempt; a job whose worker died mid-attempt expires and runs again.
        await boss.createQueue(DELIVERY_QUEUE, {
          name: DELIVERY_QUEUE,
          retryLimit: 5,
          retryDelay: 5,
          expireInSeconds: 120,
        });
        return boss;
      } catch (error) {
        await boss.stop({ graceful: false, wait: false }).catch(() => {});
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt + Math.random() * 100));
      }
    }
  }

  async enqueue(store: Store, job: DeliveryJob, runAt: string): Promise<void> {
    const boss = await this.start();
    await boss.send(DELIVERY_QUEUE, job, {
      startAfter: new Date(runAt),
      db: transactional(store),
    });
  }

  async enqueueMany(store: Store, jobs: { job: DeliveryJob; runAt: string }[]): Promise<void> {
    if (jobs.length === 0) return;
    const boss = await this.start();
    await boss.insert(
      jobs.map(({ job, runAt }) => ({ name: DELIVERY_QUEUE, data: job, startAfter: runAt })),
      { db: transactional(store) },
    );
  }

  async dispatch(jobs: DeliveryJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const boss = await this.start();
    const batches: { name: string; data: JobData }[] = [];
    for (let i = 0; i < jobs.length; i += DISPATCH_JOB_SIZE) {
      batches.push({ name: DELIVERY_QUEUE, data: { batch: jobs.slice(i, i + DISPATCH_JOB_SIZE) } });
    }
    await boss.insert(batches);
    this.wake();
  }

  async work(handler: (jobs: DeliveryJob[]) => Promise<void>, concurrency: number): Promise<void> {
    const boss = await this.start();
    // Two pollers per process, each taking up to half the concurrency as one batch: one can be
    // posting while the other fetches. A job may carry many attempts (the ingress's dispatches):
    // they are made `concurrency` at a time.
    const batchSize = Math.max(1, Math.ceil(concurrency / 2));
    for (let i = 0; i < 2; i++) {
      let id = '';
      id = await boss.work(
        DELIVERY_QUEUE,
        { batchSize, pollingIntervalSeconds: 0.5 },
        async (jobs: { data: JobData }[]) => {
          const attempts = jobs.flatMap((job) => jobAttempts(job.data));
          for (let at = 0; at < attempts.length; at += concurrency) {
            await handler(attempts.slice(at, at + concurrency));
          }
          // A full batch means more may be waiting: fetch again now, not after the polling interval.
          if (jobs.length === batchSize && id) boss.notifyWorker(id);
        },
      );
      this.workers.push(id);
    }
  }

  wake(): void {
    // pg-boss does not notify workers of new jobs: wake this process's workers now (others poll
    // every 0.5 s), so a delivery does not wait a polling interval.
    const workers = this.workers;
    if (!this.boss || workers.length === 0) return;
    void this.boss.then(
      // biome-ignore lint/suspicious/noExplicitAny: see above
      (boss: any) => {
        for (const id of workers) boss.notifyWorker(id);
      },
      () => {},
    );
  }

  async stop(): Promise<void> {
    if (!this.boss) return;
    const boss = await this.boss.catch(() => undefined);
    this.boss = undefined;
    this.workers = [];
    await boss?.stop({ graceful: true, wait: true, timeout: 5_000 });
  }
}
