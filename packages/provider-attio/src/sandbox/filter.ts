/**
 * The part of Attio's record filtering and sorting the sandbox implements (docs.attio.com,
 * "Filtering and sorting"): shorthand equality (`{"email_addresses": "ada@example.com"}`),
 * operators on an attribute (`$eq`, `$in`, `$contains`, `$starts_with`, `$ends_with`, `$lt`,
 * `$lte`, `$gt`, `$gte`, `$not_empty`), operators on a field of the value
 * (`{"name": {"last_name": {"$eq": "Lovelace"}}}`), and `$and`, `$or`, `$not`. Anything else is
 * Attio's 400 `filter_error`. Sorts by attribute (and field); `path` sorts are not implemented.
 *
 * @module
 */

import { AttioError, validationError } from './errors.js';
import type { SandboxObject, SandboxRecord, StoredValue, Workspace } from './store.js';
import { mainField } from './values.js';

function filterError(message: string): AttioError {
  return new AttioError(400, 'invalid_request_error', 'filter_error', message);
}

const OPERATORS = new Set([
  '$eq',
  '$in',
  '$contains',
  '$starts_with',
  '$ends_with',
  '$lt',
  '$lte',
  '$gt',
  '$gte',
  '$not_empty',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

function same(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** True when one of `candidates` satisfies every operator in `ops`. */
function evalOperators(candidates: unknown[], ops: Record<string, unknown>): boolean {
  return Object.entries(ops).every(([op, operand]) => {
    if (!OPERATORS.has(op)) throw filterError(`Unknown filter operator "${op}".`);
    if (op === '$not_empty') {
      if (typeof operand !== 'boolean') throw filterError('$not_empty takes true or false.');
      return candidates.some((c) => c !== null && c !== undefined && c !== '') === operand;
    }
    if (op === '$in') {
      if (!Array.isArray(operand)) throw filterError('$in takes a list of values.');
      return candidates.some((c) => operand.some((o) => same(c, o)));
    }
    if (operand === null || typeof operand === 'object')
      throw filterError(`${op} takes a string, number or boolean.`);
    return candidates.some((c) => {
      if (c === null || c === undefined) return false;
      const text = String(c).toLowerCase();
      const want = String(operand).toLowerCase();
      switch (op) {
        case '$eq':
          return same(c, operand);
        case '$contains':
          return text.includes(want);
        case '$starts_with':
          return text.startsWith(want);
        case '$ends_with':
          return text.endsWith(want);
        case '$lt':
          return compare(c, operand) < 0;
        case '$lte':
          return compare(c, operand) <= 0;
        case '$gt':
          return compare(c, operand) > 0;
        default:
          return compare(c, operand) >= 0;
      }
    });
  });
}

function evalCondition(candidates: unknown[], condition: unknown): boolean {
  if (isPlainObject(condition)) return evalOperators(candidates, condition);
  if (Array.isArray(condition)) throw filterError('A filter value cannot be a list; use $in.');
  if (condition === null) return candidates.length === 0;
  return candidates.some((c) => same(c, condition));
}

function matchesAttribute(type: string, values: StoredValue[], condition: unknown): boolean {
  if (!isPlainObject(condition))
    return evalCondition(
      values.map((v) => mainField(type, v)),
      condition,
    );
  const keys = Object.keys(condition);
  if (keys.every((k) => k.startsWith('$')))
    return evalOperators(
      values.map((v) => mainField(type, v)),
      condition,
    );
  if (keys.some((k) => k.startsWith('$')))
    throw filterError('Do not mix operators and value fields in one condition.');
  // fields of one value: all must hold on the same value
  return values.some((v) =>
    keys.every((field) => {
      if (!(field in v)) throw filterError(`Values of type ${type} have no field "${field}".`);
      const fieldValue = v[field];
      const candidate = isPlainObject(fieldValue) && 'title' in fieldValue ? fieldValue.title : fieldValue;
      return evalCondition([candidate], condition[field]);
    }),
  );
}

/** True when `record` passes `filter`. */
export function matches(
  object: SandboxObject,
  record: SandboxRecord,
  filter: Record<string, unknown>,
): boolean {
  return Object.entries(filter).every(([key, condition]) => {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || !condition.every(isPlainObject))
        throw filterError(`${key} takes a list of filters.`);
      const results = condition.map((f) => matches(object, record, f));
      return key === '$and' ? results.every(Boolean) : results.some(Boolean);
    }
    if (key === '$not') {
      if (!isPlainObject(condition)) throw filterError('$not takes a filter.');
      return !matches(object, record, condition);
    }
    if (key.startsWith('$')) throw filterError(`Unknown filter operator "${key}".`);
    const attribute = object.attributes.find((a) => a.api_slug === key || a.attribute_id === key);
    if (!attribute) throw filterError(`Unknown attribute slug/ID "${key}" in filter.`);
    return matchesAttribute(attribute.type, record.values[attribute.api_slug] ?? [], condition);
  });
}

/** Sort rules as the query body gives them. */
export type Sort = {
  direction: 'asc' | 'desc';
  attribute?: string;
  path?: [string, string][];
  field?: string;
};

/** Sorts records in place by the rules, in order; empty values last. */
export function sortRecords(object: SandboxObject, records: SandboxRecord[], sorts: Sort[]): SandboxRecord[] {
  const keys = sorts.map((s) => {
    if (s.path)
      throw validationError('Sorting by path is not implemented by the Attio sandbox; sort by attribute.');
    const attribute = object.attributes.find(
      (a) => a.api_slug === s.attribute || a.attribute_id === s.attribute,
    );
    if (!attribute) throw filterError(`Unknown attribute slug/ID "${s.attribute}" in sorts.`);
    return { attribute, field: s.field, sign: s.direction === 'desc' ? -1 : 1 };
  });
  const keyOf = (record: SandboxRecord, k: (typeof keys)[number]) => {
    const first = record.values[k.attribute.api_slug]?.[0];
    if (!first) return undefined;
    return k.field ? first[k.field] : mainField(k.attribute.type, first);
  };
  return records.sort((a, b) => {
    for (const k of keys) {
      const x = keyOf(a, k);
      const y = keyOf(b, k);
      if (x === y) continue;
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      const c = compare(x, y);
      if (c !== 0) return c * k.sign;
    }
    return 0;
  });
}

/** `POST /v2/objects/{object}/records/query`: filter, sort, then offset and limit (default 500). */
export function queryRecords(
  workspace: Workspace,
  objectId: string,
  body: {
    filter?: Record<string, unknown> | undefined;
    sorts?: Sort[] | undefined;
    limit?: number | undefined;
    offset?: number | undefined;
  },
): SandboxRecord[] {
  const object = workspace.object(objectId);
  const records = [...workspace.records.values()].filter(
    (r) => r.object === object.api_slug && (!body.filter || matches(object, r, body.filter)),
  );
  // Attio's default order is creation order
  records.sort((a, b) => a.created_at.localeCompare(b.created_at));
  sortRecords(object, records, body.sorts ?? []);
  const offset = body.offset ?? 0;
  return records.slice(offset, offset + (body.limit ?? 500));
}
