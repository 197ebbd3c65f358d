/**
 * Workflow triggers (`runtime.org(id).triggers`, `oxygen workflows triggers`): URLs that matching
 * events are POSTed to, signed with the Standard Webhooks scheme under a per-trigger secret.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError } from '@oxygen/core';
import { newId } from '../store/ids.js';
import { eventSecretAad } from '../vault/rotate.js';
import type { EventsHost } from './host.js';
import { type EventRef, findEvent } from './org-events.js';
import { triggerInfo } from './records.js';
import type { TriggerAddResult, TriggerInfo } from './types.js';

function checkUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ValidationError(`"${raw}" is not a URL.`, {
      field: 'url',
      hint: 'Give an http:// or https:// URL.',
    });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ValidationError(`Trigger URLs must be http or https, not ${url.protocol}.`, { field: 'url' });
  }
  if (url.username || url.password) {
    throw new ValidationError('Trigger URLs must not carry credentials; deliveries are signed instead.', {
      field: 'url',
      hint: 'Verify the webhook-signature header with the secret `triggers add` prints.',
    });
  }
  return url.toString();
}

/** One organization's triggers. Get it with `runtime.org(id).triggers`. */
export class OrgTriggers {
  /** @internal */
  constructor(
    private readonly host: EventsHost,
    /** The organization every call is scoped to. */
    readonly organizationId: string,
  ) {}

  /**
   * Adds a trigger: each matching event is POSTed to `url` with `webhook-id`, `webhook-timestamp`
   * and `webhook-signature` headers. The signing secret comes back once; adding the same source,
   * event and URL again returns the existing trigger without it.
   *
   * @throws ValidationError for an unknown source or event (listing the valid ones) or a bad URL.
   *
   * @example
   * ```ts
   * const { trigger, secret } = await org.triggers.add({ source: 'instantly', event: 'email.reply_received', url: 'https://example.com/hook' });
   * // verify deliveries with new Webhook(secret).verify(body, headers) (the standardwebhooks package)
   * ```
   */
  async add(ref: EventRef & { url: string }): Promise<TriggerAddResult> {
    const { provider, event } = await findEvent(this.host, ref);
    const url = checkUrl(ref.url);
    const existing = await this.host.store.db
      .selectFrom('event_triggers')
      .selectAll()
      .where('organization_id', '=', this.organizationId)
      .where('provider', '=', provider.id)
      .where('event_type', '=', event.type)
      .where('url', '=', url)
      .executeTakeFirst();
    if (existing) return { trigger: triggerInfo(existing), created: false, secret: null };
    await this.host.store.organizations.ensure(this.organizationId);
    const id = newId('trg');
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    const row = {
      id,
      organization_id: this.organizationId,
      provider: provider.id,
      event_type: event.type,
      url,
      secret: this.host.sealSecret(secret, eventSecretAad('event_trigger', this.organizationId, id)),
      created_at: new Date().toISOString(),
    };
    await this.host.store.db.insertInto('event_triggers').values(row).execute();
    this.host.cache.clear();
    return { trigger: triggerInfo(row), created: true, secret };
  }

  /** The organization's triggers, oldest first, optionally for one source or event. */
  async list(
    filter: { source?: string | undefined; event?: string | undefined } = {},
  ): Promise<TriggerInfo[]> {
    let query = this.host.store.db
      .selectFrom('event_triggers')
      .selectAll()
      .where('organization_id', '=', this.organizationId);
    if (filter.source) query = query.where('provider', '=', filter.source);
    if (filter.event) query = query.where('event_type', '=', filter.event);
    return (await query.orderBy('id').execute()).map(triggerInfo);
  }

  /**
   * Removes a trigger; its deliveries not yet made end `failed` (`trigger_removed`).
   *
   * @throws NotFoundError for an unknown id or another organization's trigger.
   */
  async remove(id: string): Promise<TriggerInfo> {
    const row = await this.host.store.db
      .selectFrom('event_triggers')
      .selectAll()
      .where('id', '=', id)
      .where('organization_id', '=', this.organizationId)
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError(`No trigger ${id} in organization ${this.organizationId}.`, {
        hint: 'Run `oxygen workflows triggers list` to see the ids.',
      });
    }
    await this.host.store.db
      .deleteFrom('event_triggers')
      .where('id', '=', id)
      .where('organization_id', '=', this.organizationId)
      .execute();
    this.host.cache.clear();
    return triggerInfo(row);
  }
}
