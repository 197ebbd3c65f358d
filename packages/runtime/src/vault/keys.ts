/**
 * Master keys: where they come from (`OXYGEN_MASTER_KEY`, or the embedded key file) and their ids.
 *
 * @module
 */

import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@oxygen/core';
import { defaultHome } from '../store/home.js';

/** A 32-byte AES-256 key and its id. */
export interface MasterKey {
  /** First 12 hex characters of sha256(key): names the key in envelopes without revealing it. */
  id: string;
  /** The 32 key bytes. */
  key: Buffer;
}

/** Where {@link loadMasterKeys} looks. */
export interface LoadMasterKeysOptions {
  /** Environment to read `OXYGEN_MASTER_KEY` and `OXYGEN_MASTER_KEY_PREVIOUS` from; default `process.env`. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Oxygen home directory holding `master.key`; default `$OXYGEN_HOME` or `~/.oxygen`. */
  home?: string | undefined;
  /**
   * True for the embedded (single-machine, SQLite) setup: without `OXYGEN_MASTER_KEY`, a key is
   * generated once into `<home>/master.key` and reused. False (the default) requires the variable.
   */
  embedded?: boolean | undefined;
}

const HOW_TO_MAKE = 'make one with: openssl rand -base64 32';

/** The id of a key: the first 12 hex characters of its SHA-256. */
export function masterKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 12);
}

/** Wraps 32 key bytes as a {@link MasterKey}. */
export function masterKey(key: Buffer): MasterKey {
  if (key.length !== 32) throw new ConfigError(`a master key must be 32 bytes, got ${key.length}`);
  return { id: masterKeyId(key), key };
}

/** A fresh random master key. */
export function generateMasterKey(): MasterKey {
  return masterKey(randomBytes(32));
}

/**
 * Decodes a master key written as 64 hex characters or as base64 / base64url of 32 bytes.
 *
 * @param text - The encoded key.
 * @param source - Where it came from, for the error message (`OXYGEN_MASTER_KEY`).
 * @throws `ConfigError` explaining the format and how to make a key; it never echoes the value.
 */
export function parseMasterKey(text: string, source = 'OXYGEN_MASTER_KEY'): MasterKey {
  const value = text.trim();
  let bytes: Buffer | undefined;
  if (/^[0-9a-fA-F]{64}$/.test(value)) {
    bytes = Buffer.from(value, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    bytes = Buffer.from(value.replaceAll('-', '+').replaceAll('_', '/'), 'base64');
  }
  if (bytes?.length !== 32) {
    const got = bytes ? `decodes to ${bytes.length} bytes` : 'is neither base64 nor hex';
    throw new ConfigError(
      `${source} must be exactly 32 bytes, base64 or hex encoded; it ${got}; ${HOW_TO_MAKE}`,
      {
        hint: `${HOW_TO_MAKE} (or: openssl rand -hex 32)`,
        field: source,
      },
    );
  }
  return masterKey(bytes);
}

/**
 * The master keys to build a vault from, active key first.
 *
 * 1. `OXYGEN_MASTER_KEY` (base64 or hex of 32 bytes) is the active key when set.
 * 2. Otherwise, when `embedded`, `<home>/master.key` is read, or generated once (mode 0600, its
 *    directory 0700). Two processes starting together end up with the same key: each writes a
 *    private temp file and hard-links it into place, which only one can do.
 *    While a rotation is under way, `<home>/master.key.previous` (the key being retired) is
 *    loaded too.
 * 3. Otherwise it is a `ConfigError` asking to set `OXYGEN_MASTER_KEY`.
 *
 * `OXYGEN_MASTER_KEY_PREVIOUS` (comma-separated) adds older keys, so envelopes sealed before a
 * rotation still open. Synchronous and cheap: one small file read at most.
 *
 * @example
 * ```ts
 * const vault = createVault(loadMasterKeys({ home, embedded: !process.env.DATABASE_URL }));
 * ```
 */
export function loadMasterKeys(options: LoadMasterKeysOptions = {}): MasterKey[] {
  const env = options.env ?? process.env;
  const keys: MasterKey[] = [];
  const current = env.OXYGEN_MASTER_KEY?.trim();
  if (current) {
    keys.push(parseMasterKey(current, 'OXYGEN_MASTER_KEY'));
  } else if (options.embedded) {
    const home = options.home ?? defaultHome(env);
    keys.push(embeddedKey(home));
    // During a key rotation (`oxygen vault rotate`) the key being retired is kept beside it.
    const retiring = readKeyFile(join(home, 'master.key.previous'));
    if (retiring && retiring.id !== keys[0]!.id) keys.push(retiring);
  } else {
    throw new ConfigError('no master key: set OXYGEN_MASTER_KEY', {
      hint: `it encrypts stored credentials and must be the same on every server and worker; ${HOW_TO_MAKE}`,
    });
  }
  const previous = env.OXYGEN_MASTER_KEY_PREVIOUS?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  previous?.forEach((text, i) => {
    const key = parseMasterKey(text, `OXYGEN_MASTER_KEY_PREVIOUS (entry ${i + 1})`);
    if (!keys.some((k) => k.id === key.id)) keys.push(key);
  });
  return keys;
}

function readKeyFile(file: string): MasterKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`cannot read the master key file ${file}: ${(error as Error).message}`, {
      hint: 'fix its permissions, or set OXYGEN_MASTER_KEY',
      cause: error,
    });
  }
  try {
    return parseMasterKey(text, file);
  } catch (error) {
    throw new ConfigError(`the master key file ${file} is damaged`, {
      hint: 'restore it from a backup; without it stored credentials cannot be decrypted',
      cause: error,
    });
  }
}

/** Reads `<home>/master.key`, generating it exactly once when missing. */
function embeddedKey(home: string): MasterKey {
  const file = join(home, 'master.key');
  const existing = readKeyFile(file);
  if (existing) return existing;

  const fresh = generateMasterKey();
  const tmp = join(home, `.master.key.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, `${fresh.key.toString('base64')}\n`);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    try {
      // link() fails with EEXIST when another process got there first: then theirs is the key.
      linkSync(tmp, file);
      return fresh;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } catch (error) {
    throw new ConfigError(`cannot create the master key file ${file}: ${(error as Error).message}`, {
      hint: 'make the directory writable, set OXYGEN_HOME to another one, or set OXYGEN_MASTER_KEY',
      cause: error,
    });
  } finally {
    try {
      unlinkSync(tmp);
    } catch {}
  }
  const winner = readKeyFile(file);
  if (!winner) throw new ConfigError(`the master key file ${file} vanished while it was being created`);
  return winner;
}
