import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** A build that tests run only when its output is older than its sources. */
export interface StaleBuild {
  /** The file the build writes last, whose age is checked, e.g. `dist/index.html`. */
  output: string;
  /** Files and folders (searched recursively) the output must not be older than. */
  sources: readonly string[];
  /** A folder created as the lock (mkdir is atomic): test files run in parallel, one builds, the others wait. */
  lock: string;
  /** Runs the build; throws, with the build's output, when it fails. */
  build(): void;
  /** A lock older than this was left by a killed run and is taken over (default 5 minutes). */
  staleLockMs?: number;
}

/**
 * Runs `build` when `output` is missing or older than the newest of `sources`, holding the lock;
 * true when it built. Staleness is checked only under the lock: during another file's build the
 * output can already be new while the rest is still being written.
 */
export function buildWhenStale(spec: StaleBuild): boolean {
  const staleLockMs = spec.staleLockMs ?? 300_000;
  mkdirSync(path.dirname(spec.lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(spec.lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (Date.now() - (mtime(spec.lock) ?? Date.now()) > staleLockMs)
        rmSync(spec.lock, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    const built = mtime(spec.output);
    if (built !== undefined && built >= newestMtime(spec.sources)) return false;
    spec.build();
    return true;
  } finally {
    rmSync(spec.lock, { recursive: true, force: true });
  }
}

/** The newest modification time (ms) of the files at or below `paths`; 0 when none exists. */
export function newestMtime(paths: readonly string[]): number {
  let newest = 0;
  for (const p of paths) {
    if (!existsSync(p)) continue;
    if (!statSync(p).isDirectory()) {
      newest = Math.max(newest, mtime(p) ?? 0);
      continue;
    }
    for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime([path.join(p, entry)]));
  }
  return newest;
}

function mtime(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
