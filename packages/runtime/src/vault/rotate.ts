/**
 * Master-key rotation: every sealed value in the store is re-encrypted under the active key, in
 * batches inside transactions. Envelopes name the key that sealed them, so reads keep working
 * while both keys are loaded, an envelope already under the active key is skipped, and a rotation
 * that stopped halfway resumes where it left off.
 *
 * Embedded mode (no `OXYGEN_MASTER_KEY`; the key lives in `$OXYGEN_HOME`):
 *
 * ```
 * $OXYGEN_HOME/master.key            the active key (mode 0600)
 * $OXYGEN_HOME/master.key.previous   the key being retired, present only during a rotation
 * $OXYGEN_HOME/master.key.rotating   lock: the pid of the rotation in progress
 * ```
 *
 * A rotation first copies the current key to `master.key.previous`, then atomically replaces
 * `master.key` with a new key, re-seals every envelope, and only then deletes
 * `master.key.previous`. Each file is written whole (temporary file, fsync, rename, fsync of the
 * directory), so at every moment every envelope's key is on disk, and every process that opens
 * the store meanwhile loads both keys.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ConfigError, OxygenError, ValidationError } from '@oxygen/core';
import { type Kysely, sql } from 'kysely';
import type { Store } from '../store/types.js';
import { generateMasterKey, loadMasterKeys, type MasterKey, parseMasterKey } from './keys.js';
import { connectionAad, createVault, type Vault } from './vault.js';

/** The embedded active key file in `$OXYGEN_HOME`. */
export const MASTER_KEY_FILE = 'master.key';
/** The embedded key being retired, kept in `$OXYGEN_HOME` until no envelope needs it. */
export const PREVIOUS_MASTER_KEY_FILE = 'master.key.previous';
/** The lock an embedded rotation holds in `$OXYGEN_HOME` (it holds the rotating process's pid). */
export const ROTATION_LOCK_FILE = 'master.key.rotating';

/**
 * A column of the store holding vault envelopes, and how its envelopes' AAD is built. Adding a
 * sealed column to the store means adding one entry to {@link SEALED_COLUMNS}.
 */
export interface SealedColumn {
  /** Table name. */
  table: string;
  /** The column holding envelopes (nullable). */
  column: string;
  /** The table's text primary key (rows are visited in its order). */
  key: string;
  /** Other columns the AAD needs. */
  columns: readonly string[];
  /** The AAD the value was sealed with, from the row's `key` and `columns`. */
  aad: (row: Record<string, unknown>) => string;
}

/** Every sealed column of the store. */
export const SEALED_COLUMNS: readonly SealedColumn[] = [
  {
    table: 'connections',
    column: 'credential',
    key: 'id',
    columns: ['organization_id'],
    aad: (row) => connectionAad(String(row.organization_id), String(row.id)),
  },
  // A started OAuth authorization: its PKCE verifier and its OAuth app (see auth/oauth.ts).
  {
    table: 'oauth_states',
    column: 'code_verifier',
    key: 'id',
    columns: ['organization_id'],
    aad: (row) => oauthStateAad(String(row.organization_id), String(row.id)),
  },
  {
    table: 'oauth_states',
    column: 'client',
    key: 'id',
    columns: ['organization_id'],
    aad: (row) => oauthStateAad(String(row.organization_id), String(row.id)),
  },
  // Provider events: a subscription's signing secret and a trigger's Standard Webhooks secret.
  {
    table: 'event_subscriptions',
    column: 'secret',
    key: 'id',
    columns: ['organization_id'],
    aad: (row) => eventSecretAad('event_subscription', String(row.organization_id), String(row.id)),
  },
  {
    table: 'event_triggers',
    column: 'secret',
    key: 'id',
    columns: ['organization_id'],
    aad: (row) => eventSecretAad('event_trigger', String(row.organization_id), String(row.id)),
  },
];

/**
 * The AAD a provider-event secret is sealed with (`events/`): the kind of row, its organization
 * and its id, so an envelope copied to another row or organization does not open.
 */
export function eventSecretAad(
  kind: 'event_subscription' | 'event_trigger',
  organizationId: string,
  id: string,
): string {
  return `${kind}:${organizationId}:${id}`;
}

/** The AAD `auth/oauth.ts` seals an OAuth state's secrets with. */
function oauthStateAad(organizationId: string, stateId: string): string {
  return `oauth_state:${organizationId}:${stateId}`;
}

