/**
 * Provider events into mirrored cells: an event about a record (a HubSpot contact deleted, an
 * Instantly reply from a lead) is appended to `provenance.events` of every cell that mirrors that
 * record, so provider state stays inspectable from the table.
 *
 * Which record an event concerns is read from common fields of its normalized `data`, per event,
 * without anything in the plugin contract:
 *
 * | field | providers | matched against |
 * | --- | --- | --- |
 * | `object_id` | HubSpot (`contact.deleted`, `contact.property_changed`, ...) | the cell's `value` |
 * | `record_id`, `id.record_id` | Attio record events | the cell's `value` |
 * | `id.entry_id` | Attio list-entry events | the cell's `value` |
 * | `parent_record_id` | Attio notes and list entries (the record they are on) | the cell's `value` |
 * | `lead_id` | lead events carrying the lead's id | the cell's `value` |
 * | `lead_email`, `email` | Instantly (`email.reply_received`, ...) | the email in the cell's input |
 *
 * Only cells written through the event's connection match (record ids are per account).
 *
 * @module
 */

import type { NormalizedEvent } from '../engine/webhooks.js';
import type { Store } from '../store/types.js';
import { now, parseJson } from './records.js';
import { type CellEvent, MAX_CELL_EVENTS } from './types.js';

/** The record keys an event carries. */
export interface EventRecordKeys {
  /** Provider record ids, compared with cells' `value`. */
  ids: string[];
  /** Lower-cased emails, compared with the email of cells' input. */
  emails: string[];
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * The record keys of an event's data (see the module's table of fields).
 *
 * @example
 * ```ts
 * eventRecordKeys({ object_id: '123', subscription_type: 'contact.deletion' }); // { ids: ['123'], emails: [] }
 * eventRecordKeys({ lead_email: 'Ada@Example.com', event_type: 'reply_received' }); // { ids: [], emails: ['ada@example.com'] }
 * ```
 */
export function eventRecordKeys(data: Readonly<Record<string, unknown>>): EventRecordKeys {
  const nested = typeof data.id === 'object' && data.id !== null ? (data.id as Record<string, unknown>) : {};
  const ids = [
    data.object_id,
    data.record_id,
    nested.record_id,
    nested.entry_id,
    data.parent_record_id,
    data.lead_id,
  ]
    .map(text)
    .filter((v): v is string => v !== undefined);
  const emails = [data.lead_email, data.email]
    .map(text)
    .filter((v): v is string => v?.includes('@') === true)
    .map((v) => v.toLowerCase());
  return { ids: [...new Set(ids)], emails: [...new Set(emails)] };
}

/** What {@link mirrorEventToCells} updated. */
export interface MirrorEventResult {
  /** The cells whose provenance gained the event. */
  cells: {
    /** The cell's table. */
    table_id: string;
    /** The cell's row. */
    row_id: string;
    /** The cell's column. */
    column_id: string;
  }[];
}

/**
 * Appends an accepted provider event to `provenance.events` of the cells that mirror the record
 * it concerns (same organization and connection; record id or lead email, see the module doc).
 * Idempotent per event id; each cell keeps the newest {@link MAX_CELL_EVENTS} events. The events
 * ingress calls it for each accepted event.
 *
 * @example
 * ```ts
 * // after the ingress accepted `event` (a HubSpot contact.deleted with data.object_id '101'):
 * const { cells } = await mirrorEventToCells(runtime.store, event);
 * // the cell whose value is '101' now has provenance.events [{ type: 'contact.deleted', at, event_id }]
 * ```
 */
export async function mirrorEventToCells(
  store: Store,
  event: Pick<NormalizedEvent, 'id' | 'type' | 'occurred_at' | 'organization_id' | 'connection_id' | 'data'>,
): Promise<MirrorEventResult> {
  const keys = eventRecordKeys(event.data ?? {});
  if (keys.ids.length === 0 && keys.emails.length === 0) return { cells: [] };
  const entry: CellEvent = { type: event.type, at: event.occurred_at, event_id: event.id };
  return store.transaction(async (trx) => {
    let query = trx.db
      .selectFrom('table_cells')
      .select(['row_id', 'column_id', 'table_id', 'events'])
      .where('organization_id', '=', event.organization_id)
      .where('connection_id', '=', event.connection_id)
      .where((eb) => {
        const ors = [];
        if (keys.ids.length > 0) ors.push(eb('value', 'in', keys.ids));
        if (keys.emails.length > 0) ors.push(eb('record_email', 'in', keys.emails));
        return eb.or(ors);
      });
    // Two events for one cell at once must not lose either: hold the rows until the update.
    if (trx.dialect === 'postgres') query = query.forUpdate();
    const matched = await query.execute();
    const cells: MirrorEventResult['cells'] = [];
    for (const cell of matched) {
      const events = parseJson<CellEvent[]>(cell.events, []);
      if (!events.some((e) => e.event_id === entry.event_id)) {
        events.push(entry);
        events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
        await trx.db
          .updateTable('table_cells')
          .set({ events: JSON.stringify(events.slice(-MAX_CELL_EVENTS)), updated_at: now() })
          .where('row_id', '=', cell.row_id)
          .where('column_id', '=', cell.column_id)
          .execute();
      }
      cells.push({ table_id: cell.table_id, row_id: cell.row_id, column_id: cell.column_id });
    }
    return { cells };
  });
}
