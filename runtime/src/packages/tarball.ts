import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { runTool, ToolError } from './subprocess';

/**
 * Tarball helpers over the `tar` binary (GNU tar or bsdtar): there is no tar library in the
 * runtime's dependencies, and every system that runs npm has one.
 */

/** npm's integrity string of a file: `sha512-<base64 digest>`, as in package-lock.json and `npm pack --json`. */
export async function fileIntegrity(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

/** The first 8 hex digits of an integrity's digest: enough to tell two tarballs of one version apart in a folder name. */
export function integrityTag(integrity: string): string {
  return Buffer.from(integrity.replace(/^sha512-/, ''), 'base64')
    .toString('hex')
    .slice(0, 8);
}

/** One entry of a tarball listing. */
export interface TarEntry {
  path: string;
  /** `file`, `dir`, or `other` (links, devices: never expected in a package or a bundle). */
  kind: 'file' | 'dir' | 'other';
}

/** Lists a gzipped tarball's entries; throws a ToolError when it is not one. */
export async function listTarball(file: string): Promise<TarEntry[]> {
  const out = await runTool('tar', ['-tvzf', file]);
  const names = (await runTool('tar', ['-tzf', file])).split('\n').filter((l) => l !== '');
  const modes = out.split('\n').filter((l) => l !== '');
  if (modes.length !== names.length) throw new ToolError(`cannot list ${file}`, '');
  return names.map((name, i) => {
    const mode = modes[i]?.[0];
    return { path: name.replace(/^\.\//, ''), kind: mode === '-' ? 'file' : mode === 'd' ? 'dir' : 'other' };
  });
}

/**
 * The parsed package.json of an npm tarball (the shallowest `package.json` in it, usually
 * `package/package.json`). Throws a plain-words Error when there is none or it is not JSON.
 */
export async function readTarballPackageJson(file: string): Promise<Record<string, unknown>> {
  let entries: TarEntry[];
  try {
    entries = await listTarball(file);
  } catch (err) {
    throw new Error(`it is not a readable .tgz package (${(err as Error).message})`);
  }
  const candidates = entries.filter((e) => e.kind === 'file' && /^[^/]+\/package\.json$/.test(e.path));
  const manifest = candidates.find((e) => e.path === 'package/package.json') ?? candidates[0];
  if (!manifest) throw new Error('it holds no package.json: it is not an npm package tarball');
  const text = await runTool('tar', ['-xzOf', file, manifest.path]);
  let pkg: unknown;
  try {
    pkg = JSON.parse(text);
  } catch (err) {
    throw new Error(`its package.json is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg))
    throw new Error('its package.json is not a JSON object');
  return pkg as Record<string, unknown>;
}

/**
 * Extracts a gzipped tarball into `dir` after checking that it holds only plain files and folders
 * with relative paths that stay inside: a link or a `../` entry could write outside `dir`.
 */
export async function extractTarball(file: string, dir: string): Promise<TarEntry[]> {
  const entries = await listTarball(file);
  const bad = entries.find((e) => e.kind === 'other' || e.path.startsWith('/') || e.path.split('/').includes('..'));
  if (bad)
    throw new Error(
      `it holds "${bad.path}", which is ${bad.kind === 'other' ? 'a link or a special file' : 'outside the archive'}`,
    );
  await runTool('tar', ['-xzf', file, '-C', dir, '--no-same-owner', '--no-same-permissions']);
  return entries;
}

/** Writes a gzipped tarball of `paths` (relative to `dir`). */
export async function createTarball(file: string, dir: string, paths: readonly string[]): Promise<void> {
  await runTool('tar', ['-czf', file, '-C', dir, '--', ...paths]);
}
