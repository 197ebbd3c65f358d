/** `oxygen providers ...`: the catalog of what each provider can do. */

import type { ProviderInfo } from '@oxygen/runtime';
import { withBackend } from '../context.js';
import { type Globals, printJson, printLines, table } from '../output.js';

/** `byok: Private app access token, OAuth 2.0 · managed: the platform key, paid in credits` */
function authLine(p: ProviderInfo): string {
  const modes: string[] = [];
  if (p.auth.byok.length > 0) modes.push(`byok: ${p.auth.byok.map((s) => s.label).join(', ')}`);
  if (p.auth.managed) modes.push('managed: the platform key, paid in credits');
  return modes.join(' · ') || '-';
}

/** One provider as a block of text: heading, auth, scopes, actions, events. */
function section(p: ProviderInfo, detail: boolean): string[] {
  const lines = [
    `${p.name} (${p.id})${p.version ? ` ${p.version}` : ''} · plugin contract v${p.api_version}`,
  ];
  if (p.description) lines.push(`  ${p.description}`);
  lines.push(`  auth:    ${authLine(p)}`);
  lines.push(`  scopes:  ${p.scopes.length > 0 ? p.scopes.join(' ') : '-'}`);
  lines.push(
    '',
    indent(
      table(
        detail
          ? ['ACTION', 'EFFECT', 'MODES', 'CREDITS', 'SCOPES', 'TITLE']
          : ['ACTION', 'EFFECT', 'MODES', 'CREDITS', 'TITLE'],
        p.actions.map((a) =>
          detail
            ? [a.slug, a.effect, a.auth_modes.join(','), a.credits, a.scopes.join(' ') || '-', a.title]
            : [a.slug, a.effect, a.auth_modes.join(','), a.credits, a.title],
        ),
      ),
    ),
  );
  if (p.events.length === 0) {
    lines.push('', '  events:  none');
  } else if (detail) {
    lines.push(
      '',
      indent(
        table(
          ['EVENT', 'PROVIDER NAME', 'DESCRIPTION'],
          p.events.map((e) => [
            e.type,
            e.payload_type && e.payload_type !== e.provider_type
              ? `${e.provider_type ?? e.type} (delivered as ${e.payload_type})`
              : e.provider_type,
            e.description,
          ]),
        ),
      ),
    );
  } else {
    lines.push('', `  events:  ${p.events.map((e) => e.type).join(', ')}`);
  }
  return lines;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** `oxygen providers list`: the full catalog, every provider with its auth, scopes, actions and events. */
export async function list(globals: Globals): Promise<void> {
  await withBackend(globals, async (_org, runtime) => {
    const { providers, failures } = await runtime.providers();
    for (const f of failures) process.stderr.write(`warning: plugin ${f.source} skipped: ${f.error}\n`);
    if (globals.json) return printJson(providers);
    if (providers.length === 0) return printLines('No providers are loaded.');
    const blocks = providers.map((p) => section(p, false).join('\n'));
    printLines(
      blocks.join('\n\n'),
      '',
      'One provider in full (scopes per action, event names): oxygen providers show <id>; JSON Schemas: --json',
    );
  });
}

/** `oxygen providers show <id>` */
export async function show(globals: Globals, id: string): Promise<void> {
  await withBackend(globals, async (_org, runtime) => {
    const p = await runtime.provider(id);
    if (globals.json) return printJson(p);
    printLines(...section(p, true));
  });
}
