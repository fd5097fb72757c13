import { Option } from 'commander';
import type { Command } from 'commander';
import { CliError, EXIT_USAGE } from '../cli-error';
import { AdminClient } from '../fleet/admin-client';
import { asOutcome, isSuccess } from '../fleet/deploy-plan';
import { loadFleetFile } from '../fleet/fleet-file';
import { fleetOption, positiveInteger } from '../fleet/fleet-options';
import { describeOutcome, formatResults } from '../fleet/fleet-output';
import { selectRuntimes, withTokens } from '../fleet/select-targets';

interface RollbackOptions {
  to: string;
  version?: number;
  fleet?: string;
  json?: boolean;
}

/** `tagflow rollback --to NAME [--version V]`: makes a runtime run an earlier flow version again. */
export function registerRollbackCommand(program: Command): void {
  program
    .command('rollback')
    .description('make one runtime of the fleet file run an earlier version of its flow again')
    .requiredOption('--to <name>', 'the runtime, by name')
    .addOption(
      new Option('--version <n>', 'the version to go back to (default: the one before the current)').argParser(
        positiveInteger,
      ),
    )
    .addOption(fleetOption())
    .option('--json', 'print machine-readable JSON instead of a table')
    .addHelpText(
      'after',
      `
The earlier version is deployed again as a new version (v6 "rollback to 4"), so the
history only grows. Versions are numbered from 1; "tagflow status" shows the current one.
Exits with 1 when the runtime refused or could not be reached.

Examples:
  $ tagflow rollback --to plant-a-l1
  $ tagflow rollback --to plant-a-l1 --version 4
  $ tagflow rollback --to plant-a-l1 --fleet sites/plant-a.yaml --json`,
    )
    .action((options: RollbackOptions) => rollback(options));
}

async function rollback(options: RollbackOptions): Promise<void> {
  if (options.to.includes(',')) throw new CliError('rollback acts on one runtime: name only one with --to', EXIT_USAGE);
  const fleet = await loadFleetFile(options.fleet);
  const [target] = withTokens(selectRuntimes(fleet, { to: [options.to.trim()] }));
  if (!target) throw new Error('selectRuntimes returned no runtime for a known name');

  const outcome = await asOutcome(() => new AdminClient(target).rollback({ version: options.version }));
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: isSuccess(outcome), runtime: target.name, url: target.url, ...outcome }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(formatResults([{ runtime: target.name, url: target.url, outcome }]));
  }
  if (!isSuccess(outcome))
    throw new CliError(`the rollback of ${target.name} did not succeed: ${describeOutcome(outcome).summary}`);
}
