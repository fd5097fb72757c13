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
import { deployFlowsToRuntime, isSuccess, planDeploy, runDeployPlan } from '../fleet/deploy-plan';
import { asCliError, loadLocalPackages } from '../fleet/local-packages';
import type { LocalPackages } from '../fleet/local-packages';
import type { FlowResult, FlowToDeploy } from '../fleet/deploy-plan';
import { flowFilesFor, flowIdOf, flowsOfRuntime } from '../fleet/flow-plan';
import type { LoadedFile } from '../fleet/flow-plan';
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

/** `tagflow deploy [flows...] --to/--label/--all`: deploys flows, each by its id, to runtimes of the fleet file. */
export function registerDeployCommand(program: Command): void {
  addSelectionOptions(
    program
      .command('deploy')
      .description('deploy flows, each by its id, to runtimes listed in the fleet file, all at once or canaries first')
      .argument(
        '[flows...]',
        'flow files (JSON), or bundles made by tagflow pack (.tgz); none: the "flows" of the fleet file',
      ),
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
A runtime runs any number of flows side by side, each known by its id (the flow file's
"id"). Each flow given is deployed by its id; the runtime's other flows are not touched
(tagflow flows lists them). Each flow is checked here first (a node type not installed here
is only a warning: the runtime may have it, and checks the flow again). Then, on each
runtime, that flow's current version is read and the flow sent with it: a deploy made by
someone else in between is a conflict, never overwritten. Runtimes are deployed in
parallel; the flows of one runtime one after the other, in the order given (each with its
own health window). Each flow on each runtime ends as one of:
  deployed vN | unchanged vN | rejected (reasons below) | rolled back: reason |
  conflict | unreachable: reason | failed: reason | skipped (canary failed)
A canary succeeds when all its flows do. The command exits with 1 if any flow on any
runtime did not end deployed or unchanged.

With no flow named, each runtime gets the flows its fleet file lists: the fleet's "flows"
(every runtime), then the runtime's own "flows" (paths relative to the fleet file):
  flows: [pump-monitor.flow.json]                 # every runtime
  runtimes:
    - { name: plant-a-l1, ..., flows: [alarms-l1.flow.json] }   # and this one's own

A bundle (tagflow pack) is checked here, then sent to each runtime first: the runtime
installs the node packages it lacks from it, with no registry access, refusing any tarball
whose sha512 does not match the bundle's manifest; then its flows (one or several) are
deployed as above. Installing node packages needs an admin token (their code runs as the
runtime).

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
  $ tagflow deploy pump-monitor.json alarms.json reporting.json --to plant-a-l1
  $ tagflow deploy --all                     # the flows listed in fleet.yaml
  $ tagflow deploy pump-monitor.json --to plant-a-l1,plant-a-l2
  $ tagflow deploy pump-monitor.json --label site=plant-a --label line=l1
  $ tagflow deploy pump-monitor.json --all --canary 1 --health 30s
  $ tagflow deploy pump-monitor.bundle.tgz --to plant-a-l1
  $ tagflow deploy pump-monitor.json --all --json | jq '.results[] | select(.status != "deployed")'`,
    )
    .action((files: string[], options: DeployOptions) => deploy(files, options));
}

async function deploy(files: string[], options: DeployOptions): Promise<void> {
  const fleet = await loadFleetFile(options.fleet);
  const runtimes = selectRuntimes(fleet, options);
  const filesOf = flowFilesFor(runtimes, files, fleet);
  const labels = new Map(files.map((f) => [path.resolve(f), f]));
  const loaded = new Map<string, LoadedFile>();
  for (const file of new Set([...filesOf.values()].flat())) {
    const label = labels.get(file) ?? (path.relative(process.cwd(), file) || file);
    loaded.set(file, await loadFile(file, label));
  }
  const perRuntime = new Map(runtimes.map((r) => [r.name, flowsOfRuntime(r.name, filesOf.get(r.name) ?? [], loaded)]));

  const local = await loadLocalPackages(options.nodesDir, options.dataDir);
  for (const [file, entry] of loaded) {
    const receiving = runtimes.filter((r) => filesOf.get(r.name)?.includes(file));
    for (const flow of entry.flows) checkLocally(entry.label, flow.flow, local, receiving);
  }
  const targets = withTokens(runtimes).map((t) => ({
    ...t,
    send: perRuntime.get(t.name) ?? { flows: [] as FlowToDeploy[], bundles: [] as Buffer[] },
  }));

  const plan = planDeploy(targets, options.canary);
  const ids = [...new Set(targets.flatMap((t) => t.send.flows.map((f) => `"${f.id}"`)))];
  const what = files.length > 0 ? ids.join(', ') : `the flows of ${fleet.file} (${ids.join(', ')})`;
  const canaries = plan.canaries.length > 0 ? `; canary first: ${plan.canaries.map((t) => t.name).join(', ')}` : '';
  const health = options.health === undefined ? '' : `; health window ${formatMs(options.health)}`;
  process.stderr.write(`deploying ${what} to ${count(targets.length, 'runtime')}${canaries}${health}\n`);

  const ran = await runDeployPlan(
    plan,
    (target) =>
      deployFlowsToRuntime(target, target.send.flows, { healthMs: options.health, bundles: target.send.bundles }),
    (target) => target.send.flows.length,
  );
  const results: FlowResult[] = ran.flatMap(({ target, outcomes }) =>
    target.send.flows.map((f, i) => {
      const outcome = outcomes[i];
      if (!outcome) throw new Error(`no outcome for flow "${f.id}" on ${target.name}: one outcome per flow expected`);
      return { runtime: target.name, url: target.url, flow: f.id, outcome };
    }),
  );
  const failed = [...new Set(results.filter((r) => !isSuccess(r.outcome)).map((r) => r.runtime))];
  if (options.json) {
    const json = {
      ok: failed.length === 0,
      results: results.map((r) => ({ runtime: r.runtime, url: r.url, flow: r.flow, ...r.outcome })),
    };
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    process.stdout.write(formatResults(results));
  }
  const flows = [...loaded.values()].flatMap((entry) => entry.flows.map((f) => ({ ...f, bundled: !!entry.bundle })));
  for (const line of missingTypeHints(results, flows, local)) process.stderr.write(`${line}\n`);
  if (failed.length > 0) {
    throw new CliError(
      `the deploy did not succeed on ${failed.length} of ${count(targets.length, 'runtime')}: ${failed.join(', ')}`,
    );
  }
}

/** Reads a flow file, or a bundle (checked whole here) with its flows; each flow with the id it is deployed by. */
async function loadFile(file: string, label: string): Promise<LoadedFile> {
  if (isBundle(file)) {
    const bundle = await readBundle(file);
    const flows = bundle.flows.map((flow, i) => ({
      id: flowIdOf(flow, `flow ${i + 1} of ${label}`),
      flow,
      file: label,
    }));
    return { label, flows, bundle: bundle.bytes };
  }
  const flow = await readFlowFile(file);
  return { label, flows: [{ id: flowIdOf(flow, label), flow, file: label }] };
}

/**
 * Validates the flow against the node types installed here; throws when it cannot run anywhere.
 * Its `${NAME}` are resolved with the fleet file's values (of the first selected runtime having
 * each); a variable the fleet file gives no value for may be set on the runtimes themselves: then
 * only they can check the flow, and one without the value refuses it, naming it.
 */
function checkLocally(file: string, input: unknown, local: LocalPackages, runtimes: readonly FleetRuntime[]): void {
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
    return;
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
}

function isBundle(file: string): boolean {
  return /\.(tgz|tar\.gz)$/i.test(file);
}

/** Reads a bundle and checks it whole here (sha512 of every tarball), so a damaged one is never sent. */
async function readBundle(file: string): Promise<{ flows: unknown[]; bytes: Buffer }> {
  const work = await mkdtemp(path.join(tmpdir(), 'tagflow-deploy-'));
  try {
    const opened = await openBundle(path.resolve(file), work).catch((err: unknown) => {
      throw asCliError(err);
    });
    await opened.close();
    return { flows: opened.flows, bytes: await readFile(file) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * For each node type a runtime lacked, the package and version that provides it here, and how to
 * get it there: the runtime's message can only name the packages it knows of.
 */
function missingTypeHints(
  results: readonly FlowResult[],
  flows: ReadonlyArray<FlowToDeploy & { bundled: boolean }>,
  local: LocalPackages,
): string[] {
  const byId = new Map(flows.map((f) => [f.id, f]));
  const hints = new Set<string>();
  for (const r of results) {
    if (r.outcome.status !== 'rejected') continue;
    const flow = byId.get(r.flow);
    if (!flow) continue;
    const nodes = new Map(
      ((flow.flow as { nodes?: Array<{ id?: unknown; type?: unknown }> }).nodes ?? []).map((n) => [
        String(n.id),
        String(n.type),
      ]),
    );
    for (const issue of r.outcome.errors) {
      if (issue.code !== flowErrors.code.UNKNOWN_NODE_TYPE || issue.nodeId === undefined) continue;
      const type = nodes.get(issue.nodeId);
      const pkg = type === undefined ? undefined : local.registry.node(type)?.package;
      if (!pkg) continue;
      const bundle = flow.bundled ? '' : `, or deploy a bundle: tagflow pack ${flow.file}`;
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
