import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { discoverNodePackages, NodeRegistry } from '@tagflow/runtime';
import { npmPack, PackageError, PackageManager } from '@tagflow/runtime';
import type { InstallRequest } from '@tagflow/runtime';
import { CliError } from '../cli-error';
import { distributionPackageDirs, loadRegistry } from '../load-registry';
import type { LoadedRegistry } from '../load-registry';

/** The node types this machine has: discovered ones, plus the packages installed in a data dir. */
export interface LocalPackages extends LoadedRegistry {
  /** The data dir's packages (already in `registry`). */
  manager: PackageManager;
  dataDir: string;
}

/**
 * Discovers node packages as every command does (`--nodes-dir`, then the packages tagflow comes
 * with), then adds those installed in `<dataDir>/nodes`, as `tagflow start` does. A package
 * one of the `runningFlows` uses cannot be removed.
 */
export async function loadLocalPackages(
  nodesDirs: readonly string[],
  dataDir: string,
  runningFlows?: () => Flow[],
): Promise<LocalPackages> {
  const loaded = await loadRegistry(nodesDirs);
  const manager = await PackageManager.open({ dataDir, registry: loaded.registry, runningFlows }).catch(
    (err: Error) => {
      throw new CliError(err.message);
    },
  );
  const report = {
    packages: [...loaded.report.packages, ...manager.report.packages],
    problems: [...loaded.report.problems, ...manager.report.problems],
  };
  return { ...loaded, report, manager, dataDir };
}

/**
 * The names of the node packages that come with tagflow itself (the CLI's dependencies): every
 * runtime has them, so bundles leave them out.
 */
export async function builtInPackageNames(): Promise<Set<string>> {
  const report = await discoverNodePackages(distributionPackageDirs(), new NodeRegistry());
  return new Set(report.packages.map((p) => p.name));
}

/**
 * What `tagflow nodes install <spec>` means: an existing .tgz file, an existing folder (a package
 * to pack), or else a registry spec `name[@version]`. A path that does not exist is an error, not
 * a registry name.
 */
export function parseInstallSpec(spec: string, cwd: string = process.cwd()): InstallRequest {
  const full = path.resolve(cwd, spec);
  if (existsSync(full))
    return statSync(full).isDirectory() ? { source: 'dir', dir: full } : { source: 'file', file: full };
  if (/^(\.{1,2}[\\/]|[\\/]|[A-Za-z]:\\)/.test(spec) || /\.(tgz|tar\.gz)$/.test(spec))
    throw new CliError(`${spec} does not exist`);
  if (!/^(@[\w.-]+\/)?[\w.-]+(@[\w.^~<>=| *-]+)?$/.test(spec))
    throw new CliError(`"${spec}" is neither a .tgz, a folder, nor a package name like @acme/nodes-foo@1.2.0`);
  return { source: 'registry', spec };
}

/**
 * The .tgz of a spec, made here (so a runtime without registry access can be sent it): a file as
 * is, a folder or a registry spec packed with `npm pack`.
 */
export async function tarballOf(request: InstallRequest): Promise<Buffer> {
  if (request.source === 'file' || request.source === 'bundle') return readFile(request.file);
  const work = await mkdtemp(path.join(tmpdir(), 'tagflow-pack-'));
  try {
    const packed = await npmPack(request.source === 'dir' ? request.dir : request.spec, work);
    return await readFile(packed.file);
  } catch (err) {
    throw new CliError(
      `cannot pack ${request.source === 'dir' ? request.dir : request.spec}: ${(err as Error).message}`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A PackageError as a CLI error (its message is already plain words); anything else unchanged. */
export function asCliError(err: unknown): unknown {
  return err instanceof PackageError ? new CliError(err.message) : err;
}
