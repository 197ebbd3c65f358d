/**
 * `oxygen integrations events ...`: the events providers declare, enabling them (a webhook
 * registered at the provider, or the steps to take in its settings), the deliveries log and
 * replays. The same output on the local store and through a shared server.
 */

import { ValidationError } from '@oxygen/core';
import {
  DELIVERY_STATUSES,
  type DeliveryFilter,
  type DeliveryRecord,
  type DeliveryStatus,
  parseSince,
} from '@oxygen/runtime';
import { withBackend } from '../context.js';
import { type Globals, printJson, printLines, table } from '../output.js';

/** How `--source` and `--event` are refused when missing, with an example that works. */
export function requireFlag(value: string | undefined, flag: string, what: string, example: string): string {
  if (value === undefined || value.trim() === '') {
    throw new ValidationError(`Missing ${flag}: ${what}.`, {
      field: flag.replace(/^--/, ''),
      hint: `For example: ${example}`,
    });
  }
  return value.trim();
}

const EXAMPLE = {
  enable: 'oxygen integrations events enable --source instantly --event email.reply_received',
  disable: 'oxygen integrations events disable --source instantly --event email.reply_received',
};
const SOURCE_WHAT = 'the provider whose event it is (see `oxygen integrations events list`)';
const EVENT_WHAT = 'the event name as `oxygen integrations events list` shows it';

/** `2026-11-25T17:00:05.123Z` → `2026-11-25 17:00:05 UTC` (deliveries are seconds apart). */
export function stamp(iso: string | null | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '-';
}

function clip(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `oxygen integrations events list` */
export async function list(globals: Globals, options: { source?: string }): Promise<void> {
  await withBackend(globals, async (org) => {
    const all = await org.events.list();
    let events = all;
    if (options.source !== undefined) {
      events = all.filter((e) => e.source === options.source);
      if (events.length === 0) {
        const sources = [...new Set(all.map((e) => e.source))];
        throw new ValidationError(`Unknown event source "${options.source}".`, {
          field: 'source',
          hint: `Sources with events: ${sources.join(', ') || 'none'}.`,
        });
      }
    }
    if (globals.json) return printJson(events);
    if (events.length === 0) return printLines('No loaded provider declares events.');
    printLines(
      table(
        ['SOURCE', 'EVENT', 'ENABLED', 'CONNECTION'],
        events.map((e) => [e.source, e.event, e.enabled ? 'yes' : 'no', e.connection_id]),
      ),
      '',
      'Enable one: oxygen integrations events enable --source <source> --event <event>',
      'Descriptions and payload JSON Schemas: oxygen integrations events list --json',
    );
  });
}

/** `oxygen integrations events enable --source <id> --event <name> [--connection <id>]` */
export async function enable(
  globals: Globals,
  options: { source?: string; event?: string; connection?: string },
): Promise<void> {
  const source = requireFlag(options.source, '--source', SOURCE_WHAT, EXAMPLE.enable);
  const event = requireFlag(options.event, '--event', EVENT_WHAT, EXAMPLE.enable);
  await withBackend(globals, async (org) => {
    const result = await org.events.enable({
      source,
      event,
      ...(options.connection !== undefined ? { connection: options.connection } : {}),
    });
    if (globals.json) return printJson(result);
    const s = result.subscription;
    const what = `${s.source} ${s.event}`;
    const lines = result.created
      ? [`Enabled ${what} on integration ${s.connection_id}.`]
      : [`${what} was already enabled on integration ${s.connection_id}; nothing changed.`];
    if (s.registration === 'registered') {
      lines.push(`Deliveries come to ${s.url} (${s.source} webhook ${s.provider_subscription_id}).`);
    }
    if (s.setup?.length) {
      lines.push(
        '',
        `To finish, in ${s.source}'s settings (its API cannot subscribe to events):`,
        ...s.setup.map((step, i) => `  ${i + 1}. ${step}`),
        '',
        'Until then nothing arrives. What does arrive: oxygen integrations events deliveries',
      );
    }
    printLines(...lines);
  });
}

/** `oxygen integrations events disable --source <id> --event <name>` */
export async function disable(globals: Globals, options: { source?: string; event?: string }): Promise<void> {
  const source = requireFlag(options.source, '--source', SOURCE_WHAT, EXAMPLE.disable);
  const event = requireFlag(options.event, '--event', EVENT_WHAT, EXAMPLE.disable);
  await withBackend(globals, async (org) => {
    const result = await org.events.disable({ source, event });
    if (globals.json) return printJson(result);
    const what = `${result.source} ${result.event}`;
    const s = result.subscription;
    if (!s) return printLines(`${what} was not enabled; nothing changed.`);
    printLines(
      result.removed_at_provider
        ? `Disabled ${what}; webhook ${s.provider_subscription_id} was deleted at ${result.source}.`
        : `Disabled ${what}; its deliveries are now ignored.`,
      ...result.warnings.map((w) => `Still to do: ${w}`),
    );
  });
}

/** Parses `--limit`: digits only, 1 to 1000. */
function parseLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 1000) {
    throw new ValidationError(`--limit must be a whole number from 1 to 1000, not "${text}".`, {
      field: 'limit',
      hint: 'The newest deliveries come first; the default is 50.',
    });
  }
  return n;
}

