import path from 'node:path';
import { runTool } from './subprocess';

/**
 * The few npm commands package installs need, run as a subprocess with the registry and
 * credentials of the user's npm configuration: the runtime never names a registry itself.
 *
 * Every call gets `--ignore-scripts` (and `npm_config_ignore_scripts=true` in its environment,
 * which also reaches the nested npm that prepares a git dependency): no lifecycle script of a
 * package or of any dependency ever runs, here or in `tagflow pack`. And npm gets only the
 * environment it needs (`npmEnvironment`), not the runtime's: a package's code never runs inside
 * npm, but npm itself has no business seeing AWS_*, TAGFLOW_* or a secret key's path.
 */

/** Flags every npm call gets: no scripts, no network chatter the install does not need, no prompts. */
const FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=error'];

/**
 * Variables passed to npm, by name in lower case (compared without case: Windows spells it
 * `Path`): the search path, the home folder (npm's cache and the user's ~/.npmrc with the
 * registry and its credentials), temp folders, the proxy settings and extra CA certificates a
 * plant network needs to reach its registry mirror, and what Windows needs to run a process.
 */
const NPM_VARIABLES = new Set([
  'path',
  'home',
  'tmpdir',
  'temp',
  'tmp',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'node_extra_ca_certs',
  'userprofile',
  'appdata',
  'localappdata',
  'systemroot',
  'comspec',
  'pathext',
]);

/**
 * The environment npm runs with: from `env`, the variables of NPM_VARIABLES and every
 * `npm_config_*` (the user's npm settings: registry, cache, offline, userconfig), whatever their
 * case; nothing else. Lifecycle scripts are switched off here too.
 */
export function npmEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    const lower = name.toLowerCase();
    if (value !== undefined && (NPM_VARIABLES.has(lower) || lower.startsWith('npm_config_'))) kept[name] = value;
  }
  for (const name of Object.keys(kept)) if (name.toLowerCase() === 'npm_config_ignore_scripts') delete kept[name];
  kept.npm_config_ignore_scripts = 'true';
  return kept;
}

/** Runs `npm args` with the flags and environment above. */
function npm(args: readonly string[], options: { cwd: string; timeoutMs?: number }): Promise<string> {
  return runTool('npm', [...args, ...FLAGS], { ...options, env: npmEnvironment() });
}

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
  const out = await npm(['pack', what, '--pack-destination', dest, '--json'], {
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
  await npm(
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
    ],
    { cwd: prefix, timeoutMs: options.timeoutMs },
  );
}

/**
 * Installs the runtime dependencies of the package in `root` (its package.json) into
 * `root/node_modules`, scripts not run: for `tagflow pack`, which bundles them. The SDK is a peer
 * the runtime provides: not installed.
 */
export async function npmInstallDependencies(root: string, options: { timeoutMs?: number } = {}): Promise<void> {
  await npm(['install', '--omit=dev', '--omit=peer', '--legacy-peer-deps', '--no-package-lock'], {
    cwd: root,
    timeoutMs: options.timeoutMs,
  });
}
