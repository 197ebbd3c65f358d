/**
 * Row filters for column runs (`--where`): conditions on data values, computed cells' values,
 * their sync status or error text.
 *
 * @module
 */

import { ValidationError } from '@oxygen/core';
import type { Cell, CellValue, RowCondition, RowWhere } from './types.js';

/**
 * Parses one `--where` condition: `column=value`, `column!=value`, `column=` (empty) or
 * `column!=` (not empty). The column may be `<computed>.sync_status` or `<computed>.error`.
 *
 * @throws ValidationError when there is no `=`.
 *
 * @example
 * ```ts
 * parseWhere('country=FR');                 // { column: 'country', op: 'eq', value: 'FR' }
 * parseWhere('hubspot_id.sync_status=failed');
 * parseWhere('email!=');                    // { column: 'email', op: 'not_empty' }
 * ```
 */
export function parseWhere(expression: string): RowCondition {
  const m = /^\s*([^!=]+?)\s*(!=|=)(.*)$/s.exec(expression);
  if (!m) {
    throw new ValidationError(`"${expression}" is not a condition.`, {
      field: 'where',
      hint: 'Write column=value, column!=value, column= (empty) or column!= (not empty).',
    });
  }
  const column = m[1]!;
  const value = m[3]!.trim();
  if (m[2] === '=') return value === '' ? { column, op: 'empty' } : { column, op: 'eq', value };
  return value === '' ? { column, op: 'not_empty' } : { column, op: 'ne', value };
}

/** Normalises a {@link RowWhere} to conditions. */
export function conditionsOf(where: RowWhere | undefined): RowCondition[] {
  if (!where) return [];
  if (Array.isArray(where)) return [...(where as readonly RowCondition[])];
  return Object.entries(where as Record<string, string | number | boolean | null>).map(([column, value]) =>
    value === null || value === '' ? { column, op: 'empty' as const } : { column, op: 'eq' as const, value },
  );
}

/** A condition resolved against a table's columns. */
export interface BoundCondition {
  condition: RowCondition;
  /** Where the compared value comes from. */
  source:
    | { kind: 'data'; column: string }
    | { kind: 'cell'; columnId: string; field: 'value' | 'sync_status' | 'error' };
}

/**
 * Binds conditions to the table's columns.
 *
 * @throws ValidationError naming an unknown column or operator.
 */
export function bindConditions(
  conditions: readonly RowCondition[],
  dataColumns: readonly string[],
  computed: readonly { id: string; name: string }[],
): BoundCondition[] {
  const data = new Set(dataColumns);
  return conditions.map((condition) => {
    if (!['eq', 'ne', 'empty', 'not_empty'].includes(condition.op)) {
      throw new ValidationError(`Unknown operator "${condition.op}" in a row condition.`, {
        field: 'where',
        hint: 'Use eq, ne, empty or not_empty.',
      });
    }
    const name = condition.column?.trim() ?? '';
    if (data.has(name)) return { condition, source: { kind: 'data', column: name } };
    const whole = computed.find((c) => c.name === name);
    if (whole) return { condition, source: { kind: 'cell', columnId: whole.id, field: 'value' } };
    for (const field of ['sync_status', 'error'] as const) {
      const suffix = `.${field}`;
      if (name.endsWith(suffix)) {
        const column = computed.find((c) => c.name === name.slice(0, -suffix.length));
        if (column) return { condition, source: { kind: 'cell', columnId: column.id, field } };
      }
    }
    throw new ValidationError(`Row condition on "${name}": the table has no such column.`, {
      field: 'where',
      hint: `Columns: ${[...dataColumns, ...computed.flatMap((c) => [c.name, `${c.name}.sync_status`, `${c.name}.error`])].join(', ')}.`,
    });
  });
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Whether a row satisfies every condition. */
export function matches(
  bound: readonly BoundCondition[],
  data: Readonly<Record<string, CellValue>>,
  cellOf: (columnId: string) => Cell | undefined,
): boolean {
  for (const { condition, source } of bound) {
    let actual: unknown;
    if (source.kind === 'data') actual = data[source.column];
    else {
      const cell = cellOf(source.columnId);
      actual =
        source.field === 'value'
          ? cell?.value
          : source.field === 'error'
            ? cell?.error
            : cell?.provenance.outputs.sync_status;
    }
    const text = asText(actual);
    const ok =
      condition.op === 'empty'
        ? text.trim() === ''
        : condition.op === 'not_empty'
          ? text.trim() !== ''
          : condition.op === 'eq'
            ? text === asText(condition.value)
            : text !== asText(condition.value);
    if (!ok) return false;
  }
  return true;
}
