import type { DatabaseSync } from 'node:sqlite';

// Both functions below are also run, as their compiled text, by the local writer's worker thread
// (see local-writer.ts): they must stay self-contained, using nothing from this module's scope.

/**
 * Loads Node's built-in SQLite (`node:sqlite`). Node 22 prints "ExperimentalWarning: SQLite is an
 * experimental feature..." the first time a thread loads it (Node 24 prints none): that one warning
 * is dropped, any other passes on, and `process.emitWarning` is restored before this returns.
 */
export function loadSqlite(): typeof import('node:sqlite') {
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    const text = typeof warning === 'string' ? warning : warning.message;
    if (type === 'ExperimentalWarning' && text.startsWith('SQLite is an experimental feature')) return;
    Reflect.apply(emitWarning, this, [warning, ...rest]);
  };
  try {
    return require('node:sqlite') as typeof import('node:sqlite');
  } finally {
    process.emitWarning = emitWarning;
  }
}

/** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
export function inTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    // After some errors (a full disk, an I/O error) SQLite has rolled back already. Node before
    // 22.16 cannot say so (no isTransaction): there ROLLBACK is tried and may find none to end.
    if (db.isTransaction !== false) {
      try {
        db.exec('ROLLBACK');
      } catch (rollbackErr) {
        if (!/no transaction is active/.test((rollbackErr as Error).message)) throw rollbackErr;
      }
    }
    throw err;
  }
}
