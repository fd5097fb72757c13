import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';

/** The repository's root folder. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** This package's folder (from `src/` under Jest, from `dist/` when built). */
const PACKAGE_DIR = path.resolve(__dirname, '..');

/**
 * The folders of the node packages this package depends on, sorted: every node package of the
 * repo, as a test checks against `workspaceNodePackageDirs`. Depending on them makes the build
 * order put them first, and no package depends on this one, so there is no cycle.
 */
export function repoNodePackageDirs(): string[] {
  const own = readJson(path.join(PACKAGE_DIR, 'package.json'));
  const names = Object.keys(own.dependencies ?? {});
  return names
    .map((name) => realpathSync(path.join(PACKAGE_DIR, 'node_modules', name)))
    .filter(isNodePackage)
    .sort();
}

/** Every workspace package under nodes/ and examples/ whose package.json has a `tagflow` field, sorted. */
export function workspaceNodePackageDirs(): string[] {
  return ['nodes', 'examples']
    .flatMap((group) => readdirSync(path.join(REPO_ROOT, group)).map((name) => path.join(REPO_ROOT, group, name)))
    .filter((dir) => existsSync(path.join(dir, 'package.json')) && isNodePackage(dir))
    .map((dir) => realpathSync(dir))
    .sort();
}

function isNodePackage(dir: string): boolean {
  return 'tagflow' in readJson(path.join(dir, 'package.json'));
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}
