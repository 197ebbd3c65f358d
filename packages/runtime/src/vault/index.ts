/**
 * The credential vault: AES-256-GCM encryption of credentials at rest, with rotating master keys.
 *
 * @module
 */

export {
  generateMasterKey,
  type LoadMasterKeysOptions,
  loadMasterKeys,
  type MasterKey,
  masterKey,
  masterKeyId,
  parseMasterKey,
} from './keys.js';
export { connectionAad, createVault, type Vault } from './vault.js';
