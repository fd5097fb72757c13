import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowErrors, formatIssue, subflowPackage, subflowPackProblem, validateFlow } from '@tagflow/flow-model';
import type { Flow, SubflowPackage } from '@tagflow/flow-model';
import { SDK_VERSION } from '@tagflow/node-sdk';
import { npmPack } from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { count } from '../format-text';
import { loadLocalPackages } from '../fleet/local-packages';
import { readFlowFile } from '../read-flow-file';

/** Options of `tagflow pack --subflow ID flow.json`. */
export interface PackSubflowOptions {
  subflow: string;
  /** Folder for the package folder and its .tgz (default: the current folder). */
  out?: string;
  /** npm package name (default `tagflow-subflow-<id>`). */
  packageName?: string;
  nodesDir: string[];
  dataDir: string;
}

/**
 * Packs one subflow of `file` as a node package: checks it as a deploy would (one instance with
 * the parameters' defaults, against the node types installed here), writes the package folder
 * and `npm pack`s it next to it. Prints the .tgz path.
 */
export async function packSubflow(file: string, options: PackSubflowOptions): Promise<string> {
  const flow = await readFlowFile(file);
  const problem = subflowPackProblem(flow, options.subflow);
  if (problem) throw new CliError(`${file}: cannot pack subflow "${options.subflow}": ${problem}`);
  const local = await loadLocalPackages(options.nodesDir, options.dataDir);
  const typed = flow as Flow;
  // One instance with the defaults: the subflow's own nodes, wiring and parameters are checked.
  const probe = {
    schemaVersion: 1,
    id: 'pack-check',
    subflows: typed.subflows,
    nodes: [{ id: 'instance', type: `subflow:${options.subflow}`, typeVersion: 1 }],
    edges: [],
  };
  const result = validateFlow(probe, local.registry.catalog(), { migrations: local.registry.migrations });
  // A parameter without a default is the user's to set on each instance, not a fault of the subflow.
  const errors = result.ok ? [] : result.errors.filter((e) => e.code !== flowErrors.code.SUBFLOW_PARAM_INVALID);
  if (errors.length > 0) {
    for (const issue of errors) process.stderr.write(`${formatIssue(issue)}\n`);
    throw new CliError(`subflow "${options.subflow}" of ${file} cannot be packed: ${count(errors.length, 'error')}`);
  }
  const pkg = subflowPackage(typed, options.subflow, { name: options.packageName, sdkRange: `^${SDK_VERSION}` });
  const out = path.resolve(options.out ?? '.');
  const folder = await writeSubflowPackage(pkg, out);
  const packed = await npmPack(folder, out);
  process.stdout.write(`${packed.file}\n`);
  process.stderr.write(
    `packed subflow "${options.subflow}" as ${pkg.name} ${pkg.version} (node type "${pkg.type}"; folder ${folder}); install it with: tagflow nodes install ${packed.file}\n`,
  );
  return packed.file;
}

/** Writes the package into `<dir>/<package folder>` and returns that folder. */
async function writeSubflowPackage(pkg: SubflowPackage, dir: string): Promise<string> {
  const folder = path.join(dir, pkg.name.replace(/^@/, '').replace(/\//g, '-'));
  await mkdir(folder, { recursive: true });
  for (const [file, text] of Object.entries(pkg.files)) await writeFile(path.join(folder, file), text);
  return folder;
}
