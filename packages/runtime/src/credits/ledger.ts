/**
 * The credits ledger: managed calls are paid in credits, recorded in an append-only table
 * (`credit_ledger`) whose `SUM(delta)` is an organization's balance. Grants and refunds add,
 * charges take. A charge is written before the provider request, in a transaction that checks the
 * balance and is serialised per organization, so concurrent calls can never overdraw.
 *
 * @module
 */

import { OxygenError, ValidationError } from '@oxygen/core';
import { type Kysely, sql } from 'kysely';
import { newId } from '../store/ids.js';
import type { CreditEntryKind, Database, Store } from '../store/types.js';

/** One ledger entry, as the runtime returns it. */
export interface CreditEntry {
  /** Entry id (`cred_...`); ids sort by creation time. */
  id: string;
  /** The organization whose balance it changes. */
  organization_id: string;
  /** Credits added (grants and refunds, positive) or taken (charges, negative). */
  delta: number;
  /** `grant`, `charge` or `refund`. */
  kind: CreditEntryKind;
  /** The managed connection a charge or refund is for; `null` for grants. */
  connection_id: string | null;
  /** The action slug a charge or refund is for; `null` for grants. */
  action: string | null;
  /** Who granted and why, or why a call was refunded. */
  note: string | null;
  /** For a refund: the charge it gives back. */
  refund_of: string | null;
  /** When it was recorded (ISO 8601, UTC). */
  created_at: string;
}

/** An organization's balance: the sum of its ledger entries. */
export interface CreditBalance {
  /** The organization the balance belongs to. */
  organization_id: string;
  /** Credits available for managed calls. */
  balance: number;
}

/** What {@link OrgCredits.grant} returns: the balance after the grant, and its entry. */
export interface CreditGrant extends CreditBalance {
  /** The ledger entry the grant wrote. */
  entry: CreditEntry;
}

/**
 * One organization's credits, as `runtime.org(id).credits`.
 *
 * @example
 * ```ts
 * const credits = runtime.org('default').credits;
 * await credits.grant(100, 'trial');
 * console.log(await credits.balance());   // { organization_id: 'default', balance: 100 }
 * console.log(await credits.history(10)); // newest first
 * ```
 */
export interface OrgCredits {
  /** The current balance. An organization that never had credits has 0. */
  balance(): Promise<CreditBalance>;
  /**
   * Adds credits (an admin operation: the caller decides who may grant).
   *
   * @param amount - A positive integer, at most {@link MAX_GRANT}.
   * @param note - Why, shown in the history.
   * @throws `ValidationError` naming `amount` when it is not a positive integer.
   */
  grant(amount: number, note?: string): Promise<CreditGrant>;
  /** The newest entries first; `limit` between 1 and 1000, default 50. */
  history(limit?: number): Promise<CreditEntry[]>;
}

/** The largest single grant. */
export const MAX_GRANT = 1_000_000_000;

const now = () => new Date().toISOString();

/**
 * Serialises ledger writes of one organization inside the current transaction. PostgreSQL takes a
 * transaction-scoped advisory lock on the organization (released at commit or rollback). SQLite
 * needs none: a write transaction holds the database's only write lock, and every ledger write
 * below starts with its INSERT, so its reads see everything committed before it.
 */
