import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { formatIssue, validateFlow } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import {
  currentPlatform,
  describeBuildSteps,
  describePlatform,
  findBuildStepsInTarball,
  npmPack,
  withBundledDependencies,
  writeFlowsBundle,
} from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { count } from '../format-text';
import { builtInPackageNames, loadLocalPackages } from '../fleet/local-packages';
import type { LocalPackages } from '../fleet/local-packages';
import { flowIdOf } from '../fleet/flow-plan';
import { readFlowFile } from '../read-flow-file';
import { packSubflow } from '../pack/pack-subflow';
import { dataDirOption, nodesDirOption } from '../shared-options';

interface PackOptions {
  output?: string;
  subflow?: string;
  out?: string;
  packageName?: string;
  nodesDir: string[];
  dataDir: string;
}

/** `tagflow pack <flow>`: one .tgz with the flow and the node packages it needs, for runtimes without registry access. */
export function registerPackCommand(program: Command): void {
  program
    .command('pack')
    .description('bundle a flow with the node packages it needs, to deploy it where no registry is reachable')
    .argument('<flows...>', 'the flow file (JSON); several: one bundle carrying them all')
    .addOption(
      new Option(
        '-o, --output <file>',
        'the bundle to write (default: <flow name>.bundle.tgz; several flows: flows.bundle.tgz)',
      ),
    )
    .addOption(new Option('--subflow <id>', 'pack this subflow of the flow as a node package instead (see below)'))
    .addOption(new Option('--out <dir>', 'with --subflow: the folder to write the package to (default: here)'))
    .addOption(new Option('--package-name <name>', 'with --subflow: the npm name (default: tagflow-subflow-<id>)'))
    .addOption(nodesDirOption())
    .addOption(dataDirOption())
    .addHelpText(
      'after',
      `
The bundle holds the flow (or several: a runtime runs them side by side, each by its id,
and "tagflow deploy" deploys each), the exact tarball of each node package its nodes and resources
need (except those that come with tagflow), and a manifest with each tarball's sha512.
Packages are taken as installed here: from the data dir (the tarball it was installed
from), or from --nodes-dir (packed with npm pack); never from the current folder unless
named (--nodes-dir .).
"tagflow deploy <bundle> --to NAME" installs what a runtime lacks, checking every sha512,
then deploys the flow. A package's runtime dependencies are put inside its tarball
(npm's bundleDependencies, installed here from the registry or npm's cache), so the target
needs no registry. No package script runs, here or on the target (npm --ignore-scripts).
The bundle records this machine's platform (os, arch, libc, Node ABI): a package that needs
a build step (an install script or a native addon, in it or a dependency) installs from it
only on a runtime of the same platform, and must carry its binaries (prebuilt ones, as
node-gyp-build packages do), since its scripts never run.

With --subflow ID, the subflow ID of the flow file becomes a node package (a folder and its
.tgz in --out): node type ID, version from the subflow's "version" (default 1.0.0), its
description and a README listing its parameters. "tagflow nodes install <tgz>" installs it
like any node package; flows then place it as { "type": "ID", "config": {<parameters>} }.
The node types it is made of must be installed where it runs.

Examples:
  $ tagflow pack pump-monitor.json
  $ tagflow pack pump-monitor.json alarms.json -o line-1.bundle.tgz
  $ tagflow pack pump-monitor.json -o /media/usb/pump-monitor.bundle.tgz --nodes-dir ./plugins
  $ tagflow pack --subflow pump-health plant.flow.json --out ./packages`,
    )
    .action((files: string[], options: PackOptions) => {
      if (!options.subflow) return pack(files, options);
      if (files.length > 1) throw new CliError('--subflow packs a subflow of one flow file: name only that file');
      return packSubflow(files[0], { ...options, subflow: options.subflow }).then(() => undefined);
    });
}

