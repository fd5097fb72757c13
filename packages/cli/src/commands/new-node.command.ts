import path from 'node:path';
import type { Command } from 'commander';
import { discoverNodePackages, NodeRegistry } from '@tagflow/runtime/engine';
import { cliVersion } from '../cli-version';
import { distributionPackageDirs } from '../load-registry';
import { writeNodePackage } from '../scaffold/write-node-package';

interface NewNodeOptions {
  dir?: string;
  node?: string;
}

/** `tagflow new-node <package-name>`: writes a node package, with an example node, ready to install and test. */
export function registerNewNodeCommand(program: Command): void {
  program
    .command('new-node')
    .description(
      'create a node package: an example node with its config schema, docs and tests, ready to build and install',
    )
    .argument('<package-name>', 'the npm package name, e.g. @acme/nodes-unit-convert')
    .option('--dir <path>', 'the folder to create (default: the name without its scope, here)')
    .option('--node <type-name>', "the example node's type name, kebab-case (default: from the package name)")
    .addHelpText(
      'after',
      `
Writes a TypeScript package whose "npm install && npm test" (or pnpm) passes right away: one
node type converting numbers between units (src/<type>.node.ts, its JSON Schema config, a
jest test with @tagflow/node-test, docs/<type>.md), a README, and vendor/ with the tagflow
packages the tests need (not published to a registry yet). The folder must not exist, or be
empty. "npm run build", then "tagflow nodes install ./<folder>" puts it into a runtime.

Examples:
  $ tagflow new-node @acme/nodes-unit-convert        writes ./nodes-unit-convert, node type "unit-convert"
  $ tagflow new-node acme-weigh --node net-weight --dir plugins/weigh`,
    )
    .action((name: string, options: NewNodeOptions) => newNode(name, options));
}

async function newNode(packageName: string, options: NewNodeOptions): Promise<void> {
  const created = await writeNodePackage({
    packageName,
    dir: options.dir,
    nodeType: options.node,
    tagflowVersion: cliVersion(),
    takenTypes: builtInTypes,
  });
  const shown = path.relative(process.cwd(), created.dir) || '.';
  const vendored = created.vendored.map((p) => `${p.name} ${p.version}`).join(', ');
  process.stdout.write(
    [
      `created ${packageName} in ${shown}, with the node type "${created.nodeType}":`,
      ...created.files.map((f) => `  ${f}`),
      `vendor/ holds ${vendored} (not in a registry yet)`,
      '',
      'next:',
      `  cd ${shown}`,
      '  npm install && npm test',
      '  npm run build && tagflow nodes --nodes-dir .   (try it here, without installing)',
      '  npm run build && tagflow nodes install . --to NAME   (or --data-dir DIR)',
      '',
    ].join('\n'),
  );
}

/** The node types that come with tagflow (the CLI's dependencies), with the package providing each. */
async function builtInTypes(): Promise<Map<string, string>> {
  const registry = new NodeRegistry();
  await discoverNodePackages(distributionPackageDirs(), registry);
  return new Map(
    registry.nodeTypes().map(({ definition, package: pkg }) => [definition.type, `${pkg.name} ${pkg.version}`]),
  );
}
