import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { npmPack } from '@tagflow/runtime';
import { CliError } from '../cli-error';

/**
 * The tagflow packages are not published to a registry yet, so a new node package gets them as
 * tarballs in its `vendor/` folder, packed from the copies this CLI runs with. Each is packed as
 * `pnpm publish` would: `workspace:` and `catalog:` ranges replaced by versions, dev dependencies
 * and scripts left out.
 */

/** A tagflow package packed into a vendor folder. */
export interface VendoredPackage {
  name: string;
  version: string;
  /** The tarball's file name in the vendor folder, e.g. `tagflow-node-sdk-0.1.0.tgz`. */
  file: string;
}

/** What a node package's tests import; the rest (runtime, flow-model) follows from their dependencies. */
export const VENDOR_ROOTS = ['@tagflow/node-sdk', '@tagflow/node-test'] as const;

/** The part of package.json read here. */
interface Manifest {
  name: string;
  version: string;
  main?: string;
  files?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

interface Found {
  dir: string;
  manifest: Manifest;
}

/** The CLI package's folder (dist/scaffold/ or src/scaffold/ -> the package root). */
const cliRoot = realpathSync(path.resolve(__dirname, '..', '..'));

/**
 * Packs `@tagflow/node-sdk`, `@tagflow/node-test` and every `@tagflow/*` package they depend on
 * into `vendorDir`, and says which.
 */
export async function vendorTagflowPackages(vendorDir: string): Promise<VendoredPackage[]> {
  const found = findTagflowPackages();
  const versions = new Map([...found].map(([name, p]) => [name, p.manifest.version]));
  await mkdir(vendorDir, { recursive: true });
  const work = await mkdtemp(path.join(tmpdir(), 'tagflow-vendor-'));
  try {
    return await Promise.all(
      [...found.values()].map(async ({ dir, manifest }) => {
        const staged = path.join(work, manifest.name.replace(/^@/, '').replace('/', '-'));
        await stagePublishedFiles(dir, manifest, staged);
        await writeFile(
          path.join(staged, 'package.json'),
          `${JSON.stringify(publishedManifest(manifest, dir, versions), null, 2)}\n`,
        );
        const packed = await npmPack(staged, vendorDir).catch((err: Error) => {
          throw new CliError(`cannot pack ${manifest.name} from ${dir} into the vendor folder: ${err.message}`);
        });
        return { name: manifest.name, version: manifest.version, file: path.basename(packed.file) };
      }),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The installed copies of the roots and of the `@tagflow/*` packages they need, by name. Each is
 * looked for where Node would resolve it from the package needing it (or from the CLI), then, in
 * the tagflow repository, next to the CLI's folder.
 */
function findTagflowPackages(): Map<string, Found> {
  const found = new Map<string, Found>();
  const queue: Array<{ name: string; from: string }> = VENDOR_ROOTS.map((name) => ({ name, from: cliRoot }));
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { name, from } = next;
    if (found.has(name)) continue;
    const dir = findPackageDir(name, from) ?? findPackageDir(name, cliRoot) ?? workspaceSibling(name);
    if (dir === undefined) {
      throw new CliError(
        `cannot find ${name} where tagflow is installed (looked from ${from}): it is needed to write the vendor folder; reinstall tagflow`,
      );
    }
    const manifest = readManifest(dir);
    found.set(name, { dir, manifest });
    for (const dep of Object.keys({
      ...manifest.dependencies,
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
    })) {
      if (dep.startsWith('@tagflow/')) queue.push({ name: dep, from: dir });
    }
  }
  return found;
}

/** The real folder of package `name` as Node resolves it from `from`: `node_modules/<name>` in `from` or a parent. */
export function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * In the tagflow repository, the package's folder next to `packages/cli` (`packages/node-test`),
 * for a checkout whose links are missing; only taken when the folder holds that very package.
 */
function workspaceSibling(name: string): string | undefined {
  const dir = path.join(path.dirname(cliRoot), name.replace(/^@tagflow\//, ''));
  try {
    return readManifest(dir).name === name ? realpathSync(dir) : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Copies what npm would publish of the package (its `files`, README and licence) into `dest`. */
async function stagePublishedFiles(dir: string, manifest: Manifest, dest: string): Promise<void> {
  const main = path.join(dir, manifest.main ?? 'index.js');
  if (!existsSync(main)) {
    throw new CliError(
      `${manifest.name} in ${dir} is not built (${path.relative(dir, main)} is missing): build tagflow first`,
    );
  }
  await mkdir(dest, { recursive: true });
  const always = (await readdir(dir)).filter((f) => /^(readme|licen[cs]e|notice)(\..*)?$/i.test(f));
  // Without a `files` list npm publishes everything but node_modules; the same here.
  const entries = manifest.files ?? (await readdir(dir)).filter((f) => f !== 'node_modules' && f !== 'package.json');
  for (const entry of new Set([...entries, ...always])) {
    const from = path.join(dir, entry);
    if (existsSync(from)) await cp(from, path.join(dest, entry), { recursive: true, dereference: true });
  }
}

/**
 * package.json as it would be published: `workspace:` ranges become the version of the package
 * they name (`workspace:^` -> `^0.1.0`), `catalog:` ranges the exact version installed; dev
 * dependencies and scripts are dropped (nothing builds a vendored package).
 */
export function publishedManifest(manifest: Manifest, dir: string, versions: ReadonlyMap<string, string>): Manifest {
  const { devDependencies: _dev, scripts: _scripts, ...published } = manifest;
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
    const ranges = manifest[field];
    if (ranges === undefined) continue;
    published[field] = Object.fromEntries(
      Object.entries(ranges).map(([dep, range]) => [dep, publishedRange(manifest.name, dep, range, dir, versions)]),
    );
  }
  return published;
}

function publishedRange(
  owner: string,
  dep: string,
  range: string,
  dir: string,
  versions: ReadonlyMap<string, string>,
): string {
  if (range.startsWith('workspace:')) {
    const rest = range.slice('workspace:'.length);
    const version = versions.get(dep) ?? installedVersion(owner, dep, dir);
    if (rest === '*') return version;
    if (rest === '^' || rest === '~') return `${rest}${version}`;
    return rest;
  }
  if (range.startsWith('catalog:')) return installedVersion(owner, dep, dir);
  return range;
}

/** The version of `dep` that `owner` (in `dir`) runs with. */
function installedVersion(owner: string, dep: string, dir: string): string {
  const depDir = findPackageDir(dep, dir);
  if (depDir === undefined)
    throw new CliError(`cannot find ${dep}, a dependency of ${owner}, from ${dir}: reinstall tagflow`);
  return readManifest(depDir).version;
}
