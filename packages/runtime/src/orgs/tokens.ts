/**
 * Organization API tokens: the credential a server client (the CLI in client mode, a script)
 * presents as `Authorization: Bearer oxy_…`. A token is shown once, when it is created; the
 * store keeps only its SHA-256.
 *
 * @module
 */

import { AuthError, NotFoundError, ValidationError } from '@oxygen/core';
import type { Selectable } from 'kysely';
import { newId } from '../store/ids.js';
import type { ApiTokensTable, Store } from '../store/types.js';
import { hashSecret, looksLikeSecret, newSecret, secretMatches } from './secrets.js';

/** Every API token starts with this, so a leaked one is recognisable (and scannable). */
export const API_TOKEN_PREFIX = 'oxy_';

/** An API token as it can be shown: everything but the token. */
export interface ApiToken {
  /** Token id (`tok_…`): names it for `oxygen tokens revoke`. */
  id: string;
  /** The organization it acts for. */
  organization_id: string;
  /** What it is for. */
  name: string | null;
  /** Whether it may call admin routes (granting credits). */
  admin: boolean;
  /** When it was created (ISO 8601, UTC). */
  created_at: string;
  /** When it last authenticated a request (to the minute). */
  last_used_at: string | null;
  /** When it was revoked. */
  revoked_at: string | null;
}

/** What {@link ApiTokens.create} returns: the token itself, this once. */
export interface CreatedApiToken extends ApiToken {
  /** `oxy_` + 43 base64url characters. Shown only now; it cannot be recovered later. */
  token: string;
}

/** Who a valid token speaks for. */
export interface TokenIdentity {
  /** The token's id. */
  token_id: string;
  /** The organization every request with it acts for. */
  organization_id: string;
  /** Whether it may call admin routes. */
  admin: boolean;
}

const LAST_USED_RESOLUTION_MS = 60_000;

function toApiToken(row: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: row.id,
    organization_id: row.organization_id,
    name: row.name,
    admin: Number(row.admin) === 1,
    created_at: row.created_at,
    last_used_at: row.last_used_at,
    revoked_at: row.revoked_at,
  };
}

function refused(reason: string): AuthError {
  return new AuthError(`The API token ${reason}.`, {
    hint: 'Send `Authorization: Bearer <token>` with a token from `oxygen tokens create --org <id>`.',
  });
}

/**
 * Creates, checks and revokes organization API tokens. Get it from `runtime.tokens`.
 *
 * @example
 * ```ts
 * const created = await runtime.tokens.create(org.id, { name: 'ci', admin: false });
 * console.log(created.token);                              // oxy_…, shown once
 * const who = await runtime.tokens.authenticate(created.token);
 * runtime.org(who.organization_id);                        // act for that organization only
 * await runtime.tokens.revoke(created.id);
 * ```
 */
export class ApiTokens {
  /** @internal use `runtime.tokens` */
  constructor(private readonly store: Store) {}

  /**
   * Mints a token for an organization. The organization must exist (`NotFoundError` otherwise).
   * Only the token's SHA-256 is stored.
   */
  async create(
    organizationId: string,
    options: { name?: string; admin?: boolean } = {},
  ): Promise<CreatedApiToken> {
    const org = await this.store.organizations.get(organizationId);
    if (!org) {
      throw new NotFoundError(`No organization ${organizationId}.`, {
        hint: 'Create one with `oxygen orgs create <name>`, or list them with `oxygen orgs list`.',
      });
    }
    const name = options.name?.trim() || null;
    if (name && name.length > 200) {
      throw new ValidationError('A token name is at most 200 characters.', { field: 'name' });
    }
    const token = newSecret(API_TOKEN_PREFIX);
    const row: ApiTokensTable = {
      id: newId('tok'),
      organization_id: org.id,
      name,
      token_hash: hashSecret(token),
      admin: options.admin ? 1 : 0,
      created_at: new Date().toISOString(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.store.db.insertInto('api_tokens').values(row).execute();
    return { ...toApiToken(row), token };
  }

  /**
   * Who a presented token speaks for. The lookup is by hash (an index), then the hashes are
   * compared in constant time.
   *
   * @throws `AuthError` when the token is malformed, unknown or revoked.
   */
  async authenticate(token: string): Promise<TokenIdentity> {
    if (!looksLikeSecret(token, API_TOKEN_PREFIX)) throw refused('is missing or malformed');
    const hash = hashSecret(token);
    const row = await this.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    if (!row || !secretMatches(row.token_hash, token)) throw refused('is not valid');
    if (row.revoked_at) throw refused(`${row.id} was revoked`);
    const now = Date.now();
    if (!row.last_used_at || now - Date.parse(row.last_used_at) > LAST_USED_RESOLUTION_MS) {
      await this.store.db
        .updateTable('api_tokens')
        .set({ last_used_at: new Date(now).toISOString() })
        .where('id', '=', row.id)
        .execute();
    }
    return { token_id: row.id, organization_id: row.organization_id, admin: Number(row.admin) === 1 };
  }

  /** An organization's tokens (never the tokens themselves), oldest first. */
  async list(organizationId: string): Promise<ApiToken[]> {
    const rows = await this.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('organization_id', '=', organizationId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toApiToken);
  }

  /**
   * Revokes a token by id; from then on it authenticates nothing. Revoking twice keeps the first
   * revocation time.
   *
   * @throws `NotFoundError` when there is no such token.
   */
  async revoke(id: string): Promise<ApiToken> {
    await this.store.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    const row = await this.store.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError(`No API token ${id}.`, {
        hint: 'Token ids look like tok_…; they are printed by `oxygen tokens create`.',
      });
    }
    return toApiToken(row);
  }
}
