import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderNodeDocs, renderResourceDocs } from '@tagflow/flow-model';
import type { NodeTypeInfo, ResourceTypeInfo } from '@tagflow/flow-model';
import { SDK_VERSION } from '@tagflow/node-sdk';
import { loadNodePackage, NodeRegistry, PackageLoadError } from '@tagflow/runtime/engine';
import { CliError } from '../cli-error';

/** The command a page names when the caller names none. */
export const DEFAULT_DOCS_COMMAND = 'tagflow docs';

/** The start of every generated page's first line: how a generated page is told from a hand-written one. */
const GENERATED_MARK = '<!-- Generated from ';

/** One generated docs page: where it goes and what it holds. */
export interface DocsPage {
  /** Absolute path: `<package>/docs/<type>.md`. */
  file: string;
  type: string;
  kind: 'node' | 'resource';
  content: string;
}

/** How pages name their source and the command that made them. */
export interface DocsPageOptions {
  /** The command named in each page's first line (default `tagflow docs`). */
  command?: string;
  /** Source files are named relative to this folder (default: the package's own). */
  relativeTo?: string;
}

/** A page that does not match its definition, or a generated page no definition makes any more. */
export interface StalePage {
  file: string;
  reason: 'missing' | 'differs' | 'orphaned';
}

/** The first line of a generated page: it says the page is generated, from which file, by which command. */
export function generatedHeader(source: string, command: string): string {
  return `${GENERATED_MARK}${source} by \`${command}\`: edit the definition there, not this page. -->`;
}

/** A whole page: the generated line, then the rendered docs of the node type. */
export function nodeDocsPage(info: NodeTypeInfo, source: string, command: string = DEFAULT_DOCS_COMMAND): string {
  return `${generatedHeader(source, command)}\n\n${renderNodeDocs(info)}`;
}

/** A whole page for a resource type. */
export function resourceDocsPage(
  info: ResourceTypeInfo,
  source: string,
  command: string = DEFAULT_DOCS_COMMAND,
): string {
  return `${generatedHeader(source, command)}\n\n${renderResourceDocs(info)}`;
}

/**
 * The docs pages of the node package in `dir`: one per node and resource type its package.json
 * lists, rendered from the definitions of its built modules (run the build first). Throws a
 * CliError when the folder is not a node package or a module cannot be loaded.
 */
export function packageDocsPages(dir: string, options: DocsPageOptions = {}): DocsPage[] {
  const packageDir = realpathSync(path.resolve(dir));
  const pkg = readPackageJson(packageDir);
  const registry = new NodeRegistry();
  let loaded;
  try {
    loaded = loadNodePackage(registry, pkg, packageDir, SDK_VERSION);
  } catch (err) {
    if (err instanceof PackageLoadError) throw new CliError(err.message);
    throw err;
  }
  const catalog = registry.catalog();
  const command = options.command ?? DEFAULT_DOCS_COMMAND;
  const source = (entry: string) =>
    path
      .relative(options.relativeTo ?? packageDir, sourceFileOf(packageDir, entry))
      .split(path.sep)
      .join('/');
  const pageFile = (type: string) => path.join(packageDir, 'docs', `${type}.md`);
  const pages: DocsPage[] = [];
  loaded.nodes.forEach((definition, i) => {
    const info = (catalog.nodes as ReadonlyMap<string, NodeTypeInfo>).get(definition.type) as NodeTypeInfo;
    const content = nodeDocsPage(info, source(loaded.manifest.nodes[i]), command);
    pages.push({ file: pageFile(definition.type), type: definition.type, kind: 'node', content });
  });
  loaded.resources.forEach((definition, i) => {
    const resources = catalog.resources as ReadonlyMap<string, ResourceTypeInfo>;
    const info = resources.get(definition.type) as ResourceTypeInfo;
    const content = resourceDocsPage(info, source(loaded.manifest.resources[i]), command);
    pages.push({ file: pageFile(definition.type), type: definition.type, kind: 'resource', content });
  });
  return pages;
}

/**
 * The pages that are not what their definitions give: missing, different, or generated once by a
 * definition that is gone (a renamed type). Hand-written pages beside them are never reported.
 */
export function stalePages(pages: readonly DocsPage[]): StalePage[] {
  const stale: StalePage[] = [];
  for (const page of pages) {
    if (!existsSync(page.file)) stale.push({ file: page.file, reason: 'missing' });
    else if (readFileSync(page.file, 'utf8') !== page.content) stale.push({ file: page.file, reason: 'differs' });
  }
  const expected = new Set(pages.map((p) => p.file));
  for (const dir of new Set(pages.map((p) => path.dirname(p.file)))) {
    for (const file of generatedPagesIn(dir)) if (!expected.has(file)) stale.push({ file, reason: 'orphaned' });
  }
  return stale;
}

/** Writes the pages that changed and removes orphaned generated ones; returns what it touched. */
export async function writeDocsPages(pages: readonly DocsPage[]): Promise<StalePage[]> {
  const stale = stalePages(pages);
  const byFile = new Map(pages.map((p) => [p.file, p]));
  for (const { file, reason } of stale) {
    if (reason === 'orphaned') {
      await rm(file);
      continue;
    }
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, (byFile.get(file) as DocsPage).content);
  }
  return stale;
}

/**
 * The source a module was compiled from, when the package keeps it beside its output
 * (`dist/x.node.js` -> `src/x.node.ts`); else the module itself.
 */
function sourceFileOf(packageDir: string, entry: string): string {
  const compiled = path.resolve(packageDir, entry);
  const relative = path.relative(packageDir, compiled).split(path.sep);
  if (relative.length > 1 && ['dist', 'lib', 'build'].includes(relative[0])) {
    const source = path.join(packageDir, 'src', ...relative.slice(1)).replace(/\.js$/, '.ts');
    if (existsSync(source)) return source;
  }
  return compiled;
}

function generatedPagesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .map((name) => path.join(dir, name))
    .filter((file) => readFileSync(file, 'utf8').startsWith(GENERATED_MARK));
}

function readPackageJson(dir: string): Record<string, unknown> {
  const file = path.join(dir, 'package.json');
  let pkg: unknown;
  try {
    pkg = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${dir} is not a node package: cannot read package.json (${(err as Error).message})`);
  }
  if (typeof pkg !== 'object' || pkg === null || !('tagflow' in pkg)) {
    throw new CliError(`${dir} is not a node package: its package.json has no "tagflow" field`);
  }
  return pkg;
}
