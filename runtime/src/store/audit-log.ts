import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UpdateQueue } from './atomic-file';
import type { AuditEvent, AuditLogApi } from './types';

/** Events `query` returns when no limit is given. */
export const DEFAULT_AUDIT_LIMIT = 1000;

/**
 * Who did what, one JSON object a line in `<data dir>/audit.log` (mode 0600). Each event is
 * appended in a single write (O_APPEND) and fsynced before `append` resolves, so a crash can tear
 * at most the last line; `query` skips a torn line.
 */
export class AuditLog implements AuditLogApi {
  /** Appends in call order, so lines (and their times) are in the order events happened. */
  private readonly updates = new UpdateQueue();
  /** Set when a write failed part way: the next one first ends the partial line. */
  private torn = false;

  private constructor(private readonly path: string) {}

  /** Opens `<dataDir>/audit.log`, ending a line torn by a crash so the next event starts on its own line. */
  static async open(dataDir: string): Promise<AuditLog> {
    await mkdir(dataDir, { recursive: true }).catch((err: Error) => {
      throw new Error(`cannot create the data folder ${dataDir}: ${err.message}`);
    });
    const log = new AuditLog(join(dataDir, 'audit.log'));
    await log.endTornLine();
    return log;
  }

  append(event: Omit<AuditEvent, 'time'>): Promise<void> {
    const full: AuditEvent = { time: new Date().toISOString(), ...event };
    const line = Buffer.from(`${JSON.stringify(full)}\n`, 'utf8');
    return this.updates.run(() => this.write(line));
  }

  async query(filter: { since?: number; type?: AuditEvent['type']; limit?: number } = {}): Promise<AuditEvent[]> {
    const limit = filter.limit ?? DEFAULT_AUDIT_LIMIT;
    if (limit <= 0) return [];
    const since = toMillis(filter.since);
    const events = (await this.readEvents()).filter(
      (e) =>
        (filter.type === undefined || e.type === filter.type) && (since === undefined || Date.parse(e.time) >= since),
    );
    return events.slice(-limit);
  }

  private async write(line: Buffer): Promise<void> {
    if (this.torn) await this.endTornLine();
    let file;
    try {
      file = await open(this.path, 'a', 0o600);
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

  private async readEvents(): Promise<AuditEvent[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new Error(`cannot read the audit log ${this.path}: ${(err as Error).message}`);
    }
    const events: AuditEvent[] = [];
    for (const line of text.split('\n')) {
      const event = parseLine(line);
      if (event) events.push(event);
    }
    return events;
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
