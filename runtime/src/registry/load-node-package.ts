import { createRequire } from 'node:module';
import path from 'node:path';
import { SDK_VERSION } from '@tagflow/node-sdk';
import type { NodeDefinition, ResourceDefinition } from '@tagflow/node-sdk';
import { nodeDefinitionProblems, resourceDefinitionProblems } from './check-definition';
import type { NodeRegistry, PackageRef } from './node-registry';
import { checkSdkRange } from './sdk-compat';

/** The SDK package every node package must name as a peer dependency. */
export const SDK_PACKAGE = '@tagflow/node-sdk';

/** A node package, as its package.json describes it. */
export interface NodePackageManifest {
  name: string;
  version: string;
  /** The package's directory (symlinks resolved). */
  dir: string;
  /** Module paths relative to `dir`, each exporting one NodeDefinition. */
  nodes: string[];
  /** Module paths relative to `dir`, each exporting one ResourceDefinition. */
  resources: string[];
  /** The package's peer range for `@tagflow/node-sdk`. */
  sdkRange: string;
}

/** A node package that cannot be installed; the message says why in plain words. */
export class PackageLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PackageLoadError';
  }
}

/** True when a parsed package.json declares node modules for tagflow (has a `tagflow` field). */
export function isNodePackageJson(pkg: unknown): pkg is Record<string, unknown> & { tagflow: unknown } {
  return typeof pkg === 'object' && pkg !== null && 'tagflow' in pkg;
}

/** Reads the fields discovery needs from a parsed package.json; throws a PackageLoadError naming the bad field. */
export function readManifest(pkg: Record<string, unknown>, dir: string): NodePackageManifest {
  const name = pkg.name;
  if (typeof name !== 'string' || name === '') throw new PackageLoadError(`package.json in ${dir} has no "name"`);
  const version = pkg.version;
  if (typeof version !== 'string' || version === '')
    throw new PackageLoadError(`${name}: package.json has no "version"`);
  const label = `${name} ${version}`;
  const field = pkg.tagflow;
  if (typeof field !== 'object' || field === null || Array.isArray(field)) {
    throw new PackageLoadError(`${label}: the "tagflow" field must be an object like { "nodes": ["dist/x.node.js"] }`);
  }
  const modules = (key: 'nodes' | 'resources'): string[] => {
    const list = (field as Record<string, unknown>)[key];
    if (list === undefined) return [];
    if (!Array.isArray(list) || list.some((m) => typeof m !== 'string' || m === '')) {
      throw new PackageLoadError(`${label}: "tagflow.${key}" must be an array of module paths`);
    }
    return list as string[];
  };
  const peers = pkg.peerDependencies as Record<string, unknown> | undefined;
  const sdkRange = peers?.[SDK_PACKAGE];
  if (typeof sdkRange !== 'string') {
    throw new PackageLoadError(
      `${label} does not say which ${SDK_PACKAGE} it was written for: add it to "peerDependencies" (e.g. "^${SDK_VERSION}")`,
    );
  }
  return { name, version, dir, nodes: modules('nodes'), resources: modules('resources'), sdkRange };
}

/** Refuses a package written for another SDK than the one this runtime runs. */
export function checkSdkCompat(manifest: NodePackageManifest, sdkVersion: string): void {
  const result = checkSdkRange(manifest.sdkRange, sdkVersion);
  if (result.ok) return;
  const label = `${manifest.name} ${manifest.version}`;
  if (result.reason === 'unreadable') {
    throw new PackageLoadError(
      `${label} has a peer range for ${SDK_PACKAGE} that is not a version range: "${manifest.sdkRange}"`,
    );
  }
  throw new PackageLoadError(`${label} needs ${SDK_PACKAGE} ${manifest.sdkRange} but this runtime has ${sdkVersion}`);
}

/** The definitions a package's modules export, checked for shape. */
export interface LoadedNodePackage {
  manifest: NodePackageManifest;
  nodes: NodeDefinition[];
  resources: ResourceDefinition[];
}

/**
 * Requires every module a package lists and checks each default export. Throws a PackageLoadError
 * at the first module that is missing, throws on load, or exports something that is not a definition.
 */
