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

  const plugins = program
    .command('plugins')
    .description('provider plugins: first-party, and third-party ones added by package name or path');
  plugins
    .command('add <package-name|path>')
    .description(
      'check a plugin loads and its contract apiVersion is supported, then add it to $OXYGEN_HOME/config.json',
    )
    .action(async (source: string, _o, cmd: Command) =>
      (await import('./commands/plugins.js')).add(globals(cmd), source),
    );
  plugins
    .command('list')
    .description('every plugin: source, package, version, apiVersion, load status')
    .action(async (_o, cmd: Command) => (await import('./commands/plugins.js')).list(globals(cmd)));
  plugins
    .command('remove <package-name|path>')
    .description('stop loading an added plugin (by the name or path it was added with)')
    .action(async (source: string, _o, cmd: Command) =>
      (await import('./commands/plugins.js')).remove(globals(cmd), source),
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
    .option('--oauth', 'connect with OAuth: approve in a browser, redirected to a listener on 127.0.0.1')
    .option('--no-browser', 'with OAuth: print the approval URL (on stderr) without opening a browser')
    .option('--timeout <seconds>', 'with OAuth: how long to wait for the approval (default 300)')
    .option(
      '--client-id <id>',
      "with OAuth: the organization's own app (default: OXYGEN_<PROVIDER>_CLIENT_ID)",
    )
    .option('--client-secret-stdin', "with --client-id: read the app's client secret from stdin")
    .addHelpText(
      'after',
      `
How it connects (byok):
  --api-key-stdin          an API key, read from stdin (a hidden prompt on a terminal otherwise)
  --oauth                  OAuth 2.0: the approval URL goes to stderr and a browser opens when
                           there is one; the provider redirects to http://127.0.0.1:<port>/callback.
                           --no-browser, --timeout and --client-id imply --oauth.
  neither                  a provider with one way to connect uses it; one with both (HubSpot)
                           asks on a terminal, and otherwise uses its first (HubSpot: API key).
OAuth uses the platform's app (OXYGEN_<PROVIDER>_CLIENT_ID and _CLIENT_SECRET) unless --client-id
names the organization's own.`,
    )
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
    .option(
      '--all',
      "follow next_cursor to the last page and print every page's results as one (progress on stderr)",
    )
    .action(async (id: string, slug: string, o, cmd: Command) =>
      (await import('./commands/integrations.js')).run(globals(cmd), id, slug, o),
    );
  integrations
    .command('verify <integration-id>')
    .description(
      "run the provider's verify again: status, account, scopes, last error (non-zero exit if it fails)",
    )
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/verify.js')).verify(globals(cmd), id),
    );
  integrations
    .command('disconnect <integration-id>')
    .description('revoke an OAuth token at the provider, disconnect and destroy the credential')
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/integrations.js')).disconnect(globals(cmd), id),
    );

  const events = integrations
    .command('events')
    .description('provider events: the catalog, enabling them, the deliveries log, replays');
  events
    .command('list')
    .description('every event each provider declares, its payload schema, and whether it is enabled')
    .option('--source <id>', 'only this provider')
    .action(async (o, cmd: Command) => (await import('./commands/events.js')).list(globals(cmd), o));
  events
    .command('enable')
    .description('subscribe to an event at the provider (or print the steps for its settings)')
    .option('--source <id>', 'the provider (hubspot, attio, instantly, ...)')
    .option('--event <name>', 'the event, e.g. email.reply_received')
    .option(
      '--connection <id>',
      "the integration whose account delivers it (default: the provider's only one)",
    )
    .action(async (o, cmd: Command) => (await import('./commands/events.js')).enable(globals(cmd), o));
  events
    .command('disable')
    .description('remove the subscription at the provider; later deliveries are ignored')
    .option('--source <id>', 'the provider')
    .option('--event <name>', 'the event')
    .action(async (o, cmd: Command) => (await import('./commands/events.js')).disable(globals(cmd), o));
  events
    .command('deliveries')
    .description('every event received and what became of it, newest first')
    .option('--source <id>', 'only this provider')
    .option('--event <name>', 'only this event')
    .option('--status <status>', 'pending, delivered, retrying, failed, ignored, rejected or duplicate')
    .option('--since <when>', 'an ISO 8601 time or a duration back from now (30m, 2h, 7d)')
    .option('--limit <n>', 'how many (1-1000, default 50)')
    .action(async (o, cmd: Command) => (await import('./commands/events.js')).deliveries(globals(cmd), o));
  events
    .command('replay <delivery-id>')
    .description("send a delivery's event again (attempted once right away)")
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/events.js')).replay(globals(cmd), id),
    );

  const workflows = program.command('workflows').description('what provider events start');
  const triggers = workflows
    .command('triggers')
    .description('URLs matching events are POSTed to, signed (Standard Webhooks)');
  triggers
    .command('add')
    .description('POST each matching event to a URL; prints the signing secret once')
    .option('--source <id>', 'the provider')
    .option('--event <name>', 'the event, e.g. email.reply_received')
    .option('--url <url>', 'the http(s) URL to POST to')
    .action(async (o, cmd: Command) => (await import('./commands/triggers.js')).add(globals(cmd), o));
  triggers
    .command('list')
    .description("the organization's triggers (never their secrets)")
    .option('--source <id>', 'only this provider')
    .option('--event <name>', 'only this event')
    .action(async (o, cmd: Command) => (await import('./commands/triggers.js')).list(globals(cmd), o));
  triggers
    .command('remove <trigger-id>')
    .description('stop sending events to its URL')
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/triggers.js')).remove(globals(cmd), id),
    );

  // Tables, columns and waterfalls: the local store only for now (refused through a server).
  const repeat = (value: string, previous: string[] = []) => [...previous, value];
  const tables = program
    .command('tables')
    .description(
      "the organization's tables: rows, CSV import and export, cells mirrored from provider writes",
    );
  tables
    .command('create <name>')
    .description('create an empty table')
    .option('--columns <names>', 'data columns, comma-separated')
    .action(async (name: string, o, cmd: Command) =>
      (await import('./commands/tables.js')).create(globals(cmd), name, o),
    );
  tables
    .command('import <name>')
    .description('import a CSV file (header row = columns), streamed; progress on stderr')
    .option('--csv <file>', "the CSV file ('-' for stdin)")
    .option('--create', 'create the table when it does not exist (the default)')
    .option('--no-create', 'fail instead of creating a missing table')
    .option('--delimiter <char>', 'field delimiter (default ,)')
    .action(async (name: string, o, cmd: Command) =>
      (await import('./commands/tables.js')).importCsv(globals(cmd), name, o),
    );
  tables
    .command('list')
    .description("the organization's tables with their row counts and columns")
    .action(async (_o, cmd: Command) => (await import('./commands/tables.js')).listTables(globals(cmd)));
  tables
    .command('show <name>')
    .description('a page of rows; action cells as synced <id> / failed: <error> / queued (--json: raw cells)')
    .option('--limit <n>', 'rows (1-1000, default 50)')
    .option('--offset <n>', 'rows to skip')
    .option('--after <row-id>', 'rows after this row id (the next page)')
    .action(async (name: string, o, cmd: Command) =>
      (await import('./commands/tables.js')).show(globals(cmd), name, o),
    );
  tables
    .command('export <name>')
    .description('the whole table as CSV on stdout, streamed (--json alone: one JSON array of rows)')
    .option('--csv', 'CSV (the default; wins over --json, which then only shapes errors)')
    .action(async (name: string, o, cmd: Command) =>
      (await import('./commands/tables.js')).exportTable(globals(cmd), name, o),
    );
  tables
    .command('remove <name>')
    .description('delete a table with its rows and cells (provider records are not touched)')
    .action(async (name: string, _o, cmd: Command) =>
      (await import('./commands/tables.js')).remove(globals(cmd), name),
    );

  const columns = program
    .command('columns')
    .description('action and waterfall columns: wire row values into a provider action, run it per row');
  columns
    .command('add <table> <column>')
    .description('add an action column (--integration, --action, --map) or a waterfall column (--waterfall)')
    .option('--integration <integration-id>', 'provider id with one integration, or a connection id')
    .option('--action <slug>', 'the action, e.g. contact.upsert')
    .option('--map <json>', `input field to template: '{"email":"{{row.email}}"}' ('-' stdin, @file.json)`)
    .option('--output <path>', "output field stored as the cell's value (default: the record id)")
    .option('--waterfall <name>', 'a waterfall column instead (--map: the default map for its steps)')
    .action(async (table: string, column: string, o, cmd: Command) =>
      (await import('./commands/columns.js')).add(globals(cmd), table, column, o),
    );
  columns
    .command('list <table>')
    .description("a table's action and waterfall columns")
    .action(async (table: string, _o, cmd: Command) =>
      (await import('./commands/columns.js')).listColumns(globals(cmd), table),
    );
  columns
    .command('remove <table> <column>')
    .description('remove a column and its cells (provider records are not touched)')
    .action(async (table: string, column: string, _o, cmd: Command) =>
      (await import('./commands/columns.js')).remove(globals(cmd), table, column),
    );
  columns
    .command('run <table> <column>')
    .description(
      'run the column over rows; synced rows are skipped, so a rerun resumes (Ctrl-C stops cleanly)',
    )
    .option('--rows <ids>', 'only these row ids, comma-separated')
    .option(
      '--where <condition>',
      'only rows where column=value, column!=value, column= (empty), column!= (repeatable)',
      repeat,
    )
    .option('--limit <n>', 'send at most n rows')
    .option('--dry-run', 'send nothing, write nothing: print the requests each row would make')
    .option('--concurrency <n>', 'rows in flight at once (1-32, default 4); rate limits still apply')
    .option('--force', 'send rows already synced with the same input again')
    .action(async (table: string, column: string, o, cmd: Command) =>
      (await import('./commands/columns.js')).run(globals(cmd), table, column, o),
    );

  const waterfalls = program
    .command('waterfalls')
    .description('provider steps tried in order per row until one returns the output');
  waterfalls
    .command('create <name>')
    .description('create a waterfall from --step <integration>:<action> (in order) and --output <path>')
    .option('--step <integration:action>', 'a step, tried in the order given (repeatable)', repeat)
    .option('--output <path>', 'the output field a step must return non-empty, e.g. email or results.0.id')
    .option(
      '--step-map <n=json>',
      'step n\'s own input map, e.g. \'1={"domain":"{{row.domain}}"}\' (repeatable)',
      repeat,
    )
    .action(async (name: string, o, cmd: Command) =>
      (await import('./commands/waterfalls.js')).create(globals(cmd), name, o),
    );
  waterfalls
    .command('list')
    .description("the organization's waterfalls")
    .action(async (_o, cmd: Command) => (await import('./commands/waterfalls.js')).list(globals(cmd)));
  waterfalls
    .command('remove <name>')
    .description('remove a waterfall no column uses')
    .action(async (name: string, _o, cmd: Command) =>
      (await import('./commands/waterfalls.js')).remove(globals(cmd), name),
    );

  const credits = program.command('credits').description("the organization's credits for managed calls");
  credits
    .command('balance')
    .description('credits available for managed calls')
    .action(async (_o, cmd: Command) => (await import('./commands/credits.js')).balance(globals(cmd)));
  credits
    .command('grant <n>')
    .description('add n credits to the organization (an admin command)')
    .option('--note <text>', 'why, shown in the history')
    .action(async (n: string, o, cmd: Command) =>
      (await import('./commands/credits.js')).grant(globals(cmd), n, o),
    );
  credits
    .command('history')
    .description('grants, charges and refunds, newest first')
    .option('--limit <n>', 'how many entries (1-1000, default 50)')
    .action(async (o, cmd: Command) => (await import('./commands/credits.js')).history(globals(cmd), o));

  const vault = program.command('vault').description('the credential vault');
  vault
    .command('rotate')
    .description('re-encrypt every stored credential under a new master key')
    .option('--batch-size <n>', 'credentials re-encrypted per transaction (default 100)')
    .action(async (o, cmd: Command) => (await import('./commands/vault.js')).rotate(globals(cmd), o));

  program
    .command('serve')
    .description('run the HTTP API, OAuth callback and connect page (embedded store, or DATABASE_URL)')
    .option('--port <port>', 'port to listen on (default $PORT or 8080; 0 picks a free one)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option(
      '--public-url <url>',
      'the URL people and providers reach the server at, webhook URLs included (default $OXYGEN_PUBLIC_URL; without either, http://<host>:<port> for links, and events cannot be enabled)',
    )
    .option('--no-worker', 'do not deliver trigger events from this process (another server does)')
    .action(async (o, cmd: Command) => (await import('./commands/serve.js')).serve(globals(cmd), o));

  const orgs = program.command('orgs').description('organizations on this store (for the server)');
  orgs
    .command('create <name>')
    .description('create an organization with a new id')
    .action(async (name: string, _o, cmd: Command) =>
      (await import('./commands/orgs.js')).create(globals(cmd), name),
    );
  orgs
    .command('list')
    .description('every organization')
    .action(async (_o, cmd: Command) => (await import('./commands/orgs.js')).list(globals(cmd)));

  const tokens = program.command('tokens').description("organization API tokens for the server's /v1 API");
  tokens
    .command('create')
    .description('mint a token for --org <id>; it is printed once')
    .option('--admin', 'may also grant credits')
    .option('--name <name>', 'what the token is for')
    .action(async (o, cmd: Command) => (await import('./commands/tokens.js')).create(globals(cmd), o));
  tokens
    .command('list')
    .description("--org <id>'s tokens (never the tokens themselves)")
    .action(async (_o, cmd: Command) => (await import('./commands/tokens.js')).list(globals(cmd)));
  tokens
    .command('revoke <token-id>')
    .description('revoke a token; it authenticates nothing after')
    .action(async (id: string, _o, cmd: Command) =>
      (await import('./commands/tokens.js')).revoke(globals(cmd), id),
    );

  const skills = program
    .command('skills')
    .description(
      "agent skills (Agent Skills format) for coding agents: the oxygen CLI's and each provider's",
    );
  skills
    .command('install')
    .description("install skills into agents' skills folders (re-running updates in place)")
    .option('--agents <agents...>', 'codex, claude-code and/or cursor')
    .option('--skill <names...>', "skill names or globs: oxygen, hubspot, 'hub*', '*' (default '*')")
    .option('--project', "this repository's .claude/skills, .agents/skills, .cursor/skills instead of ~/")
    .option('--force', 'overwrite skill files changed by hand')
    .action(async (o, cmd: Command) => (await import('./commands/skills.js')).install(globals(cmd), o));
  skills
    .command('list')
    .description('the skills available and where each is installed')
    .option('--agents <agents...>', 'only these agents (default all)')
    .action(async (o, cmd: Command) => (await import('./commands/skills.js')).list(globals(cmd), o));
  skills
    .command('uninstall')
    .description('remove skills Oxygen installed (not ones changed by hand, unless --force)')
    .option('--agents <agents...>', 'codex, claude-code and/or cursor')
    .option('--skill <names...>', "skill names or globs (default '*')")
    .option('--project', "this repository's skills folders instead of ~/")
    .option('--force', 'remove skill folders changed by hand too')
    .action(async (o, cmd: Command) => (await import('./commands/skills.js')).uninstall(globals(cmd), o));

  program
    .command('login')
    .description('talk to a shared Oxygen server instead of the local store')
    .option('--api-url <url>', 'the server URL')
    .option('--token-stdin', 'read the API token from stdin instead of a hidden prompt')
    .action(async (o, cmd: Command) => (await import('./commands/login.js')).login(globals(cmd), o));
  program
    .command('logout')
    .description('forget the saved server; commands use the local store again')
    .action(async (_o, cmd: Command) => (await import('./commands/login.js')).logout(globals(cmd)));

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
        new ValidationError(
          `${message[0]?.toUpperCase()}${message.slice(1)}${/[.!?]$/.test(message) ? '' : '.'}`,
          {
            hint: 'Run `oxygen --help` (or `oxygen <command> --help`) for usage.',
          },
        ),
        { json: wantsJson, verbose },
      );
      return;
    }
    process.exitCode = reportError(error, { json: wantsJson, verbose });
  }
}
