/**
 * Trigger deliveries: queue one per trigger for an accepted event, and make one attempt — a
 * Standard Webhooks signed POST (`webhook-id` = the event id, the same on every retry and
 * replay, so receivers can drop repeats), recorded in the deliveries log, retried with
 * exponential backoff until `maxAttempts`.
 *
 * @module
 */

import { isoTime } from '@oxygen/core';
import type { Selectable } from 'kysely';
import { newId } from '../store/ids.js';
import type { EventDeliveriesTable, Store } from '../store/types.js';
import { eventSecretAad } from '../vault/rotate.js';
import type { EventsHost } from './host.js';
import { claimDeliveries, type FinishedDelivery, updateFinished } from './pg-batch.js';
import { postTrigger } from './post.js';
import { newDeliveryRow } from './records.js';
import { backoffDelay } from './settings.js';

/** The trigger fields a delivery row copies. */
interface TriggerRef {
  id: string;
  url: string;
}

/**
 * Writes a `pending` delivery for each trigger and queues its first attempt, in the caller's
 * transaction. Returns the delivery ids.
 */
export async function queueDeliveries(
  host: EventsHost,
  store: Store,
  event: {
    id: string;
    organization_id: string;
    provider: string;
    event_type: string;
    provider_event_id: string;
  },
  triggers: TriggerRef[],
  replayOf: string | null = null,
): Promise<string[]> {
  if (triggers.length === 0) return [];
  const queue = await host.queue();
  const at = isoTime();
  const ids: string[] = [];
  for (const trigger of triggers) {
    const id = newId('dlv');
    await store.db
      .insertInto('event_deliveries')
      .values(
        newDeliveryRow({
          id,
          organization_id: event.organization_id,
          provider: event.provider,
          status: 'pending',
          created_at: at,
          event_id: event.id,
          event_type: event.event_type,
          provider_event_id: event.provider_event_id,
          trigger_id: trigger.id,
          url: trigger.url,
          max_attempts: host.delivery.maxAttempts,
          next_attempt_at: at,
          replay_of: replayOf,
        }),
      )
      .execute();
    await queue.enqueue(store, { id, attempt: 0 }, at);
    ids.push(id);
  }
  return ids;
}

/** What one attempt came to. */
export type AttemptResult = 'delivered' | 'retrying' | 'failed' | 'skipped';

/**
 * Queues again every delivery that is overdue by `graceMs` and not held by a worker: what a job
 * lost to a crash (or never queued: the ingress queues first attempts after its commit) would
 * otherwise leave waiting. Duplicate jobs are harmless: each attempt is claimed once. Returns how
 * many were queued.
 */
export async function sweepOverdue(host: EventsHost, graceMs = 30_000): Promise<number> {
  const now = new Date();
  const rows = await host.store.db
    .selectFrom('event_deliveries')
    .select(['id', 'attempts'])
    .where('status', 'in', ['pending', 'retrying'])
    .where('next_attempt_at', '<=', new Date(now.getTime() - graceMs).toISOString())
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now.toISOString())]))
    .orderBy('next_attempt_at')
    .limit(1000)
    .execute();
  if (rows.length === 0) return 0;
  const queue = await host.queue();
  await queue.dispatch(rows.map((r) => ({ id: r.id, attempt: Number(r.attempts) })));
  return rows.length;
}

/**
 * Makes attempt `job.attempt + 1` of a delivery, if it is still due and no other worker holds it
 * (claimed with a lease in the row, so duplicate jobs and concurrent workers are harmless).
 */
export async function attemptDelivery(
  host: EventsHost,
  job: { id: string; attempt: number },
): Promise<AttemptResult> {
  return (await attemptDeliveries(host, [job]))[0]!;
}

/** What one attempt did to its row. */
interface Finish {
  id: string;
  /** The row as claimed. */
  row: Selectable<EventDeliveriesTable>;
  result: AttemptResult;
  fields: Partial<EventDeliveriesTable>;
  retry?: { attempt: number; at: string };
}

/**
 * Makes one attempt of each delivery in `jobs` (a queue batch): claimed together, their events
 * and triggers read together, POSTed concurrently, and recorded in one transaction, so a busy
 * worker costs a handful of round trips per batch rather than per delivery.
 */