/** Options for {@link resealAll} and {@link rotateMasterKey}. */
export interface ResealOptions {
  /** Rows re-sealed per transaction. Default 100. */
  batchSize?: number | undefined;
  /**
   * Stop after this many batches (what a crash halfway leaves behind; the next run resumes).
   * Default: no limit.
   */
  maxBatches?: number | undefined;
  /** The sealed columns to visit. Default {@link SEALED_COLUMNS}. */
  columns?: readonly SealedColumn[] | undefined;
}

/** What {@link resealAll} did. */
export interface ResealResult {
  /** Envelopes re-sealed under the active key by this run. */
  rotated: number;
  /** Envelopes that were already under the active key. */
  skipped: number;
  /** Envelopes still under another key (non-zero only when stopped by `maxBatches`). */
  remaining: number;
}

// biome-ignore lint/suspicious/noExplicitAny: the registry names tables at run time
type AnyDb = Kysely<any>;

function underActive(column: string, activeKeyId: string) {
  const prefix = `v1.${activeKeyId}.`;
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${prefix.length}) = ${prefix}`;
}

function notUnderActive(column: string, activeKeyId: string) {
  const prefix = `v1.${activeKeyId}.`;
  return sql<boolean>`substr(${sql.ref(column)}, 1, ${prefix.length}) <> ${prefix}`;
}

async function countWhere(db: AnyDb, c: SealedColumn, active: boolean, activeKeyId: string): Promise<number> {
  const row = await db
    .selectFrom(c.table)
    .select(sql<number | string>`count(*)`.as('n'))
    .where(c.column, 'is not', null)
    .where(active ? underActive(c.column, activeKeyId) : notUnderActive(c.column, activeKeyId))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** Envelopes in the store not sealed with `activeKeyId`. */
export async function countStaleEnvelopes(
  store: Store,
  activeKeyId: string,
  columns: readonly SealedColumn[] = SEALED_COLUMNS,
): Promise<number> {
  let n = 0;
  for (const c of columns) n += await countWhere(store.db as AnyDb, c, false, activeKeyId);
  return n;
}

function cannotReseal(c: SealedColumn, id: string, error: unknown): OxygenError {
  const e = OxygenError.isInstance(error) ? error : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new OxygenError(
    e?.code ?? 'internal',
    `Cannot re-seal ${c.table}.${c.column} of ${id}: ${reason}. Rows re-sealed before it are kept; run the rotation again after fixing it.`,
    {
      hint:
        c.table === 'connections' && e?.code === 'auth'
          ? `Disconnect that integration (oxygen integrations disconnect ${id}), reconnect it, and run the rotation again.`
          : e?.hint,
      data: { table: c.table, column: c.column, id, ...(e?.data ?? {}) },
      cause: error,
    },
  );
}

/**
 * Re-seals every envelope not under the vault's active key, `batchSize` rows per transaction.
 * A row is written only if its envelope is unchanged since it was read, so a concurrent writer
 * (a reconnect) is never overwritten. Rows sealed under an old key by another process while this
 * runs are picked up by a final pass.
 *
 * @throws the vault's error, naming the table and row, when an envelope cannot be opened (its key
 * is not loaded, or it was altered); batches committed before it stay re-sealed.
 */
export async function resealAll(
  store: Store,
  vault: Vault,
  options: ResealOptions = {},
): Promise<ResealResult> {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ValidationError(`batch size must be a positive whole number, not ${batchSize}`, {
      field: 'batch_size',
    });
  }
  const columns = options.columns ?? SEALED_COLUMNS;
  const active = vault.activeKeyId;
  let batches = 0;
  let rotated = 0;
  let skipped = 0;
  const outOfBatches = () => options.maxBatches !== undefined && batches >= options.maxBatches;

  for (const c of columns) skipped += await countWhere(store.db as AnyDb, c, true, active);

  // A few passes: a pass visits rows in key order; a row another process sealed under an old key
  // behind the cursor is caught by the next pass.
  for (let pass = 0; pass < 3 && !outOfBatches(); pass++) {
    for (const c of columns) {
      let cursor: string | undefined;
      for (;;) {
        if (outOfBatches()) break;
        const batch = await store.transaction(async (tx) => {
          const db = tx.db as AnyDb;
          let query = db
            .selectFrom(c.table)
            .select([c.key, c.column, ...c.columns])
            .where(c.column, 'is not', null)
            .where(notUnderActive(c.column, active));
          if (cursor !== undefined) query = query.where(c.key, '>', cursor);
          const rows = (await query.orderBy(c.key).limit(batchSize).execute()) as Record<string, unknown>[];
          let done = 0;
          for (const row of rows) {
            const id = String(row[c.key]);
            const envelope = String(row[c.column]);
            let resealed: string;
            try {
              const aad = c.aad(row);
              resealed = vault.encrypt(vault.decrypt(envelope, aad), aad);
            } catch (error) {
              throw cannotReseal(c, id, error);
            }
            const result = await db
              .updateTable(c.table)
              .set({ [c.column]: resealed })
              .where(c.key, '=', id)
              .where(c.column, '=', envelope)
              .executeTakeFirst();
            done += Number(result.numUpdatedRows);
          }
          return { count: rows.length, done, last: rows.at(-1)?.[c.key] as string | undefined };
        });
        rotated += batch.done; // counted once committed
        if (batch.count > 0) batches++;
        if (batch.count < batchSize || batch.last === undefined) break;
        cursor = batch.last;
      }
    }
    if ((await countStaleEnvelopes(store, active, columns)) === 0) break;
  }
  return { rotated, skipped, remaining: await countStaleEnvelopes(store, active, columns) };
}

/** What {@link rotateMasterKey} did. Key ids only: never keys. */
export interface RotationResult {
  /** `embedded`: the key file in `$OXYGEN_HOME` was rotated. `env`: re-sealed under `OXYGEN_MASTER_KEY`. */
  mode: 'embedded' | 'env';
  /** Envelopes re-sealed under the active key by this run. */
  rotated: number;
  /** Envelopes that were already under the active key. */
  skipped: number;
  /** Envelopes still under an older key (the rotation stopped early; run it again). */
  remaining: number;
  /** The key every envelope is (being) sealed with. */
  active_key_id: string;
  /** Keys removed from the embedded key store because no envelope needs them any more. */
  retired_key_ids: string[];
  /** Older keys still loaded: kept on disk (embedded) or in `OXYGEN_MASTER_KEY_PREVIOUS` (env). */
  previous_key_ids: string[];
  /** True when this run finished a rotation an earlier run started. */
  resumed: boolean;
  /** What to do next, in one line, or `null` when nothing is left to do. */
  next_step: string | null;
}

/** Options for {@link rotateMasterKey}. */
export interface RotateOptions extends ResealOptions {
  /** The store to re-seal (the runtime's `store`). */
  store: Store;
  /** Where `OXYGEN_MASTER_KEY` and `OXYGEN_MASTER_KEY_PREVIOUS` are read. Default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** `$OXYGEN_HOME`, holding the embedded key files. */
  home: string;
}

/**
 * Rotates the master key and re-seals every envelope in the store under it.
 *
 * - With `OXYGEN_MASTER_KEY` set, that is the new key: every envelope sealed with a key from
 *   `OXYGEN_MASTER_KEY_PREVIOUS` is re-sealed with it; afterwards the previous keys may be dropped.
 * - Embedded (SQLite, no `OXYGEN_MASTER_KEY`): a new key is generated into `master.key`, the old
 *   one kept in `master.key.previous` until every envelope is re-sealed, then retired (deleted).
 *   An interrupted rotation is resumed by running it again. Two rotations never run at once.
 *
 * Other processes that opened the store before the rotation keep only the keys they loaded:
 * restart long-running ones (a server) afterwards.
 *
 * @example
 * ```ts
 * const runtime = await createRuntime();
 * const result = await rotateMasterKey({ store: runtime.store, home: oxygenHome() });
 * console.log(result.active_key_id, result.retired_key_ids);
 * ```
 */
export async function rotateMasterKey(options: RotateOptions): Promise<RotationResult> {
  const env = options.env ?? process.env;
  if (env.OXYGEN_MASTER_KEY?.trim()) return rotateUnderEnvKey(options, env);
  if (options.store.dialect !== 'sqlite') {
    throw new ConfigError('no master key: set OXYGEN_MASTER_KEY to the new key to rotate to', {
      hint: 'put the current key in OXYGEN_MASTER_KEY_PREVIOUS, a new one (openssl rand -base64 32) in OXYGEN_MASTER_KEY, and run it again',
    });
  }
  return rotateEmbedded(options, env);
}

async function rotateUnderEnvKey(options: RotateOptions, env: NodeJS.ProcessEnv): Promise<RotationResult> {
  const keys = loadMasterKeys({ env, embedded: false });
  const vault = createVault(keys);
  const result = await resealAll(options.store, vault, options);
  const previous = keys.slice(1).map((k) => k.id);
  let next: string | null = null;
  if (result.remaining > 0) {
    next = `${result.remaining} envelope(s) are still under an older key: run \`oxygen vault rotate\` again to finish.`;
  } else if (previous.length > 0) {
    next = `Every envelope is sealed with ${vault.activeKeyId}: you may now remove OXYGEN_MASTER_KEY_PREVIOUS (key ${previous.join(', ')}) wherever Oxygen runs.`;
  }
  return {
    mode: 'env',
    ...result,
    active_key_id: vault.activeKeyId,
    retired_key_ids: [],
    previous_key_ids: previous,
    resumed: false,
    next_step: next,
  };
}