async function pack(files: string[], options: PackOptions): Promise<void> {
  const local = await loadLocalPackages(options.nodesDir, options.dataDir);
  const checked = await readFlows(files, local);
  const flows = checked.map((c) => c.flow);
  // The types written in each flow and those of the flow as checked (its migrated nodes).
  const needed = new Map(
    checked.flatMap(({ flow, valid }) => {
      const written = flow as FlowTypes;
      const nodes = [...(written.nodes ?? []), ...valid.nodes];
      const resources = [...(written.resources ?? []), ...(valid.resources ?? [])];
      return [...neededPackages({ nodes, resources }, local)];
    }),
  );
  const builtIn = await builtInPackageNames();
  const bundled = [...needed.values()].filter((p) => !builtIn.has(p.name));
  const [first] = files as [string];
  const name = files.length === 1 ? path.basename(first).replace(/(\.flow)?\.json$/, '') : 'flows';
  const output = path.resolve(options.output ?? `${name}.bundle.tgz`);

  const work = await mkdtemp(path.join(tmpdir(), 'tagflow-pack-'));
  try {
    // Each package with its dependencies inside it: the target runtime may reach no registry.
    const tarballs = await Promise.all(
      bundled.map(async (p) => ({
        ...p,
        tarball: (await withBundledDependencies(await tarballFor(p, local, work), work)).file,
      })),
    );
    for (const t of tarballs) {
      const steps = await findBuildStepsInTarball(t.tarball, work);
      if (steps.length > 0)
        process.stderr.write(
          `warning: ${t.name} ${t.version} needs a build step (${describeBuildSteps(steps)}): no package script runs, here or on the runtime; it installs from this bundle only on ${describePlatform(currentPlatform())} runtimes, and must carry its binaries prebuilt\n`,
        );
    }
    const manifest = await writeFlowsBundle(output, flows, tarballs);
    const names = manifest.packages.map((p) => `${p.name} ${p.version}`);
    const what = flows.length === 1 ? 'the flow' : count(flows.length, 'flow');
    process.stdout.write(`${output}\n`);
    process.stderr.write(
      `packed ${what} with ${count(names.length, 'node package')}${names.length > 0 ? `: ${names.join(', ')}` : ''}\n`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Reads and validates each flow file; a CliError for an invalid one, or two holding the same flow id. */
async function readFlows(
  files: readonly string[],
  local: LocalPackages,
): Promise<Array<{ flow: unknown; valid: Flow }>> {
  const flows: Array<{ flow: unknown; valid: Flow }> = [];
  const ids = new Map<string, string>();
  for (const file of files) {
    const flow = await readFlowFile(file);
    const result = validateFlow(flow, local.registry.catalog(), { migrations: local.registry.migrations });
    if (!result.ok) {
      for (const issue of result.errors) process.stderr.write(`${formatIssue(issue)}\n`);
      throw new CliError(
        `${file} cannot be packed: ${count(result.errors.length, 'error')} (a node type not installed here must be installed first: tagflow nodes install)`,
      );
    }
    const id = flowIdOf(flow, file);
    const earlier = ids.get(id);
    if (earlier !== undefined)
      throw new CliError(`${earlier} and ${file} both hold the flow "${id}": a bundle carries each flow id once`);
    ids.set(id, file);
    flows.push({ flow, valid: result.flow });
  }
  return flows;
}

interface FlowTypes {
  nodes?: Array<{ type?: unknown }>;
  resources?: Array<{ type?: unknown }>;
}

/** The packages providing the flow's node and resource types (the flow is valid: every type is installed). */
function neededPackages(flow: FlowTypes, { registry }: LocalPackages): Map<string, { name: string; version: string }> {
  const packages = new Map<string, { name: string; version: string }>();
  for (const node of flow.nodes ?? []) {
    const pkg = registry.node(String(node.type))?.package;
    if (pkg) packages.set(pkg.name, pkg);
  }
  for (const resource of flow.resources ?? []) {
    const pkg = registry.resource(String(resource.type))?.package;
    if (pkg) packages.set(pkg.name, pkg);
  }
  return packages;
}

/** The data dir keeps the tarball a package was installed from; a discovered package is packed from its folder. */
async function tarballFor(pkg: { name: string; version: string }, local: LocalPackages, work: string): Promise<string> {
  const installed = local.manager.list().find((p) => p.name === pkg.name && p.version === pkg.version);
  if (installed) return local.manager.tarballOf(installed);
  const found = local.report.packages.find((p) => p.name === pkg.name);
  if (!found) throw new CliError(`cannot find the folder of ${pkg.name} ${pkg.version} to pack it`);
  const dest = await mkdtemp(path.join(work, 'p-'));
  try {
    return (await npmPack(found.dir, dest)).file;
  } catch (err) {
    throw new CliError(`cannot pack ${pkg.name} ${pkg.version} from ${found.dir}: ${(err as Error).message}`);
  }
}
