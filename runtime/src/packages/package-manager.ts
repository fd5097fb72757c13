import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, rename, rm, rmdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { SDK_VERSION } from '@tagflow/node-sdk';
import type { EngineLogger } from '../engine/types';
import { packageErrors } from '../error-codes';
import type { DiscoveredPackage, DiscoveryProblem, DiscoveryReport } from '../registry/discover-packages';
import {
  checkSdkCompat,
  loadDefinitions,
  PackageLoadError,
  readManifest,
  registerPackage,
} from '../registry/load-node-package';
import type { LoadedNodePackage } from '../registry/load-node-package';
import type { NodeRegistry, RegisteredNode, RegisteredResource } from '../registry/node-registry';
import { UpdateQueue } from '../store/atomic-file';
import type { AuditLogApi } from '../store/types';
import { checkArchive, DEFAULT_ARCHIVE_LIMITS } from './archive-check';
import type { ArchiveLimits } from './archive-check';
import { openBundle } from './bundle';
import type { BundleManifest } from './bundle';
import { describeBuildSteps, findBuildSteps, findBuildStepsInTarball } from './build-steps';
import type { BuildStep } from './build-steps';
import { folderSafeName, PackageLayout } from './installed-file';
import type { InstalledPackage } from './installed-file';
import { npmInstallTarball, npmPack } from './npm-client';
import { PackageError } from './package-error';
import type { PackageUser } from './package-error';
import { checkInstallSpec } from './package-spec';
import { currentPlatform, describePlatform, samePlatform } from './platform-id';
import type { PlatformId } from './platform-id';
import { ToolError } from './subprocess';
import { fileIntegrity, integrityTag, readTarballPackageJson } from './tarball';

/** What to install, and from where. */
export type InstallRequest =
  /** `name`, `name@1.2.3` or `name@^1`: fetched with `npm pack` from the configured registry. */
  | { source: 'registry'; spec: string }
  /** A package .tgz (made by `npm pack`). */
  | { source: 'file'; file: string }
  /** A package folder, built: packed with `npm pack` as it would be published. */
  | { source: 'dir'; dir: string }
  /**
   * A tarball of a bundle, which must have this integrity; `platform` is the one the bundle was
   * packed on (a package needing a build step installs only when it is this runtime's).
   */
  | { source: 'bundle'; file: string; integrity: string; platform?: PlatformId };

/** What an install did. `replaced`: another version of the same package was installed before. */
export interface InstallOutcome {
  status: 'installed' | 'replaced' | 'unchanged';
  package: InstalledPackage;
  /** The version replaced, for `replaced`. */
  previousVersion?: string;
}

/** What installing a bundle did, package by package, and the flow it carries. */
export interface BundleOutcome {
  flow: unknown;
  manifest: BundleManifest;
  packages: Array<{ name: string; version: string; status: InstallOutcome['status'] }>;
}

/** Settings of a package manager. */
export interface PackageManagerOptions {
  dataDir: string;
  /** The registry the runtime runs with: installed types join it at once, removed ones leave it. */
  registry: NodeRegistry;
  /** The flows running now (read at each removal): a package one of them uses cannot be removed. */
  runningFlows?: () => Flow[];
  /** Where installs and removals are recorded. */
  audit?: AuditLogApi;
  logger?: EngineLogger;
  /** The SDK version packages are checked against (default: the running SDK's). */
  sdkVersion?: string;
  /** The folder of the `@tagflow/node-sdk` packages get (default: the runtime's own). */
  sdkDir?: string;
  /** Never reach a registry, even for dependencies of a .tgz or folder (bundles are always offline). */
  offline?: boolean;
  /** Longest an npm command may take (default 5 minutes). */
  npmTimeoutMs?: number;
  /** Size limits of package and bundle files, packed and unpacked (default DEFAULT_ARCHIVE_LIMITS). */
  archiveLimits?: Partial<ArchiveLimits>;
  /**
   * At `open`, delete interrupted installs and the folders of versions replaced while in use. Only
   * the runtime that owns the data dir may (`tagflow start`): a CLI reading it must not delete the
   * files a running runtime still executes.
   */
  removeLeftovers?: boolean;
  /**
   * Told after a package was installed (its folder) or removed, once the registry here changed:
   * the engine process loads or drops it too. Its failure is logged; the install stands.
   */
  onChange?(
    change: { kind: 'installed'; name: string; dir: string } | { kind: 'removed'; name: string },
  ): Promise<void>;
}

