/**
 * `pnpm sandbox`: runs the __NAME__ sandbox until Ctrl-C, to try the plugin with the `oxygen` CLI.
 * Listens on `$PORT` (default 4010) and accepts the API key `$SANDBOX_API_KEY` (default
 * `__ID__-sandbox-key`); prints the base URL and what to export.
 */

import { start__PASCAL__Sandbox } from './index.js';

const port = Number(process.env.PORT ?? 4010);
const key = process.env.SANDBOX_API_KEY || '__ID__-sandbox-key';
const sandbox = await start__PASCAL__Sandbox({ port, keys: [key] });
process.stdout.write(
  [
    `__NAME__ sandbox listening on ${sandbox.url} (Ctrl-C stops it)`,
    `API key: ${key}`,
    `export OXYGEN_PROVIDER___ENV___BASE_URL=${sandbox.url}`,
    '',
  ].join('\n'),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.close().then(() => process.exit(0));
  });
}
