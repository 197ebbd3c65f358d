/**
 * The `create-oxygen-provider` command (`pnpm create oxygen-provider <id>`,
 * `npm create oxygen-provider <id>`): parses arguments, scaffolds, prints what to do next.
 * `--json` prints exactly one JSON value on stdout; errors are one line on stderr.
 */

import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { OxygenError, ValidationError } from '@oxygen/core';
import { scaffold, version } from './index.js';

const USAGE = `Usage: create-oxygen-provider <id> [--name "Display Name"] [--dir <path>] [--link-checkout] [--json]

Scaffolds oxygen-provider-<id>: an Oxygen Integrations provider plugin with an API-key auth, a
verify, a read and a write action, an event with webhooks, a local sandbox of the API, SKILL.md,
and the @oxygen/testkit conformance tests. It builds, passes its tests and loads in the CLI as is.

  <id>              lowercase letters, digits and dashes (acme, acme-crm)
  --name <name>     display name (default: the id capitalised)
  --dir <path>      where to write it (default ./oxygen-provider-<id>); must be new or empty
  --link-checkout   take @oxygen packages and tools from the Oxygen checkout this runs from
                    (pnpm link: overrides), not npm: before they are published, or for unreleased
                    changes; pnpm install then works offline
  --json            print one JSON value describing what was written
  -h, --help        this help
  -v, --version     the version

Then: cd oxygen-provider-<id> && pnpm install && pnpm build && pnpm test`;

/** Exit status per error code, the same as the `oxygen` CLI's. */
const EXIT: Record<string, number> = { validation: 2, conflict: 5, config: 9 };

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(argv);
    } catch (error) {
      throw new ValidationError(`${error instanceof Error ? error.message : String(error)}`, {
        hint: 'Run `create-oxygen-provider --help` for usage.',
      });
    }
    const { values, positionals } = parsed;
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (values.version) {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    const [id, ...extra] = positionals;
    if (!id) {
      throw new ValidationError('Give the provider id, e.g. `create-oxygen-provider acme`.', {
        field: 'id',
        hint: 'Run `create-oxygen-provider --help` for usage.',
      });
    }
    if (extra.length > 0) {
      throw new ValidationError(`Unexpected argument(s): ${extra.join(' ')}.`, {
        hint: 'Quote a display name with spaces: --name "Acme CRM".',
      });
    }
    const result = await scaffold({
      id,
      name: values.name,
      dir: values.dir,
      linkCheckout: values['link-checkout'],
    });
    const where = relative(process.cwd(), result.dir) || '.';
    const next = [
      ...(where === '.' ? [] : [`cd ${where.includes(' ') ? JSON.stringify(where) : where}`]),
      'pnpm install',
      'pnpm build',
      'pnpm test',
      'oxygen plugins add . --json',
    ];
    if (json) {
      process.stdout.write(
        `${JSON.stringify(
          {
            id: result.id,
            name: result.name,
            package: result.packageName,
            dir: result.dir,
            files: result.files,
            linked_checkout: result.links !== null,
            next,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      process.stdout.write(
        [
          `Created ${result.packageName} (${result.name}) in ${where}: ${result.files.length} files${result.links ? ', dependencies linked to this Oxygen checkout' : ''}.`,
          '',
          'Next:',
          ...next.map((c) => `  ${c}`),
          '',
          "Then implement the provider's API in src/ (see README.md, and docs/authoring.md in the Oxygen repository).",
          '',
        ].join('\n'),
      );
    }
    return 0;
  } catch (error) {
    const known = OxygenError.isInstance(error)
      ? error
      : new OxygenError(
          'internal',
          `Unexpected failure: ${error instanceof Error ? error.message : String(error)}`,
        );
    if (json) process.stderr.write(`${JSON.stringify({ error: known.toJSON() })}\n`);
    else process.stderr.write(`error: ${known.message}${known.hint ? ` ${known.hint}` : ''}\n`);
    return EXIT[known.code] ?? 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      name: { type: 'string' },
      dir: { type: 'string' },
      'link-checkout': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
}

process.exitCode = await main(process.argv.slice(2));
