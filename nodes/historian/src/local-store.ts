import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { HistorianStore, HistoryBucket, HistoryPoint, HistoryQuery, HistoryResult } from './historian-store';
import { QUALITY_CODES, qualityFromCode } from './history-row';
import type { HistoryRow } from './history-row';
import { LocalWriter } from './local-writer';
import { inTransaction, loadSqlite } from './sqlite';

const sqlite = loadSqlite();

/** How long and how much history the local store keeps. */
export interface LocalRetention {
  /** Rows older than this many days are deleted; none when undefined. */
  maxAgeDays?: number;
  /** When the stored rows take more than this, the oldest are deleted (10% of them at a time). */
  maxSizeMB?: number;
}

/** How a local store opened for writing writes. */
export interface LocalWriteOptions {
  /** Commit batches on a worker thread (see `LocalWriter`). */
  writeOnWorker?: boolean;
  /** Told once when that worker dies (out of memory, a driver crash), so the store can be opened again. */
  lost?(reason: Error): void;
}

const DEFAULT_LIMIT = 10_000;
const RETENTION_EVERY_MS = 60_000;

/**
 * The embedded historian: one SQLite file (Node's `node:sqlite`) in the runtime's data dir. WAL journal
 * with `synchronous = FULL`, so a committed batch survives a killed process and a power cut, and a
 * reader (`tagflow history`) can read while the runtime writes. Rows are keyed by (tag, ts).
 */
