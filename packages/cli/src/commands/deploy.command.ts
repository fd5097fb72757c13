import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { flowErrors, formatIssue, resolveFlowVariables, validateFlow } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';
import { CliError } from '../cli-error';
import { count, formatMs } from '../format-text';
import { openBundle } from '@tagflow/runtime';
import { discoveryWarnings } from '../load-registry';
import { dataDirOption, nodesDirOption } from '../shared-options';
import { readFlowFile } from '../read-flow-file';
import { loadFleetFile } from '../fleet/fleet-file';
import { addSelectionOptions, fleetOption, healthOption, positiveInteger } from '../fleet/fleet-options';
import { deployBundleToRuntime, deployToRuntime, isSuccess, planDeploy, runDeployPlan } from '../fleet/deploy-plan';
import { asCliError, loadLocalPackages } from '../fleet/local-packages';
import type { LocalPackages } from '../fleet/local-packages';
import type { RuntimeResult } from '../fleet/deploy-plan';
import { formatResults } from '../fleet/fleet-output';
import { selectRuntimes, withTokens } from '../fleet/select-targets';
import type { Selection } from '../fleet/select-targets';
import type { FleetRuntime } from '../fleet/fleet-file';

interface DeployOptions extends Selection {
  fleet?: string;
  health?: number;
  canary?: number;
  nodesDir: string[];
  dataDir: string;
  json?: boolean;
}

/**
 * Errors a runtime may not have: it can have node packages (or newer versions of them) that are
 * not installed here. Locally they are warnings; the runtime validates the flow again.
 */
const RUNTIME_DECIDES = new Set<string>([
  flowErrors.code.UNKNOWN_NODE_TYPE,
  flowErrors.code.UNKNOWN_RESOURCE_TYPE,
  flowErrors.code.TYPE_VERSION_TOO_NEW,
  flowErrors.code.MIGRATION_MISSING,
]);

/** Variable problems that depend on a runtime's values: each runtime checks with its own. */
const VALUE_DEPENDENT = new Set<string>([flowErrors.code.VARIABLE_UNRESOLVED, flowErrors.code.VARIABLE_TYPE]);

/** `tagflow deploy <flow> --to/--label/--all`: deploys a flow to runtimes of the fleet file. */
export function registerDeployCommand(program: Command): void {
  addSelectionOptions(
    program
      .command('deploy')
      .description('deploy a flow to runtimes listed in the fleet file, all at once or canaries first')
      .argument('<flow>', 'the flow file (JSON), or a bundle made by tagflow pack (.tgz)'),
  )
    .addOption(healthOption())
    .addOption(
      new Option(
        '--canary <n>',
        'deploy to the first n runtimes (in fleet-file order) first; the rest only if all of them deploy',
      ).argParser(positiveInteger),
    )
    .addOption(fleetOption())
    .addOption(nodesDirOption())
    .addOption(dataDirOption())
    .option('--json', 'print machine-readable JSON instead of a table')
    .addHelpText(
      'after',
      `
The flow is checked here first (a node type not installed here is only a warning: the
runtime may have it, and checks the flow again). Then, on each runtime, the running version
is read and the flow sent with it: a deploy made by someone else in between is a conflict,
never overwritten. Runtimes are deployed in parallel. Each ends as one of:
  deployed vN | unchanged vN | rejected (reasons below) | rolled back: reason |
  conflict | unreachable: reason | failed: reason | skipped (canary failed)
The command exits with 1 if any runtime did not end deployed or unchanged.

A bundle (tagflow pack) is checked here, then sent to each runtime first: the runtime
installs the node packages it lacks from it, with no registry access, refusing any tarball
whose sha512 does not match the bundle's manifest; then the flow is deployed as above.
Installing node packages needs an admin token (their code runs as the runtime).

The fleet file (YAML or JSON) lists the runtimes; tokens are read from the environment
variable each one names, never from the file:
  runtimes:
    - name: plant-a-l1
      url: http://10.0.0.5:1990
      tokenEnv: TAGFLOW_TOKEN_PLANT_A_L1
      labels: { site: plant-a, line: l1 }

One flow, many sites: a flow may say "host": "\${PLC_HOST}", and each runtime replaces it
with its own value. The fleet file gives the values, which are set on each runtime (those
that differ) before its deploy; a runtime's own (tagflow var set there) count when the file
gives none. A runtime with no value for a variable refuses the flow, naming each one; the
others deploy (with --canary, a refused canary stops the rest, as for any refusal):
  variables: { SAMPLE_MS: 1000 }                 # every runtime
  labelVariables:                                # runtimes with all these labels
    - labels: { site: plant-a }
      variables: { BROKER_HOST: 10.0.1.2 }
  runtimes:
    - { name: plant-a-l1, ..., variables: { PLC_HOST: 10.0.3.7 } }   # this one: wins
Later labelVariables entries win over earlier ones; a runtime's own variables win over all.

Examples:
  $ tagflow deploy pump-monitor.json --all
  $ tagflow deploy pump-monitor.json --to plant-a-l1,plant-a-l2
  $ tagflow deploy pump-monitor.json --label site=plant-a --label line=l1
  $ tagflow deploy pump-monitor.json --all --canary 1 --health 30s
  $ tagflow deploy pump-monitor.bundle.tgz --to plant-a-l1
  $ tagflow deploy pump-monitor.json --all --json | jq '.results[] | select(.status != "deployed")'`,
    )
    .action((file: string, options: DeployOptions) => deploy(file, options));
}

