import path from 'node:path';
import { runTool } from './subprocess';

/**
 * The few npm commands package installs need, run as a subprocess with the registry and
 * credentials of the user's npm configuration: the runtime never names a registry itself.
 */

/** Flags every npm call gets: no network chatter the install does not need, no prompts. */
const QUIET = ['--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error'];

/** What `npm pack` made. */
export interface PackedTarball {
  /** The .tgz file, in the destination folder. */
  file: string;
  name: string;
  version: string;
}

/**
 * `npm pack <what> --pack-destination <dest>`: `what` is a folder (packed as its `files` field
 * says, without running its scripts: build it first) or a registry spec `name[@version]`.
 */
export async function npmPack(
  what: string,
  dest: string,
  options: { timeoutMs?: number } = {},
): Promise<PackedTarball> {
  const out = await runTool('npm', ['pack', what, '--pack-destination', dest, '--ignore-scripts', '--json', ...QUIET], {
    cwd: dest,
    timeoutMs: options.timeoutMs,
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(out.slice(out.indexOf('[')));
  } catch {
    throw new Error(`npm pack ${what} printed no package description: ${out.slice(0, 200)}`);
  }
  const first = Array.isArray(parsed)
    ? (parsed[0] as { filename?: unknown; name?: unknown; version?: unknown })
    : undefined;
  if (!first || typeof first.filename !== 'string') throw new Error(`npm pack ${what} made no tarball`);
  // Scoped names come back as `@scope/x-1.0.0.tgz` from some npm versions, `scope-x-1.0.0.tgz` from others.
  const file = path.join(dest, path.basename(first.filename.replace(/^@/, '').replace(/\//g, '-')));
  return { file, name: String(first.name), version: String(first.version) };
}

/**
 * Installs `tarball` (inside `prefix`) and its runtime dependencies into `prefix/node_modules`.
 * Peer dependencies are not installed (`--legacy-peer-deps`): the one every node package has,
 * `@tagflow/node-sdk`, is the runtime's. `offline` forbids any registry access (dependencies must
 * then be in npm's cache, or bundled in the tarball).
 */
export async function npmInstallTarball(
  prefix: string,
  tarball: string,
  options: { offline: boolean; timeoutMs?: number },
): Promise<void> {
  const relative = `./${path.relative(prefix, tarball).split(path.sep).join('/')}`;
  await runTool(
    'npm',
    [
      'install',
      relative,
      '--prefix',
      prefix,
      '--omit=dev',
      '--omit=peer',
      '--legacy-peer-deps',
      '--no-package-lock',
      '--install-links',
      ...(options.offline ? ['--offline'] : []),
      ...QUIET,
    ],
    { cwd: prefix, timeoutMs: options.timeoutMs },
  );
}
