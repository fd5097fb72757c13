import { realpathSync } from 'node:fs';
import path from 'node:path';
import { discoverNodePackages, NodeRegistry } from '@tagflow/runtime/engine';
import type { DiscoveryReport, EngineLogger } from '@tagflow/runtime/engine';

/** The installed node types, and what discovery refused. */
export interface LoadedRegistry {
  registry: NodeRegistry;
  report: DiscoveryReport;
  /** Where discovery looked, highest priority first. */
  searchDirs: string[];
}

/**
 * The folders searched for node packages, highest priority first: the `--nodes-dir` folders as
 * given, the working directory (a project's own node_modules, or the node package being written
 * there), then where the CLI itself is installed, so the core nodes it ships with are always found.
 */
export function nodeSearchDirs(nodesDirs: readonly string[], cwd: string = process.cwd()): string[] {
  const dirs = [...nodesDirs.map((d) => path.resolve(cwd, d)), path.resolve(cwd), ...cliInstallDirs()];
  return [...new Set(dirs)];
}

/** Discovers node packages into a new registry. */
export async function loadRegistry(nodesDirs: readonly string[], cwd: string = process.cwd()): Promise<LoadedRegistry> {
  const searchDirs = nodeSearchDirs(nodesDirs, cwd);
  const registry = new NodeRegistry();
  const report = await discoverNodePackages(searchDirs, registry);
  return { registry, report, searchDirs };
}

/**
 * Folders that hold the CLI's own dependencies. Its package root covers a nested install (npm
 * global: `lib/node_modules/tagflow/node_modules/...`); the folder holding the node_modules the CLI
 * sits in covers hoisted installs and pnpm's store, where dependencies are the CLI's siblings, and
 * node packages installed next to a global CLI. Last, the folder of @tagflow/nodes-core as Node
 * resolves it, whatever the layout.
 */
function cliInstallDirs(): string[] {
  const cliRoot = realpathSync(path.resolve(__dirname, '..'));
  const dirs = [cliRoot];
  const parent = path.dirname(cliRoot);
  if (path.basename(parent) === 'node_modules') dirs.push(path.dirname(parent));
  try {
    dirs.push(path.dirname(require.resolve('@tagflow/nodes-core/package.json')));
  } catch (err) {
    // Only a broken install lacks it; discovery then reports whatever else it finds.
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
  }
  return dirs;
}

/** One line per refused node package, for stderr: a refused package may explain an unknown node type. */
export function discoveryWarnings(report: DiscoveryReport): string[] {
  return report.problems.map((p) => `warning: node package skipped: ${p.message}`);
}

/** One warning record per refused node package, for the log of `tagflow start` and `tagflow run`. */
export function logDiscoveryProblems(log: EngineLogger, report: DiscoveryReport): void {
  for (const p of report.problems) log.warn({ package: p.package, dir: p.dir }, `node package skipped: ${p.message}`);
}
