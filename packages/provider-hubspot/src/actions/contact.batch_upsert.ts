import { type ActionContext, AuthError, defineAction, isDryRunHalt, OxygenError } from '@oxygen/core';
import { z } from 'zod';
import { CONTACT_EMAIL, contactFields, toWireProperties } from '../shared.js';
import { parseWire, wireBatchUpsertResponse } from '../wire.js';

/** HubSpot's batch endpoints take at most 100 inputs per request. */
export const BATCH_SIZE = 100;
/** The most contacts one call takes (100 requests). */
export const MAX_CONTACTS = 10_000;

const contactRow = z.strictObject({
  email: z.string().trim().min(1).describe('The contact email: the key each row upserts on.'),
  ...contactFields,
});

const rowResult = z.object({
  index: z.number().int().describe('The row position in the input, from 0.'),
  email: z.string(),
  status: z.enum(['created', 'updated', 'failed']),
  id: z.string().optional().describe('HubSpot contact id, when the row was written.'),
  error: z.string().optional().describe("Why the row was not written (HubSpot's message where it gave one)."),
});
type RowResult = z.infer<typeof rowResult>;
type Row = z.infer<typeof contactRow>;

/** One row to send: its position, its normalised email, and its batch input. */
interface Pending {
  index: number;
  email: string;
  input: { idProperty: 'email'; id: string; objectWriteTraceId: string; properties: Record<string, string> };
}

/**
 * Creates or updates many contacts by email (`POST /crm/v3/objects/contacts/batch/upsert`),
 * 100 per request, in input order. Each row gets its own result: `created`, `updated` or `failed`
 * with HubSpot's reason. Rows that are not email addresses, and repeats of an email already in the
 * call, fail without being sent. A request HubSpot refuses as a whole (400) fails its rows and the
 * next requests still go; any other failure after some rows were written (rate limit outlasting
 * the retries, HubSpot down) fails the remaining rows with its message, so the output always says
 * which rows were written. A refused credential fails the call.
 *
 * @example
 * ```sh
 * oxygen integrations run hubspot contact.batch_upsert \
 *   --input '{"contacts":[{"email":"ada@example.com","firstname":"Ada"},{"email":"grace@example.com","lifecyclestage":"lead"}]}' --json
 * # {"results":[{"index":0,"email":"ada@example.com","status":"created","id":"101"},...],"created":2,"updated":0,"failed":0}
 * ```
 */
