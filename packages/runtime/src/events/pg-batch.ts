/**
 * The ingress's and the delivery worker's batch writes on PostgreSQL, each one statement: every
 * round trip costs a write, a wake-up of the database backend and a read, which under load costs
 * more than the rows themselves. The rows travel as one JSON parameter per table
 * (`json_to_recordset`), so each statement's text is fixed and is prepared once per connection.
 *
 * @module
 */

import type { Selectable } from 'kysely';
import { queryPrepared } from '../store/postgres.js';
import type { EventDeliveriesTable, EventsTable, Store } from '../store/types.js';

const EVENT_COLUMNS = [
  'id',
  'organization_id',
  'connection_id',
  'provider',
  'event_type',
  'provider_event_id',
  'occurred_at',
  'received_at',
  'payload',
] as const satisfies readonly (keyof EventsTable)[];

const DELIVERY_COLUMNS = [
  'id',
  'organization_id',
  'event_id',
  'provider',
  'event_type',
  'provider_event_id',
  'trigger_id',
  'url',
  'status',
  'reason',
  'detail',
  'attempts',
  'max_attempts',
  'status_code',
  'duration_ms',
  'last_error',
  'next_attempt_at',
  'locked_until',
  'replay_of',
  'created_at',
  'updated_at',
  'delivered_at',
] as const satisfies readonly (keyof EventDeliveriesTable)[];

const COLUMN_TYPES: Record<string, string> = {
  attempts: 'int',
  max_attempts: 'int',
  status_code: 'int',
  duration_ms: 'int',
  // An event's payload arrives as JSON inside the JSON, not a string in it (see `eventsJson`);
  // stored into the text column, it keeps its text as sent.
  payload: 'json',
};

/**
 * `json_to_recordset($n::json) as alias(col type, ...)`: a batch of rows as one JSON parameter
 * (serialized natively), not a parameter per value.
 */
function recordset(param: number, columns: readonly string[], alias: string): string {
  const types = columns.map((c) => `${c} ${COLUMN_TYPES[c] ?? 'text'}`).join(', ');
  return `json_to_recordset($${param}::json) as ${alias}(${types})`;
}

const INSERT_BATCH = `
  with inserted as (
    insert into events (${EVENT_COLUMNS.join(', ')})
    select ${EVENT_COLUMNS.join(', ')} from ${recordset(1, EVENT_COLUMNS, 'e')}
    on conflict (organization_id, provider, provider_event_id) do nothing
    returning id
  ), logged as (
    insert into event_deliveries (${DELIVERY_COLUMNS.join(', ')})
    select ${DELIVERY_COLUMNS.join(', ')} from ${recordset(2, DELIVERY_COLUMNS, 'd')}
    where d.event_id is null or d.event_id in (select id from inserted)
  )
  select count(*)::int as n from inserted`;

/** Which of a batch's events are stored (ids are new, so stored means inserted by this batch). */
const STORED_IDS = 'select id from events where id = any($1::text[])';

/**
 * The events as the JSON array `json_to_recordset` reads, each event's `payload` (JSON text made
 * by `JSON.stringify`) going in as JSON rather than as a string in it, so that neither Node
 * escapes it nor PostgreSQL unescapes it again: each event is stringified without its payload
 * (one fixed shape, V8's fast path) and the payload spliced in before the closing brace.
 */
function eventsJson(events: readonly EventsTable[]): string {
  const parts: string[] = [];
  for (const e of events) {
    const head = JSON.stringify({
      id: e.id,
      organization_id: e.organization_id,
      connection_id: e.connection_id,
      provider: e.provider,
      event_type: e.event_type,
      provider_event_id: e.provider_event_id,
      occurred_at: e.occurred_at,
      received_at: e.received_at,
    });
    parts.push(`${head.slice(0, -1)},"payload":${e.payload}}`);
  }
  // One join: a flat string, not a chain of concatenations to flatten when it is sent.
  return `[${parts.join(',')}]`;
}

/**
 * Inserts `events` (those already stored — same organization, provider and provider event id —
 * are skipped) and `rows`, except the rows of skipped events, in one prepared statement. Returns
 * the ids of the events inserted. Each event's `payload` must be JSON text (it is sent as JSON).
 */
export async function insertEventsAndRows(
  store: Store,
  events: EventsTable[],
  rows: EventDeliveriesTable[],
): Promise<Set<string>> {
  const [counted] = await queryPrepared<{ n: number }>(store.db, 'oxygen_ingress_batch', INSERT_BATCH, [
    eventsJson(events),
    // Rows of one shape (`newDeliveryRow`): a single stringify of the array is V8's fast path.
    JSON.stringify(rows),
  ]);
  // Every event inserted is the common case: a count, not a row per event, answers it. When some
  // were already stored (provider retries), look up which of the new ids made it.
  if ((counted?.n ?? 0) === events.length) return new Set(events.map((e) => e.id));
  if (counted?.n === 0) return new Set();
  const stored = await queryPrepared<{ id: string }>(store.db, 'oxygen_ingress_stored', STORED_IDS, [
    events.map((e) => e.id),
  ]);
  return new Set(stored.map((r) => r.id));
}

/** One delivery row's columns after an attempt. */
export type FinishedDelivery = Pick<
  EventDeliveriesTable,
  | 'id'
  | 'status'
  | 'reason'
  | 'detail'
  | 'attempts'
  | 'status_code'
  | 'duration_ms'
  | 'last_error'
  | 'next_attempt_at'
  | 'delivered_at'
>;

const FINISHED_COLUMNS = [
  'id',
  'status',
  'reason',
  'detail',
  'attempts',
  'status_code',
  'duration_ms',
  'last_error',
  'next_attempt_at',
  'delivered_at',
] as const satisfies readonly (keyof FinishedDelivery)[];

const UPDATE_FINISHED = `
  update event_deliveries as d
  set ${FINISHED_COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = f.${c}`)
    .join(', ')}, locked_until = null, updated_at = $3
  from ${recordset(1, FINISHED_COLUMNS, 'f')}
  where d.id = f.id and d.locked_until = $2`;

/**
 * Writes the outcome of a batch of attempts in one statement, releasing each row's claim. A row
 * whose lease is no longer `lease` (another worker took it over) is left alone.
 */
export async function updateFinished(
  store: Store,
  finished: FinishedDelivery[],
  lease: string,
  at: string,
): Promise<void> {
  await queryPrepared(store.db, 'oxygen_update_finished', UPDATE_FINISHED, [
    JSON.stringify(finished),
    lease,
    at,
  ]);
}

const CLAIM = `
  update event_deliveries as d
  set locked_until = $2
  from json_to_recordset($1::json) as j(id text, attempt int)
  where d.id = j.id and d.attempts = j.attempt
    and d.status in ('pending', 'retrying')
    and (d.locked_until is null or d.locked_until < $3)
  returning d.*`;

/**
 * Claims the due deliveries of a queue batch (each at the attempt its job was queued for) with
 * `lease`, skipping rows another worker holds, in one prepared statement: as an `or` of one
 * condition per job it was planned anew for every batch (about 15 µs per delivery). Returns the
 * rows claimed.
 */
export async function claimDeliveries(
  store: Store,
  jobs: { id: string; attempt: number }[],
  lease: string,
  now: string,
): Promise<Selectable<EventDeliveriesTable>[]> {
  return queryPrepared<Selectable<EventDeliveriesTable>>(store.db, 'oxygen_claim_deliveries', CLAIM, [
    JSON.stringify(jobs.map((j) => ({ id: j.id, attempt: j.attempt }))),
    lease,
    now,
  ]);
}
