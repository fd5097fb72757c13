import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { flowErrors } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';

/** A node package in the working folder that was not loaded, as its package.json describes it. */
interface UnloadedPackage {
  name: string;
  /** Where it is, as shown: `./node_modules/x`, or `.` for the working folder itself. */
  shown: string;
  /** The base names of the modules its `tagflow` field lists (`dist/x.node.js` -> `x`). */
  modules: string[];
}

const WHERE_FROM = 'node packages are loaded only from tagflow itself, the data dir and --nodes-dir';

/**
 * What to tell a user whose flow uses node or resource types nothing loaded provides, while node
 * packages sit in the working folder (its node_modules, or the folder itself): those are never
 * loaded unasked, and `--nodes-dir .` would load them. A package whose `tagflow` field lists a
 * module named like the type (`dist/<type>.node.js`, the convention) is named with the type.
 * Only package.json files are read, as text: none of the packages' code runs. Empty when the
 * working folder is a search dir already, or no type is unknown.
 */
export function workingFolderHints(
  issues: readonly FlowIssue[],
  flow: unknown,
  searchDirs: readonly string[],
  loaded: ReadonlySet<string>,
  cwd: string = process.cwd(),
): string[] {
  const folder = path.resolve(cwd);
  if (searchDirs.includes(folder)) return [];
  const types = unknownTypes(issues, flow);
  if (types.length === 0) return [];
  const unloaded = unloadedPackages(folder).filter((p) => !loaded.has(p.name));
  if (unloaded.length === 0) return [];
  const hints: string[] = [];
  const unmatched: string[] = [];
  for (const type of types) {
    const provider = unloaded.find((p) => p.modules.includes(type));
    if (provider)
      hints.push(
        `"${type}" is provided by ${provider.name} in ${provider.shown}, which is not loaded: ${WHERE_FROM}. To use it, add --nodes-dir .`,
      );
    else unmatched.push(type);
  }
  if (unmatched.length > 0 && hints.length === 0) {
    const names = unloaded.map((p) => p.name).join(', ');
    hints.push(
      `this folder holds node packages that are not loaded (${names}): ${WHERE_FROM}. If one of them provides ${unmatched.map((t) => `"${t}"`).join(', ')}, add --nodes-dir .`,
    );
  }
  return hints;
}

/** The node and resource types the flow uses that no loaded package provides, each once. */
function unknownTypes(issues: readonly FlowIssue[], flow: unknown): string[] {
  const types = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== flowErrors.code.UNKNOWN_NODE_TYPE && issue.code !== flowErrors.code.UNKNOWN_RESOURCE_TYPE)
      continue;
    const at = /^\/(nodes|resources)\/(\d+)\/type$/.exec(issue.path);
    const list = at ? (flow as Record<string, unknown> | undefined)?.[at[1]] : undefined;
    const type = Array.isArray(list) ? (list[Number(at?.[2])] as { type?: unknown } | undefined)?.type : undefined;
    if (typeof type === 'string') types.add(type);
  }
  return [...types];
}

/** The node packages in `<folder>/node_modules` (scoped ones too) and `folder` itself, from their package.json. */
function unloadedPackages(folder: string): UnloadedPackage[] {
  const modules = path.join(folder, 'node_modules');
  const dirs = listDir(modules)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) =>
      name.startsWith('@')
        ? listDir(path.join(modules, name))
            .filter((inner) => !inner.startsWith('.'))
            .map((inner) => `${name}/${inner}`)
        : [name],
    );
  const found = dirs.map((d) => readNodePackage(path.join(modules, d), `./node_modules/${d}`));
  return [readNodePackage(folder, '.'), ...found].filter((p): p is UnloadedPackage => p !== undefined);
}

/** A folder's package.json, read as text, when it is a node package; undefined otherwise or when unreadable. */
function readNodePackage(dir: string, shown: string): UnloadedPackage | undefined {
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  } catch {
    // Missing, unreadable or broken: it gives no hint, and discovery (had it been asked) would say why.
    return undefined;
  }
  if (typeof pkg !== 'object' || pkg === null || !('tagflow' in pkg)) return undefined;
  const { name, tagflow } = pkg as { name?: unknown; tagflow?: unknown };
  const field = (typeof tagflow === 'object' && tagflow !== null ? tagflow : {}) as Record<string, unknown>;
  const files = [field.nodes, field.resources].flatMap((list): unknown[] => (Array.isArray(list) ? list : []));
  return {
    name: typeof name === 'string' && name !== '' ? name : path.basename(dir),
    shown,
    modules: files.filter((f): f is string => typeof f === 'string').map(moduleBaseName),
  };
}

/** `dist/x.node.js` -> `x`; `lib/y.resource.js` -> `y`; `z.js` -> `z`. */
function moduleBaseName(file: string): string {
  return path.basename(file).replace(/(\.(node|resource))?\.[cm]?js$/, '');
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}
