/**
 * Trigger deliveries: queue one per trigger for an accepted event, and make one attempt — a
 * Standard Webhooks signed POST (`webhook-id` = the event id, the same on every retry and
 * replay, so receivers can drop repeats), recorded in the deliveries log, retried with
 * exponential backoff until `maxAttempts`.
 *
 * @module
 */

import type { Selectable } from 'kysely';
import { newId } from '../store/ids.js';
import type { EventDeliveriesTable, Store } from '../store/types.js';
import { eventSecretAad } from '../vault/rotate.js';
import type { EventsHost } from './host.js';
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
  const at = new Date().toISOString();
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
 * Queues again every delivery that is overdue and not held by a worker: what a job lost to a
 * crash or a store failure would otherwise leave waiting (duplicate jobs are harmless: each
 * attempt is claimed once). Returns how many were queued.
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
  await queue.enqueueMany(
    host.store,
    rows.map((r) => ({ job: { id: r.id, attempt: Number(r.attempts) }, runAt: now.toISOString() })),
  );
  queue.wake();
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
  const store = host.store;
  const settings = host.delivery;
  const now = new Date();
  const lease = new Date(now.getTime() + settings.timeoutMs + 30_000).toISOString();
  const claimed = await store.db
    .updateTable('event_deliveries')
    .set({ locked_until: lease })
    .where('id', '=', job.id)
    .where('attempts', '=', job.attempt)
    .where('status', 'in', ['pending', 'retrying'])
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now.toISOString())]))
    .returningAll()
    .executeTakeFirst();
  if (!claimed) return 'skipped';
  try {
    return await attemptClaimed(host, claimed, lease, now);
  } catch (error) {
    // Something other than the target failed (the store): release the claim so the next job or
    // sweep can try again instead of waiting out the lease, then let the queue retry the job.
    await store.db
      .updateTable('event_deliveries')
      .set({ locked_until: null })
      .where('id', '=', claimed.id)
      .where('locked_until', '=', lease)
      .execute()
      .catch(() => {});
    throw error;
  }
}

async function attemptClaimed(
  host: EventsHost,
  claimed: Selectable<EventDeliveriesTable>,
  lease: string,
  now: Date,
): Promise<AttemptResult> {
  const store = host.store;
  const settings = host.delivery;

  const trigger = claimed.trigger_id
    ? await store.db
        .selectFrom('event_triggers')
        .selectAll()
        .where('id', '=', claimed.trigger_id)
        .where('organization_id', '=', claimed.organization_id)
        .executeTakeFirst()
    : undefined;
  const event = claimed.event_id
    ? await store.db
        .selectFrom('events')
        .select(['id', 'payload'])
        .where('id', '=', claimed.event_id)
        .where('organization_id', '=', claimed.organization_id)
        .executeTakeFirst()
    : undefined;
  const finish = (fields: Record<string, unknown>) =>
    store.db
      .updateTable('event_deliveries')
      .set({ ...fields, locked_until: null, updated_at: new Date().toISOString() })
      .where('id', '=', claimed.id)
      .where('locked_until', '=', lease)
      .execute();
  if (!trigger || !event) {
    await finish({
      status: 'failed',
      reason: 'trigger_removed',
      detail: trigger
        ? 'The event is gone from the store; nothing to send.'
        : `Trigger ${claimed.trigger_id} was removed before this delivery went out.`,
      next_attempt_at: null,
    });
    return 'failed';
  }

  const secret = host.openSecret(
    trigger.secret,
    eventSecretAad('event_trigger', trigger.organization_id, trigger.id),
  );
  const started = performance.now();
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    // Loaded here so that runtimes which never deliver (CLI start-up) never load it.
    // CommonJS: bundlers may expose its exports only as `default`.
    const mod = await import('standardwebhooks');
    const Webhook = mod.Webhook ?? (mod as unknown as { default: typeof mod }).default.Webhook;
    const headers = new Webhook(secret).sign(event.id, now, event.payload);
    const res = await fetch(trigger.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'oxygen-integrations-webhooks',
        'webhook-id': event.id,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': headers,
      },
      body: event.payload,
      signal: AbortSignal.timeout(settings.timeoutMs),
      redirect: 'manual',
    });
    statusCode = res.status;
    await res.body?.cancel().catch(() => {});
    if (res.status < 200 || res.status >= 300) error = `The trigger URL answered HTTP ${res.status}.`;
  } catch (e) {
    error =
      e instanceof Error && e.name === 'TimeoutError'
        ? `No answer within ${settings.timeoutMs} ms.`
        : `Could not reach the trigger URL: ${describeFetchError(e)}.`;
  }
  const duration = Math.round(performance.now() - started);
  const attempts = claimed.attempts + 1;
  if (!error) {
    await finish({
      status: 'delivered',
      attempts,
      status_code: statusCode,
      duration_ms: duration,
      last_error: null,
      next_attempt_at: null,
      delivered_at: new Date().toISOString(),
      reason: null,
      detail: null,
    });
    return 'delivered';
  }
  if (attempts >= claimed.max_attempts) {
    await finish({
      status: 'failed',
      attempts,
      status_code: statusCode,
      duration_ms: duration,
      last_error: error,
      next_attempt_at: null,
      reason: 'max_attempts',
      detail: `Gave up after ${attempts} attempts; fix the receiver, then \`oxygen integrations events replay ${claimed.id}\`.`,
    });
    return 'failed';
  }
  const next = new Date(Date.now() + backoffDelay(attempts, settings)).toISOString();
  const queue = await host.queue();
  await store.transaction(async (trx) => {
    await trx.db
      .updateTable('event_deliveries')
      .set({
        status: 'retrying',
        attempts,
        status_code: statusCode,
        duration_ms: duration,
        last_error: error,
        next_attempt_at: next,
        locked_until: null,
        updated_at: new Date().toISOString(),
      })
      .where('id', '=', claimed.id)
      .where('locked_until', '=', lease)
      .execute();
    await queue.enqueue(trx, { id: claimed.id, attempt: attempts }, next);
  });
  return 'retrying';
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
