/**
 * `pnpm sandbox`: runs the Pipelane sandbox until Ctrl-C, to try the plugin with the `oxygen` CLI.
 * Listens on `$PORT` (default 4010) and accepts the API token `$SANDBOX_API_KEY` (default
 * `pipelane-sandbox-key`); prints the base URL and what to export.
 */

import { startPipelaneSandbox } from './index.js';

const port = Number(process.env.PORT ?? 4010);
const key = process.env.SANDBOX_API_KEY || 'pipelane-sandbox-key';
const sandbox = await startPipelaneSandbox({ port, keys: [key] });
process.stdout.write(
  [
    `Pipelane sandbox listening on ${sandbox.url} (Ctrl-C stops it)`,
    `API token: ${key}`,
    `export OXYGEN_PROVIDER_PIPELANE_BASE_URL=${sandbox.url}`,
    '',
  ].join('\n'),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    sandbox.close().then(() => process.exit(0));
  });
}
