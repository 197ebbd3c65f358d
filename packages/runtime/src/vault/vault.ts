/**
 * The credential vault: AES-256-GCM envelopes that carry their key id, so master keys can rotate.
 *
 * @module
 */

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AuthError, ConfigError } from '@oxygen/core';
import type { MasterKey } from './keys.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts and decrypts credentials. Envelopes look like
 * `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts): compact, ASCII, and naming the key
 * that sealed them.
 */
export interface Vault {
  /** The id of the key new envelopes are sealed with. */
  readonly activeKeyId: string;
  /**
   * Seals `plaintext`. `aad` (additional authenticated data) binds the envelope to where it is
   * stored, e.g. {@link connectionAad}: it is not stored, and decrypting needs the same value.
   */
  encrypt(plaintext: string, aad: string): string;
  /**
   * Opens an envelope sealed with the same `aad`, with whichever known key sealed it.
   *
   * @throws `ConfigError` when the envelope's key is not among the vault's keys (the message
   * names the missing key id), `AuthError` when the envelope was altered, is malformed, or belongs
   * to another row or organization (wrong `aad`). Never returns garbage.
   */
  decrypt(envelope: string, aad: string): string;
}

/**
 * The AAD for a connection's credential: `<organization_id>:<connection_id>`. An envelope copied
 * to another connection or organization then fails to decrypt. (Connection ids never contain `:`,
 * so the pair is unambiguous.)
 */
export function connectionAad(organizationId: string, connectionId: string): string {
  return `${organizationId}:${connectionId}`;
}

function b64url(buf: Buffer): string {
  return buf.toString('base64url');
}

/** The envelope header is authenticated too, so it cannot be edited to point elsewhere. */
function fullAad(keyId: string, aad: string): Buffer {
  return Buffer.from(`${VERSION}.${keyId}\n${aad}`, 'utf8');
}

function tampered(reason: string): AuthError {
  return new AuthError(`the stored credential cannot be decrypted: ${reason}`, {
    hint: 'it was altered, or copied from another connection or organization; reconnect the connection',
  });
}

/**
 * Makes a vault from master keys (see {@link loadMasterKeys}).
 *
 * @param keys - Every key that may have sealed a stored envelope; the active one first by default.
 * @param activeKeyId - Which key seals new envelopes; default the first.
 * @throws `ConfigError` when there is no key, a key is not 32 bytes, or `activeKeyId` is unknown.
 *
 * @example
 * ```ts
 * const vault = createVault(loadMasterKeys({ home, embedded: true }));
 * const envelope = vault.encrypt(JSON.stringify(credential), connectionAad(orgId, connId));
 * const credential = JSON.parse(vault.decrypt(envelope, connectionAad(orgId, connId)));
 * ```
 */
export function createVault(keys: readonly MasterKey[], activeKeyId?: string): Vault {
  if (keys.length === 0) {
    throw new ConfigError('the credential vault has no master key', {
      hint: 'set OXYGEN_MASTER_KEY (make one with: openssl rand -base64 32)',
    });
  }
  const byId = new Map<string, Buffer>();
  for (const k of keys) {
    if (k.key.length !== 32)
      throw new ConfigError(`master key ${k.id} is ${k.key.length} bytes; it must be 32`);
    if (!byId.has(k.id)) byId.set(k.id, k.key);
  }
  const activeId = activeKeyId ?? keys[0]!.id;
  const active = byId.get(activeId);
  if (!active) throw new ConfigError(`the active master key ${activeId} is not among the vault's keys`);

  return {
    activeKeyId: activeId,
    encrypt(plaintext, aad) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', active, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(fullAad(activeId, aad));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, activeId, b64url(iv), b64url(tag), b64url(ciphertext)].join('.');
    },
    decrypt(envelope, aad) {
      const parts = typeof envelope === 'string' ? envelope.split('.') : [];
      if (parts.length !== 5) throw tampered('it is not a vault envelope');
      const [version, keyId, ivText, tagText, ctText] = parts as [string, string, string, string, string];
      if (version !== VERSION) {
        throw new ConfigError(
          `the stored credential uses envelope format ${version}, unknown to this Oxygen`,
          {
            hint: 'upgrade Oxygen',
          },
        );
      }
      const key = byId.get(keyId);
      if (!key) {
        throw new ConfigError(
          `the stored credential was encrypted with master key ${keyId}, which is not loaded`,
          {
            hint: `add the key whose id is ${keyId} to OXYGEN_MASTER_KEY_PREVIOUS (comma-separated), or reconnect the connection`,
            data: { key_id: keyId },
          },
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      const ciphertext = Buffer.from(ctText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw tampered('its header is damaged');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(fullAad(keyId, aad));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw tampered('authentication failed');
      }
    },
  };
}
