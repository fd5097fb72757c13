import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { SDK_VERSION } from '@tagflow/node-sdk';
import { isNodePackageJson, loadNodePackage, PackageLoadError } from './load-node-package';
import type { NodeRegistry } from './node-registry';

/** Settings for `discoverNodePackages`. */
export interface DiscoveryOptions {
  /** The SDK version packages are checked against (default: the running `@tagflow/node-sdk`'s SDK_VERSION). */
  sdkVersion?: string;
}

/** A node package that was found and installed into the registry. */
export interface DiscoveredPackage {
  name: string;
  version: string;
  /** Where the package's files are (symlinks resolved). */
  dir: string;
  /** Node types it provides. */
  nodes: string[];
  /** Resource types it provides. */
  resources: string[];
}

/** A package that was found but refused; nothing of it was installed. */
export interface DiscoveryProblem {
  /** The package name (or its folder name when its package.json cannot be read). */
  package: string;
  dir: string;
  /** What is wrong, in plain words. */
  message: string;
}

/** What discovery installed and what it refused. */
export interface DiscoveryReport {
  packages: DiscoveredPackage[];
  problems: DiscoveryProblem[];
}

/**
 * Finds node packages and installs their types into `registry`. In each search dir, looks at every
 * package in `<dir>/node_modules` (scoped ones included, symlinks followed, as pnpm links workspace
 * packages) and at `<dir>` itself when it is a node package, so an author can run the package they
 * are writing. A package is one whose package.json has a `tagflow` field.
 *
 * Search dirs are in priority order: when several dirs hold a package of the same name, the first
 * one's copy is used and the others are ignored. A package that cannot be used (unreadable
 * package.json, incompatible SDK range, a module that throws or exports no valid definition, a type
 * another package already provides) is reported in `problems` and skipped whole; it never stops
 * the others.
 */
export async function discoverNodePackages(
  searchDirs: string[],
  registry: NodeRegistry,
  options: DiscoveryOptions = {},
): Promise<DiscoveryReport> {
  const sdkVersion = options.sdkVersion ?? SDK_VERSION;
  const report: DiscoveryReport = { packages: [], problems: [] };
  const seenNames = new Set<string>();
  const seenDirs = new Set<string>();
  for (const searchDir of searchDirs) {
    const nodeModules = path.resolve(searchDir, 'node_modules');
    let dirs: string[];
    try {
      dirs = [path.resolve(searchDir), ...(await packageDirsIn(nodeModules))];
    } catch (err) {
      report.problems.push({
        package: 'node_modules',
        dir: nodeModules,
        message: `cannot list ${nodeModules}: ${errorText(err)}`,
      });
      continue;
    }
    const candidates = await Promise.all(dirs.map(readCandidate));
    for (const candidate of candidates) {
      if (candidate === undefined || seenDirs.has(candidate.dir)) continue;
      seenDirs.add(candidate.dir);
      if (seenNames.has(candidate.name)) continue;
      seenNames.add(candidate.name);
      if ('problem' in candidate) {
        report.problems.push({ package: candidate.name, dir: candidate.dir, message: candidate.problem });
        continue;
      }
      try {
        const loaded = loadNodePackage(registry, candidate.pkg, candidate.dir, sdkVersion);
        report.packages.push({
          name: loaded.manifest.name,
          version: loaded.manifest.version,
          dir: candidate.dir,
          nodes: loaded.nodes.map((d) => d.type),
          resources: loaded.resources.map((d) => d.type),
        });
      } catch (err) {
        // Whatever a package does wrong is reported against it; PackageLoadErrors carry plain-words
        // messages, anything else (a bug) is reported with its own message rather than stopping discovery.
        const message = err instanceof PackageLoadError ? err.message : `${candidate.name}: ${errorText(err)}`;
        report.problems.push({ package: candidate.name, dir: candidate.dir, message });
      }
    }
  }
  return report;
}

/** A directory holding a package.json with a `tagflow` field, parsed or not. */
type Candidate =
  { name: string; dir: string; pkg: Record<string, unknown> } | { name: string; dir: string; problem: string };

/**
 * The package directories directly in a node_modules folder, sorted so discovery is deterministic:
 * `node_modules/x` and `node_modules/@scope/x`. A missing folder holds none.
 */
async function packageDirsIn(nodeModules: string): Promise<string[]> {
  const names = await listDir(nodeModules);
  const dirs: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue; // .bin, .pnpm, .package-lock.json
    if (name.startsWith('@')) {
      const scoped = await listDir(path.join(nodeModules, name));
      for (const inner of scoped.sort()) if (!inner.startsWith('.')) dirs.push(path.join(nodeModules, name, inner));
    } else {
      dirs.push(path.join(nodeModules, name));
    }
  }
  return dirs;
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

/**
 * Reads `<dir>/package.json`. Undefined when the directory is not a node package (no package.json,
 * or no `tagflow` field); a problem when the package.json cannot be parsed, since it may be one.
 */
async function readCandidate(dir: string): Promise<Candidate | undefined> {
  let text: string;
  let realDir: string;
  try {
    // Following the link (pnpm) makes the package's own dependencies resolve from where it really is.
    realDir = await realpath(dir);
    if (!(await stat(realDir)).isDirectory()) return undefined;
    text = await readFile(path.join(realDir, 'package.json'), 'utf8');
  } catch (err) {
    if (isMissing(err)) return undefined; // a stray file, a dangling link, a folder without package.json
    const name = folderPackageName(dir);
    return { name, dir, problem: `${name}: cannot read package.json: ${errorText(err)}` };
  }
  const folderName = folderPackageName(dir);
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (err) {
    // Only worth reporting if it looks like a tagflow package; other broken packages are not ours.
    if (!text.includes('"tagflow"')) return undefined;
    return {
      name: folderName,
      dir: realDir,
      problem: `${folderName}: package.json is not valid JSON: ${errorText(err)}`,
    };
  }
  if (!isNodePackageJson(pkg)) return undefined;
  const name = typeof pkg.name === 'string' && pkg.name !== '' ? pkg.name : folderName;
  return { name, dir: realDir, pkg };
}

/** `node_modules/@scope/x` -> `@scope/x`; `node_modules/x` -> `x`. */
function folderPackageName(dir: string): string {
  const base = path.basename(dir);
  const parent = path.basename(path.dirname(dir));
  return parent.startsWith('@') ? `${parent}/${base}` : base;
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
