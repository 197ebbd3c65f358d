/**
 * The `oxygen` command. This file only declares the grammar; each command's code is imported
 * when that command runs, so start-up stays close to `node -e 0`.
 */

import { ValidationError } from '@oxygen/core';
import { Command, CommanderError } from 'commander';
import pkg from '../package.json' with { type: 'json' };
import { reportError } from './errors.js';
import type { Globals } from './output.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${pkg.version}\n`);
} else {
  await main(argv);
}

async function main(args: string[]): Promise<void> {
  const program = new Command('oxygen')
    .description('Oxygen Integrations: connected provider accounts, their actions and events.')
    .version(pkg.version, '-V, --version')
    .option('--json', 'print exactly one JSON value on stdout')
    .option('--org <id>', 'organization to act for (default: $OXYGEN_ORG or "default")')
    .option('--verbose', 'show request ids, timings and error causes on stderr')
    // Commander's own usage errors are reported below, in the same one-line shape as ours.
    .configureOutput({
      writeErr: (text) => (text.startsWith('error:') ? undefined : process.stderr.write(text)),
    })
    .exitOverride();

  const globals = (cmd: Command): Globals => {
    const o = cmd.optsWithGlobals() as { json?: boolean; verbose?: boolean; org?: string };
    return { json: !!o.json, verbose: !!o.verbose, org: o.org };
  };

  const providers = program.command('providers').description('the provider catalog');
  providers
    .command('list')
    .description('every provider, its auth modes, actions and events')
    .action(async (_o, cmd: Command) => (await import('./commands/providers.js')).list(globals(cmd)));
  providers
    .command('show <provider>')
    .description('one provider in full')
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/providers.js')).show(globals(cmd), id),
    );

  const integrations = program.command('integrations').description('connected provider accounts');
  integrations
    .command('list')
    .description("the organization's connections")
    .option('--provider <id>', 'only this provider')
    .action(async (o, cmd: Command) => (await import('./commands/integrations.js')).list(globals(cmd), o));
  integrations
    .command('connect <integration-id>')
    .description('connect a provider account (the id is a provider id here, e.g. hubspot)')
    .option('--api-key-stdin', 'read the API key from stdin instead of a hidden prompt')
    .option('--auth-mode <mode>', 'byok (your own account) or managed (platform key, paid in credits)')
    .action(async (id: string, o, cmd: Command) =>
      (await import('./commands/integrations.js')).connect(globals(cmd), id, o),
    );
  integrations
    .command('actions <integration-id>')
    .description("what an integration's provider can do, with input and output JSON Schema")
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/integrations.js')).actions(globals(cmd), id),
    );
  integrations
    .command('run <integration-id> <action-slug>')
    .description('run an action with the integration credential')
    .option('--input <json>', "the action input: JSON text, '-' for stdin, or @file.json")
    .option('--dry-run', 'send nothing: print the validated input, the credits and the exact requests')
    .action(async (id: string, slug: string, o, cmd: Command) =>
      (await import('./commands/integrations.js')).run(globals(cmd), id, slug, o),
    );
  integrations
    .command('disconnect <integration-id>')
    .description('disconnect and destroy the credential')
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/integrations.js')).disconnect(globals(cmd), id),
    );

  const wantsJson = args.includes('--json');
  const verbose = args.includes('--verbose');
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return; // --help, --version
      if (error.code === 'commander.help') {
        process.exitCode = 2; // a command group without its subcommand: usage went to stderr
        return;
      }
      const message = error.message.replace(/^error: /, '');
      process.exitCode = reportError(
        new ValidationError(`${message[0]?.toUpperCase()}${message.slice(1)}`, {
          hint: 'Run `oxygen --help` (or `oxygen <command> --help`) for usage.',
        }),
        { json: wantsJson, verbose },
      );
      return;
    }
    process.exitCode = reportError(error, { json: wantsJson, verbose });
  }
}
