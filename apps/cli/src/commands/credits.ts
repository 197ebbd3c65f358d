/** `oxygen credits ...`: the organization's credits for managed calls. */

import { ValidationError } from '@oxygen/core';
import { withBackend } from '../context.js';
import { type Globals, printJson, printLines, table, when } from '../output.js';

const credits = (n: number) => `${n} credit${n === 1 ? '' : 's'}`;

/** `oxygen credits balance` */
export async function balance(globals: Globals): Promise<void> {
  await withBackend(globals, async (org) => {
    const result = await org.credits.balance();
    if (globals.json) return printJson(result);
    printLines(`Organization ${result.organization_id} has ${credits(result.balance)}.`);
  });
}

/** Parses `<n>`: digits only, so `1e3`, `2.5`, `-4` and `0x10` are refused before anything opens. */
function parseAmount(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ValidationError(`<n> must be a positive whole number of credits, not "${text}".`, {
      field: 'n',
      hint: 'For example: oxygen credits grant 100 --org acme-corp',
    });
  }
  return n;
}

/** `oxygen credits grant <n>` (an admin command: on the store directly, or with a server's admin token). */
export async function grant(globals: Globals, amount: string, options: { note?: string }): Promise<void> {
  const n = parseAmount(amount);
  await withBackend(globals, async (org) => {
    const result = await org.credits.grant(n, options.note);
    if (globals.json) return printJson(result);
    printLines(
      `Granted ${credits(n)} to organization ${result.organization_id}; balance: ${credits(result.balance)}.`,
    );
  });
}

/** `oxygen credits history` */
export async function history(globals: Globals, options: { limit?: string }): Promise<void> {
  const limit = options.limit === undefined ? 50 : Number(options.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ValidationError(`--limit must be a whole number from 1 to 1000, not "${options.limit}".`, {
      field: 'limit',
    });
  }
  await withBackend(globals, async (org) => {
    const entries = await org.credits.history(limit);
    if (globals.json) return printJson(entries);
    if (entries.length === 0) {
      return printLines(
        `No credit entries in organization ${org.organizationId}. Add credits: oxygen credits grant 100`,
      );
    }
    printLines(
      table(
        ['WHEN', 'KIND', 'DELTA', 'ACTION', 'INTEGRATION', 'NOTE'],
        entries.map((e) => [
          when(e.created_at),
          e.kind,
          e.delta > 0 ? `+${e.delta}` : e.delta,
          e.action,
          e.connection_id,
          e.note ? e.note.slice(0, 60) : null,
        ]),
      ),
    );
  });
}
