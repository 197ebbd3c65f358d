/**
 * Column maps: action input fields wired to row values with `{{row.<column>}}` templates, checked
 * against the action's input schema when a column is added and rendered per row when it runs.
 *
 * @module
 */

import { createHash } from 'node:crypto';
import { type ActionDefinition, type JsonSchema, ValidationError } from '@oxygen/core';
import type { CellValue, ColumnMap } from './types.js';

const REF = /\{\{\s*row\.([^{}]+?)\s*\}\}/g;
const WHOLE = /^\{\{\s*row\.([^{}]+?)\s*\}\}$/;
const ANY_TEMPLATE = /\{\{([^{}]*)\}\}/g;

/** A problem in a map, at a dotted input path. */
interface MapIssue {
  field: string;
  message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The row columns a map reads, in first-seen order.
 *
 * @example
 * ```ts
 * templateRefs({ email: '{{row.email}}', name: '{{row.first}} {{row.last}}' }); // ['email', 'first', 'last']
 * ```
 */
export function templateRefs(map: unknown): string[] {
  const out = new Set<string>();
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(REF)) out.add(m[1]!.trim());
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v);
    } else if (isPlainObject(value)) {
      for (const v of Object.values(value)) walk(v);
    }
  };
  walk(map);
  return [...out];
}

/** Throws a ValidationError naming the field when a `{{...}}` is not `{{row.<column>}}`. */
function checkSyntax(map: unknown, path: string[] = []): void {
  if (typeof map === 'string') {
    for (const m of map.matchAll(ANY_TEMPLATE)) {
      if (!/^\s*row\.[^{}]+$/.test(m[1]!)) {
        const field = path.join('.');
        throw new ValidationError(
          `The map's "${field}" has a template "${m[0]}" that is not {{row.<column>}}.`,
          {
            field,
            hint: 'Templates read the row: write "{{row.email}}" for the email column.',
          },
        );
      }
    }
  } else if (Array.isArray(map)) {
    for (const [i, v] of map.entries()) checkSyntax(v, [...path, String(i)]);
  } else if (isPlainObject(map)) {
    for (const [k, v] of Object.entries(map)) checkSyntax(v, [...path, k]);
  }
}

/** Whether a map value holds a template anywhere. */
function hasTemplate(value: unknown): boolean {
  return templateRefs(value).length > 0;
}

/** The JSON Schema types a property allows (through `anyOf` / `oneOf`). */
function typesOf(schema: JsonSchema | undefined): Set<string> {
  const out = new Set<string>();
  if (!schema) return out;
  const t = schema.type;
  if (typeof t === 'string') out.add(t);
  else if (Array.isArray(t)) for (const x of t) out.add(String(x));
  for (const key of ['anyOf', 'oneOf'] as const) {
    const members = schema[key];
    if (Array.isArray(members)) for (const m of members) for (const x of typesOf(m as JsonSchema)) out.add(x);
  }
  return out;
}

/** The schema of `key` inside an object schema: its property, or its additional properties. */
function propertySchema(schema: JsonSchema | undefined, key: string): JsonSchema | undefined {
  if (!schema) return undefined;
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (props?.[key]) return props[key];
  const extra = schema.additionalProperties;
  return isPlainObject(extra) ? (extra as JsonSchema) : undefined;
}

/** Checks map keys against an object schema: unknown fields, missing required ones, nested too. */
function checkAgainst(
  map: Record<string, unknown>,
  schema: JsonSchema,
  path: string[],
  issues: MapIssue[],
): void {
  const props = schema.properties as Record<string, JsonSchema> | undefined;
  if (!props) return; // not an object schema we can see into (a union, a record): the run checks
  const extra = schema.additionalProperties;
  const open = extra === true || isPlainObject(extra);
  for (const [key, value] of Object.entries(map)) {
    const field = [...path, key].join('.');
    const sub = props[key];
    if (!sub) {
      if (!open) {
        issues.push({
          field,
          message: `"${field}" is not an input field of this action (it has: ${Object.keys(props).join(', ')})`,
        });
      }
      continue;
    }
    if (isPlainObject(value) && sub.properties) checkAgainst(value, sub, [...path, key], issues);
  }
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  for (const key of required) {
    if (!(key in map)) {
      const field = [...path, key].join('.');
      issues.push({ field, message: `"${field}" is required by this action but the map does not set it` });
    }
  }
}

/**
 * Checks a map for an action: template syntax, unknown input fields and missing required ones
 * (against the input's JSON Schema, nested objects too), constant values against the field's
 * schema, and columns the table does not have.
 *
 * @param columns - The columns templates may read (the table's data and computed columns);
 * `undefined` skips that check (a waterfall step not yet tied to a table).
 * @throws ValidationError naming the field (or the unknown columns) and what is wrong.
 */