export const contactBatchUpsert = defineAction({
  slug: 'contact.batch_upsert',
  title: 'Create or update contacts in bulk',
  description: `Creates or updates up to ${MAX_CONTACTS.toLocaleString('en-US')} HubSpot contacts by email, ${BATCH_SIZE} per request, reporting created, updated or failed (with HubSpot's reason) for every row.`,
  input: z.strictObject({
    contacts: z.array(contactRow).min(1).max(MAX_CONTACTS).describe('The contacts, one row each.'),
  }),
  output: z.object({
    results: z.array(rowResult).describe('One result per input row, in input order.'),
    created: z.number().int(),
    updated: z.number().int(),
    failed: z.number().int(),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: true, // an upsert by email: sending a batch twice leaves HubSpot as sending it once
  scopes: ['crm.objects.contacts.write'],
  // No mirror: one call writes many records, and each row's id is in `results[].id`.
  run: async (input, ctx) => {
    const results: RowResult[] = new Array(input.contacts.length);
    const pending = prepare(input.contacts, results);
    let written = false;
    for (let start = 0; start < pending.length; start += BATCH_SIZE) {
      const chunk = pending.slice(start, start + BATCH_SIZE);
      try {
        await sendChunk(ctx, chunk, results);
        written = true;
      } catch (error) {
        if (isDryRunHalt(error) || AuthError.isInstance(error) || !OxygenError.isInstance(error)) throw error;
        if (error.code === 'validation') {
          failAll(chunk, results, error.providerMessage ?? error.message);
          continue;
        }
        if (!written) throw error; // nothing was written: a plain failure says it best
        failAll(pending.slice(start), results, `not written: ${error.providerMessage ?? error.message}`);
        break;
      }
    }
    return {
      results,
      created: results.filter((r) => r.status === 'created').length,
      updated: results.filter((r) => r.status === 'updated').length,
      failed: results.filter((r) => r.status === 'failed').length,
    };
  },
});

/** Fails rows that cannot be sent (not an email, a repeated email); returns the rest, in order. */
function prepare(rows: Row[], results: RowResult[]): Pending[] {
  const firstRow = new Map<string, number>();
  const pending: Pending[] = [];
  rows.forEach((row, index) => {
    const { email, properties, ...named } = row;
    const key = email.toLowerCase();
    if (!CONTACT_EMAIL.test(email)) {
      results[index] = {
        index,
        email,
        status: 'failed',
        error: 'not an email address; the row was not sent',
      };
      return;
    }
    const first = firstRow.get(key);
    if (first !== undefined) {
      results[index] = {
        index,
        email,
        status: 'failed',
        error: `the same email as row ${first}; the row was not sent (HubSpot refuses a batch that names one contact twice)`,
      };
      return;
    }
    firstRow.set(key, index);
    pending.push({
      index,
      email,
      input: {
        idProperty: 'email',
        id: email,
        // HubSpot echoes objectWriteTraceId on each result: it ties results to rows.
        objectWriteTraceId: String(index),
        properties: toWireProperties(properties, named, { email }),
      },
    });
  });
  return pending;
}

async function sendChunk(ctx: ActionContext, chunk: Pending[], results: RowResult[]): Promise<void> {
  const response = await ctx.http.post('crm/v3/objects/contacts/batch/upsert', {
    json: { inputs: chunk.map((p) => p.input) },
    responseType: 'json',
  });
  const body = parseWire(wireBatchUpsertResponse, response.body, 'the contact batch upsert');
  const byTrace = new Map(chunk.map((p) => [String(p.index), p]));
  const byEmail = new Map(chunk.map((p) => [p.email.toLowerCase(), p]));
  const done = new Set<number>();
  for (const result of body.results) {
    const row =
      (result.objectWriteTraceId !== undefined ? byTrace.get(result.objectWriteTraceId) : undefined) ??
      byEmail.get((result.properties.email ?? '').toLowerCase());
    if (!row) continue;
    done.add(row.index);
    results[row.index] = {
      index: row.index,
      email: row.email,
      status: (result.new ?? result.createdAt === result.updatedAt) ? 'created' : 'updated',
      id: result.id,
    };
  }
  // A 207 lists the failed inputs in `errors`; match each to its row by the ids HubSpot names in
  // `context.ids`, else by the email its message quotes.
  const left = chunk.filter((p) => !done.has(p.index));
  const errors = (body.errors ?? []).map((e) => ({
    message: e.message ?? e.errors?.[0]?.message ?? 'HubSpot did not say why',
    ids: (e.context?.ids ?? []).map((id) => id.toLowerCase()),
  }));
  const unmatched = [...errors];
  for (const row of left) {
    const key = row.email.toLowerCase();
    const at = unmatched.findIndex((e) => e.ids.includes(key) || e.message.toLowerCase().includes(key));
    const error = at >= 0 ? unmatched.splice(at, 1)[0] : undefined;
    if (error)
      results[row.index] = { index: row.index, email: row.email, status: 'failed', error: error.message };
  }
  const still = left.filter((p) => !results[p.index]);
  if (still.length === 1 && unmatched.length === 1) {
    const [row] = still as [Pending];
    results[row.index] = {
      index: row.index,
      email: row.email,
      status: 'failed',
      error: unmatched[0]?.message,
    };
    return;
  }
  const reasons = unmatched.map((e) => e.message).join(' | ');
  failAll(
    still,
    results,
    reasons
      ? `HubSpot did not return this contact; the batch reported: ${reasons}`
      : 'HubSpot did not return this contact and reported no error for it',
  );
}

function failAll(rows: Pending[], results: RowResult[], error: string): void {
  for (const row of rows)
    results[row.index] = { index: row.index, email: row.email, status: 'failed', error };
}