async function deploy(file: string, options: DeployOptions): Promise<void> {
  const fleet = await loadFleetFile(options.fleet);
  const runtimes = selectRuntimes(fleet, options);
  const bundle = isBundle(file) ? await readBundle(file) : undefined;
  const flow = bundle ? bundle.flow : await readFlowFile(file);
  const local = await checkLocally(file, flow, options, runtimes);
  const targets = withTokens(runtimes);

  const plan = planDeploy(targets, options.canary);
  const flowId = typeof (flow as { id?: unknown }).id === 'string' ? `"${(flow as { id: string }).id}"` : 'the flow';
  const canaries = plan.canaries.length > 0 ? `; canary first: ${plan.canaries.map((t) => t.name).join(', ')}` : '';
  const health = options.health === undefined ? '' : `; health window ${formatMs(options.health)}`;
  process.stderr.write(`deploying ${flowId} to ${count(targets.length, 'runtime')}${canaries}${health}\n`);

  const ran = await runDeployPlan(plan, (target) =>
    bundle
      ? deployBundleToRuntime(target, bundle.bytes, flow, { healthMs: options.health })
      : deployToRuntime(target, flow, { healthMs: options.health }),
  );
  const results: RuntimeResult[] = ran.map(({ target, outcome }) => ({
    runtime: target.name,
    url: target.url,
    outcome,
  }));
  const failed = results.filter((r) => !isSuccess(r.outcome));
  if (options.json) {
    const json = {
      ok: failed.length === 0,
      results: results.map((r) => ({ runtime: r.runtime, url: r.url, ...r.outcome })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(formatResults(results));
  }
  for (const line of missingTypeHints(results, flow, local, file)) process.stderr.write(`${line}\n`);
  if (failed.length > 0) {
    throw new CliError(
      `the deploy did not succeed on ${failed.length} of ${count(results.length, 'runtime')}: ${failed.map((r) => r.runtime).join(', ')}`,
    );
  }
}

/**
 * Validates the flow against the node types installed here; throws when it cannot run anywhere.
 * Its `${NAME}` are resolved with the fleet file's values (of the first selected runtime having
 * each); a variable the fleet file gives no value for may be set on the runtimes themselves: then
 * only they can check the flow, and one without the value refuses it, naming it.
 */
async function checkLocally(
  file: string,
  input: unknown,
  options: DeployOptions,
  runtimes: readonly FleetRuntime[],
): Promise<LocalPackages> {
  const local = await loadLocalPackages(options.nodesDir, options.dataDir);
  const { registry, report } = local;
  const values: Record<string, string> = {};
  for (const r of [...runtimes].reverse()) Object.assign(values, r.variables);
  const resolved = resolveFlowVariables(input, registry.catalog(), values);
  const unresolved = resolved.errors.filter((e) => e.code === flowErrors.code.VARIABLE_UNRESOLVED);
  const wrong = resolved.errors.filter((e) => !RUNTIME_DECIDES.has(e.code) && !VALUE_DEPENDENT.has(e.code));
  if (wrong.length > 0) {
    writeIssues(wrong, '');
    throw new CliError(`${file} is not a valid flow: ${count(wrong.length, 'error')}; nothing was deployed`);
  }
  if (resolved.errors.length > 0) {
    const names = [...new Set(unresolved.map((e) => /variable (\w+)/.exec(e.message)?.[1] ?? e.path))];
    if (names.length > 0)
      process.stderr.write(
        `warning: the fleet file gives no value for ${names.join(', ')}: each runtime uses its own (tagflow var set), and one without it refuses the flow; the flow is checked there, not here\n`,
      );
    writeIssues(
      resolved.errors.filter((e) => !unresolved.includes(e)),
      'warning: ',
    );
    return local;
  }
  const flow = resolved.flow;
  const result = validateFlow(flow, registry.catalog(), { migrations: registry.migrations });
  const errors = result.ok ? [] : result.errors;
  const deferred = errors.filter((e) => RUNTIME_DECIDES.has(e.code));
  const fatal = errors.filter((e) => !RUNTIME_DECIDES.has(e.code));
  if (fatal.length > 0) {
    writeIssues(fatal, '');
    writeIssues(deferred, 'warning: not installed here: ');
    throw new CliError(`${file} is not a valid flow: ${count(fatal.length, 'error')}; nothing was deployed`);
  }
  // Discovery problems matter only when they may explain a node type missing here.
  if (deferred.length > 0) for (const line of discoveryWarnings(report)) process.stderr.write(`${line}\n`);
  writeIssues(result.warnings, 'warning: ');
  writeIssues(deferred, 'warning: not installed here, the runtimes will check: ');
  return local;
}

function isBundle(file: string): boolean {
  return /\.(tgz|tar\.gz)$/i.test(file);
}

/** Reads a bundle and checks it whole here (sha512 of every tarball), so a damaged one is never sent. */
async function readBundle(file: string): Promise<{ flow: unknown; bytes: Buffer }> {
  const work = await mkdtemp(path.join(tmpdir(), 'tagflow-deploy-'));
  try {
    const opened = await openBundle(path.resolve(file), work).catch((err: unknown) => {
      throw asCliError(err);
    });
    await opened.close();
    return { flow: opened.flow, bytes: await readFile(file) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * For each node type a runtime lacked, the package and version that provides it here, and how to
 * get it there: the runtime's message can only name the packages it knows of.
 */
function missingTypeHints(
  results: readonly RuntimeResult[],
  flow: unknown,
  local: LocalPackages,
  file: string,
): string[] {
  const nodes = new Map(
    ((flow as { nodes?: Array<{ id?: unknown; type?: unknown }> }).nodes ?? []).map((n) => [
      String(n.id),
      String(n.type),
    ]),
  );
  const hints = new Set<string>();
  for (const r of results) {
    if (r.outcome.status !== 'rejected') continue;
    for (const issue of r.outcome.errors) {
      if (issue.code !== flowErrors.code.UNKNOWN_NODE_TYPE || issue.nodeId === undefined) continue;
      const type = nodes.get(issue.nodeId);
      const pkg = type === undefined ? undefined : local.registry.node(type)?.package;
      if (!pkg) continue;
      const bundle = isBundle(file) ? '' : `, or deploy a bundle: tagflow pack ${file}`;
      hints.add(
        `hint: node type "${type}" is provided by ${pkg.name} ${pkg.version} (installed here): tagflow nodes install ${pkg.name}@${pkg.version} --to ${r.runtime}${bundle}`,
      );
    }
  }
  return [...hints];
}

function writeIssues(issues: readonly FlowIssue[], prefix: string): void {
  for (const issue of issues) process.stderr.write(`${prefix}${formatIssue(issue)}\n`);
}
