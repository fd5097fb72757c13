import { mkdir, open, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { OUTBOX_SYNC_MS } from '@tagflow/node-sdk';
import type { Outbox, OutboxOptions } from '@tagflow/node-sdk';
import { decodeRecords, encodeRecords, recordJson, RECORD_OVERHEAD } from './record-codec';
import { acquireLock, releaseLock } from './dir-lock';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../store/data-dir-permissions';

/** Segment files roll over at this size, so acknowledged data can be deleted a file at a time. */
export const SEGMENT_BYTES = 8 * 2 ** 20;
export const DEFAULT_MAX_BYTES = 100 * 2 ** 20;

interface Held<T> {
  item: T;
  segment: number;
  /** Byte offset just past the record in its segment. */
  end: number;
  bytes: number;
}

interface Head {
  segment: number;
  offset: number;
}

export interface OpenOutboxOptions extends OutboxOptions {
  logger?: { warn(obj: object, msg?: string): void };
  /** Told of every drop by `drop-oldest`, with how many items went (the runtime counts them per node). */
  onDropped?: (count: number) => void;
  /** Segment file size before rolling over (default `SEGMENT_BYTES`). */
  segmentBytes?: number;
}

/** Records of one segment waiting for one write; every push in it shares `written`. */
interface PendingBatch {
  segment: number;
  /** The records' JSON texts, in push order. */
  records: string[];
  /** Their size in the file, framing included. */
  bytes: number;
  written: Promise<void>;
  done: () => void;
  fail: (err: Error) => void;
}

function newBatch(segment: number): PendingBatch {
  let done!: () => void;
  let fail!: (err: Error) => void;
  const written = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  return { segment, records: [], bytes: 0, written, done, fail };
}

const segmentName = (n: number) => `seg-${String(n).padStart(12, '0')}.log`;

/**
 * The store-and-forward buffer: append-only segment files in `dir`, plus a `head` file naming the
 * first unacknowledged record. Items are handed to the OS before `push` resolves and fsynced at
 * most `OUTBOX_SYNC_MS` later; the head is saved on the same rhythm, so after a crash at most the
 * last fraction of a second of acknowledged items is delivered again (at least once). The live
 * items are also held in memory, so memory use follows `maxBytes`.
 */
export class FileOutbox<T> implements Outbox<T> {
  private items: Held<T>[] = [];
  private first = 0;
  private liveBytes = 0;
  private droppedCount = 0;
  private segment = 0;
  private segmentSize = 0;
  private file: FileHandle | undefined;
  private fileSegment = -1;
  /** Records pushed and not yet written, a batch per segment; pushes join the last batch. */
  private pending: PendingBatch[] = [];
  /** Pushes waiting for room (overflow `block`), in push order: later pushes queue behind them. */
  private blockedLine: object[] = [];
  private writing = false;
  /** The batch being written, for close to wait on. */
  private inflight: Promise<void> | undefined;
  private dirty = false;
  private headDirty = false;
  private syncTimer: NodeJS.Timeout | undefined;
  private notEmptyWaiters: Array<() => void> = [];
  private roomWaiters: Array<() => void> = [];
  private lastDropWarning = 0;
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly maxBytes: number;
  private readonly overflow: 'drop-oldest' | 'block';

  private constructor(
    private readonly dir: string,
    private readonly options: OpenOutboxOptions,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.overflow = options.overflow ?? 'drop-oldest';
  }

  /** Opens (or creates) the outbox in `dir`, recovering what an earlier run left, torn tail cut off. */
  static async open<T>(dir: string, options: OpenOutboxOptions = {}): Promise<FileOutbox<T>> {
    // Private like the rest of the data dir: buffered messages may hold plant data.
    await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE }).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot create the store-and-forward folder ${dir}: ${err.message}`);
    });
    await acquireLock(dir);
    const outbox = new FileOutbox<T>(dir, options);
    try {
      await outbox.recover();
    } catch (err) {
      await releaseLock(dir);
      throw err;
    }
    return outbox;
  }

  get size(): number {
    return this.items.length - this.first;
  }

  get bytes(): number {
    return this.liveBytes;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /**
   * Appends an item. Group commit: every push until the next write joins one batch, written with one
   * system call, and each push's Promise is the batch's (the same object for all of them), settled
   * once the batch is in the file.
   */
  push(item: T): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    let json: string;
    try {
      json = recordJson(item);
    } catch (err) {
      return Promise.reject(err);
    }
    const bytes = RECORD_OVERHEAD + Buffer.byteLength(json, 'utf8');
    if (this.overflow === 'block' && (this.blockedLine.length > 0 || this.isFullFor(bytes)))
      return this.pushWhenRoom(item, json, bytes);
    return this.append(item, json, bytes);
  }

  private isFullFor(bytes: number): boolean {
    return this.size > 0 && this.liveBytes + bytes > this.maxBytes;
  }

  private closedError(): Error {
    return new Error(`the store-and-forward buffer ${this.dir} is closed`);
  }

  private async pushWhenRoom(item: T, json: string, bytes: number): Promise<void> {
    const ticket = {};
    this.blockedLine.push(ticket);
    try {
      // Only the first in line may go: items keep the order they were pushed in.
      while (this.blockedLine[0] !== ticket || this.isFullFor(bytes)) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
        if (this.closed) throw this.closedError();
      }
    } finally {
      this.blockedLine.splice(this.blockedLine.indexOf(ticket), 1);
    }
    await this.append(item, json, bytes);
  }

  private append(item: T, json: string, bytes: number): Promise<void> {
    if (this.segmentSize > 0 && this.segmentSize + bytes > (this.options.segmentBytes ?? SEGMENT_BYTES)) {
      this.segment++;
      this.segmentSize = 0;
    }
    const held: Held<T> = { item, segment: this.segment, end: this.segmentSize + bytes, bytes };
    this.segmentSize += bytes;
    this.items.push(held);
    this.liveBytes += bytes;
    if (this.overflow === 'drop-oldest') this.dropOverflow();
    let batch = this.pending.at(-1);
    if (batch === undefined || batch.segment !== this.segment) {
      batch = newBatch(this.segment);
      this.pending.push(batch);
      void this.flushWrites();
    }
    batch.records.push(json);
    batch.bytes += bytes;
    const waiters = this.notEmptyWaiters;
    if (waiters.length > 0) {
      this.notEmptyWaiters = [];
      for (const w of waiters) w();
    }
    return batch.written;
  }

  peek(max: number, skip = 0): T[] {
    const out: T[] = [];
    const end = Math.min(this.items.length, this.first + Math.max(0, skip) + Math.max(0, max));
    for (let i = this.first + Math.max(0, skip); i < end; i++) out.push(this.items[i].item);
    return out;
  }

  async ack(count: number): Promise<void> {
    this.advance(Math.min(count, this.size));
  }

  whenNotEmpty(signal: AbortSignal): Promise<void> {
    if (this.size > 0 || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        this.notEmptyWaiters = this.notEmptyWaiters.filter((w) => w !== done);
        resolve();
      };
      this.notEmptyWaiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Writes and fsyncs everything, saves the head, releases the folder. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    for (const w of this.roomWaiters.splice(0)) w();
    for (const w of this.notEmptyWaiters.splice(0)) w();
    while (this.inflight || this.pending.length > 0) await (this.inflight ?? this.flushWrites());
    clearTimeout(this.syncTimer);
    await this.sync();
    await this.file?.close();
    this.file = undefined;
    await releaseLock(this.dir);
  }

  private advance(count: number): void {
    if (count <= 0) return;
    for (let i = 0; i < count; i++) this.liveBytes -= this.items[this.first + i].bytes;
    this.first += count;
    if (this.first >= 1024 && this.first * 2 >= this.items.length) {
      this.items = this.items.slice(this.first);
      this.first = 0;
    }
    this.headDirty = true;
    this.scheduleSync();
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w();
  }

  private dropOverflow(): void {
    let drop = 0;
    let bytes = this.liveBytes;
    // The newest item always stays: a single item larger than the bound is still delivered.
    while (bytes > this.maxBytes && this.size - drop > 1) {
      bytes -= this.items[this.first + drop].bytes;
      drop++;
    }
    if (drop === 0) return;
    this.advance(drop);
    this.droppedCount += drop;
    this.options.onDropped?.(drop);
    const now = Date.now();
    if (now - this.lastDropWarning >= 5000) {
      this.lastDropWarning = now;
      this.options.logger?.warn(
        { dir: this.dir, dropped: this.droppedCount, maxBytes: this.maxBytes },
        'store-and-forward buffer full: dropping the oldest messages',
      );
    }
  }

  /** Writes queued records in one system call per segment and batch, in order. */
  private flushWrites(): Promise<void> {
    if (this.writing || this.pending.length === 0) return Promise.resolve();
    this.writing = true;
    const batch: Promise<void> = this.writeBatch().finally(() => {
      if (this.inflight === batch) this.inflight = undefined;
    });
    this.inflight = batch;
    return batch;
  }

  private async writeBatch(): Promise<void> {
    const batch = this.pending[0];
    try {
      // Pushes made while the file is got (at least a microtask: the rest of this turn) join the batch.
      const file = await this.fileFor(batch.segment);
      this.pending.shift();
      // A synchronous append to the page cache takes microseconds; the thread-pool round trip of an
      // async write costs ten times that and bounds a publisher's rate. fsync stays asynchronous.
      writeFully(file.fd, encodeRecords(batch.records, batch.bytes));
      this.dirty = true;
      this.scheduleSync();
      batch.done();
    } catch (err) {
      if (this.pending[0] === batch) this.pending.shift();
      batch.fail(new Error(`cannot write to the store-and-forward buffer ${this.dir}: ${(err as Error).message}`));
    } finally {
      this.writing = false;
    }
    if (this.pending.length > 0) void this.flushWrites();
  }

  /** The open segment file, rolling to the next one (the finished one fsynced) when needed. */
  private async fileFor(segment: number): Promise<FileHandle> {
    if (this.file && this.fileSegment !== segment) {
      // Detached first: a timer's sync meanwhile must not fsync a handle being closed (EBADF).
      const finished = this.file;
      this.file = undefined;
      await finished.sync();
      await finished.close();
    }
    if (!this.file) {
      this.file = await open(join(this.dir, segmentName(segment)), 'a', PRIVATE_FILE_MODE);
      this.fileSegment = segment;
    }
    return this.file;
  }

  /** The sync under way (and those queued after it), if any. */
  private syncing: Promise<void> | undefined;

  private scheduleSync(): void {
    if (this.syncTimer || this.closed) return;
    this.syncTimer = setTimeout(() => {
      this.syncTimer = undefined;
      this.sync().catch((err: unknown) =>
        this.options.logger?.warn({ dir: this.dir, err }, 'could not flush the store-and-forward buffer to disk'),
      );
    }, OUTBOX_SYNC_MS);
    this.syncTimer.unref();
  }

  /**
   * Flushes data and head, one sync at a time: two at once would race on `head.json.tmp` (one
   * rename failing with ENOENT, the head left unsaved). A sync asked while one runs follows it.
   */
  private sync(): Promise<void> {
    const previous = this.syncing;
    const next = previous === undefined ? this.syncOnce() : previous.then(() => this.syncOnce());
    // The chain only orders syncs: each caller gets its own sync's outcome from `next`.
    const chained = next.then(
      () => undefined,
      () => undefined,
    );
    this.syncing = chained;
    void chained.then(() => {
      if (this.syncing === chained) this.syncing = undefined;
    });
    return next;
  }

  private async syncOnce(): Promise<void> {
    if (this.dirty && this.file) {
      this.dirty = false;
      await this.file.sync();
    }
    if (this.headDirty) {
      this.headDirty = false;
      await this.saveHead();
    }
  }

  private async saveHead(): Promise<void> {
    const next = this.items[this.first];
    const head: Head = next
      ? { segment: next.segment, offset: next.end - next.bytes }
      : { segment: this.segment, offset: this.segmentSize };
    const temp = join(this.dir, 'head.json.tmp');
    await writeFile(temp, JSON.stringify(head), { mode: PRIVATE_FILE_MODE });
    await rename(temp, join(this.dir, 'head.json'));
    // Whole segments before the head hold only delivered items.
    for (const name of await readdir(this.dir)) {
      const n = segmentNumber(name);
      if (n !== undefined && n < head.segment) await rm(join(this.dir, name), { force: true });
    }
  }

  private async recover(): Promise<void> {
    const head = await readHead(this.dir);
    const segments = (await readdir(this.dir))
      .map(segmentNumber)
      .filter((n): n is number => n !== undefined && n >= head.segment)
      .sort((a, b) => a - b);
    for (const n of segments) {
      const path = join(this.dir, segmentName(n));
      const data = await readFile(path);
      const start = n === head.segment ? Math.min(head.offset, data.length) : 0;
      const { records, goodEnd } = decodeRecords(data, start);
      let previousEnd = start;
      for (const r of records) {
        const bytes = r.end - previousEnd;
        this.items.push({ item: r.item as T, segment: n, end: r.end, bytes });
        this.liveBytes += bytes;
        previousEnd = r.end;
      }
      if (goodEnd < data.length) {
        // A record torn by a crash: cut it off so new records follow the last good one.
        await truncate(path, goodEnd);
        this.options.logger?.warn(
          { file: path, discardedBytes: data.length - goodEnd },
          'store-and-forward buffer: discarded a torn record',
        );
      }
      this.segment = n;
      this.segmentSize = goodEnd;
    }
    if (segments.length === 0) this.segment = head.segment;
  }
}

function segmentNumber(name: string): number | undefined {
  const match = /^seg-(\d{12})\.log$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

async function readHead(dir: string): Promise<Head> {
  let text: string;
  try {
    text = await readFile(join(dir, 'head.json'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { segment: 0, offset: 0 };
    throw new Error(`cannot read ${join(dir, 'head.json')}: ${(err as Error).message}`);
  }
  const head = JSON.parse(text) as Head;
  if (!Number.isInteger(head.segment) || !Number.isInteger(head.offset))
    throw new Error(`${join(dir, 'head.json')} is damaged`);
  return head;
}

function writeFully(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}
