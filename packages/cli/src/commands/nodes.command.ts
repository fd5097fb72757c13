import type { Command } from 'commander';
import type { NodeRegistry } from '@tagflow/runtime';
import { loadRegistry } from '../load-registry';
import type { LoadedRegistry } from '../load-registry';
import { nodesDirOption } from '../shared-options';
import { count, formatTable } from '../format-text';

interface NodesOptions {
  json?: boolean;
  nodesDir: string[];
}

/** Palette order; other categories follow alphabetically. */
const CATEGORY_ORDER = ['source', 'processor', 'publisher', 'utility'];

/** `tagflow nodes`: lists the installed node and resource types, and the packages that were refused. */
export function registerNodesCommand(program: Command): void {
  program
    .command('nodes')
    .description('list the installed node types, by category, with the package that provides each')
    .option('--json', 'print machine-readable JSON instead of a table')
    .addOption(nodesDirOption())
    .addHelpText(
      'after',
      `
Node packages are npm packages with a "tagflow" field in their package.json. They are
looked for in the node_modules folder of: each --nodes-dir, the current folder, and the
folder tagflow is installed in (which holds @tagflow/nodes-core). Packages that cannot
be used (built for another SDK, broken modules, a type name already taken) are listed
under "problems".

Examples:
  $ tagflow nodes
  $ tagflow nodes --json | jq '.nodes[].type'
  $ tagflow nodes --nodes-dir /opt/tagflow/plugins`,
    )
    .action((options: NodesOptions) => listNodes(options));
}

async function listNodes(options: NodesOptions): Promise<void> {
  const loaded = await loadRegistry(options.nodesDir);
  const text = options.json ? `${JSON.stringify(nodesJson(loaded), null, 2)}\n` : nodesTable(loaded);
  process.stdout.write(text);
}

/** The JSON `tagflow nodes --json` prints; its shape is a public interface for scripts. */
function nodesJson({ registry, report, searchDirs }: LoadedRegistry) {
  return {
    nodes: sortedNodes(registry).map(({ definition: d, package: pkg }) => ({
      type: d.type,
      category: d.category ?? 'other',
      version: d.version,
      description: d.description ?? '',
      inputs: d.inputs,
      outputs: d.outputs,
      package: pkg,
    })),
    resources: registry
      .resourceTypes()
      .sort((a, b) => a.definition.type.localeCompare(b.definition.type))
      .map(({ definition: d, package: pkg }) => ({ type: d.type, version: d.version, description: d.description ?? '', package: pkg })),
    packages: report.packages,
    problems: report.problems,
    searchDirs,
  };
}

function nodesTable({ registry, report }: LoadedRegistry): string {
  const lines: string[] = [];
  const byCategory = new Map<string, string[][]>();
  for (const { definition: d, package: pkg } of sortedNodes(registry)) {
    const category = d.category ?? 'other';
    const rows = byCategory.get(category) ?? [];
    rows.push([d.type, `${pkg.name} ${pkg.version}`, d.description ?? '']);
    byCategory.set(category, rows);
  }
  for (const [category, rows] of byCategory) {
    lines.push(`${category}:`, ...formatTable(rows, '  '), '');
  }
  const resources = registry.resourceTypes().sort((a, b) => a.definition.type.localeCompare(b.definition.type));
  if (resources.length > 0) {
    const rows = resources.map(({ definition: d, package: pkg }) => [d.type, `${pkg.name} ${pkg.version}`, d.description ?? '']);
    lines.push('resources (shared connections):', ...formatTable(rows, '  '), '');
  }
  if (byCategory.size === 0 && resources.length === 0) lines.push('no node types installed', '');
  const packages = report.packages.length;
  lines.push(`${count(registry.nodeTypes().length, 'node type')} from ${count(packages, 'package')}`);
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
