/**
 * Connect links: the "secure connection flow" for API-key providers. An organization (through
 * the server's API) mints a single-use, short-lived link; whoever holds the provider key opens
 * it in a browser, types the key into a password field, and the runtime verifies it with the
 * provider and stores it encrypted. The key never passes through the API client, a terminal, a
 * chat or a shell history.
 *
 * Only hashes are stored: of the link's secret and of the CSRF token of the form last served.
 *
 * @module
 */

import { AuthError, type Connection, NotFoundError, OxygenError, ValidationError } from '@oxygen/core';
import type { Selectable } from 'kysely';
import type { Runtime } from '../runtime.js';
import { newId } from '../store/ids.js';
import type { ConnectLinksTable, Organization } from '../store/types.js';
import { hashSecret, looksLikeSecret, newSecret, secretMatches } from './secrets.js';

/** How long a link works by default: 15 minutes. */
export const CONNECT_LINK_TTL_MS = 15 * 60_000;

/** The longest a link may live: 24 hours. */
export const CONNECT_LINK_MAX_TTL_MS = 24 * 60 * 60_000;

/** Keys refused through one link before it dies, so it cannot serve as a key-guessing oracle. */
export const CONNECT_LINK_MAX_ATTEMPTS = 5;

/** Where a link is in its life. */
export type ConnectLinkState = 'active' | 'used' | 'expired';

/** A connect link as it can be shown (never its secret). */
export interface ConnectLink {
  /** Link id (`link_…`). */
  id: string;
  /** The organization the connection will belong to. */
  organization_id: string;
  /** The provider to connect. */
  provider: string;
  /** When it was minted (ISO 8601, UTC). */
  created_at: string;
  /** When it stops working. */
  expires_at: string;
  /** When a key was accepted through it. */
  used_at: string | null;
  /** The connection it made, once used. */
  connection_id: string | null;
  /** `active`, `used` (a key was accepted, or too many were refused) or `expired`. */
  state: ConnectLinkState;
}

/** What {@link ConnectLinks.create} returns: the link's secret, this once. */
export interface CreatedConnectLink extends ConnectLink {
  /** The opaque secret that goes in the link's URL (`<public url>/connect/<token>`). Shown once. */
  token: string;
}

/** What the connect page shows for an active link. */
export interface OpenedConnectLink {
  /** The link (still active). */
  link: ConnectLink;
  /** The organization the key will be connected to. */
  organization: Organization;
  /** The provider and what its key is called (`Private app access token`). */
  provider: {
    /** Provider id (`hubspot`). */
    id: string;
    /** Display name (`HubSpot`). */
    name: string;
    /** What the provider calls the key, as the form's label. */
    key_label: string;
  };
  /**
   * A fresh CSRF token for the form, bound to this link (its hash replaces the previous one's:
   * only the form served last can be submitted).
   */
  csrf: string;
}

/**
 * A link that was used or has expired. Its `code` is `not_found` (the link leads nowhere any
 * more); `data.link_state` says which, so a page can say so (HTTP 410).
 */
export function linkGone(state: Exclude<ConnectLinkState, 'active'>): NotFoundError {
  return new NotFoundError(
    state === 'used' ? 'This connect link was already used.' : 'This connect link has expired.',
    {
      hint: 'Ask for a new link: connect links work once, for 15 minutes.',
      data: { link_state: state },
    },
  );
}

function unknownLink(): NotFoundError {
  return new NotFoundError('This connect link is not valid.', {
    hint: 'Check that the whole link was copied, or ask for a new one.',
  });
}

function stateOf(row: Selectable<ConnectLinksTable>, now = Date.now()): ConnectLinkState {
  if (row.used_at || row.failed_attempts >= CONNECT_LINK_MAX_ATTEMPTS) return 'used';
  if (Date.parse(row.expires_at) <= now) return 'expired';
  return 'active';
}

function toLink(row: Selectable<ConnectLinksTable>): ConnectLink {
  return {
    id: row.id,
    organization_id: row.organization_id,
    provider: row.provider,
    created_at: row.created_at,
    expires_at: row.expires_at,
    used_at: row.used_at,
    connection_id: row.connection_id,
    state: stateOf(row),
  };
}

/**
 * Mints, opens and completes connect links. Get it from `runtime.connectLinks`.
 *
 * @example
 * ```ts
 * const link = await runtime.connectLinks.create(orgId, 'hubspot');
 * const url = `${publicUrl}/connect/${link.token}`;           // send it to whoever holds the key
 * // the page: GET shows a form with a CSRF token, POST completes it
 * const { csrf } = await runtime.connectLinks.open(link.token);
 * const { connection } = await runtime.connectLinks.submit(link.token, { csrf, apiKey });
 * ```
 */
export class ConnectLinks {
  /** @internal use `runtime.connectLinks` */
  constructor(private readonly runtime: Runtime) {}

  private get db() {
    return this.runtime.store.db;
  }

