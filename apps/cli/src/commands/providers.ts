/** `oxygen providers ...`: the catalog of what each provider can do. */

import { withBackend } from '../context.js';
import { type Globals, printJson, printLines, table } from '../output.js';

/** `oxygen providers list` */
export async function list(globals: Globals): Promise<void> {
  await withBackend(globals, async (_org, runtime) => {
    const { providers, failures } = await runtime.providers();
    for (const f of failures) process.stderr.write(`warning: plugin ${f.source} skipped: ${f.error}\n`);
    if (globals.json) return printJson(providers);
    printLines(
      table(
        ['PROVIDER', 'NAME', 'VERSION', 'API', 'AUTH', 'ACTIONS', 'EVENTS'],
        providers.map((p) => [
          p.id,
          p.name,
          p.version,
          p.api_version,
          p.auth_modes.join(','),
          p.actions.length,
          p.events.length,
        ]),
      ),
    );
  });
}

/** `oxygen providers show <id>` */
export async function show(globals: Globals, id: string): Promise<void> {
  await withBackend(globals, async (_org, runtime) => {
    const p = await runtime.provider(id);
    if (globals.json) return printJson(p);
    printLines(
      `${p.name} (${p.id}) ${p.version ?? ''} — plugin contract v${p.api_version}`,
      p.description ?? '',
      `auth: ${p.auth.byok.map((s) => `byok ${s.type} (${s.label})`).join(', ')}${p.auth.managed ? ', managed' : ''}`,
      '',
      table(
        ['ACTION', 'EFFECT', 'MODES', 'CREDITS', 'TITLE'],
        p.actions.map((a) => [a.slug, a.effect, a.auth_modes.join(','), a.credits, a.title]),
      ),
    );
    if (p.events.length > 0) {
      printLines(
        '',
        table(
          ['EVENT', 'DESCRIPTION'],
          p.events.map((e) => [e.type, e.description]),
        ),
      );
    }
  });
}
