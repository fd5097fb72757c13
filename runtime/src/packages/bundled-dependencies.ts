import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { npmInstallDependencies, npmPack } from './npm-client';
import type { PackedTarball } from './npm-client';
import { extractTarball, readTarballPackageJson } from './tarball';

/**
 * A tarball of the same package that carries its runtime dependencies inside it (npm's
 * `bundleDependencies`), so that a runtime with no registry access can install it. Made where a
 * registry (or npm's cache) is reachable: `tagflow pack`. A package without dependencies, or one
 * that already bundles them all, comes back unchanged.
 */
export async function withBundledDependencies(
  tarball: string,
  work: string,
): Promise<PackedTarball | { file: string }> {
  const pkg = await readTarballPackageJson(tarball);
  const dependencies = Object.keys((pkg.dependencies as Record<string, string> | undefined) ?? {});
  const bundled = new Set(bundledNames(pkg.bundleDependencies ?? pkg.bundledDependencies, dependencies));
  if (dependencies.every((d) => bundled.has(d))) return { file: tarball };

  const dir = await mkdtemp(path.join(work, 'bundle-'));
  try {
    await extractTarball(tarball, dir);
    const root = path.join(dir, 'package');
    const manifestFile = path.join(root, 'package.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
    manifest.bundleDependencies = dependencies;
    delete manifest.bundledDependencies;
    await writeFile(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
    // The runtime provides the SDK (a peer): only the package's own dependencies go in. No
    // script runs: a dependency that needs one goes in as published (see build-steps.ts).
    await npmInstallDependencies(root);
    const dest = path.join(dir, 'out');
    await mkdir(dest);
    return await npmPack(root, dest);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `cannot bundle the dependencies of ${String(pkg.name)} ${String(pkg.version)} (${dependencies.join(', ')}): ${(err as Error).message}`,
    );
  }
}

function bundledNames(field: unknown, dependencies: string[]): string[] {
  if (field === true) return dependencies;
  return Array.isArray(field) ? field.filter((n): n is string => typeof n === 'string') : [];
}
