/** `oxygen tokens ...`: organization API tokens for the server (an operator's commands: always local). */

import { ValidationError } from '@oxygen/core';
import { withOrg } from '../context.js';
import { type Globals, printJson, printLines, table, when } from '../output.js';

function requireOrg(globals: Globals): string {
  const org = globals.org || process.env.OXYGEN_ORG;
  if (!org) {
    throw new ValidationError('Name the organization the token acts for with --org <id>.', {
      field: 'org',
      hint: 'List them with `oxygen orgs list`, or create one with `oxygen orgs create <name>`.',
    });
  }
  return org;
}

/** `oxygen tokens create --org <id> [--admin] [--name <name>]`: prints the token once. */
export async function create(globals: Globals, options: { admin?: boolean; name?: string }): Promise<void> {
  const orgId = requireOrg(globals);
  await withOrg(globals, async (_org, runtime) => {
    const created = await runtime.tokens.create(orgId, {
      admin: !!options.admin,
      ...(options.name ? { name: options.name } : {}),
    });
    if (globals.json) return printJson(created);
    printLines(
      `Created ${created.admin ? 'admin ' : ''}token ${created.id} for organization ${created.organization_id}:`,
      '',
      `  ${created.token}`,
      '',
      'Store it now: it is shown only this once. Use it as OXYGEN_API_TOKEN, or: oxygen login --api-url <url> --token-stdin',
    );
  });
}

/** `oxygen tokens list --org <id>`: never the tokens themselves. */
export async function list(globals: Globals): Promise<void> {
  const orgId = requireOrg(globals);
  await withOrg(globals, async (_org, runtime) => {
    await runtime.orgs.get(orgId);
    const tokens = await runtime.tokens.list(orgId);
    if (globals.json) return printJson(tokens);
    if (tokens.length === 0)
      return printLines(`No tokens for ${orgId}. Create one: oxygen tokens create --org ${orgId}`);
    printLines(
      table(
        ['ID', 'NAME', 'ADMIN', 'CREATED', 'LAST USED', 'REVOKED'],
        tokens.map((t) => [
          t.id,
          t.name,
          t.admin ? 'yes' : 'no',
          when(t.created_at),
          when(t.last_used_at),
          when(t.revoked_at),
        ]),
      ),
    );
  });
}

/** `oxygen tokens revoke <id>` */
export async function revoke(globals: Globals, id: string): Promise<void> {
  await withOrg(globals, async (_org, runtime) => {
    const token = await runtime.tokens.revoke(id);
    if (globals.json) return printJson(token);
    printLines(
      `Revoked token ${token.id} of organization ${token.organization_id}; it authenticates nothing now.`,
    );
  });
}