function parseStatus(text: string | undefined): DeliveryStatus | undefined {
  if (text === undefined) return undefined;
  if (!DELIVERY_STATUSES.includes(text as DeliveryStatus)) {
    throw new ValidationError(`Unknown delivery status "${text}".`, {
      field: 'status',
      hint: `--status takes one of: ${DELIVERY_STATUSES.join(', ')}.`,
    });
  }
  return text as DeliveryStatus;
}

/** What became of a delivery, in one line for the REASON/DETAIL column. */
function outcome(d: DeliveryRecord): string {
  const replay = d.replay_of ? ` (replay of ${d.replay_of})` : '';
  switch (d.status) {
    case 'delivered':
      return `${d.duration_ms ?? '-'} ms to ${d.url}${replay}`;
    case 'pending':
      return `queued for ${d.url}${replay}`;
    case 'retrying':
      return `next ${stamp(d.next_attempt_at)}: ${d.last_error ?? 'failed'}${replay}`;
    case 'failed':
      return `${d.reason ?? 'failed'}: ${d.last_error ?? d.detail ?? ''}${replay}`;
    default:
      return `${d.reason ?? d.status}${d.detail ? `: ${d.detail}` : ''}`;
  }
}

function deliveryRows(deliveries: DeliveryRecord[]): string {
  return table(
    ['ID', 'TIME', 'SOURCE', 'EVENT', 'STATUS', 'ATTEMPTS', 'CODE', 'REASON/DETAIL'],
    deliveries.map((d) => [
      d.id,
      stamp(d.created_at),
      d.source,
      d.event,
      d.status,
      d.trigger_id ? `${d.attempts}/${d.max_attempts}` : null,
      d.status_code,
      clip(outcome(d)),
    ]),
  );
}

/** `oxygen integrations events deliveries [--source] [--event] [--status] [--since] [--limit]` */
export async function deliveries(
  globals: Globals,
  options: { source?: string; event?: string; status?: string; since?: string; limit?: string },
): Promise<void> {
  // Checked here, before anything opens, so both modes refuse bad filters the same way.
  const filter: DeliveryFilter = {};
  if (options.source !== undefined) filter.source = options.source;
  if (options.event !== undefined) filter.event = options.event;
  const status = parseStatus(options.status);
  if (status) filter.status = status;
  // A duration is taken back from this machine's clock: what the person typing it means.
  if (options.since !== undefined) filter.since = parseSince(options.since);
  const limit = parseLimit(options.limit);
  if (limit !== undefined) filter.limit = limit;
  await withBackend(globals, async (org) => {
    const records = await org.events.deliveries(filter);
    if (globals.json) return printJson(records);
    if (records.length === 0) {
      const filtered = Object.keys(filter).some((k) => k !== 'limit');
      return printLines(
        filtered
          ? `No deliveries in organization ${org.organizationId} match these filters.`
          : `No deliveries in organization ${org.organizationId} yet. Events arrive once enabled: oxygen integrations events list`,
      );
    }
    printLines(deliveryRows(records));
  });
}

/** `oxygen integrations events replay <delivery-id>` */
export async function replay(globals: Globals, id: string): Promise<void> {
  await withBackend(globals, async (org) => {
    // Each new delivery is attempted once before this returns (locally, in this process).
    const records = await org.events.replay(id);
    if (globals.json) return printJson(records);
    printLines(
      ...records.map((d) => {
        const head = `Replayed ${id} as ${d.id} to ${d.url}:`;
        switch (d.status) {
          case 'delivered':
            return `${head} delivered (HTTP ${d.status_code}, ${d.duration_ms} ms).`;
          case 'retrying':
            return `${head} attempt ${d.attempts} of ${d.max_attempts} failed (${d.last_error}); next attempt ${stamp(d.next_attempt_at)}, made by the delivery worker (oxygen serve).`;
          case 'failed':
            return `${head} failed (${d.last_error ?? d.detail}).`;
          default:
            return `${head} ${d.status}.`;
        }
      }),
    );
  });
}