/**
 * Installs node packages into `<data dir>/nodes` and keeps the registry in step: an installed
 * package's types are usable at once (no restart), a removed one's are gone. Operations run one
 * at a time. A package is checked whole before it is activated (a registry name and version npm
 * accepts, an archive within the size limits, `tagflow` field, SDK range, no build step unless
 * from a bundle of this platform, every module loads and exports a definition, no type another
 * package provides); a refused one leaves no file and no type behind. npm never runs a package's
 * scripts (npm-client.ts); loading the package runs its code, as the runtime: installing is an
 * admin's decision.
 */
export class PackageManager {
  private readonly layout: PackageLayout;
  private readonly queue = new UpdateQueue();
  private readonly sdkVersion: string;
  private readonly limits: ArchiveLimits;

  private constructor(
    private readonly options: PackageManagerOptions,
    private installed: InstalledPackage[],
    /** What `open` loaded and refused. */
    readonly report: DiscoveryReport,
  ) {
    this.layout = new PackageLayout(options.dataDir);
    this.sdkVersion = options.sdkVersion ?? SDK_VERSION;
    this.limits = { ...DEFAULT_ARCHIVE_LIMITS, ...options.archiveLimits };
  }

  /**
   * Reads `<data dir>/nodes/installed.json` and loads every package it lists into the registry
   * (call after the built-in packages are discovered). A package that cannot load, or whose name a
   * built-in package already has, is reported in `report.problems` and skipped. Leftovers of
   * interrupted installs and of replaced versions are deleted.
   */
  static async open(options: PackageManagerOptions): Promise<PackageManager> {
    const layout = new PackageLayout(options.dataDir);
    const installed = await layout.read();
    const report: DiscoveryReport = { packages: [], problems: [] };
    const manager = new PackageManager(options, installed, report);
    if (installed.length > 0) await layout.linkSdk(options.sdkDir ?? runtimeSdkDir());
    for (const pkg of installed) {
      const dir = layout.packageDirOf(pkg);
      try {
        const shadow = manager.builtInOwner(pkg.name, true);
        if (shadow)
          throw new PackageError(
            packageErrors.code.BUILT_IN,
            `${pkg.name} ${pkg.version} in the data dir is ignored: ${pkg.name} ${shadow.version} comes with this runtime or a --nodes-dir, which come first`,
          );
        const loaded = manager.loadFrom(dir, pkg);
        manager.refuseClashes(loaded);
        registerPackage(options.registry, loaded);
        report.packages.push(discovered(loaded, dir));
      } catch (err) {
        const message =
          err instanceof PackageLoadError || err instanceof PackageError
            ? err.message
            : `${pkg.name}: ${(err as Error).message}`;
        report.problems.push({ package: pkg.name, dir, message } satisfies DiscoveryProblem);
      }
    }
    if (options.removeLeftovers) await manager.removeLeftovers();
    return manager;
  }

  /** The packages installed in the data dir, by name. */
  list(): InstalledPackage[] {
    return [...this.installed];
  }

  /** The types a package provides now, from the registry (empty when it did not load). */
  typesOf(name: string): { nodes: RegisteredNode[]; resources: RegisteredResource[] } {
    const { registry } = this.options;
    return {
      nodes: registry.nodeTypes().filter((n) => n.package.name === name),
      resources: registry.resourceTypes().filter((r) => r.package.name === name),
    };
  }

  /** The exact tarball an installed package came from, for bundles. */
  tarballOf(pkg: InstalledPackage): string {
    return this.layout.tarballOf(pkg);
  }

