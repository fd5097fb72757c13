import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { inTransaction } from '../src/sqlite';

function memoryDb(): DatabaseSync {
  const db = new DatabaseSync(':memory:');
  db.exec('CREATE TABLE t (n INTEGER NOT NULL)');
  return db;
}
const count = (db: DatabaseSync) => (db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n;

describe('inTransaction', () => {
  it('commits what the work wrote and returns its result', () => {
    const db = memoryDb();
    expect(inTransaction(db, () => db.prepare('INSERT INTO t VALUES (?)').run(1).changes)).toBe(1);
    expect(count(db)).toBe(1);
    expect(db.isTransaction).toBe(false);
  });

  it('rolls back everything the work wrote when it throws, and throws that error', () => {
    const db = memoryDb();
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    expect(() =>
      inTransaction(db, () => {
        insert.run(1);
        insert.run(null); // NOT NULL
      }),
    ).toThrow(/NOT NULL constraint failed/);
    expect(count(db)).toBe(0);
    // No transaction left open: the next one works.
    inTransaction(db, () => insert.run(2));
    expect(count(db)).toBe(1);
  });

  it('reports the work’s error when SQLite has already ended the transaction', () => {
    const db = memoryDb();
    expect(() =>
      inTransaction(db, () => {
        db.prepare('INSERT INTO t VALUES (1)').run();
        db.exec('ROLLBACK'); // as SQLite does itself after a full disk or an I/O error
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(count(db)).toBe(0);
  });

  it('does both on a Node.js that cannot tell whether a transaction is open (before 22.16)', () => {
    const db = memoryDb();
    const withoutIsTransaction = { exec: (sql: string) => db.exec(sql) } as unknown as DatabaseSync;
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    const fail = (endedBySqlite: boolean) => () =>
      inTransaction(withoutIsTransaction, () => {
        insert.run(1);
        if (endedBySqlite) db.exec('ROLLBACK');
        throw new Error('disk full');
      });
    expect(fail(false)).toThrow('disk full');
    expect(db.isTransaction).toBe(false);
    expect(fail(true)).toThrow('disk full');
    expect(count(db)).toBe(0);
  });
});

// Node 22 prints "ExperimentalWarning: SQLite is an experimental feature..." when a thread first
// loads node:sqlite (Node 24 prints none). A runtime on either prints nothing: a process opening a
// local store, writing through its worker thread and reading it back read-only says nothing on
// stderr but the one other warning it emits itself (no warning is hidden but that one).
it('opening and writing a local store prints no SQLite warning on this Node.js, and other warnings still show', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'tagflow-sqlite-warning-')), 'h.sqlite');
  const script = `
    const { LocalStore } = require(${JSON.stringify(join(__dirname, '..', 'dist', 'local-store.js'))});
    (async () => {
      const store = LocalStore.open(${JSON.stringify(file)}, {}, { writeOnWorker: true });
      await store.write([{ tag: 'a', ts: 1, value: 1, text: null, quality: 'good' }]);
      const reader = LocalStore.openReadOnly(${JSON.stringify(file)});
      const points = await reader.query({ tags: ['a'], from: 0, to: 2 });
      await reader.close();
      await store.close();
      process.emitWarning('another experiment', 'ExperimentalWarning');
      process.stdout.write(JSON.stringify(points));
    })();
  `;
  const run = spawnSync(process.execPath, ['--no-node-snapshot', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(run.status).toBe(0);
  expect(JSON.parse(run.stdout)).toEqual([{ tag: 'a', ts: 1, value: 1, text: null, quality: 'good' }]);
  expect(run.stderr).not.toMatch(/SQLite/);
  expect(run.stderr).toMatch(/ExperimentalWarning: another experiment/);
});
