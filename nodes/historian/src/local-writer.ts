import { Worker } from 'node:worker_threads';
import type { HistoryRow } from './history-row';
import { QUALITY_CODES } from './history-row';
import { inTransaction, loadSqlite } from './sqlite';

/** One batch as the worker gets it: a column per field, cheaper to copy between threads than row objects. */
interface ColumnBatch {
  id: number;
  tags: string[];
  ts: number[];
  values: (number | null)[];
  texts: (string | null)[];
  qualities: number[];
}

/** Rows committed in one transaction at most when batches wait for the writer (see the worker). */
const GROUP_ROWS = 10_000;

// Plain JavaScript run with `eval`, so that the same code serves the built package and the tests
// (which run the TypeScript sources); it loads node:sqlite and makes transactions with the same
// functions as the main thread, given as their compiled text. It opens its own connection to the
// store file, created and set up (WAL, schema) by the LocalStore on the main thread, and writes each
// batch in one transaction, as LocalStore.write does, or several batches waiting at once in one.
const WORKER_SOURCE = `
const { parentPort, receiveMessageOnPort, workerData } = require('node:worker_threads');
const loadSqlite = ${loadSqlite.toString()};
const inTransaction = ${inTransaction.toString()};
const db = new (loadSqlite().DatabaseSync)(workerData.file);
db.exec('PRAGMA synchronous = FULL');
db.exec('PRAGMA busy_timeout = 5000');
const insert = db.prepare('INSERT OR REPLACE INTO samples (tag_id, ts, value, text, quality) VALUES (?, ?, ?, ?, ?)');
const addTag = db.prepare('INSERT OR IGNORE INTO tags (name) VALUES (?)');
const idOf = db.prepare('SELECT id FROM tags WHERE name = ?');
const ids = new Map();
function tagId(name) {
  let id = ids.get(name);
  if (id === undefined) {
    addTag.run(name);
    id = idOf.get(name).id;
    ids.set(name, id);
  }
  return id;
}
const insertAll = (b) => {
  for (let i = 0; i < b.ts.length; i++) insert.run(tagId(b.tags[i]), b.ts[i], b.values[i], b.texts[i], b.qualities[i]);
};
parentPort.on('message', (first) => {
  let closing = first === 'close';
  const batches = closing ? [] : [first];
  let rows = closing ? 0 : first.ts.length;
  // Batches that came while the last one was committed share one transaction (group commit): a
  // commit waits for the disk (fsync), and one wait then serves them all.
  while (!closing && rows < workerData.groupRows) {
    const next = receiveMessageOnPort(parentPort);
    if (next === undefined) break;
    if (next.message === 'close') closing = true;
    else {
      batches.push(next.message);
      rows += next.message.ts.length;
    }
  }
  if (batches.length > 0) {
    try {
      inTransaction(db, () => batches.forEach(insertAll));
      for (const b of batches) parentPort.postMessage({ id: b.id });
    } catch (err) {
      for (const b of batches) parentPort.postMessage({ id: b.id, error: String((err && err.message) || err) });
    }
  }
  if (closing) {
    db.close();
    parentPort.close();
  }
});
`;

/**
 * Writes a local store's batches on a worker thread with its own SQLite connection. The insert
 * and the fsync of each committed batch (synchronous = FULL) then run beside the engine instead of
 * holding its thread: a flow keeps taking messages while the previous batch is written. A write
 * resolves once the worker committed the batch, so it is as durable as `LocalStore.write`.
 */
export class LocalWriter {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private nextId = 0;
  private failure: Error | undefined;
  private exited = false;
  private closing: Promise<void> | undefined;

  /** `lost` is told once when the worker dies, so that the runtime opens the store again. */
  constructor(
    private readonly file: string,
    private readonly lost: (reason: Error) => void = () => undefined,
  ) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, groupRows: GROUP_ROWS },
    });
    this.worker.on('message', (answer: { id: number; error?: string }) => {
      const waiter = this.waiting.get(answer.id);
      this.waiting.delete(answer.id);
      if (answer.error === undefined) waiter?.resolve();
      else waiter?.reject(new Error(`cannot write to the local history store ${this.file}: ${answer.error}`));
    });
    // A worker that dies (out of memory, a driver crash) fails what waits and every later write.
    this.worker.on('error', (err: Error) => this.fail(err));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (this.closing === undefined)
        this.fail(new Error(`the local history store's writer stopped (exit code ${code})`));
    });
  }

  write(rows: readonly HistoryRow[]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error(`the local history store ${this.file} is closed`));
    const batch: ColumnBatch = { id: this.nextId++, tags: [], ts: [], values: [], texts: [], qualities: [] };
    for (const row of rows) {
      batch.tags.push(row.tag);
      batch.ts.push(row.ts);
      batch.values.push(row.value);
      batch.texts.push(row.text);
      batch.qualities.push(QUALITY_CODES[row.quality]);
    }
    return new Promise((resolve, reject) => {
      this.waiting.set(batch.id, { resolve, reject });
      this.worker.postMessage(batch);
    });
  }

  /** Lets the writes under way finish (the worker takes messages in order), then closes its connection. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          this.worker.once('exit', () => resolve());
          this.worker.postMessage('close');
        });
    return this.closing;
  }

  private fail(err: Error): void {
    if (this.failure === undefined) this.lost(err);
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}
