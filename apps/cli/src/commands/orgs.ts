/** `oxygen orgs ...`: organizations on this store (an operator's commands: always local). */

import { withOrg } from '../context.js';
import { type Globals, printJson, printLines, table, when } from '../output.js';

/** `oxygen orgs create <name>` */
export async function create(globals: Globals, name: string): Promise<void> {
  await withOrg(globals, async (_org, runtime) => {
    const org = await runtime.orgs.create(name);
    if (globals.json) return printJson(org);
    printLines(
      `Created organization ${org.name} as ${org.id}.`,
      `Give it an API token: oxygen tokens create --org ${org.id}`,
    );
  });
}

/** `oxygen orgs list` */
export async function list(globals: Globals): Promise<void> {
  await withOrg(globals, async (_org, runtime) => {
    const orgs = await runtime.orgs.list();
    if (globals.json) return printJson(orgs);
    if (orgs.length === 0)
      return printLines('No organizations yet. Create one: oxygen orgs create "Acme Inc."');
    printLines(
      table(
        ['ID', 'NAME', 'CREATED'],
        orgs.map((o) => [o.id, o.name, when(o.created_at)]),
      ),
    );
  });
}
