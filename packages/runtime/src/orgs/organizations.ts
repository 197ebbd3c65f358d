/**
 * Organizations: who owns connections, tokens and credits.
 *
 * @module
 */

import { NotFoundError, ValidationError } from '@oxygen/core';
import { newId } from '../store/ids.js';
import type { Organization, Store } from '../store/types.js';

/**
 * Creates and lists organizations. Get it from `runtime.orgs`.
 *
 * @example
 * ```ts
 * const acme = await runtime.orgs.create('Acme Inc.');   // { id: 'org_01J…', name: 'Acme Inc.', created_at }
 * const { token } = await runtime.tokens.create(acme.id);
 * ```
 */
export class Organizations {
  /** @internal use `runtime.orgs` */
  constructor(private readonly store: Store) {}

  /** Creates an organization with a new id (`org_…`). */
  async create(name: string): Promise<Organization> {
    const clean = typeof name === 'string' ? name.trim() : '';
    if (!clean) {
      throw new ValidationError('An organization needs a name.', {
        field: 'name',
        hint: 'Run `oxygen orgs create "Acme Inc."`.',
      });
    }
    if (clean.length > 200 || /\p{Cc}/u.test(clean)) {
      throw new ValidationError('An organization name is at most 200 printable characters.', {
        field: 'name',
      });
    }
    return this.store.organizations.ensure(newId('org'), clean);
  }

  /** Every organization, oldest first. */
  list(): Promise<Organization[]> {
    return this.store.organizations.list();
  }

  /** One organization; `NotFoundError` when there is none with this id. */
  async get(id: string): Promise<Organization> {
    const org = await this.store.organizations.get(id);
    if (!org) {
      throw new NotFoundError(`No organization ${id}.`, { hint: 'Run `oxygen orgs list` to see the ids.' });
    }
    return org;
  }
}
