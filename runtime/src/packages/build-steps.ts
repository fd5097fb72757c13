import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import path from 'node:path';
import { extractTarball } from './tarball';

/**
 * The rule for "needs a build step", which npm itself uses to decide a package has something to
 * run at install: its package.json has a `preinstall`, `install` or `postinstall` script, or
 * `gypfile: true`, or it has a `binding.gyp` at its root (npm then runs `node-gyp rebuild`).
 * `prepare` does not count: npm runs it only for a folder or git checkout being packed, and tagflow
 * never installs either (folders are packed first, without scripts). tagflow never runs any of
 * these: a package needing one installs only from a bundle made on the same platform, which must
 * carry what the step would have built (prebuilt binaries).
 */

/** One package of a tree that needs a build step, and why. */
export interface BuildStep {
  /** `name version` from its package.json (the folder name when it has none). */
  package: string;
  /** What makes it need one: `an install script`, `gypfile: true`, `a binding.gyp`. */
  reason: string;
}

const SCRIPTS = ['preinstall', 'install', 'postinstall'] as const;

/**
 * Every package under `dir/node_modules`, at any depth (scoped ones included), and `dir` itself
 * when `includeRoot`, that needs a build step. Links are followed once.
 */
export async function findBuildSteps(dir: string, options: { includeRoot: boolean }): Promise<BuildStep[]> {
  const steps: BuildStep[] = [];
  const seen = new Set<string>();
  const visit = async (pkgDir: string): Promise<void> => {
    const real = await realpath(pkgDir);
    if (seen.has(real)) return;
    seen.add(real);
    const step = await buildStepOf(pkgDir);
    if (step) steps.push(step);
    await visitModules(path.join(pkgDir, 'node_modules'));
  };
  const visitModules = async (modules: string): Promise<void> => {
    for (const entry of await readdir(modules, { withFileTypes: true }).catch(() => [])) {
      if (entry.name.startsWith('.')) continue; // .bin, .package-lock.json, npm's temp folders
      const full = path.join(modules, entry.name);
      if (!entry.isDirectory() && !entry.isSymbolicLink()) continue;
      if (entry.name.startsWith('@')) {
        for (const scoped of await readdir(full, { withFileTypes: true })) {
          if (scoped.isDirectory() || scoped.isSymbolicLink()) await visit(path.join(full, scoped.name));
        }
      } else {
        await visit(full);
      }
    }
  };
  if (options.includeRoot) await visit(dir);
  else await visitModules(path.join(dir, 'node_modules'));
  return steps;
}

/**
 * The build steps of a package tarball and of the dependencies bundled inside it, unpacked into a
 * folder under `workRoot` that is deleted afterwards. Check the archive's size first.
 */
export async function findBuildStepsInTarball(tarball: string, workRoot: string): Promise<BuildStep[]> {
  await mkdir(workRoot, { recursive: true });
  const dir = await mkdtemp(path.join(workRoot, 'scan-'));
  try {
    await extractTarball(tarball, dir);
    const root = (await readdir(dir))[0];
    return root === undefined ? [] : await findBuildSteps(path.join(dir, root), { includeRoot: true });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One line naming the packages and their reasons, the first few only. */
export function describeBuildSteps(steps: readonly BuildStep[]): string {
  const shown = steps.slice(0, 3).map((s) => `${s.package} has ${s.reason}`);
  return steps.length > 3 ? `${shown.join(', ')} and ${steps.length - 3} more` : shown.join(', ');
}

async function buildStepOf(pkgDir: string): Promise<BuildStep | undefined> {
  let json: Record<string, unknown>;
  const text = await readFile(path.join(pkgDir, 'package.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined; // not a package (a stray folder npm left)
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // What it would run cannot be told: counted as needing a build step, never let through.
    return { package: path.basename(pkgDir), reason: 'a package.json that is not JSON' };
  }
  const label =
    typeof json.name === 'string' ? `${json.name} ${String(json.version ?? '')}`.trim() : path.basename(pkgDir);
  const scripts = (typeof json.scripts === 'object' && json.scripts !== null ? json.scripts : {}) as Record<
    string,
    unknown
  >;
  const script = SCRIPTS.find((s) => typeof scripts[s] === 'string' && scripts[s] !== '');
  if (script) return { package: label, reason: `${script === 'install' ? 'an' : 'a'} ${script} script` };
  if (json.gypfile === true) return { package: label, reason: '"gypfile": true' };
  if (existsSync(path.join(pkgDir, 'binding.gyp'))) return { package: label, reason: 'a binding.gyp (a native addon)' };
  return undefined;
}
