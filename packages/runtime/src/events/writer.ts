/**
 * Group commit for the ingress: deliveries arriving together are written together (on
 * PostgreSQL in one statement, on SQLite in one transaction), and each request is answered once
 * its batch has committed. Under load, batches grow while the previous one commits; alone, a
 * delivery is written at once. Durability is unchanged (nothing is answered before its commit);
 * the cost per delivery drops from several round trips to a share of one.
 *
 * The first attempts of the committed trigger deliveries are queued after the commit, many per
 * job (the transactional outbox pattern: the `pending` rows are the record, the jobs only wake
 * the workers), so a job-queue insert is not paid per event and not before the answer.
 *
 * @module
 */

import type { EventDeliveriesTable, EventsTable, Store } from '../store/types.js';
import { insertEventsAndRows } from './pg-batch.js';
import type { DeliveryJob, DeliveryQueue } from './queue.js';

/** What one parsed event (or refused delivery) asks the writer to store. */
export interface WriteItem {
  /** The event to store, unless it is a duplicate of one already stored. Absent for refusals. */
  event?: EventsTable | undefined;
  /** Log rows to write when the event is new (or always, when there is no event). */
  rows: EventDeliveriesTable[];
  /** The log row to write instead when the event is a duplicate. */
  duplicate?: ((first: { id: string; received_at: string }) => EventDeliveriesTable) | undefined;
}

/** What became of a {@link WriteItem}. */
export interface WriteResult {
  duplicate: boolean;
  /** The log rows written. */
  rows: EventDeliveriesTable[];
}

interface Pending {
  items: WriteItem[];
  resolve: (results: WriteResult[]) => void;
  reject: (error: unknown) => void;
}

const MAX_BATCH_ITEMS = 500;
const ROWS_PER_INSERT = 200;
/** First attempts queued by one dispatch insert at most. */
const MAX_DISPATCH = 1000;
/** The least time between two dispatch inserts of one runtime. */
const DISPATCH_INTERVAL_MS = 100;

const chunks = <T>(list: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
  return out;
};

/**
 * Commits in flight at once per runtime. A commit mostly waits for PostgreSQL to flush its WAL;
 * overlapping a few lets the database flush them together instead of one after another.
 */
const MAX_IN_FLIGHT = 2;
/** Queued items worth a commit of their own while another is in flight. */
const MIN_OVERLAP_BATCH = 16;

