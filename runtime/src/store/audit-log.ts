import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UpdateQueue } from './atomic-file';
import {
  AuditCursorError,
  cursorHolds,
  decodeCursor,
  encodeCursor,
  lineCheck,
  linesBackward,
} from './audit-log-reader';
import type { AuditEvent, AuditFilter, AuditLogApi, AuditPage } from './types';
import { PRIVATE_DIR_MODE } from './data-dir-permissions';

export { AuditCursorError } from './audit-log-reader';

/** Events `query` and `page` return when no limit is given. */
export const DEFAULT_AUDIT_LIMIT = 1000;
/** `audit.log` is rotated before it would pass this size. */
export const DEFAULT_AUDIT_MAX_BYTES = 10 * 1024 * 1024;
/** Files kept, `audit.log` included: `audit.log`, `audit.log.1` ... `audit.log.4`. */
export const DEFAULT_AUDIT_FILES = 5;

export interface AuditLogOptions {
  /** Rotate `audit.log` before an event would make it larger than this, bytes (default 10 MB). */
  maxBytes?: number;
  /** Files kept, `audit.log` included (default 5); at rotation the oldest is dropped. */
  files?: number;
}

/** One file of the log, open for a query, with the size it had when the query began. */
interface OpenFile {
  handle: FileHandle;
  ino: bigint;
  size: number;
}

/**
 * Who did what, one JSON object a line in `<data dir>/audit.log` (mode 0600). Each event is
 * appended in a single write (O_APPEND) and fsynced before `append` resolves, so a crash can tear
 * at most the last line; reads skip a torn line. Before an event would take `audit.log` past
 * `maxBytes`, the files shift (`audit.log` becomes `audit.log.1` ..., the oldest is dropped):
 * an event is never split across files. An event larger than `maxBytes` gets a file of its own.
 */
export class AuditLog implements AuditLogApi {
  /** Appends (and rotations) in call order, so lines (and their times) are in the order events happened. */
  private readonly updates = new UpdateQueue();
  /** Set when a write failed part way: the next one first ends the partial line. */
  private torn = false;
  private readonly maxBytes: number;
  private readonly files: number;

  private constructor(
    private readonly path: string,
    options: AuditLogOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_AUDIT_MAX_BYTES;
    this.files = options.files ?? DEFAULT_AUDIT_FILES;
    if (!(this.maxBytes >= 1)) throw new Error(`the audit log's size limit must be positive, not ${this.maxBytes}`);
    if (!Number.isInteger(this.files) || this.files < 1)
      throw new Error(`the audit log keeps at least 1 file, not ${this.files}`);
  }

