import { Command, CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { cliVersion } from './cli-version';
import { registerDeployCommand } from './commands/deploy.command';
import { registerHistoryCommand } from './commands/history.command';
import { registerNewNodeCommand } from './commands/new-node.command';
import { registerNodesCommand } from './commands/nodes.command';
import { registerPackCommand } from './commands/pack.command';
import { registerRollbackCommand } from './commands/rollback.command';
import { registerRunCommand } from './commands/run.command';
import { registerSecretCommand } from './commands/secret.command';
import { registerStartCommand } from './commands/start.command';
import { registerStatusCommand } from './commands/status.command';
import { registerTokenCommand } from './commands/token.command';
import { registerValidateCommand } from './commands/validate.command';

/** Builds the `tagflow` command line. Errors surface as exceptions (commander's `exitOverride`), so `main` decides the exit code. */
export function createProgram(): Command {
  const program = new Command('tagflow')
    .description('Run and check tagflow flows: low-code data flows for the industrial edge.')
    .version(cliVersion(), '-v, --version', 'print the tagflow version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(add --help for usage)')
    // Set before the commands are added: subcommands inherit it.
    .exitOverride()
    // Program options only before the command name: `tagflow rollback --version 2` is the
    // rollback's --version, not the program's.
    .enablePositionalOptions();
  registerRunCommand(program);
  registerValidateCommand(program);
  registerNodesCommand(program);
  registerHistoryCommand(program);
  registerStartCommand(program);
  registerTokenCommand(program);
  registerSecretCommand(program);
  registerDeployCommand(program);
  registerPackCommand(program);
  registerStatusCommand(program);
  registerRollbackCommand(program);
  registerNewNodeCommand(program);
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
  $ tagflow deploy flow.json --all --canary 1 --health 30s   deploy to the runtimes of fleet.yaml
  $ tagflow status --all                    reachability, flow version, errors, backlog of each runtime
  $ tagflow new-node @acme/nodes-foo         scaffold a node package (example node, tests, docs)

Exit codes: 0 success, 1 the command failed (invalid flow, missing file), 2 wrong usage.
Set TAGFLOW_LOG_LEVEL=debug for more detail, including stacks of unexpected errors.`,
  );
  return program;
}

/** Runs the command line and returns the process exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await createProgram().parseAsync([...argv]);
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help, or the version).
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof CliError) {
      process.stderr.write(`error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`error: unexpected failure, please report it: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_FAILURE;
  }
}
