import { mkdir, readlink, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { readJsonFile, writeFileAtomic } from '../store/atomic-file';

/**
 * The layout of `<data dir>/nodes`:
 *
 * ```
 * installed.json                        what is installed (the source of truth)
 * packages/<name>-<version>-<tag>/      one npm prefix per package: package.tgz (the exact
 *   package.tgz, node_modules/<name>    tarball, for bundles) and node_modules with its dependencies
 * node_modules/@tagflow/node-sdk        a link to the runtime's own SDK, found by every package
 * .staging/                             installs in progress (emptied at each start)
 * ```
 *
 * One prefix per package keeps two packages' dependencies apart, and makes install and removal one
 * rename or one folder deletion.
 */

/** Where a package came from. */
export type PackageSource = 'registry' | 'file' | 'dir' | 'bundle';

/** One package of `installed.json`. */
export interface InstalledPackage {
  name: string;
  version: string;
  /** sha512 of the package's .tgz, npm's form: `sha512-<base64>`. */
  integrity: string;
  source: PackageSource;
  /** ISO 8601. */
  installedAt: string;
  /** The package's prefix folder, relative to `<data dir>/nodes/packages`. */
  folder: string;
  /** Node types it provides (as loaded at install). */
  nodes: string[];
  /** Resource types it provides. */
  resources: string[];
}

interface InstalledFile {
  packages: InstalledPackage[];
}

/** `<data dir>/nodes`. */
export function nodesDirOf(dataDir: string): string {
  return path.join(dataDir, 'nodes');
}

/** The paths of one data dir's packages. */
export class PackageLayout {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = nodesDirOf(dataDir);
  }

  get installedFile(): string {
    return path.join(this.root, 'installed.json');
  }

  get packagesDir(): string {
    return path.join(this.root, 'packages');
  }

  get stagingDir(): string {
    return path.join(this.root, '.staging');
  }

  /** The prefix folder of an installed package. */
  prefixOf(pkg: Pick<InstalledPackage, 'folder'>): string {
    return path.join(this.packagesDir, pkg.folder);
  }

  /** The package's own folder inside its prefix. */
  packageDirOf(pkg: Pick<InstalledPackage, 'folder' | 'name'>): string {
    return path.join(this.prefixOf(pkg), 'node_modules', ...pkg.name.split('/'));
  }

  /** The exact tarball the package was installed from. */
  tarballOf(pkg: Pick<InstalledPackage, 'folder'>): string {
    return path.join(this.prefixOf(pkg), 'package.tgz');
  }

  /** The packages recorded in installed.json (none when there is no file yet). */
  async read(): Promise<InstalledPackage[]> {
    const content = await readJsonFile(this.installedFile);
    if (content === undefined) return [];
    const list = (content as Partial<InstalledFile>).packages;
    if (!Array.isArray(list) || list.some((p) => !isInstalledPackage(p))) {
      throw new Error(
        `${this.installedFile} is damaged (not a list of installed packages); restore it from a backup, or delete it and install the packages again`,
      );
    }
    return list;
  }

  /** Replaces installed.json, sorted by name. */
  async write(packages: readonly InstalledPackage[]): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const sorted = [...packages].sort((a, b) => a.name.localeCompare(b.name));
    await writeFileAtomic(this.installedFile, `${JSON.stringify({ packages: sorted }, null, 2)}\n`);
  }

  /**
   * Makes `@tagflow/node-sdk` resolve, from every installed package, to `sdkDir`: the runtime's own
   * SDK. Packages name it as a peer; npm never installs it (it is not on a registry a plant may
   * reach, and a second copy would make `instanceof NodeError` false). Repointed at each call,
   * since the runtime may have moved or been upgraded.
   */
  async linkSdk(sdkDir: string): Promise<void> {
    const link = path.join(this.root, 'node_modules', '@tagflow', 'node-sdk');
    await mkdir(path.dirname(link), { recursive: true });
    const current = await readlink(link).catch(() => undefined);
    if (current === sdkDir) return;
    await rm(link, { recursive: true, force: true });
    // A junction on Windows needs no special rights; elsewhere the type is ignored.
    await symlink(sdkDir, link, 'junction');
  }
}

/** A name safe as a folder name: `@acme/nodes-foo` -> `acme+nodes-foo`. */
export function folderSafeName(name: string): string {
  return name.replace(/^@/, '').replace(/\//g, '+');
}

function isInstalledPackage(value: unknown): value is InstalledPackage {
  const p = value as Partial<InstalledPackage> | null;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.name === 'string' &&
    typeof p.version === 'string' &&
    typeof p.integrity === 'string' &&
    typeof p.folder === 'string' &&
    !p.folder.includes('..') &&
    Array.isArray(p.nodes) &&
    Array.isArray(p.resources)
  );
}
