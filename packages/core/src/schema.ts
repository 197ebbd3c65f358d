/**
 * Schema helpers: JSON Schema derived from zod, and validation with errors a person can act on.
 *
 * @module
 */

import { z } from 'zod';
import { ValidationError } from './errors.js';

/** A JSON Schema document (draft 2020-12). */
export type JsonSchema = Record<string, unknown>;

/**
 * Derives JSON Schema from a zod schema. `io: 'input'` describes what a caller may send
 * (defaults optional), `'output'` what the action returns.
 *
 * @example
 * ```ts
 * toJsonSchema(z.object({ email: z.email() })) // { type: 'object', properties: { email: { type: 'string', format: 'email', ... } } }
 * ```
 */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
}

/**
 * Parses `value` with `schema`, throwing a {@link ValidationError} that names the first bad
 * field and says what was expected.
 *
 * @param what - what is being validated, for the message (`"input of hubspot contact.upsert"`).
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const detail = issue ? describeIssue(issue) : 'is invalid';
  const message = field ? `Invalid ${what}: "${field}" ${detail}` : `Invalid ${what}: ${detail}`;
  return throwValidation(message, field, result.error.issues);
}

function throwValidation(message: string, field: string | undefined, issues: z.core.$ZodIssue[]): never {
  throw new ValidationError(message, {
    field,
    hint: 'Fix the field and try again; `oxygen integrations actions <integration-id> --json` shows the input schema.',
    data: {
      issues: issues.slice(0, 10).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    },
  });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
    return `is required (expected ${issue.expected})`;
  }
  if (issue.code === 'unrecognized_keys') return `has unknown field(s): ${issue.keys.join(', ')}`;
  return `is invalid: ${issue.message.replace(/^Invalid input: /, '')}`;
}