  /** Installs (or replaces) a package and makes its types usable at once. Throws a PackageError when refused. */
  install(request: InstallRequest, by: string): Promise<InstallOutcome> {
    return this.queue.run(() => this.applyInstall(request, by));
  }

  /**
   * Removes an installed package: its types leave the registry and its files are deleted. Refused
   * (IN_USE, naming the node ids) while the running flow uses one of its types.
   */
  remove(name: string, by: string): Promise<InstalledPackage> {
    return this.queue.run(() => this.applyRemove(name, by));
  }

  /**
   * Installs what a bundle's flow needs and this runtime lacks, with no registry access. The whole
   * bundle is checked first (every tarball's sha512 against the manifest, every package.json, SDK
   * ranges): a damaged or altered bundle installs nothing. Returns the bundle's flow for the deploy.
   */
  installBundle(file: string, by: string): Promise<BundleOutcome> {
    return this.queue.run(async () => {
      const bundle = await openBundle(file, this.layout.stagingDir, this.limits).catch(async (err: unknown) => {
        await this.removeEmptyStaging();
        throw err;
      });
      try {
        for (const pkg of bundle.manifest.packages) {
          const checked = await this.precheck(bundle.tarball(pkg), pkg.file).catch((err: unknown) => {
            throw asPackageError(err, pkg.file);
          });
          if (checked.name !== pkg.name || checked.version !== pkg.version) {
            throw new PackageError(
              packageErrors.code.BUNDLE_INVALID,
              `the bundle was refused, nothing was installed: ${pkg.file} holds ${checked.name} ${checked.version}, not ${pkg.name} ${pkg.version} as bundle.json says`,
            );
          }
          // Before anything is installed: a bundle carries each package's dependencies inside it.
          const steps = await findBuildStepsInTarball(bundle.tarball(pkg), this.layout.stagingDir);
          this.allowBuildSteps(
            steps,
            checked,
            bundle.manifest.platform,
            'the bundle was refused, nothing was installed',
          );
        }
        const packages: BundleOutcome['packages'] = [];
        for (const pkg of bundle.manifest.packages) {
          const outcome = await this.applyInstall(
            {
              source: 'bundle',
              file: bundle.tarball(pkg),
              integrity: pkg.integrity,
              platform: bundle.manifest.platform,
            },
            by,
          );
          packages.push({ name: pkg.name, version: pkg.version, status: outcome.status });
        }
        return { flow: bundle.flow, manifest: bundle.manifest, packages };
      } finally {
        await bundle.close();
        await this.removeEmptyStaging();
      }
    });
  }

  private async applyInstall(request: InstallRequest, by: string): Promise<InstallOutcome> {
    if (request.source === 'registry') checkInstallSpec(request.spec);
    await mkdir(this.layout.stagingDir, { recursive: true });
    const staging = path.join(this.layout.stagingDir, randomBytes(6).toString('hex'));
    await mkdir(staging);
    try {
      const tarball = await this.fetch(request, staging);
      const integrity = await fileIntegrity(tarball);
      if (request.source === 'bundle' && integrity !== request.integrity) {
        throw new PackageError(
          packageErrors.code.BUNDLE_INVALID,
          `the tarball ${path.basename(request.file)} does not match its integrity in the bundle manifest (it was damaged or altered); nothing was installed`,
        );
      }
      const pkg = await this.precheck(tarball, describeRequest(request));
      const previous = this.installed.find((p) => p.name === pkg.name);
      const loadedNow = this.typesOf(pkg.name);
      if (previous && previous.integrity === integrity && loadedNow.nodes.length + loadedNow.resources.length > 0) {
        return { status: 'unchanged', package: previous };
      }
      await npmInstallTarball(staging, tarball, {
        offline: this.options.offline === true || request.source === 'bundle',
        timeoutMs: this.options.npmTimeoutMs,
      }).catch((err: unknown) => {
        throw new PackageError(
          packageErrors.code.FETCH_FAILED,
          `${pkg.name} ${pkg.version} could not be installed by npm: ${(err as Error).message}`,
        );
      });
      // npm ran no script (--ignore-scripts); what would have needed one is refused here.
      const steps = await findBuildSteps(staging, { includeRoot: false });
      this.allowBuildSteps(
        steps,
        pkg,
        request.source === 'bundle' ? request.platform : undefined,
        `${pkg.name} ${pkg.version} was refused, nothing was installed`,
      );
      const folder = `${folderSafeName(pkg.name)}-${pkg.version}-${integrityTag(integrity)}`;
      const record: InstalledPackage = {
        name: pkg.name,
        version: pkg.version,
        integrity,
        source: request.source,
        installedAt: new Date().toISOString(),
        folder,
        nodes: [],
        resources: [],
      };
      return await this.activate(staging, record, previous, by);
    } catch (err) {
      throw asPackageError(err, describeRequest(request));
    } finally {
      await rm(staging, { recursive: true, force: true });
      await this.removeEmptyStaging();
    }
  }

