import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';

/** The umask of a process that writes the data dir: what it creates is for its own user only. */
export const PRIVATE_UMASK = 0o077;
/** The mode of every file tagflow writes into the data dir. */
export const PRIVATE_FILE_MODE = 0o600;
/** The mode of the data dir and every folder in it. */
export const PRIVATE_DIR_MODE = 0o700;

/** The bits other users have: group and others. */
const OPEN_BITS = 0o077;

/**
 * Makes everything this process creates from now on private to its user (umask 0o077), as a
 * second line behind the explicit modes the stores pass: a file created by code that forgets its
 * mode (SQLite, npm, a future store) is still not readable by other users. Call it only in
 * processes whose files all belong in the data dir (`tagflow start`, its engine, `tagflow run`);
 * it applies to the whole process. Returns the previous umask.
 */
export function usePrivateUmask(): number {
  return process.umask(PRIVATE_UMASK);
}

/** Creates `dir` (and missing parents) with mode 0700; an existing folder is left as it is. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** One file or folder whose mode was changed. */
export interface TightenedEntry {
  /** Relative to the data dir; `.` for the data dir itself. */
  path: string;
  kind: 'file' | 'folder';
  before: number;
  after: number;
}

/** What `tightenDataDir` did. */
export interface TightenReport {
  dir: string;
  /** Files whose mode was changed. */
  files: number;
  /** Folders whose mode was changed, the data dir included. */
  folders: number;
  /** An entry changed, to name in a message: the first file, else the first folder. */
  example?: TightenedEntry;
  /** The permissions other users had and lost, over all changed entries (e.g. 0o044: read). */
  removedBits: number;
  /** Entries that could not be changed (another user's file), or read, with why. */
  failed: Array<{ path: string; reason: string }>;
}

/**
 * Takes group and other permissions away from the data dir and everything in it (a folder 0755
 * becomes 0700, a file 0644 becomes 0600; the owner's bits are kept), so that flows, history and
 * keys are for the runtime's user only. Symbolic links are neither followed nor changed (their
 * targets are not the data dir's); only folders and regular files are changed. An entry that cannot
 * be changed, e.g. one owned by another user, is listed in `failed`, never thrown. A missing
 * `dir` is nothing to do.
 */
export async function tightenDataDir(dir: string): Promise<TightenReport> {
  const report: TightenReport = { dir, files: 0, folders: 0, removedBits: 0, failed: [] };
  let root;
  try {
    // The data dir itself may be a link (e.g. /var/lib/tagflow to a bigger disk): the user chose it.
    root = await stat(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return report;
    throw err;
  }
  if (!root.isDirectory()) throw new Error(`the data dir ${dir} is not a folder`);
  await tightenEntry(report, dir, '.', true);
  return report;
}

async function tightenEntry(report: TightenReport, full: string, relative: string, isRoot: boolean): Promise<void> {
  let entry;
  try {
    entry = isRoot ? await stat(full) : await lstat(full);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // deleted meanwhile
    report.failed.push({ path: full, reason: reasonOf(err) });
    return;
  }
  const isDir = entry.isDirectory();
  if (!isDir && !entry.isFile()) return;
  if ((entry.mode & OPEN_BITS) !== 0) await changeMode(report, full, relative, isDir, entry.ino);
  if (!isDir) return;
  let names: string[];
  try {
    names = await readdir(full);
  } catch (err) {
    report.failed.push({ path: full, reason: reasonOf(err) });
    return;
  }
  for (const name of names.sort()) {
    await tightenEntry(report, path.join(full, name), relative === '.' ? name : path.join(relative, name), false);
  }
}

/**
 * Changes the mode through a handle opened without following links, and only if it is still the
 * entry that was looked at: someone who could write into a loose folder must not be able to swap
 * a file for a link and have the walk change the mode of the link's target.
 */
async function changeMode(
  report: TightenReport,
  full: string,
  relative: string,
  isDir: boolean,
  ino: number,
): Promise<void> {
  let handle: FileHandle;
  try {
    // O_NONBLOCK: a file swapped for a FIFO meanwhile must not hang the start.
    handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // Swapped for a link, or deleted, meanwhile: no longer ours to change.
    if (code === 'ELOOP' || code === 'ENOENT') return;
    report.failed.push({ path: full, reason: reasonOf(err) });
    return;
  }
  try {
    const now = await handle.stat();
    if (now.ino !== ino || now.isDirectory() !== isDir) return;
    const before = now.mode & 0o7777;
    const after = before & ~OPEN_BITS;
    await handle.chmod(after);
    if (isDir) report.folders++;
    else report.files++;
    report.removedBits |= before & OPEN_BITS;
    // A file says more to a reader than a folder ("flows/versions.json 0644 -> 0600").
    if (!report.example || (report.example.kind === 'folder' && !isDir))
      report.example = { path: relative, kind: isDir ? 'folder' : 'file', before, after };
  } catch (err) {
    report.failed.push({ path: full, reason: reasonOf(err) });
  } finally {
    await handle.close();
  }
}

function reasonOf(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EPERM') return 'owned by another user (EPERM)';
  if (e.code === 'EACCES') return 'permission denied (EACCES)';
  if (e.code === 'EROFS') return 'the file system is read-only (EROFS)';
  return e.message;
}

/**
 * What was tightened, in a sentence for the log, e.g. `tightened permissions of 12 files in
 * /var/lib/tagflow (were readable by other users, e.g. flows/versions.json 0644 -> 0600)`;
 * undefined when nothing was.
 */
export function describeTightening(report: TightenReport): string | undefined {
  const { example } = report;
  if (!example) return undefined;
  const what = [
    report.files > 0 ? plural(report.files, 'file') : undefined,
    report.folders > 0 ? plural(report.folders, 'folder') : undefined,
  ]
    .filter((w) => w !== undefined)
    .join(' and ');
  return (
    `tightened permissions of ${what} in ${report.dir} (were ${openTo(report.removedBits)} by other users, ` +
    `e.g. ${example.path} ${octal(example.before)} -> ${octal(example.after)})`
  );
}

/** One warning per entry that could not be tightened, at most `max`, then how many more. */
export function describeFailures(report: TightenReport, max = 5): string[] {
  const lines = report.failed
    .slice(0, max)
    .map(
      (f) =>
        `cannot make ${f.path} private to this user: ${f.reason}. Other users may read it: ` +
        'change its owner to the user that runs tagflow, or delete it if it does not belong in the data dir',
    );
  if (report.failed.length > max)
    lines.push(`and ${report.failed.length - max} more in ${report.dir} that cannot be made private`);
  return lines;
}

function openTo(bits: number): string {
  const can = [];
  if (bits & 0o044) can.push('readable');
  if (bits & 0o022) can.push('writable');
  if (bits & 0o011 && can.length === 0) can.push('usable');
  return can.join(' and ');
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