export function loadDefinitions(manifest: NodePackageManifest): LoadedNodePackage {
  // Resolving from the package's own package.json makes its dependencies resolve as they would for it.
  const requireFromPackage = createRequire(path.join(manifest.dir, 'package.json'));
  const load = (entry: string, check: (value: unknown) => string[], kind: string): unknown => {
    const value = defaultExport(requireModule(manifest, entry, requireFromPackage));
    const problems = check(value);
    if (problems.length > 0) {
      throw new PackageLoadError(
        `${labelOf(manifest)}: ${entry} does not export a valid ${kind}: ${problems.join('; ')}`,
      );
    }
    return value;
  };
  const nodes = manifest.nodes.map((entry) => load(entry, nodeDefinitionProblems, 'node definition') as NodeDefinition);
  const resources = manifest.resources.map(
    (entry) => load(entry, resourceDefinitionProblems, 'resource definition') as ResourceDefinition,
  );
  refuseDuplicates(manifest, 'node', nodes);
  refuseDuplicates(manifest, 'resource', resources);
  return { manifest, nodes, resources };
}

/**
 * Registers every type of a loaded package, or none: a type another package already installed
 * refuses the whole package, so a flow never runs half a package.
 */
export function registerPackage(registry: NodeRegistry, loaded: LoadedNodePackage): void {
  const { manifest } = loaded;
  const pkg: PackageRef = { name: manifest.name, version: manifest.version };
  const clash = (kind: string, type: string, owner: PackageRef | undefined): void => {
    if (owner && owner.name !== pkg.name) {
      throw new PackageLoadError(
        `${labelOf(manifest)}: ${kind} type "${type}" is already installed from ${owner.name} ${owner.version}; the package was skipped`,
      );
    }
  };
  for (const d of loaded.nodes) clash('node', d.type, registry.node(d.type)?.package);
  for (const d of loaded.resources) clash('resource', d.type, registry.resource(d.type)?.package);
  for (const d of loaded.nodes) registry.registerNode(d, pkg);
  for (const d of loaded.resources) registry.registerResource(d, pkg);
}

/** Reads, checks and registers one node package; throws a PackageLoadError when it is refused. */
export function loadNodePackage(
  registry: NodeRegistry,
  pkg: Record<string, unknown>,
  dir: string,
  sdkVersion: string,
): LoadedNodePackage {
  const manifest = readManifest(pkg, dir);
  checkSdkCompat(manifest, sdkVersion);
  const loaded = loadDefinitions(manifest);
  registerPackage(registry, loaded);
  return loaded;
}

function requireModule(manifest: NodePackageManifest, entry: string, requireFromPackage: NodeJS.Require): unknown {
  const file = path.resolve(manifest.dir, entry);
  const relative = path.relative(manifest.dir, file);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new PackageLoadError(`${labelOf(manifest)}: module "${entry}" points outside the package`);
  }
  let resolved: string;
  try {
    resolved = requireFromPackage.resolve(file);
  } catch {
    // resolve() fails only when no file answers to the path.
    throw new PackageLoadError(`${labelOf(manifest)}: cannot find ${entry} (is the package built?)`);
  }
  try {
    return requireFromPackage(resolved);
  } catch (err) {
    const reason =
      (err as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM'
        ? 'it is an ES module; tagflow loads CommonJS modules (compile with "module": "commonjs" or "node16")'
        : `it threw while loading: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
    throw new PackageLoadError(`${labelOf(manifest)}: cannot load ${entry}: ${reason}`);
  }
}

// TypeScript's CommonJS output puts an `export default` on `exports.default`; hand-written modules
// may assign the definition to `module.exports` itself.
function defaultExport(mod: unknown): unknown {
  if (typeof mod === 'object' && mod !== null && 'default' in mod) return mod.default;
  return mod;
}

function refuseDuplicates(manifest: NodePackageManifest, kind: string, definitions: Array<{ type: string }>): void {
  const seen = new Set<string>();
  for (const { type } of definitions) {
    if (seen.has(type)) throw new PackageLoadError(`${labelOf(manifest)} declares ${kind} type "${type}" twice`);
    seen.add(type);
  }
}

function labelOf(manifest: NodePackageManifest): string {
  return `${manifest.name} ${manifest.version}`;
}