export class LocalStore implements HistorianStore {
  readonly description: string;
  private readonly db: DatabaseSync;
  private readonly tagIds = new Map<string, number>();
  private insert: StatementSync | undefined;
  private readonly retentionTimer: NodeJS.Timeout | undefined;
  private readonly writer: LocalWriter | undefined;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly retention: LocalRetention,
    readonly readonly: boolean,
    options: LocalWriteOptions = {},
  ) {
    this.description = `local store ${file}`;
    if (!readonly) {
      // Private like the rest of the data dir. SQLite gives its -wal and -shm files the mode of the
      // database file, so creating that one 0600 (before SQLite does, 0644) covers all three.
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      closeSync(openSync(file, 'a', 0o600));
    }
    // Read-only, a missing file is refused ("unable to open database file") rather than created.
    this.db = new sqlite.DatabaseSync(file, { readOnly: readonly });
    if (!readonly) {
      // auto_vacuum must be chosen before the first table exists; it lets retention give space back.
      this.db.exec('PRAGMA auto_vacuum = INCREMENTAL');
      this.db.exec('PRAGMA journal_mode = WAL');
      this.db.exec('PRAGMA synchronous = FULL');
      // Another flow or process may hold the write lock for a moment: wait rather than fail.
      this.db.exec('PRAGMA busy_timeout = 5000');
      this.db.exec(`
        CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
        CREATE TABLE IF NOT EXISTS samples (
          tag_id INTEGER NOT NULL REFERENCES tags(id),
          ts INTEGER NOT NULL,
          value REAL,
          text TEXT,
          quality INTEGER NOT NULL,
          PRIMARY KEY (tag_id, ts)
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS samples_by_time ON samples (ts);
      `);
      this.applyRetention(Date.now());
      this.retentionTimer = setInterval(() => this.applyRetention(Date.now()), RETENTION_EVERY_MS);
      this.retentionTimer.unref();
      if (options.writeOnWorker) this.writer = new LocalWriter(file, options.lost);
    }
  }

  /**
   * Opens (creating when needed) the store file for writing. With `writeOnWorker`, `write` runs
   * on a worker thread (see `LocalWriter`), so that a runtime keeps taking messages while a batch
   * is committed; queries and retention stay on the calling thread.
   */
  static open(file: string, retention: LocalRetention = {}, options: LocalWriteOptions = {}): LocalStore {
    return new LocalStore(file, retention, false, options);
  }

  /** Opens an existing store file for reading only, e.g. while a runtime writes to it. */
  static openReadOnly(file: string): LocalStore {
    return new LocalStore(file, {}, true);
  }

  write(rows: readonly HistoryRow[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error(`${this.description} is closed`));
    if (this.writer) return this.writer.write(rows);
    const insert = (this.insert ??= this.db.prepare(
      'INSERT OR REPLACE INTO samples (tag_id, ts, value, text, quality) VALUES (?, ?, ?, ?, ?)',
    ));
    inTransaction(this.db, () => {
      for (const row of rows) insert.run(this.tagId(row.tag), row.ts, row.value, row.text, QUALITY_CODES[row.quality]);
    });
    return Promise.resolve();
  }

  refusal(row: HistoryRow): string | undefined {
    return Number.isSafeInteger(row.ts)
      ? undefined
      : `the row of tag "${row.tag}" has a timestamp that is not a whole number of milliseconds: ${row.ts}`;
  }

  query(q: HistoryQuery): Promise<HistoryResult> {
    const limit = q.limit ?? DEFAULT_LIMIT;
    // Each tag once, in the order asked, as the other backends read them.
    const tags = new Set(q.tags);
    const ids = this.db.prepare('SELECT id FROM tags WHERE name = ?');
    if (q.bucketMs !== undefined) {
      const bucket = Math.max(1, Math.round(q.bucketMs));
      const select = this.db.prepare(
        // JS numbers are bound as REAL: the cast makes the division an integer one.
        `SELECT (ts / CAST(@bucket AS INTEGER)) * CAST(@bucket AS INTEGER) AS start, min(value) AS min, max(value) AS max, avg(value) AS mean, count(value) AS count
         FROM samples WHERE tag_id = @id AND ts >= @from AND ts < @to AND value IS NOT NULL AND quality < 2
         GROUP BY start ORDER BY start LIMIT @limit`,
      );
      const out: HistoryBucket[] = [];
      for (const tag of tags) {
        const id = (ids.get(tag) as { id: number } | undefined)?.id;
        if (id === undefined) continue;
        for (const b of select.all({ bucket, id, from: q.from, to: q.to, limit }) as Array<
          Omit<HistoryBucket, 'tag' | 'ts'> & { start: number }
        >) {
          out.push({ tag, ts: b.start, min: b.min, max: b.max, mean: b.mean, count: b.count });
        }
      }
      return Promise.resolve(out);
    }
    const select = this.db.prepare(
      'SELECT ts, value, text, quality FROM samples WHERE tag_id = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?',
    );
    const out: HistoryPoint[] = [];
    for (const tag of tags) {
      const id = (ids.get(tag) as { id: number } | undefined)?.id;
      if (id === undefined) continue;
      for (const r of select.all(id, q.from, q.to, limit) as Array<{
        ts: number;
        value: number | null;
        text: string | null;
        quality: number;
      }>) {
        out.push({ tag, ts: r.ts, value: r.value, text: r.text, quality: qualityFromCode(r.quality) });
      }
    }
    return Promise.resolve(out);
  }

  tags(): Promise<string[]> {
    const rows = this.db.prepare('SELECT name FROM tags ORDER BY name').all() as Array<{ name: string }>;
    return Promise.resolve(rows.map((r) => r.name));
  }

  /** Deletes what the retention settings no longer keep; returns the number of rows deleted. */
  applyRetention(now: number): number {
    let deleted = 0;
    if (this.retention.maxAgeDays !== undefined) {
      deleted += Number(
        this.db.prepare('DELETE FROM samples WHERE ts < ?').run(now - this.retention.maxAgeDays * 86_400_000).changes,
      );
    }
    const maxBytes = this.retention.maxSizeMB === undefined ? undefined : this.retention.maxSizeMB * 2 ** 20;
    while (maxBytes !== undefined && this.usedBytes() > maxBytes) {
      const { rows } = this.db.prepare('SELECT count(*) AS rows FROM samples').get() as { rows: number };
      if (rows === 0) break;
      const { cutoff } = this.db
        .prepare('SELECT ts AS cutoff FROM samples ORDER BY ts LIMIT 1 OFFSET ?')
        .get(Math.floor(rows / 10)) as { cutoff: number };
      deleted += Number(this.db.prepare('DELETE FROM samples WHERE ts <= ?').run(cutoff).changes);
    }
    if (deleted > 0) this.db.exec('PRAGMA incremental_vacuum');
    return deleted;
  }

  /** Bytes of the database file in use (free pages left by deletions not counted). */
  usedBytes(): number {
    return (this.pragma('page_count') - this.pragma('freelist_count')) * this.pragma('page_size');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retentionTimer) clearInterval(this.retentionTimer);
    await this.writer?.close();
    this.db.close();
  }

  private tagId(name: string): number {
    let id = this.tagIds.get(name);
    if (id === undefined) {
      this.db.prepare('INSERT OR IGNORE INTO tags (name) VALUES (?)').run(name);
      id = (this.db.prepare('SELECT id FROM tags WHERE name = ?').get(name) as { id: number }).id;
      this.tagIds.set(name, id);
    }
    return id;
  }

  private pragma(name: 'page_count' | 'freelist_count' | 'page_size'): number {
    return (this.db.prepare(`PRAGMA ${name}`).get() as Record<typeof name, number>)[name];
  }
}