async function lockOrganization(tx: Store, organizationId: string): Promise<void> {
  if (tx.dialect === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext(${`oxygen:credits:${organizationId}`}))`.execute(tx.db);
  }
}

async function sumBalance(db: Kysely<Database>, organizationId: string): Promise<number> {
  const row = await db
    .selectFrom('credit_ledger')
    .select(sql<number | string>`coalesce(sum(delta), 0)`.as('balance'))
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  // PostgreSQL's SUM over integers is a bigint, which node-postgres returns as text.
  return Number(row?.balance ?? 0);
}

function entry(fields: Omit<CreditEntry, 'id' | 'created_at'>): CreditEntry {
  return { id: newId('cred'), ...fields, created_at: now() };
}

function plural(n: number): string {
  return `${n} credit${n === 1 || n === -1 ? '' : 's'}`;
}

/** The organization's balance (0 when it has no entries). */
export async function creditBalance(store: Store, organizationId: string): Promise<CreditBalance> {
  return { organization_id: organizationId, balance: await sumBalance(store.db, organizationId) };
}

/**
 * Adds `amount` credits to an organization (created when missing).
 *
 * @throws `ValidationError` (field `amount`) unless `amount` is an integer from 1 to {@link MAX_GRANT}.
 */
export async function grantCredits(
  store: Store,
  organizationId: string,
  amount: number,
  note?: string,
): Promise<CreditGrant> {
  if (!Number.isInteger(amount) || amount < 1 || amount > MAX_GRANT) {
    throw new ValidationError(
      `A grant must be a whole number of credits from 1 to ${MAX_GRANT}, not ${JSON.stringify(amount)}.`,
      { field: 'amount', hint: 'For example: oxygen credits grant 100' },
    );
  }
  return store.transaction(async (tx) => {
    await tx.organizations.ensure(organizationId);
    await lockOrganization(tx, organizationId);
    const row = entry({
      organization_id: organizationId,
      delta: amount,
      kind: 'grant',
      connection_id: null,
      action: null,
      note: note?.trim() || null,
      refund_of: null,
    });
    await tx.db.insertInto('credit_ledger').values(row).execute();
    return { organization_id: organizationId, balance: await sumBalance(tx.db, organizationId), entry: row };
  });
}

/** The organization's newest entries first. */
export async function creditHistory(
  store: Store,
  organizationId: string,
  limit = 50,
): Promise<CreditEntry[]> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ValidationError(`limit must be a whole number from 1 to 1000, not ${JSON.stringify(limit)}.`, {
      field: 'limit',
    });
  }
  return store.db
    .selectFrom('credit_ledger')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** What a managed call charges. */
export interface ChargeRequest {
  /** The organization charged. */
  organizationId: string;
  /** The managed connection the call runs on, recorded on the ledger entry. */
  connectionId: string;
  /** Action slug. */
  action: string;
  /** Credits to take; a positive integer. */
  amount: number;
  /** How the call is named in messages (`Acme person.enrich`). */
  label: string;
}

/**
 * Takes `amount` credits for one managed call, before the provider request. The charge and the
 * balance check are one transaction, serialised per organization: of concurrent calls, exactly as
 * many as the balance pays succeed and the balance never goes below zero.
 *
 * @throws `OxygenError` with code `insufficient_credits` (data: `balance`, `cost`) when the balance
 * cannot pay; nothing is recorded then.
 */
export async function chargeCredits(store: Store, request: ChargeRequest): Promise<CreditEntry> {
  const { organizationId, amount } = request;
  if (!Number.isInteger(amount) || amount < 1) {
    throw new OxygenError('internal', `cannot charge ${amount} credits for ${request.label}`);
  }
  return store.transaction(async (tx) => {
    await lockOrganization(tx, organizationId);
    const row = entry({
      organization_id: organizationId,
      delta: -amount,
      kind: 'charge',
      connection_id: request.connectionId,
      action: request.action,
      note: null,
      refund_of: null,
    });
    // Insert first, then check: on SQLite the INSERT takes the write lock, so the SUM below sees
    // every committed entry; a failed check rolls the charge back.
    await tx.db.insertInto('credit_ledger').values(row).execute();
    const after = await sumBalance(tx.db, organizationId);
    if (after < 0) throw insufficientCredits(organizationId, after + amount, amount, request.label);
    return row;
  });
}

/**
 * Gives a charge back (a call that failed): a `refund` entry referencing it. Refunding the same
 * charge twice is refused by the store.
 */
export async function refundCredits(store: Store, charge: CreditEntry, note: string): Promise<CreditEntry> {
  const row = entry({
    organization_id: charge.organization_id,
    delta: -charge.delta,
    kind: 'refund',
    connection_id: charge.connection_id,
    action: charge.action,
    note: note.slice(0, 500),
    refund_of: charge.id,
  });
  await store.transaction(async (tx) => {
    await lockOrganization(tx, charge.organization_id);
    await tx.db.insertInto('credit_ledger').values(row).execute();
  });
  return row;
}

/** The error a managed call gets when the balance cannot pay for it. */
export function insufficientCredits(
  organizationId: string,
  balance: number,
  cost: number,
  label: string,
): OxygenError {
  return new OxygenError(
    'insufficient_credits',
    `Not enough credits: organization ${organizationId} has ${plural(balance)} and ${label} costs ${plural(cost)}; nothing was sent. Add credits with \`oxygen credits grant <n> --org ${organizationId}\`.`,
    {
      hint: 'Or run it on a byok integration (your own account), where the action allows it.',
      data: { balance, cost },
    },
  );
}

/**
 * The credits API of one organization over a store.
 *
 * @example
 * ```ts
 * const credits = orgCredits(runtime.store, 'default');
 * await credits.grant(10);
 * ```
 */
export function orgCredits(store: Store, organizationId: string): OrgCredits {
  return {
    balance: () => creditBalance(store, organizationId),
    grant: (amount, note) => grantCredits(store, organizationId, amount, note),
    history: (limit) => creditHistory(store, organizationId, limit),
  };
}
