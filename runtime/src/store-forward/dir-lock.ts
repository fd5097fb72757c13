import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../store/data-dir-permissions';

/**
 * Marks `dir` as used by this process (a `lock` file with the pid). Two runtimes sharing one
 * buffer would deliver each other's items twice and corrupt the head; a lock left by a process
 * that died is taken over.
 */
export async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, 'lock');
  try {
    await writeFile(path, String(process.pid), { flag: 'wx', mode: PRIVATE_FILE_MODE });
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST')
      throw new Error(`cannot lock ${dir}: ${(err as Error).message}`);
  }
  const owner = Number((await readFile(path, 'utf8')).trim());
  if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `the store-and-forward buffer ${dir} is in use by process ${owner}: is another runtime using the same data dir?`,
    );
  }
  await writeFile(path, String(process.pid));
}

export async function releaseLock(dir: string): Promise<void> {
  await rm(join(dir, 'lock'), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
