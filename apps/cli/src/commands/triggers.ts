/**
 * `oxygen workflows triggers ...`: URLs that matching provider events are POSTed to, signed with
 * the Standard Webhooks scheme. The signing secret is printed once, when the trigger is added.
 */

import { withBackend } from '../context.js';
import { type Globals, printJson, printLines, table, when } from '../output.js';
import { requireFlag } from './events.js';

const EXAMPLE =
  'oxygen workflows triggers add --source instantly --event email.reply_received --url https://example.com/hooks/replies';

/** `oxygen workflows triggers add --source <id> --event <name> --url <url>` */
export async function add(
  globals: Globals,
  options: { source?: string; event?: string; url?: string },
): Promise<void> {
  const source = requireFlag(
    options.source,
    '--source',
    'the provider whose event fires the trigger (see `oxygen integrations events list`)',
    EXAMPLE,
  );
  const event = requireFlag(
    options.event,
    '--event',
    'the event name as `oxygen integrations events list` shows it',
    EXAMPLE,
  );
  const url = requireFlag(options.url, '--url', 'the http(s) URL matching events are POSTed to', EXAMPLE);
  await withBackend(globals, async (org) => {
    const result = await org.triggers.add({ source, event, url });
    if (globals.json) return printJson(result);
    const t = result.trigger;
    if (!result.created || !result.secret) {
      return printLines(
        `Trigger ${t.id} already sends ${t.source} ${t.event} to ${t.url}; nothing changed.`,
        'Its signing secret was shown when it was added and is not shown again; to get a new one, remove the trigger and add it again.',
      );
    }
    printLines(
      `Added trigger ${t.id}: each ${t.source} ${t.event} event is POSTed to ${t.url}.`,
      `Signing secret: ${result.secret}`,
      'Store it now: it will not be shown again. Verify the webhook-id, webhook-timestamp and webhook-signature headers of each delivery with it (Standard Webhooks, e.g. the standardwebhooks package).',
    );
  });
}

/** `oxygen workflows triggers list [--source <id>] [--event <name>]` */
export async function list(globals: Globals, options: { source?: string; event?: string }): Promise<void> {
  await withBackend(globals, async (org) => {
    const triggers = await org.triggers.list({ source: options.source, event: options.event });
    if (globals.json) return printJson(triggers);
    if (triggers.length === 0) {
      const filtered = options.source !== undefined || options.event !== undefined;
      return printLines(
        filtered
          ? `No triggers in organization ${org.organizationId} match these filters.`
          : `No triggers in organization ${org.organizationId}. Add one: ${EXAMPLE}`,
      );
    }
    printLines(
      table(
        ['ID', 'SOURCE', 'EVENT', 'URL', 'CREATED'],
        triggers.map((t) => [t.id, t.source, t.event, t.url, when(t.created_at)]),
      ),
    );
  });
}

/** `oxygen workflows triggers remove <trigger-id>` */
export async function remove(globals: Globals, id: string): Promise<void> {
  await withBackend(globals, async (org) => {
    const trigger = await org.triggers.remove(id);
    if (globals.json) return printJson(trigger);
    printLines(
      `Removed trigger ${trigger.id} (${trigger.source} ${trigger.event} to ${trigger.url}); its deliveries not yet made end failed.`,
    );
  });
}
