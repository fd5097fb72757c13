import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { NodeRegistry } from '@tagflow/runtime';
import { FlowsStore } from '@tagflow/runtime';
import type { InstalledPackage } from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { dataDirOption, nodesDirOption } from '../shared-options';
import { count, formatTable } from '../format-text';
import { AdminClient, AdminError } from '../fleet/admin-client';
import type { PackageList } from '../fleet/admin-client';
import { loadFleetFile } from '../fleet/fleet-file';
import { addSelectionOptions, fleetOption } from '../fleet/fleet-options';
import { asCliError, loadLocalPackages, parseInstallSpec, tarballOf } from '../fleet/local-packages';
import { distributionPackageDirs } from '../load-registry';
import type { LocalPackages } from '../fleet/local-packages';
import { selectRuntimes, withTokens } from '../fleet/select-targets';
import type { Selection, Target } from '../fleet/select-targets';

interface NodesOptions {
  json?: boolean;
  nodesDir: string[];
  dataDir: string;
}

/** Options of the subcommands that act on the data dir, or on runtimes of the fleet file. */
interface PackageOptions extends Selection {
  dataDir: string;
  fleet?: string;
  json?: boolean;
  nodesDir: string[];
}

/** Palette order; other categories follow alphabetically. */
const CATEGORY_ORDER = ['source', 'processor', 'publisher', 'utility'];

/**
 * `tagflow nodes`: lists the installed node and resource types, and the packages that were
 * refused; `tagflow nodes list|install|remove` manage the packages of a data dir, or (with --to,
 * --label or --all) of running runtimes through their admin API.
 */
export function registerNodesCommand(program: Command): void {
  const nodes = program
    .command('nodes')
    .description('list the installed node types; install and remove node packages (nodes list|install|remove)')
    .option('--json', 'print machine-readable JSON instead of a table')
    .addOption(nodesDirOption())
    .addOption(dataDirOption())
    // Its options only before a subcommand's name: `nodes list --json` is the subcommand's.
    .enablePositionalOptions()
    .addHelpText(
      'after',
      `
Node packages are npm packages with a "tagflow" field in their package.json. A package is
code, so only these are loaded: those in the node_modules folder of each --nodes-dir (and
the folder itself when it is one), those tagflow comes with (built in: core, MQTT,
Modbus, OPC UA, historian), then those in the data dir, where "tagflow nodes install" puts
them. The current folder is never searched by itself: name it with --nodes-dir . (a project
folder, or the package you are writing). Packages that cannot be used (built for another
SDK, broken modules, a type name already taken) are listed under "problems".

Examples:
  $ tagflow nodes
  $ tagflow nodes --json | jq '.nodes[].type'
  $ tagflow nodes --nodes-dir /opt/tagflow/plugins
  $ tagflow nodes install ./acme-nodes-foo-1.2.0.tgz
  $ tagflow nodes install @acme/nodes-foo@1.2.0 --to plant-a-l1
  $ tagflow nodes remove @acme/nodes-foo --data-dir /var/lib/tagflow`,
    )
    .action((options: NodesOptions) => listNodes(options));

  packageCommand(nodes.command('list'), 'list the node types: built-in, and installed in the data dir (or on runtimes)')
    .option('--json', 'print machine-readable JSON instead of a table')
    .action((options: PackageOptions) => (isRemote(options) ? listRemote(options) : listNodes(options)));

  packageCommand(nodes.command('install'), 'install a node package into the data dir (or into running runtimes)')
    .argument('<spec>', 'a package .tgz, a package folder (built), or a registry name[@version]')
    .addHelpText(
      'after',
      `
Into the data dir (--data-dir), checked before anything is kept: a node package, written for
this SDK, every module loads, no type another package provides. A newer version replaces the
installed one. A runtime running on that data dir sees it at its next start; to install into a
running runtime at once, name it with --to (the package is packed here and uploaded, so the
runtime needs no registry access); a runtime takes it from an admin token only, since a
package's code runs as the runtime. npm runs no package script, here or there: a package
that needs a build step (an install script or a native addon, in it or a dependency)
installs only from a bundle made on the target's platform (tagflow pack, tagflow deploy).

Examples:
  $ tagflow nodes install ./nodes-foo                      a folder, packed with npm pack
  $ tagflow nodes install acme-nodes-foo-1.2.0.tgz
  $ tagflow nodes install @acme/nodes-foo@1.2.0 --to plant-a-l1,plant-a-l2`,
    )
    .action((spec: string, options: PackageOptions) => install(spec, options));

  packageCommand(nodes.command('remove'), 'remove a node package from the data dir (or from running runtimes)')
    .argument('<name>', 'the package name, e.g. @acme/nodes-foo')
    .addHelpText(
      'after',
      '\nRefused while the flow (running, or last deployed to the data dir) uses one of its types: the\nmessage names the nodes.',
    )
    .action((name: string, options: PackageOptions) => remove(name, options));
}

