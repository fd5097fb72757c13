import { readFileSync, statSync } from 'node:fs';
import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_FILE_MODE } from './data-dir-permissions';

/**
 * Replaces `path` with `data` so that a crash leaves either the old content or the new one, never
 * a mix: write a temporary file beside it, fsync it, rename it over `path`, fsync the folder.
 * The new file has `mode` exactly (default 0600: the data dir is private), whatever the umask and
 * whatever mode the file it replaces had.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Buffer,
  mode: number = PRIVATE_FILE_MODE,
): Promise<void> {
  const temp = await writeTemp(path, data, mode);
  try {
    await rename(temp, path);
    await syncDir(dirname(path));
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`cannot write ${path}: ${(err as Error).message}`);
  }
}

/**
 * Like `writeFileAtomic`, but never replaces an existing file: false when `path` already exists
 * (another process created it first), and its content is left alone. For files that must be made
 * only once, like a key.
 */
export async function createFileAtomic(
  path: string,
  data: string | Buffer,
  mode: number = PRIVATE_FILE_MODE,
): Promise<boolean> {
  const temp = await writeTemp(path, data, mode);
  try {
    // link, unlike rename, fails when the target exists.
    await link(temp, path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`cannot create ${path}: ${(err as Error).message}`);
  } finally {
    await rm(temp, { force: true });
  }
  await syncDir(dirname(path));
  return true;
}

/** Identifies a version of a file (inode, modification time, size); undefined when it does not exist. */
export function fileStamp(path: string): string | undefined {
  try {
    const s = statSync(path);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch (err) {
    return missingOrThrow(path, err);
  }
}

/** `readJsonFile`, synchronously: for a store re-reading a small file another process changed. */
export function readJsonFileSync(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return missingOrThrow(path, err);
  }
  return parseJsonFile(path, text);
}

/** The parsed JSON content of `path`, or undefined when there is no such file. A damaged file is an error naming it. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return missingOrThrow(path, err);
  }
  return parseJsonFile(path, text);
}

/** Undefined for a file that does not exist; any other read failure is an error naming the file. */
function missingOrThrow(path: string, err: unknown): undefined {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw new Error(`cannot read ${path}: ${(err as Error).message}`);
}

function parseJsonFile(path: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`${path} is damaged (not valid JSON: ${(err as Error).message}); restore it from a backup`);
  }
}

/**
 * Runs updates one at a time, in call order. The stores change their memory only once the file is
 * on disk, so two overlapping updates must not both start from the same state, and a slower write
 * must not land after a newer one.
 */
export class UpdateQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `update` after every update queued before it; its result or error goes to the caller. */
  run<T>(update: () => Promise<T>): Promise<T> {
    const result = this.tail.then(update);
    // The caller handles the failure through `result`; the queue only needs to know it is over.
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

async function writeTemp(path: string, data: string | Buffer, mode: number): Promise<string> {
  // One fixed temporary name per file: a temp left by a crash is simply overwritten by the next write.
  const temp = `${path}.tmp`;
  try {
    const file = await open(temp, 'w', mode);
    try {
      // open's mode applies only to a new file, and through the umask; a temp left by a crash keeps its old mode.
      await file.chmod(mode);
      await file.writeFile(data);
      await file.sync();
    } finally {
      await file.close();
    }
    return temp;
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`cannot write ${path}: ${(err as Error).message}`);
  }
}

/** Makes a rename or link in `dir` survive a power cut. */
export async function syncDir(dir: string): Promise<void> {
  // Windows cannot open a folder for fsync; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
