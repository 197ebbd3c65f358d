/**
 * The ingress's and the delivery worker's batch writes on PostgreSQL, each one statement: every
 * round trip costs a write, a wake-up of the database backend and a read, which under load costs
 * more than the rows themselves. The rows travel as one JSON parameter per table
 * (`json_to_recordset`), so each statement's text is fixed and is prepared once per connection.
 *
 * @module
 */

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

const INTEGER_COLUMNS = new Set<string>(['attempts', 'max_attempts', 'status_code', 'duration_ms']);

/**
 * `json_to_recordset($n::json) as alias(col type, ...)`: a batch of rows as one JSON parameter
 * (serialized natively), not a parameter per value.
 */
function recordset(param: number, columns: readonly string[], alias: string): string {
  const types = columns.map((c) => `${c} ${INTEGER_COLUMNS.has(c) ? 'int' : 'text'}`).join(', ');
  return `json_to_recordset($${param}::json) as ${alias}(${types})`;
}

/** `payload` arrives as JSON inside the JSON (not a string in it): see {@link batchJson}. */
const EVENT_RECORDSET = recordset(1, EVENT_COLUMNS, 'e').replace('payload text', 'payload json');

const INSERT_BATCH = `
  with inserted as (
    insert into events (${EVENT_COLUMNS.join(', ')})
    select ${EVENT_COLUMNS.map((c) => (c === 'payload' ? 'payload::text' : c)).join(', ')} from ${EVENT_RECORDSET}
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
 * A batch of rows as the JSON array `json_to_recordset` reads, written by hand: a column that is
 * null is left out (the recordset reads a missing key as null), and an event's `payload`, JSON
 * text made by `JSON.stringify`, goes in as it is rather than as a string, so that neither Node
 * escapes it nor PostgreSQL unescapes it again. Half the bytes of `JSON.stringify(rows)` for a
 * pending delivery row.
 */
function batchJson<Row extends object>(
  rows: readonly Row[],
  columns: readonly (keyof Row & string)[],
): string {
  let out = '[';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let object = '';
    for (const column of columns) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      const json = column === 'payload' ? (value as string) : JSON.stringify(value);
      object += `${object === '' ? '{' : ','}"${column}":${json}`;
    }
    out += `${i === 0 ? '' : ','}${object === '' ? '{' : object}}`;
  }
  return `${out}]`;
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
    batchJson(events, EVENT_COLUMNS),
    batchJson(rows, DELIVERY_COLUMNS),
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