  /**
   * Refuses a package whose tree needs a build step (`steps`), unless it comes from a bundle
   * packed on this platform: scripts never run here, so only a bundle made for this platform can
   * carry what they would have built.
   */
  private allowBuildSteps(
    steps: readonly BuildStep[],
    pkg: { name: string; version: string },
    bundlePlatform: PlatformId | undefined,
    refused: string,
  ): void {
    if (steps.length === 0) return;
    const here = currentPlatform();
    if (bundlePlatform && samePlatform(bundlePlatform, here)) return;
    const why = `${pkg.name} ${pkg.version} needs a build step (${describeBuildSteps(steps)}), and tagflow never runs package scripts`;
    const how = `make a bundle on a machine of this runtime's platform (${describePlatform(here)}): tagflow pack <flow.json> there, then POST /api/packages/bundle (tagflow deploy <bundle> --to NAME)`;
    const from = bundlePlatform ? `; the bundle was packed on ${describePlatform(bundlePlatform)}` : '';
    throw new PackageError(packageErrors.code.NEEDS_BUILD, `${refused}: ${why}${from}; ${how}`);
  }

  /** `.staging` goes when no install is in progress: a refused package leaves not even that. */
  private async removeEmptyStaging(): Promise<void> {
    await rmdir(this.layout.stagingDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT' && err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
    });
  }

  /** Gets the request's tarball into `staging` as `package.tgz`. */
  private async fetch(request: InstallRequest, staging: string): Promise<string> {
    const target = path.join(staging, 'package.tgz');
    try {
      if (request.source === 'file' || request.source === 'bundle') {
        await copyFile(request.file, target);
      } else {
        const what = request.source === 'dir' ? path.resolve(request.dir) : request.spec;
        const packed = await npmPack(what, staging, { timeoutMs: this.options.npmTimeoutMs });
        await rename(packed.file, target);
      }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && request.source !== 'registry')
        throw new PackageError(packageErrors.code.REFUSED, `${describeRequest(request)} does not exist`);
      const why = err instanceof ToolError || err instanceof Error ? err.message : String(err);
      // The registry answered, and has no such package or version: not a gateway failure.
      if (request.source === 'registry' && err instanceof ToolError && isNotInRegistry(err.output))
        throw new PackageError(
          packageErrors.code.NOT_IN_REGISTRY,
          `the registry has no ${request.spec}: ${err.output}`,
        );
      throw new PackageError(
        request.source === 'registry' ? packageErrors.code.FETCH_FAILED : packageErrors.code.REFUSED,
        `${describeRequest(request)} could not be packed: ${why}`,
      );
    }
    return target;
  }

  /** Checks the tarball's package.json before anything is installed: a node package, for this SDK, not a built-in. */
  private async precheck(tarball: string, what: string): Promise<{ name: string; version: string }> {
    await checkArchive(tarball, what, this.limits);
    let json: Record<string, unknown>;
    try {
      json = await readTarballPackageJson(tarball);
    } catch (err) {
      throw new PackageError(packageErrors.code.REFUSED, `${what} is not a node package: ${(err as Error).message}`);
    }
    if (!('tagflow' in json)) {
      const label = typeof json.name === 'string' ? `${json.name} ${String(json.version ?? '')}`.trim() : what;
      throw new PackageError(
        packageErrors.code.REFUSED,
        `${label} is not a tagflow node package: its package.json has no "tagflow" field listing its node modules`,
      );
    }
    const manifest = readManifest(json, what);
    checkSdkCompat(manifest, this.sdkVersion);
    const builtIn = this.builtInOwner(manifest.name);
    if (builtIn) {
      throw new PackageError(
        packageErrors.code.BUILT_IN,
        `${manifest.name} ${builtIn.version} comes with this runtime (it is not in the data dir); it cannot be installed over`,
      );
    }
    return { name: manifest.name, version: manifest.version };
  }

  /** Moves the staged install into place, loads it, swaps it into the registry and records it; undone whole on any failure. */
  private async activate(
    staging: string,
    record: InstalledPackage,
    previous: InstalledPackage | undefined,
    by: string,
  ): Promise<InstallOutcome> {
    const { registry } = this.options;
    const prefix = this.layout.prefixOf(record);
    await mkdir(this.layout.packagesDir, { recursive: true });
    // Same folder as the installed record: that copy did not load (else the install is `unchanged`).
    await rm(prefix, { recursive: true, force: true });
    await rename(staging, prefix);
    await this.layout.linkSdk(this.options.sdkDir ?? runtimeSdkDir());
    const dir = this.layout.packageDirOf(record);
    let loaded: LoadedNodePackage;
    try {
      loaded = this.loadFrom(dir, record);
      this.refuseClashes(loaded);
    } catch (err) {
      forgetModules(prefix);
      await rm(prefix, { recursive: true, force: true });
      throw err;
    }
    record.nodes = loaded.nodes.map((d) => d.type);
    record.resources = loaded.resources.map((d) => d.type);

    const before = this.typesOf(record.name);
    registry.unregisterPackage(record.name);
    registerPackage(registry, loaded);
    const next = [...this.installed.filter((p) => p.name !== record.name), record];
    try {
      await this.layout.write(next);
    } catch (err) {
      registry.unregisterPackage(record.name);
      for (const n of before.nodes) registry.registerNode(n.definition, n.package);
      for (const r of before.resources) registry.registerResource(r.definition, r.package);
      forgetModules(prefix);
      await rm(prefix, { recursive: true, force: true });
      throw err;
    }
    this.installed = next;
    await this.tell({ kind: 'installed', name: record.name, dir });
    // The running flow may still run the old version's code: its files go at the next start.
    if (previous && this.usersOf(previous, before).length === 0) await this.deleteFolder(previous);

    const replaced = previous ? ` (replacing ${previous.version})` : '';
    this.options.logger?.info(
      { package: record.name, version: record.version, source: record.source },
      `node package ${record.name} ${record.version} installed${replaced}`,
    );
    await this.audit({
      type: 'package-installed',
      actor: by,
      detail: `installed node package ${record.name} ${record.version} from ${record.source}${replaced}: ${[...record.nodes, ...record.resources].join(', ')}`,
      data: {
        name: record.name,
        version: record.version,
        integrity: record.integrity,
        source: record.source,
        previousVersion: previous?.version,
      },
    });
    return {
      status: previous ? 'replaced' : 'installed',
      package: record,
      ...(previous ? { previousVersion: previous.version } : {}),
    };
  }

  private async applyRemove(name: string, by: string): Promise<InstalledPackage> {
    const pkg = this.installed.find((p) => p.name === name);
    if (!pkg) {
      const builtIn = this.builtInOwner(name);
      if (builtIn)
        throw new PackageError(
          packageErrors.code.BUILT_IN,
          `${name} ${builtIn.version} comes with this runtime (it is not in the data dir); it cannot be removed`,
        );
      const names = this.installed.map((p) => p.name);
      throw new PackageError(
        packageErrors.code.NOT_INSTALLED,
        `${name} is not installed in the data dir${names.length > 0 ? ` (installed: ${names.join(', ')})` : ''}`,
      );
    }
    const users = this.usersOf(pkg, this.typesOf(name));
    if (users.length > 0) {
      throw new PackageError(
        packageErrors.code.IN_USE,
        `${name} ${pkg.version} is used by the running flow: ${users.map((u) => u.label).join(', ')}; deploy a flow without ${users.length === 1 ? 'it' : 'them'} first`,
        users.map((u) => u.id),
        users.map((u) => u.user),
      );
    }
    const next = this.installed.filter((p) => p.name !== name);
    await this.layout.write(next);
    this.installed = next;
    this.options.registry.unregisterPackage(name);
    await this.tell({ kind: 'removed', name });
    await this.deleteFolder(pkg);
    this.options.logger?.info({ package: name, version: pkg.version }, `node package ${name} ${pkg.version} removed`);
    await this.audit({
      type: 'package-removed',
      actor: by,
      detail: `removed node package ${name} ${pkg.version}`,
      data: { name, version: pkg.version, integrity: pkg.integrity },
    });
    return pkg;
  }

  /** Reads and loads a package folder, checking its SDK range; the record, when given, must match its name and version. */
  private loadFrom(dir: string, record?: Pick<InstalledPackage, 'name' | 'version'>): LoadedNodePackage {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    } catch (err) {
      throw new PackageLoadError(
        `${record?.name ?? dir}: cannot read its package.json in ${dir}: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    const manifest = readManifest(json as Record<string, unknown>, dir);
    if (record && (manifest.name !== record.name || manifest.version !== record.version)) {
      throw new PackageLoadError(
        `${record.name}: npm installed ${manifest.name} ${manifest.version} instead of ${record.version}`,
      );
    }
    checkSdkCompat(manifest, this.sdkVersion);
    return loadDefinitions(manifest);
  }

  /** Refuses a package providing a type that another package already provides (its own older version aside). */
  private refuseClashes(loaded: LoadedNodePackage): void {
    const { registry } = this.options;
    const { name, version } = loaded.manifest;
    const clashes = [
      ...loaded.nodes.map((d) => ({ kind: 'node', type: d.type, owner: registry.node(d.type)?.package })),
      ...loaded.resources.map((d) => ({ kind: 'resource', type: d.type, owner: registry.resource(d.type)?.package })),
    ].filter((c) => c.owner && c.owner.name !== name);
    if (clashes.length === 0) return;
    const list = clashes
      .map((c) => `${c.kind} type "${c.type}" (already provided by ${c.owner?.name} ${c.owner?.version})`)
      .join(', ');
    throw new PackageError(
      packageErrors.code.REFUSED,
      `${name} ${version} provides ${list}: a type name means one thing in a runtime; remove the other package first`,
    );
  }

  /**
   * The registry's version of a package that is registered but not installed in the data dir: a
   * built-in. While opening, every registered package is one.
   */
  private builtInOwner(name: string, opening = false): { version: string } | undefined {
    if (!opening && this.installed.some((p) => p.name === name)) return undefined;
    const { registry } = this.options;
    const owner = [...registry.nodeTypes(), ...registry.resourceTypes()].find((t) => t.package.name === name);
    return owner ? { version: owner.package.version } : undefined;
  }

  /** The running flow's nodes and resources that use one of `types`. */
  private usersOf(
    pkg: InstalledPackage,
    types: { nodes: RegisteredNode[]; resources: RegisteredResource[] },
  ): Array<{ id: string; label: string; user: PackageUser }> {
    const flows = this.options.runningFlows?.() ?? [];
    const nodeTypes = new Set([...pkg.nodes, ...types.nodes.map((n) => n.definition.type)]);
    const resourceTypes = new Set([...pkg.resources, ...types.resources.map((r) => r.definition.type)]);
    // Node ids repeat across flows: with several, each user is named with its flow.
    const of = (flow: Flow) => (flows.length > 1 ? ` of flow "${flow.id}"` : '');
    const flowOf = (flow: Flow) => ({ flowId: flow.id, ...(flow.name ? { flowName: flow.name } : {}) });
    return flows.flatMap((flow) => [
      ...flow.nodes
        .filter((n) => nodeTypes.has(n.type))
        .map((n) => ({
          id: n.id,
          label: `node "${n.id}" (${n.type})${of(flow)}`,
          user: {
            kind: 'node' as const,
            id: n.id,
            ...(n.name ? { label: n.name } : {}),
            type: n.type,
            ...flowOf(flow),
          },
        })),
      ...(flow.resources ?? [])
        .filter((r) => resourceTypes.has(r.type))
        .map((r) => ({
          id: r.id,
          label: `resource "${r.id}" (${r.type})${of(flow)}`,
          user: { kind: 'resource' as const, id: r.id, type: r.type, ...flowOf(flow) },
        })),
    ]);
  }

  private async deleteFolder(pkg: InstalledPackage): Promise<void> {
    const prefix = this.layout.prefixOf(pkg);
    forgetModules(prefix);
    await rm(prefix, { recursive: true, force: true });
  }

  /** Deletes interrupted installs and package folders installed.json no longer names (versions replaced while in use). */
  private async removeLeftovers(): Promise<void> {
    await rm(this.layout.stagingDir, { recursive: true, force: true });
    const kept = new Set(this.installed.map((p) => p.folder));
    const folders = await readdir(this.layout.packagesDir).catch(() => [] as string[]);
    for (const folder of folders) {
      if (!kept.has(folder)) await rm(path.join(this.layout.packagesDir, folder), { recursive: true, force: true });
    }
  }

  private async tell(change: Parameters<NonNullable<PackageManagerOptions['onChange']>>[0]): Promise<void> {
    try {
      await this.options.onChange?.(change);
    } catch (err) {
      this.options.logger?.error(
        { package: change.name },
        `node package ${change.name} changed here, but the engine could not follow (${(err as Error).message}); it will at its next start`,
      );
    }
  }

  private async audit(event: {
    type: 'package-installed' | 'package-removed';
    actor: string;
    detail: string;
    data: Record<string, unknown>;
  }): Promise<void> {
    await this.options.audit?.append(event);
  }
}

/** The folder of the `@tagflow/node-sdk` this runtime runs with (symlinks resolved). */
export function runtimeSdkDir(): string {
  return path.dirname(require.resolve('@tagflow/node-sdk/package.json'));
}

function discovered(loaded: LoadedNodePackage, dir: string): DiscoveredPackage {
  return {
    name: loaded.manifest.name,
    version: loaded.manifest.version,
    dir,
    nodes: loaded.nodes.map((d) => d.type),
    resources: loaded.resources.map((d) => d.type),
  };
}

/** Drops a removed package's modules from Node's module cache, so a later install of it loads afresh. */
function forgetModules(prefix: string): void {
  const cache = createRequire(__filename).cache;
  const inside = prefix + path.sep;
  for (const key of Object.keys(cache)) if (key.startsWith(inside)) delete cache[key];
}

/** npm's words for a registry that answered "no such package" (E404) or "no such version" (ETARGET). */
function isNotInRegistry(output: string): boolean {
  return /\b(E404|404 Not Found|ETARGET)\b|No matching version found/.test(output);
}

function describeRequest(request: InstallRequest): string {
  switch (request.source) {
    case 'registry':
      return request.spec;
    case 'dir':
      return request.dir;
    default:
      return request.file;
  }
}

/** Refusals become PackageErrors; anything else (a full disk, a bug) keeps its own type, with what was being installed. */
function asPackageError(err: unknown, what: string): Error {
  if (err instanceof PackageError) return err;
  if (err instanceof PackageLoadError)
    return new PackageError(packageErrors.code.REFUSED, `${err.message}; nothing was installed`);
  return new Error(`installing ${what} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}
