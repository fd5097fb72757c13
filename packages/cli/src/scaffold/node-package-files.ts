import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CliError } from '../cli-error';
import type { VendoredPackage } from './vendor-tagflow';

/** The files of a new node package, from `templates/node-package` (shipped with the CLI). */
export const TEMPLATE_DIR = path.resolve(__dirname, '..', '..', 'templates', 'node-package');

/** What the templates are filled in with. */
export interface NodePackageValues {
  /** The npm package name, e.g. `@acme/nodes-unit-convert`. */
  packageName: string;
  /** The example node's type name, e.g. `unit-convert`. */
  nodeType: string;
  /** The node definition's name in imports, e.g. `unitConvert`. */
  nodeIdentifier: string;
  /** The package folder's name, for the README's commands. */
  dirName: string;
  /** The tagflow version the vendor folder comes from. */
  tagflowVersion: string;
}

/**
 * Development tools the package is tested with, from the npm registry: the versions tagflow itself
 * is built and tested with on Node 20 (TypeScript 7 and pnpm 11 do not work there).
 */
export const DEV_TOOLS: Readonly<Record<string, string>> = {
  '@swc/core': '1.16.22',
  '@swc/jest': '0.2.39',
  '@types/jest': '^30.0.0',
  '@types/node': '^20.19.0',
  jest: '30.5.2',
  typescript: '5.9.3',
};

/** The template files, rendered: path relative to the package folder -> content. */
export async function renderTemplates(values: NodePackageValues): Promise<Map<string, string>> {
  if (!existsSync(TEMPLATE_DIR))
    throw new CliError(`this tagflow install lacks its templates (${TEMPLATE_DIR}): reinstall tagflow`);
  const fill = (text: string) =>
    text
      .replaceAll('__PACKAGE_NAME__', values.packageName)
      .replaceAll('__NODE_TYPE__', values.nodeType)
      .replaceAll('__NODE_IDENT__', values.nodeIdentifier)
      .replaceAll('__DIR__', values.dirName)
      .replaceAll('__TAGFLOW_VERSION__', values.tagflowVersion);
  const files = new Map<string, string>();
  for (const entry of await readdir(TEMPLATE_DIR, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const source = path.join(entry.parentPath, entry.name);
    // npm leaves .gitignore files out of published packages, so the template is named without the dot.
    const relative = path.relative(TEMPLATE_DIR, source).replace(/^gitignore$/, '.gitignore');
    files.set(fill(relative).split(path.sep).join('/'), fill(await readFile(source, 'utf8')));
  }
  return files;
}

/**
 * The package.json: a node package (`tagflow` field, keyword, SDK peer range) whose development
 * dependencies on tagflow are the vendored tarballs. `overrides` (npm) and `pnpm.overrides` make
 * the tagflow packages those depend on in turn resolve to the vendor folder as well.
 */
export function nodePackageManifest(
  values: NodePackageValues,
  vendored: readonly VendoredPackage[],
): Record<string, unknown> {
  const spec = (name: string) => {
    const found = vendored.find((p) => p.name === name);
    if (!found) throw new Error(`${name} was not vendored`);
    return `file:vendor/${found.file}`;
  };
  const sdk = vendored.find((p) => p.name === '@tagflow/node-sdk');
  if (!sdk) throw new Error('@tagflow/node-sdk was not vendored');
  const overrides = Object.fromEntries(
    vendored.map((p) => [p.name, spec(p.name)] as const).sort(([a], [b]) => String(a).localeCompare(String(b))),
  );
  return {
    name: values.packageName,
    version: '0.1.0',
    description: `tagflow nodes: ${values.nodeType}`,
    keywords: ['tagflow-nodes'],
    main: 'dist/index.js',
    types: 'dist/index.d.ts',
    files: ['dist', 'docs'],
    tagflow: { nodes: [`dist/${values.nodeType}.node.js`] },
    scripts: {
      build: 'tsc',
      typecheck: 'tsc -p test',
      test: 'jest',
      prepack: 'tsc',
    },
    engines: { node: '>=20' },
    peerDependencies: { '@tagflow/node-sdk': `^${sdk.version}` },
    devDependencies: sortedKeys({
      '@tagflow/node-sdk': spec('@tagflow/node-sdk'),
      '@tagflow/node-test': spec('@tagflow/node-test'),
      ...DEV_TOOLS,
    }),
    overrides,
    // @swc/core checks its native binary after install; @parcel/watcher (an optional file watcher
    // jest pulls in) would build from source, for nothing here. npm 11 asks, pnpm 10 too.
    allowScripts: { '@swc/core': true, '@parcel/watcher': false },
    pnpm: { overrides, onlyBuiltDependencies: ['@swc/core'], ignoredBuiltDependencies: ['@parcel/watcher'] },
  };
}

function sortedKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}