export async function attemptDeliveries(
  host: EventsHost,
  jobs: { id: string; attempt: number }[],
): Promise<AttemptResult[]> {
  if (jobs.length === 0) return [];
  const store = host.store;
  const settings = host.delivery;
  const now = new Date();
  const lease = new Date(now.getTime() + settings.timeoutMs + 30_000).toISOString();
  const claimed =
    store.dialect === 'postgres'
      ? await claimDeliveries(store, jobs, lease, now.toISOString())
      : await store.db
          .updateTable('event_deliveries')
          .set({ locked_until: lease })
          .where((eb) =>
            eb.or(jobs.map((j) => eb.and([eb('id', '=', j.id), eb('attempts', '=', j.attempt)]))),
          )
          .where('status', 'in', ['pending', 'retrying'])
          .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now.toISOString())]))
          .returningAll()
          .execute();
  const results = new Map<string, AttemptResult>();
  if (claimed.length > 0) {
    try {
      const finishes = await attemptClaimed(host, claimed, now);
      await record(host, finishes, lease);
      for (const f of finishes) results.set(f.id, f.result);
    } catch (error) {
      // Something other than a target failed (the store): release the claims so the next job or
      // sweep can try again instead of waiting out the lease, then let the queue retry the job.
      await store.db
        .updateTable('event_deliveries')
        .set({ locked_until: null })
        .where(
          'id',
          'in',
          claimed.map((c) => c.id),
        )
        .where('locked_until', '=', lease)
        .execute()
        .catch(() => {});
      throw error;
    }
  }
  return jobs.map((j) => results.get(j.id) ?? 'skipped');
}

async function attemptClaimed(
  host: EventsHost,
  claimed: Selectable<EventDeliveriesTable>[],
  now: Date,
): Promise<Finish[]> {
  const store = host.store;
  const settings = host.delivery;
  const triggerIds = [...new Set(claimed.map((c) => c.trigger_id).filter((t): t is string => !!t))];
  const eventIds = [...new Set(claimed.map((c) => c.event_id).filter((e): e is string => !!e))];
  const [triggers, events] = await Promise.all([
    triggerIds.length
      ? store.db.selectFrom('event_triggers').selectAll().where('id', 'in', triggerIds).execute()
      : [],
    eventIds.length
      ? store.db
          .selectFrom('events')
          .select(['id', 'organization_id', 'payload'])
          .where('id', 'in', eventIds)
          .execute()
      : [],
  ]);
  // Loaded here so that runtimes which never deliver (CLI start-up) never load it.
  // CommonJS: bundlers may expose its exports only as `default`.
  const mod = await import('standardwebhooks');
  const Webhook = mod.Webhook ?? (mod as unknown as { default: typeof mod }).default.Webhook;

  return Promise.all(
    claimed.map(async (row): Promise<Finish> => {
      // Same organization as the delivery, always: ids never cross organizations.
      const trigger = triggers.find(
        (t) => t.id === row.trigger_id && t.organization_id === row.organization_id,
      );
      const event = events.find((e) => e.id === row.event_id && e.organization_id === row.organization_id);
      if (!trigger || !event) {
        return {
          id: row.id,
          row,
          result: 'failed',
          fields: {
            status: 'failed',
            reason: 'trigger_removed',
            detail: trigger
              ? 'The event is gone from the store; nothing to send.'
              : `Trigger ${row.trigger_id} was removed before this delivery went out.`,
            next_attempt_at: null,
          },
        };
      }
      const secret = host.openSecret(
        trigger.secret,
        eventSecretAad('event_trigger', trigger.organization_id, trigger.id),
      );
      const started = performance.now();
      const { statusCode, error } = await send(host, Webhook, trigger, secret, event, now);
      const duration = Math.round(performance.now() - started);
      const attempts = row.attempts + 1;
      const common = { attempts, status_code: statusCode, duration_ms: duration };
      if (!error) {
        return {
          id: row.id,
          row,
          result: 'delivered',
          fields: {
            ...common,
            status: 'delivered',
            last_error: null,
            next_attempt_at: null,
            delivered_at: isoTime(),
            reason: null,
            detail: null,
          },
        };
      }
      if (attempts >= row.max_attempts) {
        return {
          id: row.id,
          row,
          result: 'failed',
          fields: {
            ...common,
            status: 'failed',
            last_error: error,
            next_attempt_at: null,
            reason: 'max_attempts',
            detail: `Gave up after ${attempts} attempts; fix the receiver, then \`oxygen integrations events replay ${row.id}\`.`,
          },
        };
      }
      const next = isoTime(Date.now() + backoffDelay(attempts, settings));
      return {
        id: row.id,
        row,
        result: 'retrying',
        fields: { ...common, status: 'retrying', last_error: error, next_attempt_at: next },
        retry: { attempt: attempts, at: next },
      };
    }),
  );
}