function packageCommand(command: Command, description: string): Command {
  return addSelectionOptions(command.description(description))
    .addOption(dataDirOption())
    .addOption(nodesDirOption())
    .addOption(fleetOption());
}

function isRemote(options: Selection): boolean {
  return options.to !== undefined || options.label !== undefined || options.all === true;
}

async function targetsOf(options: PackageOptions): Promise<Target[]> {
  return withTokens(selectRuntimes(await loadFleetFile(options.fleet), options));
}

async function listNodes(options: NodesOptions): Promise<void> {
  const loaded = await loadLocalPackages(options.nodesDir, options.dataDir);
  const text = options.json ? `${JSON.stringify(nodesJson(loaded), null, 2)}\n` : nodesTable(loaded);
  process.stdout.write(text);
}

async function install(spec: string, options: PackageOptions): Promise<void> {
  const request = parseInstallSpec(spec);
  if (isRemote(options)) {
    const targets = await targetsOf(options);
    const tarball = await tarballOf(request);
    await eachRuntime(targets, async (client) => {
      const answer = await client.installPackage(tarball);
      const replaced = answer.previousVersion ? ` (replacing ${answer.previousVersion})` : '';
      return `${answer.status} ${answer.package.name} ${answer.package.version}${replaced}: ${answer.package.nodes.join(', ')}`;
    });
    return;
  }
  const { manager } = await openDataDir(options);
  try {
    const outcome = await manager.install(request, 'cli');
    const { name, version, nodes, resources } = outcome.package;
    const replaced = outcome.previousVersion ? ` (replacing ${outcome.previousVersion})` : '';
    process.stdout.write(
      `${outcome.status} ${name} ${version}${replaced} in ${options.dataDir}: ${[...nodes, ...resources].join(', ')}\n`,
    );
    if (outcome.status !== 'unchanged')
      process.stderr.write(
        'a runtime already running on this data dir loads it at its next start (or install with --to NAME: at once)\n',
      );
  } catch (err) {
    throw asCliError(err);
  }
}

async function remove(name: string, options: PackageOptions): Promise<void> {
  if (isRemote(options)) {
    const targets = await targetsOf(options);
    await eachRuntime(targets, async (client) => {
      const removed = await client.removePackage(name);
      return `removed ${removed.name} ${removed.version}`;
    });
    return;
  }
  const { manager } = await openDataDir(options);
  try {
    const removed = await manager.remove(name, 'cli');
    process.stdout.write(`removed ${removed.name} ${removed.version} from ${options.dataDir}\n`);
  } catch (err) {
    throw asCliError(err);
  }
}

/** The data dir's packages, with the current version of each of its flows as the flows in use. */
async function openDataDir(options: PackageOptions): Promise<LocalPackages> {
  const flows = await FlowsStore.open(options.dataDir);
  return loadLocalPackages(options.nodesDir, options.dataDir, () =>
    flows.ids().flatMap((id) => flows.get(id)?.current()?.flow ?? []),
  );
}

