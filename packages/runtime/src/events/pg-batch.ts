/**
 * The ingress's and the delivery worker's batch writes on PostgreSQL, each one statement: every
 * round trip costs a write, a wake-up of the database backend and a read, which under load costs
 * more than the rows themselves. The rows travel as one JSON parameter per table
 * (`json_to_recordset`), so the statement's text is the same whatever the batch size.
 *
 * @module
 */

import { type RawBuilder, sql } from 'kysely';
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
 * `json_to_recordset($1) as alias(col type, ...)` over `rows`: the batch is one JSON parameter
 * (serialized natively), not a parameter per value.
 */
function recordset<Row, Column extends keyof Row & string>(
  rows: Row[],
  columns: readonly Column[],
  alias: string,
): RawBuilder<unknown> {
  const types = columns.map((c) => `${c} ${INTEGER_COLUMNS.has(c) ? 'int' : 'text'}`).join(', ');
  return sql`json_to_recordset(${JSON.stringify(rows)}::json) as ${sql.raw(alias)}(${sql.raw(types)})`;
}

/**
 * Inserts `events` (those already stored — same organization, provider and provider event id —
 * are skipped) and `rows`, except the rows of skipped events, in one statement. Returns the ids
 * of the events inserted.
 */
export async function insertEventsAndRows(
  store: Store,
  events: EventsTable[],
  rows: EventDeliveriesTable[],
): Promise<Set<string>> {
  const columns = sql.raw(DELIVERY_COLUMNS.join(', '));
  const { rows: result } = await sql<{ id: string }>`
    with inserted as (
      insert into events (${sql.raw(EVENT_COLUMNS.join(', '))})
      select ${sql.raw(EVENT_COLUMNS.join(', '))} from ${recordset(events, EVENT_COLUMNS, 'e')}
      on conflict (organization_id, provider, provider_event_id) do nothing
      returning id
    ), logged as (
      insert into event_deliveries (${columns})
      select ${columns} from ${recordset(rows, DELIVERY_COLUMNS, 'd')}
      where d.event_id is null or d.event_id in (select id from inserted)
    )
    select id from inserted`.execute(store.db);
  return new Set(result.map((r) => r.id));
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
  const set = FINISHED_COLUMNS.filter((c) => c !== 'id').map((c) => sql.raw(`${c} = f.${c}`));
  await sql`
    update event_deliveries as d
    set ${sql.join(set)}, locked_until = null, updated_at = ${at}
    from ${recordset(finished, FINISHED_COLUMNS, 'f')}
    where d.id = f.id and d.locked_until = ${lease}`.execute(store.db);
}