  /** Opens `<dataDir>/audit.log`, ending a line torn by a crash so the next event starts on its own line. */
  static async open(dataDir: string, options: AuditLogOptions = {}): Promise<AuditLog> {
    await mkdir(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: Error) => {
      throw new Error(`cannot create the data folder ${dataDir}: ${err.message}`);
    });
    const log = new AuditLog(join(dataDir, 'audit.log'), options);
    await log.endTornLine();
    return log;
  }

  append(event: Omit<AuditEvent, 'time'>): Promise<void> {
    const full: AuditEvent = { time: new Date().toISOString(), ...event };
    const line = Buffer.from(`${JSON.stringify(full)}\n`, 'utf8');
    return this.updates.run(() => this.write(line));
  }

  async query(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return (await this.page(filter)).events;
  }

  async page(filter: AuditFilter & { before?: string } = {}): Promise<AuditPage> {
    const limit = filter.limit ?? DEFAULT_AUDIT_LIMIT;
    const since = toMillis(filter.since);
    const cursor = filter.before === undefined ? undefined : decodeCursor(filter.before);
    if (limit <= 0) return { events: [] };
    // Opened between appends: a rotation cannot shift the files under the query, and the sizes
    // taken here hide events appended while it reads.
    const files = await this.updates.run(() => this.openFiles());
    try {
      let first = 0;
      let end = files[0]?.size ?? 0;
      if (cursor) {
        first = files.findIndex((f) => f.ino === cursor.ino);
        if (first === -1 || !(await cursorHolds(files[first].handle, files[first].size, cursor)))
          throw new AuditCursorError(
            'gone',
            'the events before this cursor are no longer in the audit log (rotated away): start again without "before"',
          );
        end = cursor.offset;
      }
      const found: AuditEvent[] = [];
      for (let i = first; i < files.length; i++) {
        for await (const { offset, line } of linesBackward(files[i].handle, i === first ? end : files[i].size)) {
          const event = parseLine(line.toString('utf8'));
          if (!event) continue;
          // Events are in time order: nothing older can match (a clock set back could hide a few).
          if (since !== undefined && Date.parse(event.time) < since) return { events: found.reverse() };
          if (filter.type !== undefined && event.type !== filter.type) continue;
          found.push(event);
          if (found.length === limit)
            return {
              events: found.reverse(),
              next: encodeCursor({ ino: files[i].ino, offset, check: lineCheck(line) }),
            };
        }
      }
      return { events: found.reverse() };
    } finally {
      await Promise.all(files.map((f) => f.handle.close()));
    }
  }

  /** `audit.log`, `audit.log.1` ...: the name of the file `age` rotations old. */
  private fileName(age: number): string {
    return age === 0 ? this.path : `${this.path}.${age}`;
  }

  /** The files that exist, newest first (a crash mid-rotation may leave a gap). */
  private async openFiles(): Promise<OpenFile[]> {
    const files: OpenFile[] = [];
    try {
      for (let age = 0; age < this.files; age++) {
        let handle: FileHandle;
        try {
          handle = await open(this.fileName(age), 'r');
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
          throw err;
        }
        try {
          const stats = await handle.stat({ bigint: true });
          files.push({ handle, ino: stats.ino, size: Number(stats.size) });
        } catch (err) {
          await handle.close();
          throw err;
        }
      }
      return files;
    } catch (err) {
      await Promise.all(files.map((f) => f.handle.close()));
      throw new Error(`cannot read the audit log ${this.path}: ${(err as Error).message}`);
    }
  }

  private async write(line: Buffer): Promise<void> {
    if (this.torn) await this.endTornLine();
    let file: FileHandle | undefined;
    try {
      file = await open(this.path, 'a', 0o600);
      // Asked of the file, not remembered: CLI commands append to the same log.
      const { size } = await file.stat();
      if (size > 0 && size + line.length > this.maxBytes) {
        await file.close();
        file = undefined;
        await this.rotate();
        file = await open(this.path, 'a', 0o600);
      }
      const { bytesWritten } = await file.write(line);
      if (bytesWritten < line.length)
        throw new Error(`only ${bytesWritten} of ${line.length} bytes written (disk full?)`);
      await file.sync();
    } catch (err) {
      this.torn = true;
      throw new Error(`cannot append to the audit log ${this.path}: ${(err as Error).message}`);
    } finally {
      await file?.close();
    }
  }

  /**
   * Shifts every file one age up, oldest first, so a crash part way leaves a gap at worst, never
   * two files with the same events; the last rename drops the oldest. Files past `files` (left by
   * a larger setting) are dropped too.
   */
  private async rotate(): Promise<void> {
    const dir = dirname(this.path);
    const prefix = `${basename(this.path)}.`;
    for (const name of await readdir(dir)) {
      const age = name.startsWith(prefix) ? Number(name.slice(prefix.length)) : NaN;
      if (Number.isInteger(age) && age >= this.files) await rm(join(dir, name), { force: true });
    }
    if (this.files === 1) await rm(this.path, { force: true });
    for (let age = this.files - 2; age >= 0; age--) {
      await rename(this.fileName(age), this.fileName(age + 1)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
    // The renames reach the disk before events go to the new file.
    const folder = await open(dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }

  private async endTornLine(): Promise<void> {
    let file;
    try {
      file = await open(this.path, 'a+', 0o600);
      const { size } = await file.stat();
      const last = Buffer.alloc(1);
      if (size > 0) await file.read(last, 0, 1, size - 1);
      if (size > 0 && last[0] !== 0x0a) await file.write('\n');
      this.torn = false;
    } catch (err) {
      throw new Error(`cannot open the audit log ${this.path}: ${(err as Error).message}`);
    } finally {
      await file?.close();
    }
  }
}

/** The event on one line, or undefined for a blank line or one torn by a crash. */
function parseLine(line: string): AuditEvent | undefined {
  if (line.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined; // torn by a crash mid-write: the event was never reported as logged
  }
  const event = value as Partial<AuditEvent> | null;
  return typeof event?.time === 'string' && typeof event.type === 'string' ? (event as AuditEvent) : undefined;
}

/** `since` as epoch ms; an ISO string is accepted too, as callers pass query-string values through. */
function toMillis(since: number | string | undefined): number | undefined {
  if (since === undefined) return undefined;
  const ms = typeof since === 'number' ? since : Date.parse(since);
  if (Number.isNaN(ms))
    throw new Error(`invalid "since" ${JSON.stringify(since)}: expected epoch milliseconds or an ISO 8601 time`);
  return ms;
}