function readKey(file: string): MasterKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the master key file ${file}: ${(error as Error).message}`, {
      hint: 'fix its permissions',
      cause: error,
    });
  }
  return parseMasterKey(text, file);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Writes a key file whole: private temporary file, fsync, atomic rename, fsync of the directory. */
function writeKeyFile(home: string, name: string, key: MasterKey): void {
  const tmp = join(home, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${key.key.toString('base64')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(home, name));
    fsyncDir(home);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {}
    throw new ConfigError(`cannot write ${join(home, name)}: ${(error as Error).message}`, {
      hint: 'make $OXYGEN_HOME writable; no envelope was changed',
      cause: error,
    });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the rotation lock, replacing a lock left by a process that no longer runs. */
function lock(home: string): () => void {
  const file = join(home, ROTATION_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, String(process.pid));
      } finally {
        closeSync(fd);
      }
      return () => {
        try {
          unlinkSync(file);
        } catch {}
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`cannot create ${file}: ${(error as Error).message}`, {
          hint: 'make $OXYGEN_HOME writable',
          cause: error,
        });
      }
      let pid = Number.NaN;
      try {
        pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
      } catch {}
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new ConfigError(`another key rotation is running (process ${pid}); wait for it to finish`, {
          hint: `if no such process runs, delete ${file} and run it again`,
        });
      }
      try {
        unlinkSync(file); // left by a rotation that crashed: the next attempt takes over
      } catch {}
    }
  }
  throw new ConfigError(`cannot take the key rotation lock ${file}`, {
    hint: 'another rotation may have started at the same moment; run it again',
  });
}

async function rotateEmbedded(options: RotateOptions, env: NodeJS.ProcessEnv): Promise<RotationResult> {
  const home = options.home;
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
  } catch {}
  const unlock = lock(home);
  try {
    let current = readKey(join(home, MASTER_KEY_FILE));
    if (!current) {
      // No key yet: nothing can be sealed under a key that never existed; make the first one.
      current = loadMasterKeys({ env: {}, home, embedded: true })[0]!;
    }
    const previous = readKey(join(home, PREVIOUS_MASTER_KEY_FILE));
    let active: MasterKey;
    let old: MasterKey;
    let resumed = false;
    if (previous && previous.id !== current.id) {
      // An earlier rotation replaced the key and stopped before re-sealing everything.
      active = current;
      old = previous;
      resumed = true;
    } else {
      // Keep the current key on disk first, then switch: at no moment is a needed key missing.
      if (!previous) writeKeyFile(home, PREVIOUS_MASTER_KEY_FILE, current);
      active = generateMasterKey();
      writeKeyFile(home, MASTER_KEY_FILE, active);
      old = current;
      resumed = previous !== undefined; // an earlier run stopped between the two writes
    }
    const extra = (env.OXYGEN_MASTER_KEY_PREVIOUS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((text, i) => parseMasterKey(text, `OXYGEN_MASTER_KEY_PREVIOUS (entry ${i + 1})`));
    const vault = createVault([active, old, ...extra]);
    const result = await resealAll(options.store, vault, options);

    let retired: string[] = [];
    if (result.remaining === 0) {
      // Check and retire under the store's write lock, so no envelope under the old key can be
      // committed between the last count and the deletion.
      retired = await options.store.transaction(async (tx) => {
        await sql`update connections set id = id where 1 = 0`.execute(tx.db);
        if ((await countStaleEnvelopes(tx, active.id, options.columns ?? SEALED_COLUMNS)) > 0) return [];
        try {
          unlinkSync(join(home, PREVIOUS_MASTER_KEY_FILE));
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        fsyncDir(home);
        return [old.id];
      });
    }
    const remaining =
      retired.length > 0 ? 0 : await countStaleEnvelopes(options.store, active.id, options.columns);
    return {
      mode: 'embedded',
      rotated: result.rotated,
      skipped: result.skipped,
      remaining,
      active_key_id: active.id,
      retired_key_ids: retired,
      previous_key_ids: retired.length > 0 ? [] : [old.id],
      resumed,
      next_step:
        retired.length > 0
          ? null
          : `${remaining} envelope(s) are still under key ${old.id} (kept in ${join(home, PREVIOUS_MASTER_KEY_FILE)}): run \`oxygen vault rotate\` again to finish.`,
    };
  } finally {
    unlock();
  }
}
