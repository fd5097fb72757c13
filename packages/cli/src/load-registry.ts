import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
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
 * given (relative to `cwd`), then the node packages that come with tagflow. Never the working
 * folder itself, nor the folders around the CLI's install: a package is code, and it runs only
 * when the user named where it comes from (`--nodes-dir`, or `tagflow nodes install` into the data
 * dir, which the package manager loads, not this list).
 */
export function nodeSearchDirs(nodesDirs: readonly string[], cwd: string = process.cwd()): string[] {
  const dirs = [...nodesDirs.map((d) => path.resolve(cwd, d)), ...distributionPackageDirs()];
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
 * The folders of the node packages tagflow comes with: the CLI's own dependencies whose
 * package.json has a `tagflow` field (@tagflow/nodes-core, -mqtt, -modbus, -opcua, -historian), found as
 * Node resolves them from the CLI, whatever the layout (nested in a global install, hoisted next
 * to the CLI in a project, linked by pnpm). Only those packages: the other packages installed
 * around the CLI are not the distribution's.
 */
export function distributionPackageDirs(): string[] {
  const cliRoot = realpathSync(path.resolve(__dirname, '..'));
  const manifest = readJson(path.join(cliRoot, 'package.json'));
  const names = Object.keys({ ...asRecord(manifest.dependencies), ...asRecord(manifest.optionalDependencies) });
  const lookup = createRequire(path.join(cliRoot, 'package.json'));
  const dirs: string[] = [];
  for (const name of names.sort()) {
    // Node's own lookup path, without `exports` (which may not export package.json).
    const dir = (lookup.resolve.paths(name) ?? [])
      .map((modules) => path.join(modules, name))
      .find((candidate) => readJsonIfPresent(path.join(candidate, 'package.json')) !== undefined);
    // A dependency that is missing (a broken install) is left out; discovery reports what remains.
    if (dir === undefined) continue;
    if ('tagflow' in (readJsonIfPresent(path.join(dir, 'package.json')) ?? {})) dirs.push(realpathSync(dir));
  }
  return dirs;
}

function readJson(file: string): Record<string, unknown> {
  return asRecord(JSON.parse(readFileSync(file, 'utf8')));
}

function readJsonIfPresent(file: string): Record<string, unknown> | undefined {
  try {
    return readJson(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** One line per refused node package, for stderr: a refused package may explain an unknown node type. */
export function discoveryWarnings(report: DiscoveryReport): string[] {
  return report.problems.map((p) => `warning: node package skipped: ${p.message}`);
}

/** One warning record per refused node package, for the log of `tagflow start` and `tagflow run`. */
export function logDiscoveryProblems(log: EngineLogger, report: DiscoveryReport): void {
  for (const p of report.problems) log.warn({ package: p.package, dir: p.dir }, `node package skipped: ${p.message}`);
}