/** The ingress writer of one runtime. */
export class IngressWriter {
  private queue: Pending[] = [];
  private queuedItems = 0;
  private inFlight = 0;
  /** First attempts committed but not queued yet, and the insert queueing the previous ones. */
  private undispatched: DeliveryJob[] = [];
  private dispatching: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly deliveryQueue: () => Promise<DeliveryQueue>,
  ) {}

  /** Stores the items of one delivery; resolves after their transaction committed. */
  write(items: WriteItem[]): Promise<WriteResult[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queuedItems += items.length;
      this.pump();
    });
  }

  private pump(): void {
    if (this.queue.length === 0 || this.inFlight >= MAX_IN_FLIGHT) return;
    if (this.inFlight > 0 && this.queuedItems < MIN_OVERLAP_BATCH) return;
    this.inFlight++;
    // Let the requests already on their way (answered callers sending their next delivery,
    // parsed bodies) join this batch instead of the next one.
    setImmediate(() => {
      void this.flushOne().finally(() => {
        this.inFlight--;
        this.pump();
      });
    });
  }

  private async flushOne(): Promise<void> {
    const batch: Pending[] = [];
    let size = 0;
    while (
      this.queue.length > 0 &&
      (batch.length === 0 || size + this.queue[0]!.items.length <= MAX_BATCH_ITEMS)
    ) {
      const next = this.queue.shift()!;
      size += next.items.length;
      batch.push(next);
    }
    this.queuedItems -= size;
    if (batch.length === 0) return;
    try {
      const results = await this.commit(batch.flatMap((p) => p.items));
      let at = 0;
      for (const p of batch) {
        p.resolve(results.slice(at, at + p.items.length));
        at += p.items.length;
      }
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  private async commit(items: WriteItem[]): Promise<WriteResult[]> {
    const results =
      this.store.dialect === 'postgres'
        ? await this.commitPostgres(items)
        : await this.commitInOneTransaction(items);
    const jobs = results
      .flatMap((r) => r.rows.filter((row) => row.status === 'pending'))
      .map((row) => ({ id: row.id, attempt: 0 }));
    if (jobs.length > 0) this.dispatch(jobs);
    return results;
  }

  /**
   * PostgreSQL: the events and their log rows in one statement (no transaction round trips);
   * duplicates of events stored earlier, rare, get their `duplicate` rows in a second one.
   */
  private async commitPostgres(items: WriteItem[]): Promise<WriteResult[]> {
    const plan = planBatch(items);
    const rows = plan.fresh.flatMap((i) => i.rows);
    const events = plan.fresh.flatMap((i) => (i.event ? [i.event] : []));
    const inserted = await insertEventsAndRows(this.store, events, rows);
    const earlier = await findEarlier(
      this.store,
      events.filter((e) => !inserted.has(e.id)),
    );
    const results = resolveBatch(plan, inserted, earlier);
    const duplicates = results.flatMap((r) => (r.duplicate ? r.rows : []));
    for (const part of chunks(duplicates, ROWS_PER_INSERT)) {
      await this.store.db.insertInto('event_deliveries').values(part).execute();
    }
    return results;
  }

  /** SQLite (in process, no round trips): one transaction with multi-row inserts. */
  private async commitInOneTransaction(items: WriteItem[]): Promise<WriteResult[]> {
    const plan = planBatch(items);
    return this.store.transaction(async (trx) => {
      const events = plan.fresh.flatMap((i) => (i.event ? [i.event] : []));
      const inserted = new Set<string>();
      for (const part of chunks(events, ROWS_PER_INSERT)) {
        const rows = await trx.db
          .insertInto('events')
          .values(part)
          .onConflict((oc) => oc.columns(['organization_id', 'provider', 'provider_event_id']).doNothing())
          .returning('id')
          .execute();
        for (const r of rows) inserted.add(r.id);
      }
      const earlier = await findEarlier(
        trx,
        events.filter((e) => !inserted.has(e.id)),
      );
      const results = resolveBatch(plan, inserted, earlier);
      for (const part of chunks(
        results.flatMap((r) => r.rows),
        ROWS_PER_INSERT,
      )) {
        await trx.db.insertInto('event_deliveries').values(part).execute();
      }
      return results;
    });
  }

  /**
   * Queues the first attempts of committed deliveries, after the caller has its answer: one
   * insert at a time, the deliveries committed meanwhile going together in the next. A failure is
   * reported, not retried: the rows stay pending and the worker's sweep queues them.
   */
  private dispatch(jobs: DeliveryJob[]): void {
    this.undispatched.push(...jobs);
    if (this.dispatching) return;
    this.dispatching = (async () => {
      while (this.undispatched.length > 0) {
        const started = performance.now();
        const next = this.undispatched.splice(0, MAX_DISPATCH);
        try {
          await (await this.deliveryQueue()).dispatch(next);
        } catch (error) {
          process.stderr.write(
            `oxygen: queueing ${next.length} trigger deliveries failed (the sweep will queue them): ${error instanceof Error ? error.message : String(error)}\n`,
          );
        }
        // Under load, gather what commits meanwhile into the next job rather than paying a
        // job-queue insert per batch; alone, a delivery is queued at once.
        const wait = DISPATCH_INTERVAL_MS - (performance.now() - started);
        if (this.undispatched.length > 0 && wait > 0)
          await new Promise((resolve) => setTimeout(resolve, wait));
      }
    })().finally(() => {
      this.dispatching = undefined;
    });
  }

  /** Resolves once the first attempts of everything committed so far are queued. */
  async flush(): Promise<void> {
    while (this.inFlight > 0 || this.queue.length > 0 || this.dispatching) {
      await (this.dispatching ?? new Promise((resolve) => setTimeout(resolve, 5)));
    }
  }
}

/** A batch with its copies of one event told apart: the first copy is the event. */
interface BatchPlan {
  items: WriteItem[];
  /** Items to write as they are: refusals and the first copy of each event. */
  fresh: WriteItem[];
  /** The first copy of each event, by key. */
  firstInBatch: Map<string, EventsTable>;
}

const eventKey = (e: EventsTable) => `${e.organization_id}\u0000${e.provider}\u0000${e.provider_event_id}`;

function planBatch(items: WriteItem[]): BatchPlan {
  const firstInBatch = new Map<string, EventsTable>();
  const fresh: WriteItem[] = [];
  for (const item of items) {
    if (item.event) {
      const key = eventKey(item.event);
      if (firstInBatch.has(key)) continue;
      firstInBatch.set(key, item.event);
    }
    fresh.push(item);
  }
  return { items, fresh, firstInBatch };
}

/** Events stored before this batch, to point the duplicates at. */
async function findEarlier(
  store: Store,
  missing: EventsTable[],
): Promise<Map<string, { id: string; received_at: string }>> {
  const earlier = new Map<string, { id: string; received_at: string }>();
  for (const e of missing) {
    const row = await store.db
      .selectFrom('events')
      .select(['id', 'received_at'])
      .where('organization_id', '=', e.organization_id)
      .where('provider', '=', e.provider)
      .where('provider_event_id', '=', e.provider_event_id)
      .executeTakeFirst();
    if (row) earlier.set(eventKey(e), row);
  }
  return earlier;
}

/** What became of each item, given which events were inserted and which were stored before. */
function resolveBatch(
  plan: BatchPlan,
  inserted: Set<string>,
  earlier: Map<string, { id: string; received_at: string }>,
): WriteResult[] {
  return plan.items.map((item) => {
    if (!item.event) return { duplicate: false, rows: item.rows };
    const key = eventKey(item.event);
    const first = plan.firstInBatch.get(key)!;
    if (first === item.event && inserted.has(item.event.id)) return { duplicate: false, rows: item.rows };
    const original =
      first !== item.event && inserted.has(first.id)
        ? { id: first.id, received_at: first.received_at }
        : earlier.get(key);
    const row = original && item.duplicate ? item.duplicate(original) : undefined;
    return { duplicate: true, rows: row ? [row] : [] };
  });
}