export function checkMap(
  map: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
  action: ActionDefinition<any, any>,
  inputSchema: JsonSchema,
  columns: readonly string[] | undefined,
  where: string,
): ColumnMap {
  if (!isPlainObject(map)) {
    throw new ValidationError(`The map for ${where} must be a JSON object of input field to template.`, {
      field: 'map',
      hint: 'For example: {"email":"{{row.email}}","firstname":"{{row.first_name}}"}.',
    });
  }
  checkSyntax(map);
  const issues: MapIssue[] = [];
  checkAgainst(map, inputSchema, [], issues);
  if (issues.length > 0) {
    throw new ValidationError(`Invalid map for ${where}: ${issues.map((i) => i.message).join('; ')}.`, {
      field: issues[0]!.field,
      hint: `\`oxygen integrations actions <integration-id> --json\` shows ${action.slug}'s input schema.`,
      data: { issues },
    });
  }
  // Constants are known now: check them against their field's schema (templates are checked per row).
  const shape = (
    action.input as {
      shape?: Record<
        string,
        { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }
      >;
    }
  ).shape;
  if (shape) {
    for (const [key, value] of Object.entries(map)) {
      if (hasTemplate(value) || !shape[key]) continue;
      const result = shape[key].safeParse(value);
      if (!result.success) {
        throw new ValidationError(
          `Invalid map for ${where}: "${key}" is invalid: ${result.error?.issues[0]?.message ?? 'rejected by the input schema'}.`,
          {
            field: key,
            hint: `\`oxygen integrations actions <integration-id> --json\` shows ${action.slug}'s input schema.`,
          },
        );
      }
    }
  }
  if (columns) {
    const known = new Set(columns);
    const unknown = templateRefs(map).filter((c) => !known.has(c));
    if (unknown.length > 0) {
      throw new ValidationError(
        `The map for ${where} reads column${unknown.length > 1 ? 's' : ''} the table does not have: ${unknown.join(', ')}.`,
        {
          field: 'map',
          hint: `The table's columns: ${columns.join(', ') || '(none)'}.`,
          data: { unknown_columns: unknown },
        },
      );
    }
  }
  return map;
}

/** Whether a row value counts as absent (not sent). */
export function isBlank(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Coerces a row value to what the input field's schema wants (CSV values are strings). */
function coerce(value: CellValue, schema: JsonSchema | undefined): unknown {
  const types = typesOf(schema);
  if (types.size === 0) return value;
  if (typeof value === 'string') {
    if (types.has('string')) return value;
    const text = value.trim();
    if ((types.has('number') || types.has('integer')) && text !== '' && Number.isFinite(Number(text))) {
      return Number(text);
    }
    if (types.has('boolean') && /^(true|false)$/i.test(text)) return text.toLowerCase() === 'true';
    return value;
  }
  if (
    (typeof value === 'number' || typeof value === 'boolean') &&
    types.has('string') &&
    !types.has(typeof value)
  ) {
    return String(value);
  }
  return value;
}

function stringOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Renders a map for one row: `"{{row.x}}"` alone takes the value (left out when empty, coerced to
 * the field's type), templates inside text are interpolated (the result trimmed; left out when
 * empty), constants pass through.
 *
 * @example
 * ```ts
 * renderMap({ email: '{{row.email}}', note: 'Hi {{row.first}}', size: '{{row.size}}' },
 *   { email: 'ada@example.com', first: 'Ada', size: '' }, schema);
 * // { email: 'ada@example.com', note: 'Hi Ada' }
 * ```
 */
export function renderMap(
  map: ColumnMap,
  row: Readonly<Record<string, CellValue | undefined>>,
  schema: JsonSchema | undefined,
): Record<string, unknown> {
  const render = (value: unknown, sub: JsonSchema | undefined): unknown => {
    if (typeof value === 'string') {
      const whole = WHOLE.exec(value);
      if (whole) {
        const v = row[whole[1]!.trim()];
        return isBlank(v) ? undefined : coerce(v as CellValue, sub);
      }
      if (!value.includes('{{')) return value;
      // Trimmed, so "{{row.first}} {{row.last}}" without a last name has no trailing space.
      const text = value.replace(REF, (_, name: string) => stringOf(row[name.trim()])).trim();
      return text === '' ? undefined : text;
    }
    if (Array.isArray(value)) {
      const items = sub?.items as JsonSchema | undefined;
      return value.map((v) => render(v, items)).filter((v) => v !== undefined);
    }
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const r = render(v, propertySchema(sub, k));
        if (r !== undefined) out[k] = r;
      }
      return out;
    }
    return value;
  };
  return render(map, schema) as Record<string, unknown>;
}

/** JSON with object keys sorted, so equal values hash equally. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (isPlainObject(value)) {
    return `{${Object.keys(value)
      .sort()
      .filter((k) => value[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${stableJson(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/** Hex SHA-256 of a value's stable JSON. */
export function hashOf(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('hex');
}

/** Reads a dotted path (`person.email`, `emails.0`) from a value. */
export function pick(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const part of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** Whether an output counts as "no result": nothing, an empty string, an empty list or object. */
export function isEmptyResult(value: unknown): boolean {
  if (isBlank(value)) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  return false;
}

/**
 * Checks that an output path exists in an action's output schema (as far as the schema says).
 *
 * @throws ValidationError naming the path and the fields the output has.
 */
export function checkOutputPath(
  path: string,
  outputSchema: JsonSchema,
  where: string,
  field = 'output',
): string {
  const text = typeof path === 'string' ? path.trim() : '';
  if (!text) throw new ValidationError(`An output field is required for ${where}.`, { field });
  let schema: JsonSchema | undefined = outputSchema;
  for (const part of text.split('.')) {
    const props = schema?.properties as Record<string, JsonSchema> | undefined;
    if (!props) return text; // the schema says no more (a union, a record, any): trust the path
    if (!props[part]) {
      throw new ValidationError(
        `${where} has no output field "${text}" (at "${part}"; it has: ${Object.keys(props).join(', ')}).`,
        { field, hint: '`oxygen integrations actions <integration-id> --json` shows the output schema.' },
      );
    }
    schema = props[part];
  }
  return text;
}