/**
 * Signs one event for one trigger (Standard Webhooks) and POSTs it: the status code the trigger
 * URL answered, and the error when it was not a 2xx or there was no answer.
 */
async function send(
  host: EventsHost,
  Webhook: typeof import('standardwebhooks').Webhook,
  trigger: { url: string },
  secret: string,
  event: { id: string; payload: string },
  now: Date,
): Promise<{ statusCode: number | null; error: string | null }> {
  let signature: string;
  try {
    signature = new Webhook(secret).sign(event.id, now, event.payload);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return {
      statusCode: null,
      error: `The trigger's signing secret is unusable (${why}); remove the trigger and add it again.`,
    };
  }
  const timeoutMs = host.delivery.timeoutMs;
  const outcome = await postTrigger(
    host,
    trigger.url,
    {
      'content-type': 'application/json',
      'user-agent': 'oxygen-integrations-webhooks',
      'webhook-id': event.id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      'webhook-signature': signature,
    },
    event.payload,
    timeoutMs,
  );
  if (!outcome.ok) {
    return {
      statusCode: null,
      error: outcome.timedOut
        ? `No answer within ${timeoutMs} ms.`
        : `Could not reach the trigger URL: ${outcome.error}.`,
    };
  }
  const ok = outcome.status >= 200 && outcome.status < 300;
  return {
    statusCode: outcome.status,
    error: ok ? null : `The trigger URL answered HTTP ${outcome.status}.`,
  };
}

/**
 * Writes the attempts' outcomes and queues the retries, in one transaction (on PostgreSQL, the
 * outcomes in one statement).
 */
async function record(host: EventsHost, finishes: Finish[], lease: string): Promise<void> {
  const queue = await host.queue();
  const at = isoTime();
  const retries = finishes
    .filter((f) => f.retry)
    .map((f) => ({ job: { id: f.id, attempt: f.retry!.attempt }, runAt: f.retry!.at }));
  const write = async (store: Store) => {
    if (store.dialect === 'postgres') {
      await updateFinished(
        store,
        finishes.map((f) => finished(f)),
        lease,
        at,
      );
    } else {
      for (const f of finishes) {
        await store.db
          .updateTable('event_deliveries')
          .set({ ...f.fields, locked_until: null, updated_at: at })
          .where('id', '=', f.id)
          .where('locked_until', '=', lease)
          .execute();
      }
    }
    await queue.enqueueMany(store, retries);
  };
  // One statement and nothing to queue needs no transaction round trips.
  if (host.store.dialect === 'postgres' && retries.length === 0) await write(host.store);
  else await host.store.transaction(write);
}

/** Every column an attempt may change: its new value, or the claimed row's. */
function finished(f: Finish): FinishedDelivery {
  const value = <K extends keyof FinishedDelivery>(key: K): FinishedDelivery[K] =>
    (key in f.fields ? f.fields[key] : f.row[key]) as FinishedDelivery[K];
  return {
    id: f.id,
    status: value('status'),
    reason: value('reason'),
    detail: value('detail'),
    attempts: value('attempts'),
    status_code: value('status_code'),
    duration_ms: value('duration_ms'),
    last_error: value('last_error'),
    next_attempt_at: value('next_attempt_at'),
    delivered_at: value('delivered_at'),
  };
}
