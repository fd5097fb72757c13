import { Option } from 'commander';
import type { Command } from 'commander';
import { ID_PATTERN } from '@tagflow/flow-model';
import { CliError, EXIT_USAGE } from '../cli-error';
import { AdminClient, AdminError } from '../fleet/admin-client';
import { asOutcome, isSuccess } from '../fleet/deploy-plan';
import { loadFleetFile } from '../fleet/fleet-file';
import { fleetOption, positiveInteger } from '../fleet/fleet-options';
import { describeOutcome, formatResults } from '../fleet/fleet-output';
import { selectRuntimes, withTokens } from '../fleet/select-targets';
import type { Target } from '../fleet/select-targets';

interface RollbackOptions {
  to: string;
  flow?: string;
  version?: number;
  fleet?: string;
  json?: boolean;
}

/** `tagflow rollback --to NAME [--flow ID] [--version V]`: makes one flow of a runtime run an earlier version again. */
export function registerRollbackCommand(program: Command): void {
  program
    .command('rollback')
    .description('make one flow of one runtime of the fleet file run an earlier version again')
    .requiredOption('--to <name>', 'the runtime, by name')
    .option('--flow <id>', "the flow, by id (default: the runtime's only flow)")
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
history only grows. Each flow has its own versions, numbered from 1; the runtime's other
flows keep running untouched. Without --flow, a runtime holding one flow rolls that one
back; one holding several names them and asks for --flow ("tagflow flows" lists them,
with their current versions). Exits with 1 when the runtime refused or could not be reached.

Examples:
  $ tagflow rollback --to plant-a-l1
  $ tagflow rollback --to plant-a-l1 --flow alarms
  $ tagflow rollback --to plant-a-l1 --flow alarms --version 4
  $ tagflow rollback --to plant-a-l1 --flow alarms --fleet sites/plant-a.yaml --json`,
    )
    .action((options: RollbackOptions) => rollback(options));
}

async function rollback(options: RollbackOptions): Promise<void> {
  if (options.to.includes(',')) throw new CliError('rollback acts on one runtime: name only one with --to', EXIT_USAGE);
  if (options.flow !== undefined && !new RegExp(ID_PATTERN).test(options.flow))
    throw new CliError(
      `--flow "${options.flow}" is not a flow id (letters, digits, ".", "_" and "-", starting with a letter or digit)`,
      EXIT_USAGE,
    );
  const fleet = await loadFleetFile(options.fleet);
  const [target] = withTokens(selectRuntimes(fleet, { to: [options.to.trim()] }));
  if (!target) throw new Error('selectRuntimes returned no runtime for a known name');

  const client = new AdminClient(target);
  const flow = options.flow ?? (await onlyFlow(client, target));
  const outcome = await asOutcome(() => client.rollbackFlow(flow, { version: options.version }));
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify({ ok: isSuccess(outcome), runtime: target.name, url: target.url, flow, ...outcome }, null, 2)}\n`,
    );
  } else {
    process.stdout.write(formatResults([{ runtime: target.name, url: target.url, flow, outcome }]));
  }
  if (!isSuccess(outcome))
    throw new CliError(
      `the rollback of flow "${flow}" on ${target.name} did not succeed: ${describeOutcome(outcome).summary}`,
    );
}

/** The id of the runtime's only flow; a CliError naming them all when it has none or several. */
async function onlyFlow(client: AdminClient, target: Target): Promise<string> {
  let ids: string[];
  try {
    ids = (await client.flows()).map((f) => f.id);
  } catch (err) {
    if (err instanceof AdminError) throw new CliError(`cannot list the flows of ${err.message}`);
    throw err;
  }
  const [only] = ids;
  if (ids.length === 1 && only !== undefined) return only;
  if (ids.length === 0) throw new CliError(`${target.name} has no flow to roll back`);
  throw new CliError(
    `${target.name} has ${ids.length} flows: ${ids.join(', ')}; say which one to roll back with --flow ID`,
    EXIT_USAGE,
  );
}