  /**
   * Mints a link for an organization and an API-key provider.
   *
   * @param options.ttlMs - How long it works; default 15 minutes, at most 24 hours.
   * @throws `NotFoundError` for an unknown organization or provider, `ValidationError` when the
   * provider takes no API key.
   */
  async create(
    organizationId: string,
    providerId: string,
    options: { ttlMs?: number } = {},
  ): Promise<CreatedConnectLink> {
    const ttl = options.ttlMs ?? CONNECT_LINK_TTL_MS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > CONNECT_LINK_MAX_TTL_MS) {
      throw new ValidationError('A connect link lives between 1 ms and 24 hours.', { field: 'ttl_ms' });
    }
    const org = await this.runtime.store.organizations.get(organizationId);
    if (!org) throw new NotFoundError(`No organization ${organizationId}.`);
    const provider = await this.runtime.plugins.get(providerId);
    if (!provider.auth.byok.some((s) => s.type === 'api_key')) {
      throw new ValidationError(
        `${provider.name} does not connect with an API key, so it has no connect page.`,
        {
          field: 'provider',
          hint: 'Start an OAuth connection instead (POST /v1/integrations/oauth/start).',
        },
      );
    }
    const token = newSecret();
    const now = Date.now();
    const row: ConnectLinksTable = {
      id: newId('link'),
      organization_id: org.id,
      provider: provider.id,
      token_hash: hashSecret(token),
      csrf_hash: null,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + ttl).toISOString(),
      used_at: null,
      failed_attempts: 0,
      connection_id: null,
    };
    await this.db.insertInto('connect_links').values(row).execute();
    return { ...toLink(row), token };
  }

  /**
   * The link's state, without changing anything.
   *
   * @throws `NotFoundError` when no link has this secret.
   */
  async get(token: string): Promise<ConnectLink> {
    return toLink(await this.find(token));
  }

  /**
   * Opens an active link for its page: who it is for, which provider, and a fresh CSRF token.
   *
   * @throws `NotFoundError` when the link is unknown, or used or expired (see {@link linkGone}).
   */
  async open(token: string): Promise<OpenedConnectLink> {
    const row = await this.find(token);
    const state = stateOf(row);
    if (state !== 'active') throw linkGone(state);
    const provider = await this.runtime.plugins.get(row.provider);
    const scheme = provider.auth.byok.find((s) => s.type === 'api_key');
    const organization = await this.runtime.store.organizations.get(row.organization_id);
    if (!scheme || !organization) throw linkGone('expired');
    const csrf = newSecret();
    await this.db
      .updateTable('connect_links')
      .set({ csrf_hash: hashSecret(csrf) })
      .where('id', '=', row.id)
      .execute();
    return {
      link: toLink(row),
      organization,
      provider: { id: provider.id, name: provider.name, key_label: scheme.label },
      csrf,
    };
  }

  /**
   * Completes a link with the key typed into its page: checks the CSRF token, claims the link,
   * verifies the key with the provider and stores it encrypted (through `OrgRuntime.connect`).
   * A refused key releases the link for another try (at most five) and stores nothing; an
   * accepted one kills the link.
   *
   * @throws `NotFoundError` for an unknown, used or expired link; `AuthError` (field `csrf`) for a
   * wrong CSRF token; whatever `connect` throws for the key (`AuthError` with the provider's reason…).
   */
  async submit(
    token: string,
    form: { csrf: string; apiKey: string },
  ): Promise<{
    /** The link, now used. */
    link: ConnectLink;
    /** The connection the key made. */
    connection: Connection;
  }> {
    const row = await this.find(token);
    const state = stateOf(row);
    if (state !== 'active') throw linkGone(state);
    if (typeof form.csrf !== 'string' || !secretMatches(row.csrf_hash, form.csrf)) {
      throw new AuthError('This form is out of date or was not served by this server.', {
        field: 'csrf',
        hint: 'Reload the page and type the key again.',
      });
    }
    if (typeof form.apiKey !== 'string' || !form.apiKey.trim()) {
      throw new ValidationError('Type the key into the field first.', { field: 'api_key' });
    }
    // Claim: only one submission of a link can be in flight, and only while it is active.
    const claimedAt = new Date().toISOString();
    const claim = await this.db
      .updateTable('connect_links')
      .set({ used_at: claimedAt, csrf_hash: null })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .where('expires_at', '>', claimedAt)
      .where('failed_attempts', '<', CONNECT_LINK_MAX_ATTEMPTS)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) !== 1) {
      const now = await this.find(token);
      throw linkGone(stateOf(now) === 'expired' ? 'expired' : 'used');
    }
    let connection: Connection;
    try {
      connection = await this.runtime.org(row.organization_id).connect(row.provider, { apiKey: form.apiKey });
    } catch (error) {
      await this.db
        .updateTable('connect_links')
        .set((eb) => ({ used_at: null, failed_attempts: eb('failed_attempts', '+', 1) }))
        .where('id', '=', row.id)
        .where('used_at', '=', claimedAt)
        .execute();
      throw OxygenError.isInstance(error)
        ? error
        : new OxygenError('internal', 'Connecting failed unexpectedly; nothing was stored.', {
            cause: error,
          });
    }
    await this.db
      .updateTable('connect_links')
      .set({ connection_id: connection.id })
      .where('id', '=', row.id)
      .execute();
    return {
      link: toLink({ ...row, used_at: claimedAt, csrf_hash: null, connection_id: connection.id }),
      connection,
    };
  }

  private async find(token: string): Promise<Selectable<ConnectLinksTable>> {
    if (!looksLikeSecret(token)) throw unknownLink();
    const row = await this.db
      .selectFrom('connect_links')
      .selectAll()
      .where('token_hash', '=', hashSecret(token))
      .executeTakeFirst();
    if (!row || !secretMatches(row.token_hash, token)) throw unknownLink();
    return row;
  }
}
