import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditCursorError, AuditLog } from '../../src/store';
import type { AuditEvent } from '../../src/store';

const freshDataDir = () => mkdtempSync(join(tmpdir(), 'tagflow-audit-rotation-test-'));
const detail = (i: number) => `event ${String(i).padStart(4, '0')} ${'x'.repeat(i % 37)}`;

/** Every event of every file, oldest file first, failing on any line that is not a whole event. */
function readAll(dir: string): AuditEvent[] {
  const names = readdirSync(dir)
    .filter((n) => /^audit\.log(\.\d+)?$/.test(n))
    .sort((a, b) => Number(b.split('.')[2] ?? 0) - Number(a.split('.')[2] ?? 0));
  return names.flatMap((name) => {
    const text = readFileSync(join(dir, name), 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent);
  });
}

/** Bytes this process has read so far (Linux): how much a query really read from disk or cache. */
const bytesRead = () => Number(/^rchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))![1]);

describe('AuditLog rotation', () => {
  it('rotates by size into audit.log.1 ..., keeps at most N files, tears no event and keeps their order', async () => {
    const dir = freshDataDir();
    const log = await AuditLog.open(dir, { maxBytes: 1000, files: 3 });
    // Overlapping appends, as the runtime makes them: the queue keeps them whole and in call order.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) => log.append({ type: 'deploy', actor: 'ci', detail: detail(i) })),
    );
    expect(readdirSync(dir).sort()).toEqual(['audit.log', 'audit.log.1', 'audit.log.2']);
    for (const name of ['audit.log', 'audit.log.1', 'audit.log.2']) {
      expect(statSync(join(dir, name)).size).toBeLessThanOrEqual(1000);
      expect(statSync(join(dir, name)).mode & 0o777).toBe(0o600);
    }
    const kept = readAll(dir).map((e) => e.detail);
    expect(kept.length).toBeGreaterThan(10);
    // The newest events, none missing between them: only whole older files were dropped.
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => detail(200 - kept.length + i)));
    expect((await log.query({ limit: 10_000 })).map((e) => e.detail)).toEqual(kept);
  });

  it('gives an event larger than the size limit a file of its own', async () => {
    const dir = freshDataDir();
    const log = await AuditLog.open(dir, { maxBytes: 300, files: 4 });
    await log.append({ type: 'deploy', actor: 'ci', detail: 'small' });
    await log.append({ type: 'deploy', actor: 'ci', detail: 'y'.repeat(1000) });
    await log.append({ type: 'deploy', actor: 'ci', detail: 'after' });
    expect(readAll(dir).map((e) => e.detail.slice(0, 5))).toEqual(['small', 'yyyyy', 'after']);
    expect(readdirSync(dir).sort()).toEqual(['audit.log', 'audit.log.1', 'audit.log.2']);
  });

  it('drops files past a smaller setting at the next rotation', async () => {
    const dir = freshDataDir();
    const wide = await AuditLog.open(dir, { maxBytes: 500, files: 5 });
    for (let i = 0; i < 60; i++) await wide.append({ type: 'deploy', actor: 'ci', detail: detail(i) });
    expect(readdirSync(dir)).toHaveLength(5);
    const narrow = await AuditLog.open(dir, { maxBytes: 500, files: 2 });
    for (let i = 60; i < 70; i++) await narrow.append({ type: 'deploy', actor: 'ci', detail: detail(i) });
    expect(readdirSync(dir).sort()).toEqual(['audit.log', 'audit.log.1']);
    expect(readAll(dir).at(-1)?.detail).toBe(detail(69));
  });

  it('refuses a size limit or file count that cannot work', async () => {
    await expect(AuditLog.open(freshDataDir(), { maxBytes: 0 })).rejects.toThrow('must be positive');
    await expect(AuditLog.open(freshDataDir(), { files: 0 })).rejects.toThrow('at least 1 file');
  });
});

describe('AuditLog paging', () => {
  it('pages back from the newest event across rotated files: the pages together are the whole log, in order', async () => {
    const dir = freshDataDir();
    const log = await AuditLog.open(dir, { maxBytes: 2000, files: 6 });
    for (let i = 0; i < 150; i++)
      await log.append({ type: i % 3 === 0 ? 'rollback' : 'deploy', actor: 'ci', detail: detail(i) });
    expect(readdirSync(dir).length).toBeGreaterThan(3);
    const whole = readAll(dir);

    const pages: AuditEvent[][] = [];
    let before: string | undefined;
    do {
      const page = await log.page({ limit: 7, before });
      pages.push(page.events);
      before = page.next;
    } while (before !== undefined);
    expect(pages.slice(0, -1).every((p) => p.length === 7)).toBe(true);
    expect(pages.reverse().flat()).toEqual(whole);

    const rollbacks: AuditEvent[][] = [];
    before = undefined;
    do {
      const page = await log.page({ type: 'rollback', limit: 4, before });
      rollbacks.unshift(page.events);
      before = page.next;
    } while (before !== undefined);
    expect(rollbacks.flat()).toEqual(whole.filter((e) => e.type === 'rollback'));

    const since = Date.parse(whole[Math.floor(whole.length / 2)].time);
    const recent = await log.page({ since, limit: 1000 });
    expect(recent.next).toBeUndefined();
    expect(recent.events).toEqual(whole.filter((e) => Date.parse(e.time) >= since));
  });

  it('keeps a cursor valid across a rotation, and says so when its events were rotated away', async () => {
    const dir = freshDataDir();
    const log = await AuditLog.open(dir, { maxBytes: 1000, files: 2 });
    for (let i = 0; i < 8; i++) await log.append({ type: 'deploy', actor: 'ci', detail: detail(i) });
    const first = await log.page({ limit: 2 });
    const wanted = (await log.query({ limit: 1000 })).slice(0, -2).slice(-2);
    // A rotation after the first page: audit.log is now audit.log.1, the cursor still finds it.
    for (let i = 8; i < 12; i++) await log.append({ type: 'deploy', actor: 'ci', detail: detail(i) });
    expect(readdirSync(dir)).toContain('audit.log.1');
    expect((await log.page({ limit: 2, before: first.next })).events).toEqual(wanted);
    for (let i = 12; i < 40; i++) await log.append({ type: 'deploy', actor: 'ci', detail: detail(i) });
    await expect(log.page({ limit: 2, before: first.next })).rejects.toThrow(AuditCursorError);
    await expect(log.page({ limit: 2, before: first.next })).rejects.toMatchObject({ kind: 'gone' });
    await expect(log.page({ before: 'page-2' })).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('reads a page of a 20 MB log without reading the file whole', async () => {
    const dir = freshDataDir();
    const line = (i: number) =>
      `${JSON.stringify({ time: new Date(i * 1000).toISOString(), type: 'deploy', actor: 'ci', detail: detail(i) })}\n`;
    const one = Buffer.from(Array.from({ length: 1000 }, (_, i) => line(i)).join(''));
    writeFileSync(join(dir, 'audit.log'), Buffer.concat(Array<Buffer>(Math.ceil(20e6 / one.length)).fill(one)));
    const log = await AuditLog.open(dir, { maxBytes: 30e6 });
    const read = bytesRead();
    const page = await log.page({ limit: 100 });
    expect(page.events.map((e) => e.detail)).toEqual(Array.from({ length: 100 }, (_, i) => detail(900 + i)));
    expect(bytesRead() - read).toBeLessThan(256 * 1024);
    const further = bytesRead();
    await log.page({ limit: 100, before: page.next });
    expect(bytesRead() - further).toBeLessThan(256 * 1024);
  });
});
