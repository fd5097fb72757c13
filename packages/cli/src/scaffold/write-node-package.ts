import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError, EXIT_USAGE } from '../cli-error';
import { nodePackageManifest, renderTemplates } from './node-package-files';
import type { NodePackageValues } from './node-package-files';
import { nodeIdentifier, nodeTypeFromPackage, nodeTypeProblem, packageNameProblem, unscopedName } from './package-name';
import { vendorTagflowPackages } from './vendor-tagflow';
import type { VendoredPackage } from './vendor-tagflow';

/** What to create. */
export interface NewNodePackageOptions {
  /** The npm package name. */
  packageName: string;
  /** The folder to create (default: the unscoped name, in `cwd`). */
  dir?: string;
  /** The example node's type name (default: derived from the package name). */
  nodeType?: string;
  /** The tagflow version, for the README. */
  tagflowVersion: string;
  /** Node types every runtime has (the built-in ones), with their package: the example node must not take one of their names. */
  takenTypes?: () => Promise<ReadonlyMap<string, string>>;
  cwd?: string;
}

/** What was created. */
export interface NewNodePackage {
  /** The package folder (absolute). */
  dir: string;
  nodeType: string;
  /** Every file written, relative to `dir`, sorted. */
  files: string[];
  vendored: VendoredPackage[];
}

/**
 * Writes a node package ready to install and test: the example node, its test, docs, README,
 * build and test configuration, and the vendored tagflow packages. Everything is written into a
 * temporary folder beside the target and moved into place at the end, so a failure leaves nothing.
 */
export async function writeNodePackage(options: NewNodePackageOptions): Promise<NewNodePackage> {
  const nameProblem = packageNameProblem(options.packageName);
  if (nameProblem) throw new CliError(nameProblem, EXIT_USAGE);
  const nodeType = options.nodeType ?? nodeTypeFromPackage(options.packageName);
  const typeProblem = nodeTypeProblem(nodeType);
  if (typeProblem) throw new CliError(typeProblem, EXIT_USAGE);
  const cwd = options.cwd ?? process.cwd();
  const dir = path.resolve(cwd, options.dir ?? unscopedName(options.packageName));
  refuseExisting(dir, path.relative(cwd, dir) || '.');
  const owner = (await options.takenTypes?.())?.get(nodeType);
  if (owner !== undefined) {
    throw new CliError(
      `the node type "${nodeType}" is already provided by ${owner}, and a runtime refuses a second package with the same type: choose another name with --node`,
    );
  }

  const values: NodePackageValues = {
    packageName: options.packageName,
    nodeType,
    nodeIdentifier: nodeIdentifier(nodeType),
    dirName: path.basename(dir),
    tagflowVersion: options.tagflowVersion,
  };
  const parent = path.dirname(dir);
  await mkdir(parent, { recursive: true });
  const staging = await mkdtemp(path.join(parent, `.${path.basename(dir)}-tagflow-new-`));
  try {
    const files = await renderTemplates(values);
    const vendored = await vendorTagflowPackages(path.join(staging, 'vendor'));
    files.set('package.json', `${JSON.stringify(nodePackageManifest(values, vendored), null, 2)}\n`);
    for (const [file, content] of files) {
      await mkdir(path.dirname(path.join(staging, file)), { recursive: true });
      await writeFile(path.join(staging, file), content);
    }
    // The target may exist as an empty folder (checked above); rename needs it gone.
    if (existsSync(dir)) await rmdir(dir);
    await rename(staging, dir);
    const written = [...files.keys(), ...vendored.map((p) => `vendor/${p.file}`)].sort();
    return { dir, nodeType, files: written, vendored };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** A folder with anything in it, or a file of that name, is never written into. */
function refuseExisting(dir: string, shown: string): void {
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory())
    throw new CliError(`${shown} already exists and is a file: choose another folder with --dir`);
  if (readdirSync(dir).length > 0) {
    throw new CliError(
      `${shown} already exists and is not empty: nothing was written; choose another folder with --dir, or remove it first`,
    );
  }
}
