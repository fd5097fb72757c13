import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-error';
import { registerHistoryCommand } from './commands/history.command';
import { registerNodesCommand } from './commands/nodes.command';
import { registerRunCommand } from './commands/run.command';
import { registerValidateCommand } from './commands/validate.command';

/** Builds the `tagflow` command line. Errors surface as exceptions (commander's `exitOverride`), so `main` decides the exit code. */
export function createProgram(): Command {
  const program = new Command('tagflow')
    .description('Run and check tagflow flows: low-code data flows for the industrial edge.')
    .version(cliVersion(), '-v, --version', 'print the tagflow version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(add --help for usage)')
    // Set before the commands are added: subcommands inherit it.
    .exitOverride();
  registerRunCommand(program);
  registerValidateCommand(program);
  registerNodesCommand(program);
  registerHistoryCommand(program);
  program.addHelpText(
    'after',
    `
Examples:
  $ tagflow validate pump-monitor.json      check a flow without running it
  $ tagflow run pump-monitor.json           run it until Ctrl-C; debug values on stdout
  $ tagflow run pump-monitor.json --for 1m  run it for one minute
  $ tagflow nodes                           list the node types you can use
  $ tagflow history pump3/flow/avg --since 10m   what the local historian recorded

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

function cliVersion(): string {
  // dist/program.js -> ../package.json; read at run time because package.json is outside `src`.
  const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