/** Runs `work` on each runtime in parallel, prints one line per runtime, fails if any failed. */
async function eachRuntime(targets: Target[], work: (client: AdminClient) => Promise<string>): Promise<void> {
  const results = await Promise.all(
    targets.map(async (target) => {
      try {
        return { target, ok: true, text: await work(new AdminClient(target)) };
      } catch (err) {
        if (!(err instanceof AdminError)) throw err;
        return { target, ok: false, text: `failed: ${err.reason}` };
      }
    }),
  );
  process.stdout.write(`${formatTable(results.map((r) => [r.target.name, r.text])).join('\n')}\n`);
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0)
    throw new CliError(
      `failed on ${failed.length} of ${count(results.length, 'runtime')}: ${failed.map((r) => r.target.name).join(', ')}`,
    );
}

async function listRemote(options: PackageOptions): Promise<void> {
  const targets = await targetsOf(options);
  const lists = await Promise.all(
    targets.map(async (target) => {
      try {
        return { runtime: target.name, url: target.url, ...(await new AdminClient(target).packages()) };
      } catch (err) {
        if (!(err instanceof AdminError)) throw err;
        return { runtime: target.name, url: target.url, error: err.reason };
      }
    }),
  );
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ runtimes: lists }, null, 2)}\n`);
  } else {
    process.stdout.write(lists.map((l) => remoteTable(l)).join('\n'));
  }
  const failed = lists.filter((l) => 'error' in l);
  if (failed.length > 0)
    throw new CliError(`could not list the packages of ${failed.map((l) => l.runtime).join(', ')}`);
}

function remoteTable(list: { runtime: string; url: string; error?: string } & Partial<PackageList>): string {
  const lines = [`${list.runtime} (${list.url}):`];
  if (list.error !== undefined) return `${[...lines, `  failed: ${list.error}`].join('\n')}\n`;
  const installed = (list.packages ?? []).map((p) => [
    p.name,
    p.version,
    p.source ?? '',
    [...p.nodes, ...p.resources].join(', ') + (p.loaded === false ? ' (not loaded)' : ''),
  ]);
  lines.push(
    installed.length > 0 ? '  installed in the data dir:' : '  installed in the data dir: none',
    ...formatTable(installed, '    '),
  );
  const builtIn = (list.builtIn ?? []).map((p) => [p.name, p.version, [...p.nodes, ...p.resources].join(', ')]);
  if (builtIn.length > 0) lines.push('  built in:', ...formatTable(builtIn, '    '));
  return `${lines.join('\n')}\n`;
}

/** Where a package comes from: with tagflow itself, installed into the data dir, or a --nodes-dir. */
type Origin = 'built-in' | 'data-dir' | 'nodes-dir';

const ORIGIN_WORDS: Record<Origin, string> = {
  'built-in': 'built in',
  'data-dir': 'installed in the data dir',
  'nodes-dir': 'from --nodes-dir',
};

/** The origin of each discovered package, by name (a --nodes-dir copy shadows a built-in one). */
function originsOf({ report, dataDir }: LocalPackages): Map<string, Origin> {
  const builtIn = new Set(distributionPackageDirs());
  // Discovery reports real paths: compare with the data dir's own, when it exists.
  const root = existsSync(dataDir) ? realpathSync(dataDir) : path.resolve(dataDir);
  const inDataDir = (dir: string) => !path.relative(root, dir).startsWith('..');
  return new Map(
    report.packages.map((p) => [p.name, builtIn.has(p.dir) ? 'built-in' : inDataDir(p.dir) ? 'data-dir' : 'nodes-dir']),
  );
}

/** The JSON `tagflow nodes --json` prints; its shape is a public interface for scripts. */
function nodesJson(loaded: LocalPackages) {
  const { registry, report, searchDirs, manager, dataDir } = loaded;
  const origins = originsOf(loaded);
  return {
    nodes: sortedNodes(registry).map(({ definition: d, package: pkg }) => ({
      type: d.type,
      category: d.category ?? 'other',
      version: d.version,
      description: d.description ?? '',
      inputs: d.inputs,
      outputs: d.outputs,
      // Ports out1..outN whose N is a config field (switch): absent for fixed ports only.
      ...(d.numberedOutputs === undefined ? {} : { numberedOutputs: d.numberedOutputs }),
      package: pkg,
      origin: origins.get(pkg.name),
    })),
    resources: registry
      .resourceTypes()
      .sort((a, b) => a.definition.type.localeCompare(b.definition.type))
      .map(({ definition: d, package: pkg }) => ({
        type: d.type,
        version: d.version,
        description: d.description ?? '',
        package: pkg,
        origin: origins.get(pkg.name),
      })),
    packages: report.packages.map((p) => ({ ...p, origin: origins.get(p.name) })),
    problems: report.problems,
    searchDirs,
    dataDir,
    installed: manager.list().map(installedJson),
  };
}

function installedJson(p: InstalledPackage) {
  return {
    name: p.name,
    version: p.version,
    integrity: p.integrity,
    source: p.source,
    installedAt: p.installedAt,
    nodes: p.nodes,
    resources: p.resources,
  };
}

function nodesTable(loaded: LocalPackages): string {
  const { registry, report, manager, dataDir } = loaded;
  const origins = originsOf(loaded);
  const origin = (name: string) => ORIGIN_WORDS[origins.get(name) ?? 'nodes-dir'];
  const lines: string[] = [];
  const byCategory = new Map<string, string[][]>();
  for (const { definition: d, package: pkg } of sortedNodes(registry)) {
    const category = d.category ?? 'other';
    const rows = byCategory.get(category) ?? [];
    rows.push([d.type, `${pkg.name} ${pkg.version}`, origin(pkg.name), d.description ?? '']);
    byCategory.set(category, rows);
  }
  for (const [category, rows] of byCategory) {
    lines.push(`${category}:`, ...formatTable(rows, '  '), '');
  }
  const resources = registry.resourceTypes().sort((a, b) => a.definition.type.localeCompare(b.definition.type));
  if (resources.length > 0) {
    const rows = resources.map(({ definition: d, package: pkg }) => [
      d.type,
      `${pkg.name} ${pkg.version}`,
      origin(pkg.name),
      d.description ?? '',
    ]);
    lines.push('resources (shared connections):', ...formatTable(rows, '  '), '');
  }
  if (byCategory.size === 0 && resources.length === 0) lines.push('no node types installed', '');
  const packages = report.packages.length;
  const builtIn = report.packages.filter((p) => origins.get(p.name) === 'built-in').length;
  lines.push(
    `${count(registry.nodeTypes().length, 'node type')} from ${count(packages, 'package')} (${builtIn} built in: they come with tagflow, nothing to install)`,
  );
  const installed = manager.list();
  if (installed.length > 0) {
    lines.push(
      '',
      `installed in ${dataDir}:`,
      ...formatTable(
        installed.map((p) => [p.name, p.version, p.source, p.integrity.slice(0, 19) + '...']),
        '  ',
      ),
    );
  }
  if (report.problems.length > 0) {
    lines.push('', `problems (${count(report.problems.length, 'package')} skipped):`);
    for (const p of report.problems) lines.push(`  ${p.message}`, `    in ${p.dir}`);
  }
  return `${lines.join('\n')}\n`;
}

function sortedNodes(registry: NodeRegistry) {
  const rank = (category: string | undefined) => {
    const i = CATEGORY_ORDER.indexOf(category ?? '');
    return i === -1 ? CATEGORY_ORDER.length : i;
  };
  return registry
    .nodeTypes()
    .sort(
      (a, b) =>
        rank(a.definition.category) - rank(b.definition.category) ||
        (a.definition.category ?? '').localeCompare(b.definition.category ?? '') ||
        a.definition.type.localeCompare(b.definition.type),
    );
}
