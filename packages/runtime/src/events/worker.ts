/**
 * The delivery worker: takes due attempts off the queue and makes them. Start one in each server
 * process (`oxygen serve` does); on PostgreSQL any number can run, on SQLite run one.
 *
 * @module
 */

import { attemptDeliveries, sweepOverdue } from './deliver.js';
import type { EventsHost } from './host.js';
import { loadTriggerClient } from './post.js';

/** Options of {@link Runtime.startDeliveryWorker}. */
export interface DeliveryWorkerOptions {
  /** Attempts in flight at once (default 16). */
  concurrency?: number | undefined;
  /** On PostgreSQL, how often overdue deliveries without a live job are queued again (default 30 s). */
  sweepIntervalMs?: number | undefined;
}

/** A running worker. */
export interface DeliveryWorker {
  /** Stops taking new attempts and waits for the ones in flight. */
  stop(): Promise<void>;
}

/** Starts a worker on the runtime's queue. @internal use `runtime.startDeliveryWorker()` */
export async function startDeliveryWorker(
  host: EventsHost,
  options: DeliveryWorkerOptions = {},
): Promise<DeliveryWorker> {
  // The HTTP client is loaded before the worker takes jobs (about 100 ms, several times that on a
  // busy machine), so that the first delivery does not wait for it.
  const [queue] = await Promise.all([host.queue(), loadTriggerClient()]);
  await queue.work(async (jobs) => {
    await attemptDeliveries(host, jobs);
  }, options.concurrency ?? 16);
  // The embedded queue scans the rows itself; a job queue gets a sweep for jobs lost to a crash.
  let sweeper: NodeJS.Timeout | undefined;
  if (queue.kind !== 'embedded') {
    const sweep = (graceMs?: number) => void sweepOverdue(host, graceMs).catch(() => {});
    // At start, everything due: what a process that stopped (or died) left is not worth a wait.
    sweep(0);
    sweeper = setInterval(sweep, options.sweepIntervalMs ?? 30_000);
    sweeper.unref();
  }
  return {
    stop: async () => {
      if (sweeper) clearInterval(sweeper);
      await queue.stop();
    },
  };
}
