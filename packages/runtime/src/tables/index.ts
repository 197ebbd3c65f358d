/**
 * Tables, action and waterfall columns, mirroring and waterfalls: the table is the audit log.
 * Reach them through `runtime.org(id).tables`, `.columns` and `.waterfalls`.
 *
 * @example
 * ```ts
 * const org = runtime.org('default');
 * await org.tables.importCsv('leads', './leads.csv');
 * await org.columns.add('leads', 'hubspot_id', {
 *   integration: 'hubspot', action: 'contact.upsert',
 *   map: { email: '{{row.email}}', firstname: '{{row.first_name}}' },
 * });
 * const report = await org.columns.run('leads', 'hubspot_id');
 * for await (const row of org.tables.export('leads')) console.log(row.cells.hubspot_id);
 * ```
 *
 * @module
 */

export type {
  CellSyncStatus,
  TableCellsTable,
  TableColumnKind,
  TableColumnsTable,
  TableRowsTable,
  TablesTable,
  WaterfallsTable,
} from '../store/types.js';
export { OrgColumns } from './columns.js';
export type { CsvSource } from './csv.js';
export type { TablesHost } from './host.js';
export {
  type EventRecordKeys,
  eventRecordKeys,
  type MirrorEventResult,
  mirrorEventToCells,
} from './mirror.js';
export { cellText } from './records.js';
export { OrgTables } from './tables.js';
export { templateRefs } from './template.js';
export * from './types.js';
export { MAX_WATERFALL_STEPS, OrgWaterfalls, parseStep } from './waterfalls.js';
export { parseWhere } from './where.js';
