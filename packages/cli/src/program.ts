import { Command, CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { cliVersion } from './cli-version';

type RegisterCommand = (program: Command) => void;

/**
 * Every command, in the order `--help` lists them, each loaded only when it is needed: the admin
 * server, the historian's drivers and the YAML parser some commands use would otherwise more than
 * double the start-up time of `tagflow run`, which is how a flow starts on an edge box.
 */
const COMMANDS: Record<string, () => RegisterCommand> = {
  run: () => (require('./commands/run.command') as typeof import('./commands/run.command')).registerRunCommand,
  validate: () =>
    (require('./commands/validate.command') as typeof import('./commands/validate.command')).registerValidateCommand,
  nodes: () => (require('./commands/nodes.command') as typeof import('./commands/nodes.command')).registerNodesCommand,
  history: () =>
    (require('./commands/history.command') as typeof import('./commands/history.command')).registerHistoryCommand,
  start: () => (require('./commands/start.command') as typeof import('./commands/start.command')).registerStartCommand,
  token: () => (require('./commands/token.command') as typeof import('./commands/token.command')).registerTokenCommand,
  secret: () =>
    (require('./commands/secret.command') as typeof import('./commands/secret.command')).registerSecretCommand,
  var: () => (require('./commands/var.command') as typeof import('./commands/var.command')).registerVarCommand,
  deploy: () =>
    (require('./commands/deploy.command') as typeof import('./commands/deploy.command')).registerDeployCommand,
  pack: () => (require('./commands/pack.command') as typeof import('./commands/pack.command')).registerPackCommand,
  status: () =>
    (require('./commands/status.command') as typeof import('./commands/status.command')).registerStatusCommand,
  flows: () => (require('./commands/flows.command') as typeof import('./commands/flows.command')).registerFlowsCommand,
  rollback: () =>
    (require('./commands/rollback.command') as typeof import('./commands/rollback.command')).registerRollbackCommand,
  'new-node': () =>
    (require('./commands/new-node.command') as typeof import('./commands/new-node.command')).registerNewNodeCommand,
  docs: () => (require('./commands/docs.command') as typeof import('./commands/docs.command')).registerDocsCommand,
  'import-nodered': () =>
    (require('./commands/import-nodered.command') as typeof import('./commands/import-nodered.command'))
      .registerImportNodeRedCommand,
};

/** The command named on the command line, when it is one of ours; `undefined` for `--help`, `-v`, a typo. */
function invokedCommand(args: readonly string[]): string | undefined {
  const name = args[0];
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? name : undefined;
}

/** Builds the `tagflow` command line. Errors surface as exceptions (commander's `exitOverride`), so `main` decides the exit code. */
export function createProgram(args: readonly string[] = []): Command {
  const program = new Command('tagflow')
    .description('Run and check tagflow flows: low-code data flows for the industrial edge.')
    .version(`${cliVersion()} (Node.js ${process.version})`, '-v, --version', 'print the tagflow and Node.js versions')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(add --help for usage)')
    // Set before the commands are added: subcommands inherit it.
    .exitOverride()
    // Program options only before the command name: `tagflow rollback --version 2` is the
    // rollback's --version, not the program's.
    .enablePositionalOptions();
  // Only the invoked command is set up; help, version and unknown commands need them all.
  const invoked = invokedCommand(args);
  for (const name of invoked ? [invoked] : Object.keys(COMMANDS)) COMMANDS[name]()(program);
  program.addHelpText(
    'after',
    `
Examples:
  $ tagflow validate pump-monitor.json      check a flow without running it
  $ tagflow run pump-monitor.json           run it until Ctrl-C; debug values on stdout
  $ tagflow run pump-monitor.json --for 1m  run it for one minute
  $ tagflow nodes                           list the node types you can use
  $ tagflow history pump3/flow/avg --since 10m   what the local historian recorded
  $ tagflow start --flow pump-monitor.json  run as a service with the admin API (port 1990)
  $ tagflow var set PLC_HOST 10.0.3.7       a value for \${PLC_HOST} in this runtime's flows
  $ tagflow deploy flow.json --all --canary 1 --health 30s   deploy to the runtimes of fleet.yaml
  $ tagflow deploy a.json b.json --to plant-a-l1   deploy two flows, each by its id; others untouched
  $ tagflow status --all                    reachability, flow versions, errors, backlog of each runtime
  $ tagflow flows --to plant-a-l1           the flows of a runtime: state, version, counters
  $ tagflow rollback --to plant-a-l1 --flow alarms   roll one flow back; the others keep running
  $ tagflow new-node @acme/nodes-foo         scaffold a node package (example node, tests, docs)
  $ tagflow docs                            write a node package's docs pages from its definitions
  $ tagflow import-nodered flows.json --out imported   convert a Node-RED export, with a report

Exit codes: 0 success, 1 the command failed (invalid flow, missing file), 2 wrong usage.
tagflow start and tagflow run take --log-level debug (or TAGFLOW_LOG_LEVEL=debug) for more detail,
including stacks of unexpected errors.`,
  );
  return program;
}

/** Runs the command line and returns the process exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram(argv.slice(2)).parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help, or the version).
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      if (!err.reported) process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(
      `error: unexpected failure, please report it: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return EXIT_FAILURE;
  }
}
