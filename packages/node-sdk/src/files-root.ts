import { isAbsolute, normalize, sep } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import type { ConfigProblem } from '@tagflow/flow-model';
import { sdkErrors } from './error-codes';

/** How `FilesRoot.open` opens a file: the letters of `fs.open`. */
export type FileOpenFlags = 'r' | 'r+' | 'a' | 'a+' | 'w' | 'w+' | 'wx' | 'wx+';

/** Options of `FilesRoot.open`. */
export interface FileOpenOptions {
  /** Create the file's missing folders inside the root first (default false). */
  createDir?: boolean;
}

/**
 * The only folder a flow reads and writes files in: `<data dir>/files` unless the runtime was
 * started with `--files-dir`. Every file path a flow names (file-out's `path`, a replay `file`) is
 * relative to it. The data dir's own files (tokens, secrets, audit log, flow versions) are never
 * inside it, so no flow can read or forge them.
 *
 * Contract: a path is refused with a `NodeError` of code `FILE_OUTSIDE_ROOT`, whose message names
 * the node (or resource) and the path in plain words, when it is absolute, when it climbs out with `..`, or (in
 * `open`) when a symbolic link along it leads out of the root. Check static paths in the node's
 * `check` hook with `filesPathProblems`, so the deploy is refused before it starts.
 */
export interface FilesRoot {
  /** The root folder, absolute. It is created (mode 0700) on the first `open`. */
  readonly dir: string;
  /**
   * The absolute path of `relativePath` inside the root, normalised. Throws `FILE_OUTSIDE_ROOT` for
   * an absolute path or one that climbs out with `..`. Does not touch the disk, so it does not see
   * symbolic links: open files with `open`, never with `fs` on what this returns.
   */
  resolve(relativePath: string): string;
  /**
   * Opens a file inside the root. Refuses (`FILE_OUTSIDE_ROOT`) what `resolve` refuses, and a path
   * whose folder or file is reached through a symbolic link whose target is outside the root; a
   * link that stays inside the root is followed. The last component is opened without following
   * links (`O_NOFOLLOW`), so it cannot be swapped for one after the check. Other failures are the
   * file system's own errors (`ENOENT`, `EACCES`...), for the node to put in plain words.
   */
  open(relativePath: string, flags: FileOpenFlags, options?: FileOpenOptions): Promise<FileHandle>;
}

/**
 * Why `path` cannot name a file inside the files folder, or undefined when it can: it is absolute,
 * or its normalised form climbs out with `..`. Looks at the text only, so it gives the same answer
 * on every runtime: for `check` hooks, and `FilesRoot.resolve` uses it too.
 */
export function filesPathProblem(path: string): string | undefined {
  const rule = 'file paths are relative to the files folder (<data dir>/files, or the --files-dir of the runtime)';
  if (path.includes('\0')) return `"${path.replace(/\0/g, '\\0')}" holds a NUL character: ${rule}`;
  if (isAbsolute(path))
    return `"${path}" is an absolute path, outside the files folder: ${rule}; write it relative to that folder, e.g. "${lastPart(path)}"`;
  const normalised = normalize(path);
  if (normalised === '..' || normalised.startsWith(`..${sep}`))
    return `"${path}" climbs out of the files folder with "..": ${rule}, and may not leave it`;
  return undefined;
}

/**
 * For a `check` hook: a `FILE_OUTSIDE_ROOT` problem at `pointer` (e.g. `/path`) when `path` cannot
 * be inside the files folder, else none. The package lists `FILE_OUTSIDE_ROOT` among its refusals.
 */
export function filesPathProblems(pointer: string, path: string): ConfigProblem[] {
  const problem = filesPathProblem(path);
  return problem === undefined ? [] : [{ path: pointer, message: problem, code: sdkErrors.code.FILE_OUTSIDE_ROOT }];
}

function lastPart(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== '');
  return parts.at(-1) ?? 'file.jsonl';
}
