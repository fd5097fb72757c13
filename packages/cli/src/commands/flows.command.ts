import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { count } from '../format-text';
import { AdminClient, AdminError } from '../fleet/admin-client';
import { loadFleetFile } from '../fleet/fleet-file';
import { addSelectionOptions, fleetOption } from '../fleet/fleet-options';
import { flowsJson, formatFlows } from '../fleet/flows-output';
import type { FlowsResult } from '../fleet/flows-output';
import { selectRuntimes, withTokens } from '../fleet/select-targets';
import type { Selection, Target } from '../fleet/select-targets';

interface FlowsOptions extends Selection {
  fleet?: string;
  json?: boolean;
}

/** `tagflow flows --to/--label/--all`: the flows each runtime of the fleet file holds, with version and health. */
export function registerFlowsCommand(program: Command): void {
  addSelectionOptions(
    program
      .command('flows')
      .description('list the flows of runtimes of the fleet file: id, state, version, message counters, name'),
  )
    .addOption(fleetOption())
    .option('--json', 'print machine-readable JSON instead of a table')
    .addHelpText(
      'after',
      `
A runtime runs any number of flows side by side, each known by its id (the "id" of its flow
file), each with its own versions: "tagflow deploy a.json b.json" deploys each by its id,
"tagflow rollback --to NAME --flow ID" rolls one back, and the others are never touched.

States: running; disabled (not started, not even at boot, until enabled again); stopped;
failed (it did not start, or was ended: tagflow status says why). The counters count
messages into and out of the flow's nodes, errors and dropped messages since it started.
The command exits with 1 if any runtime could not be asked (unreachable, token refused).

Examples:
  $ tagflow flows --to plant-a-l1
  $ tagflow flows --all
  $ tagflow flows --label site=plant-a --json | jq '.runtimes[].flows[] | select(.state != "running")'`,
    )
    .action((options: FlowsOptions) => listFlows(options));
}

async function listFlows(options: FlowsOptions): Promise<void> {
  const fleet = await loadFleetFile(options.fleet);
  const targets = withTokens(selectRuntimes(fleet, options));
  const results = await Promise.all(targets.map(readFlows));
  process.stdout.write(options.json ? `${JSON.stringify(flowsJson(results), null, 2)}\n` : formatFlows(results));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new CliError(
      `${failed.length} of ${count(results.length, 'runtime')} could not be asked: ${failed.map((r) => r.runtime).join(', ')}`,
    );
  }
}

async function readFlows(target: Target): Promise<FlowsResult> {
  try {
    const flows = await new AdminClient(target).flows();
    return { runtime: target.name, url: target.url, ok: true, flows };
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    return {
      runtime: target.name,
      url: target.url,
      ok: false,
      reachable: err.kind !== 'unreachable',
      error: err.reason,
    };
  }
}
