import type { Command } from 'commander';
import { CliError } from '../cli-error';
import { count } from '../format-text';
import { AdminClient, AdminError } from '../fleet/admin-client';
import { loadFleetFile } from '../fleet/fleet-file';
import { addSelectionOptions, fleetOption } from '../fleet/fleet-options';
import { formatStatus, statusJson } from '../fleet/fleet-output';
import type { StatusResult } from '../fleet/fleet-output';
import { selectRuntimes, withTokens } from '../fleet/select-targets';
import type { Selection, Target } from '../fleet/select-targets';

interface StatusOptions extends Selection {
  fleet?: string;
  json?: boolean;
}

/** `tagflow status --to/--label/--all`: what runs on runtimes of the fleet file, and what is wrong there. */
export function registerStatusCommand(program: Command): void {
  addSelectionOptions(
    program
      .command('status')
      .description('show, for runtimes of the fleet file, the flows running, nodes in error and the backlog'),
  )
    .addOption(fleetOption())
    .option('--json', 'print machine-readable JSON instead of a table')
    .addHelpText(
      'after',
      `
Asks every selected runtime at once. The state is ok while its engine runs a flow normally,
else safe-mode (no flow runs: the reason is below; a deploy or rollback leaves it), restarting
or starting; the last time its engine was ended (watchdog, memory cap, crash) is below too.
A runtime running several flows shows "N flows", and one line per flow below it: its version,
state (running, disabled, stopped, failed) and message counters (tagflow flows lists them too).
A node is "in error" when its state is error or it has counted errors since its flow started;
each is listed below its runtime (as flow/node when there are several flows). The backlog is
the number of messages waiting in store-and-forward buffers (e.g. a broker that is down), over
all flows.
The command exits with 1 if any runtime could not be asked (unreachable, token refused).

Examples:
  $ tagflow status --all
  $ tagflow status --label site=plant-a
  $ tagflow status --to plant-a-l1 --json | jq '.runtimes[0].flow.version'
  $ tagflow status --all --fleet /etc/tagflow/fleet.yaml`,
    )
    .action((options: StatusOptions) => showStatus(options));
}

async function showStatus(options: StatusOptions): Promise<void> {
  const fleet = await loadFleetFile(options.fleet);
  const targets = withTokens(selectRuntimes(fleet, options));
  const results = await Promise.all(targets.map(readStatus));
  process.stdout.write(options.json ? `${JSON.stringify(statusJson(results), null, 2)}\n` : formatStatus(results));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new CliError(
      `${failed.length} of ${count(results.length, 'runtime')} could not be asked: ${failed.map((r) => r.runtime).join(', ')}`,
    );
  }
}

async function readStatus(target: Target): Promise<StatusResult> {
  try {
    const client = new AdminClient(target);
    const status = await client.status();
    const flows = status.flows ?? [];
    if (flows.length <= 1) return { runtime: target.name, url: target.url, ok: true, status };
    // The answer holds the nodes of one flow: ask for the others' (one request each, all at once).
    const nodes = await Promise.all(
      flows.map(async (f) => (f.id === status.flow?.id ? status.nodes : (await client.status(f.id)).nodes)),
    );
    const flowNodes = Object.fromEntries(flows.map((f, i) => [f.id, nodes[i] ?? {}]));
    return { runtime: target.name, url: target.url, ok: true, status, flowNodes };
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
