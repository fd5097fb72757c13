import { constants, realpathSync } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { filesPathProblem, NodeError, sdkErrors } from '@tagflow/node-sdk';
import type { FileOpenFlags, FileOpenOptions, FilesRoot } from '@tagflow/node-sdk';

// O_NOFOLLOW is missing on Windows: there the last component's link check is all there is.
const NO_FOLLOW = constants.O_NOFOLLOW ?? 0;
const { O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } = constants;
const FLAGS: Record<FileOpenFlags, number> = {
  r: O_RDONLY,
  'r+': O_RDWR,
  a: O_WRONLY | O_APPEND | O_CREAT,
  'a+': O_RDWR | O_APPEND | O_CREAT,
  w: O_WRONLY | O_CREAT | O_TRUNC,
  'w+': O_RDWR | O_CREAT | O_TRUNC,
  wx: O_WRONLY | O_CREAT | O_EXCL,
  'wx+': O_RDWR | O_CREAT | O_EXCL,
};

/** True when `path` is `root` or below it; both absolute and normalised. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * Why `filesDir` cannot be the files folder of a runtime whose data dir is `dataDir`, or undefined
 * when it can. The data dir's own files (tokens, secrets, audit log, flows, buffers) must stay out
 * of the flows' reach, so the files folder may not be the data dir, hold it, or lie inside it
 * anywhere but `<data dir>/files`. Symbolic links are resolved for the parts that exist.
 */
export function filesDirProblem(filesDir: string, dataDir: string): string | undefined {
  const files = realPathSoFar(resolve(filesDir));
  const data = realPathSoFar(resolve(dataDir));
  const own = join(data, 'files');
  const keep = `the runtime's tokens, secrets and audit log must stay out of the flows' reach; use ${join(resolve(dataDir), 'files')} (the default) or a folder outside the data dir`;
  if (files === data) return `the files folder ${filesDir} is the data dir itself: ${keep}`;
  if (isInside(files, data)) return `the files folder ${filesDir} holds the data dir ${dataDir}: ${keep}`;
  if (isInside(data, files) && !isInside(own, files))
    return `the files folder ${filesDir} is inside the data dir ${dataDir}, not under its files folder: ${keep}`;
  return undefined;
}

/** The real path of `path`'s deepest existing folder, with the missing rest appended. */
function realPathSoFar(path: string): string {
  const missing: string[] = [];
  let existing = path;
  for (;;) {
    try {
      return join(realpathSync(existing), ...missing.reverse());
    } catch (err) {
      const parent = dirname(existing);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || parent === existing) return path;
      missing.push(basename(existing));
      existing = parent;
    }
  }
}

/**
 * The files folder of an engine: where flows read and write their files (see `FilesRoot`). Made
 * on the first open (mode 0700), so a runtime whose flows use no files has none.
 */
export class FilesFolder {
  /** `dir` is absolute; the caller checked it with `filesDirProblem`. */
  constructor(readonly dir: string) {}

  /** The node's view of the folder: its errors name the node. */
  forNode(nodeId: string): FilesRoot {
    return this.viewFor(`node "${nodeId}"`);
  }

  /** A resource's view of the folder (`ResourceContext.files`): its errors name the resource. */
  forResource(resourceId: string): FilesRoot {
    return this.viewFor(`resource "${resourceId}"`);
  }

  /** `who` starts each error message, e.g. `node "log"`. */
  private viewFor(who: string): FilesRoot {
    return {
      dir: this.dir,
      resolve: (relativePath) => this.resolve(who, relativePath),
      open: (relativePath, flags, options) => this.open(who, relativePath, flags, options),
    };
  }

  private resolve(who: string, relativePath: string): string {
    const problem = filesPathProblem(relativePath);
    if (problem !== undefined)
      throw new NodeError(sdkErrors.code.FILE_OUTSIDE_ROOT, `${who}: ${problem}`, { path: relativePath });
    return join(this.dir, relativePath);
  }

  private async open(
    who: string,
    relativePath: string,
    flags: FileOpenFlags,
    options: FileOpenOptions = {},
  ): Promise<FileHandle> {
    const target = this.resolve(who, relativePath);
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const root = await realpath(this.dir);
    const refuse = (leadsTo: string) =>
      new NodeError(
        sdkErrors.code.FILE_OUTSIDE_ROOT,
        `${who}: "${relativePath}" leads outside the files folder ${this.dir} through a symbolic link (to ${leadsTo}): flows read and write files only inside that folder`,
        { path: relativePath, leadsTo },
      );
    const parent = dirname(target);
    // Checked before anything is made: mkdir would follow a link out of the folder.
    await this.checkDeepestExisting(parent, root, refuse);
    if (options.createDir) await mkdir(parent, { recursive: true });
    const realParent = await realpath(parent);
    if (!isInside(root, realParent)) throw refuse(realParent);
    let file = join(realParent, basename(target));
    const stats = await lstat(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (stats?.isSymbolicLink()) {
      // A link to nothing is refused too: creating its target could follow further links out.
      const link = await linkTarget(file);
      if (!link.exists || !isInside(root, link.to)) throw refuse(link.to);
      file = link.to;
    }
    // No link in the last component now: one put there since the check makes the open fail (ELOOP).
    return open(file, FLAGS[flags] | NO_FOLLOW, 0o666);
  }

  /** Refuses when the deepest existing folder of `folder` is (or is reached through) a link out of `root`. */
  private async checkDeepestExisting(folder: string, root: string, refuse: (to: string) => Error): Promise<void> {
    let existing = folder;
    while (isInside(this.dir, existing)) {
      const found = await lstat(existing).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return undefined;
        throw err;
      });
      if (found) {
        const link = found.isSymbolicLink()
          ? await linkTarget(existing)
          : { to: await realpath(existing), exists: true };
        if (!link.exists || !isInside(root, link.to)) throw refuse(link.to);
        return;
      }
      existing = dirname(existing);
    }
  }
}

/** Where the link `path` leads: its real path, or for a link to nothing (yet), its target as written. */
async function linkTarget(path: string): Promise<{ to: string; exists: boolean }> {
  try {
    return { to: await realpath(path), exists: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return { to: resolve(dirname(path), await readlink(path)), exists: false };
  }
}
