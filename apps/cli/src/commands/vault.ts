/** `oxygen vault ...`: the credential vault's master key. */

import { ValidationError } from '@oxygen/core';
import { oxygenHome, rotateMasterKey } from '@oxygen/runtime';
import { withOrg } from '../context.js';
import { type Globals, printJson, printLines } from '../output.js';

/** `oxygen vault rotate` */
export async function rotate(globals: Globals, options: { batchSize?: string }): Promise<void> {
  const batchSize = options.batchSize === undefined ? 100 : Number(options.batchSize);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new ValidationError(
      `--batch-size must be a whole number from 1 to 10000, not "${options.batchSize}".`,
      {
        field: 'batch-size',
      },
    );
  }
  await withOrg(globals, async (_org, runtime) => {
    const result = await rotateMasterKey({
      store: runtime.store,
      env: process.env,
      home: oxygenHome(process.env),
      batchSize,
    });
    if (globals.json) return printJson(result);
    const lines = [
      `Re-sealed ${result.rotated} credential(s) under key ${result.active_key_id}; ${result.skipped} already were.`,
    ];
    if (result.retired_key_ids.length > 0) lines.push(`Retired key ${result.retired_key_ids.join(', ')}.`);
    if (result.next_step) lines.push(result.next_step);
    printLines(...lines);
  });
}
