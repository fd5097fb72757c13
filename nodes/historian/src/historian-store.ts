import type { Quality } from '@tagflow/node-sdk';
import type { HistoryRow } from './history-row';

/** Values of some tags between two times, optionally downsampled into buckets. */
export interface HistoryQuery {
  /** Tag names; at least one. */
  tags: string[];
  /** Start, inclusive, milliseconds since the epoch. */
  from: number;
  /** End, exclusive, milliseconds since the epoch. */
  to: number;
  /** When set, one point per tag and bucket of this many milliseconds (min, max, mean, count of numeric values). */
  bucketMs?: number;
  /** Most rows returned per tag, oldest first (default 10,000). */
  limit?: number;
}

/** A stored value, as read back. */
export interface HistoryPoint {
  tag: string;
  ts: number;
  value: number | null;
  text: string | null;
  quality: Quality;
}

/**
 * One bucket of a downsampled query; `ts` is the bucket's start. Only numeric values of quality
 * good or uncertain count: a bad value is no measurement. Buckets without such values are left out.
 */
export interface HistoryBucket {
  tag: string;
  ts: number;
  min: number;
  max: number;
  mean: number;
  count: number;
}

/** The rows of a query, oldest first within each tag, tags in the order asked. */
export type HistoryResult = HistoryPoint[] | HistoryBucket[];

/**
 * Where history is kept: the embedded local store, PostgreSQL/TimescaleDB, or InfluxDB. One
 * instance per historian resource connection; the runtime re-creates it after `lost`.
 *
 * - `write` stores a batch (up to a few thousand rows) and resolves once the backend has it
 *   durably; it rejects when it could not, and the caller sends the same batch again later.
 *   Rewriting a `(tag, ts)` already stored leaves one row (idempotent), so redelivery is safe.
 *   The next write may be made before this one resolved (historian-out keeps two batches under
 *   way); a store may run them at once, so they are not necessarily stored in the order made.
 * - `query` reads; it never changes anything.
 * - `close` is idempotent and releases connections and files.
 */
export interface HistorianStore {
  /** Short description for status lines, e.g. `local store pump-history`, `postgres db1/tagflow.history`. */
  readonly description: string;
  write(rows: readonly HistoryRow[]): Promise<void>;
  /**
   * Why this row can never be stored here (a tag InfluxDB cannot carry, a time out of the
   * database's range), or undefined. Checked before `write`, so that one such row is reported and
   * dropped instead of failing its batch again and again and holding up every row after it.
   */
  refusal(row: HistoryRow): string | undefined;
  query(query: HistoryQuery): Promise<HistoryResult>;
  /** Every tag name stored, sorted. */
  tags(): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Thrown by `write` when the backend refused the data itself (a value out of range, a field type
 * conflict, a request too large), not because it is unreachable: sending the same batch again
 * cannot succeed, so the caller writes it row by row and drops only the rows refused.
 */
export class RefusedWriteError extends Error {
  readonly refusedData = true;
}

/** True for a `RefusedWriteError`, also one from another copy of this module. */
export function isRefusedWrite(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { refusedData?: unknown }).refusedData === true;
}
