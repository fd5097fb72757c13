import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openOutbox } from '../src/store-forward';

const freshDir = () => mkdtempSync(join(tmpdir(), 'tagflow-outbox-test-'));
const segments = (dir: string) => readdirSync(dir).filter((f) => f.startsWith('seg-'));

describe('store-and-forward buffer', () => {
  it('keeps items in order across close and reopen, until acknowledged', async () => {
    const dir = freshDir();
    const a = await openOutbox<number>(dir);
    for (let i = 0; i < 10; i++) await a.push(i);
    expect(a.peek(3)).toEqual([0, 1, 2]);
    await a.ack(4);
    expect(a.size).toBe(6);
    await a.close();

    const b = await openOutbox<number>(dir);
    expect(b.size).toBe(6);
    expect(b.peek(100)).toEqual([4, 5, 6, 7, 8, 9]);
    await b.push(10);
    await b.ack(6);
    await b.close();
    const c = await openOutbox<number>(dir);
    expect(c.peek(100)).toEqual([10]);
    await c.close();
  });

  it('keeps its folders 0700 and its files 0600 (segments, head, lock), whatever the umask', async () => {
    const root = freshDir();
    const dir = join(root, 'outbox', 'flow', 'publish');
    const previous = process.umask(0o022);
    const modes: Record<string, number> = {};
    try {
      const outbox = await openOutbox<number>(dir);
      await outbox.push(1);
      await outbox.push(2);
      await outbox.ack(1);
      modes.lock = statSync(join(dir, 'lock')).mode & 0o777;
      await outbox.close();
    } finally {
      process.umask(previous);
    }
    for (const name of readdirSync(dir)) modes[name] = statSync(join(dir, name)).mode & 0o777;
    expect(Object.keys(modes)).toEqual(expect.arrayContaining(['lock', 'head.json', 'seg-000000000000.log']));
    for (const mode of Object.values(modes)) expect(mode).toBe(0o600);
    for (const folder of ['outbox', 'outbox/flow', 'outbox/flow/publish'])
      expect(statSync(join(root, folder)).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['one push at a time', 1],
    ['pushes of a turn written together (group commit)', 100],
  ])(
    'survives SIGKILL mid-stream, %s: every item reported pushed is there, in order, torn tail dropped',
    async (_how, burst) => {
      const dir = freshDir();
      const child = spawn(process.execPath, [join(__dirname, 'fixtures', 'outbox', 'pusher.js'), dir, String(burst)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.split('\n').length > 3000) resolve();
        });
        child.on('exit', (code) => reject(new Error(`pusher exited early with ${code}`)));
      });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.on('close', resolve));
      const reported = out
        .split('\n')
        .filter((l) => /^\d+$/.test(l))
        .map(Number);
      const lastReported = reported[reported.length - 1];

      const outbox = await openOutbox<{ n: number }>(dir);
      const items = outbox.peek(Number.MAX_SAFE_INTEGER).map((i) => i.n);
      // Nothing the child saw as pushed is missing; the order is intact with no gaps; at most the
      // items whose push had not resolved yet are there beyond it.
      expect(items.slice(0, lastReported + 1)).toEqual(Array.from({ length: lastReported + 1 }, (_, i) => i));
      items.forEach((n, i) => expect(n).toBe(i));
      expect(segments(dir).length).toBeGreaterThan(1); // it rolled segments while being killed
      await outbox.close();
    },
  );

  it('drops a torn or damaged last record on reopen, keeping everything before it', async () => {
    const dir = freshDir();
    const a = await openOutbox<string>(dir);
    for (const s of ['a', 'b', 'c']) await a.push(s);
    await a.close();
    const file = join(dir, segments(dir)[0]);
    appendFileSync(file, '0badc0de{"half":'); // a record cut by a crash
    const b = await openOutbox<string>(dir);
    expect(b.peek(10)).toEqual(['a', 'b', 'c']);
    await b.push('d'); // written after the cut, not glued to the torn bytes
    await b.close();
    const c = await openOutbox<string>(dir);
    expect(c.peek(10)).toEqual(['a', 'b', 'c', 'd']);
    await c.close();
  });

  it('drop-oldest: stays within maxBytes and counts what it dropped', async () => {
    const dir = freshDir();
    const warnings: string[] = [];
    const o = await openOutbox<number>(dir, { maxBytes: 200, logger: { warn: (_o, m) => warnings.push(m ?? '') } });
    for (let i = 0; i < 100; i++) await o.push(i);
    expect(o.bytes).toBeLessThanOrEqual(200);
    expect(o.dropped + o.size).toBe(100);
    expect(o.dropped).toBeGreaterThan(50);
    const kept = o.peek(1000);
    expect(kept[kept.length - 1]).toBe(99); // the newest are kept, in order
    kept.forEach((n, i) => i > 0 && expect(n).toBe(kept[i - 1] + 1));
    expect(warnings[0]).toMatch(/dropping the oldest/);
    await o.close();
  });

  it('block: push waits while full and goes on once delivery made room', async () => {
    const o = await openOutbox<number>(freshDir(), { maxBytes: 60, overflow: 'block' });
    let pushed = 0;
    const pushing = (async () => {
      for (let i = 0; i < 10; i++) {
        await o.push(i);
        pushed++;
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    expect(pushed).toBeLessThan(10);
    expect(o.dropped).toBe(0);
    const delivered: number[] = [];
    while (delivered.length < 10) {
      await o.whenNotEmpty(new AbortController().signal);
      const batch = o.peek(2);
      delivered.push(...batch);
      await o.ack(batch.length);
      await new Promise((r) => setImmediate(r));
    }
    await pushing;
    expect(delivered).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    await o.close();
  });

  it('rolls segments and deletes those fully delivered', async () => {
    const dir = freshDir();
    const o = await openOutbox<string>(dir, { segmentBytes: 256 });
    for (let i = 0; i < 100; i++) await o.push(`item ${i} ${'y'.repeat(20)}`);
    expect(segments(dir).length).toBeGreaterThan(5);
    await o.ack(95);
    await o.close(); // saves the head and removes the delivered segments
    expect(segments(dir).length).toBeLessThanOrEqual(2);
    const again = await openOutbox<string>(dir, { segmentBytes: 256 });
    expect(again.peek(10).map((s) => s.split(' ')[1])).toEqual(['95', '96', '97', '98', '99']);
    await again.close();
  });

  it('refuses a folder another live process holds, and takes over one left by a dead process', async () => {
    const dir = freshDir();
    writeFileSync(join(dir, 'lock'), String(process.ppid)); // the parent of this test: alive
    await expect(openOutbox(dir)).rejects.toThrow(/in use by process/);
    writeFileSync(join(dir, 'lock'), '999999999'); // no such process
    const o = await openOutbox(dir);
    await o.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });

  it('group commit: the pushes of one turn are written together and settle together, in order', async () => {
    const dir = freshDir();
    const o = await openOutbox<{ n: number; text: string }>(dir);
    await o.push({ n: -1, text: 'opens the segment file' });
    // Not awaited one by one: a publisher pushes what a turn brings, then goes on. One batch, one
    // Promise: the batch is encoded into one buffer and written with one call.
    const pushed = Array.from({ length: 1000 }, (_, n) => o.push({ n, text: n % 7 === 0 ? 'ünïcødé ✓' : 'plain' }));
    expect(new Set(pushed).size).toBe(1);
    await Promise.all(pushed);
    await o.close();
    const again = await openOutbox<{ n: number; text: string }>(dir);
    const items = again.peek(2000);
    expect(items.map((i) => i.n)).toEqual(Array.from({ length: 1001 }, (_, i) => i - 1));
    expect(items[8]).toEqual({ n: 7, text: 'ünïcødé ✓' });
    await again.close();
  });

  it('peek skips the items a publisher already has under way', async () => {
    const o = await openOutbox<number>(freshDir());
    for (let i = 0; i < 10; i++) void o.push(i);
    expect(o.peek(3, 4)).toEqual([4, 5, 6]);
    expect(o.peek(100, 8)).toEqual([8, 9]);
    expect(o.peek(5, 10)).toEqual([]);
    await o.ack(2);
    expect(o.peek(2, 1)).toEqual([3, 4]);
    await o.close();
  });

  it('refuses a value JSON cannot hold with a rejected push, and goes on with the next', async () => {
    const dir = freshDir();
    const o = await openOutbox<unknown>(dir);
    await expect(o.push(undefined)).rejects.toThrow(/JSON cannot hold/);
    await o.push('next');
    await o.close();
    const again = await openOutbox<unknown>(dir);
    expect(again.peek(10)).toEqual(['next']);
    await again.close();
  });

  it('block: pushes made while full keep their order, whatever their size', async () => {
    const o = await openOutbox<string>(freshDir(), { maxBytes: 100, overflow: 'block' });
    const order: string[] = [];
    const items = ['a'.repeat(60), 'big '.repeat(15), 's', 't', 'another '.repeat(8), 'u'];
    // All pushed in one turn, none awaited: the small ones must not overtake a big one held back.
    const pushes = items.map((item) => o.push(item).then(() => order.push(item)));
    const delivered: string[] = [];
    while (delivered.length < items.length) {
      await o.whenNotEmpty(new AbortController().signal);
      const [next] = o.peek(1);
      delivered.push(next);
      await o.ack(1);
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(pushes);
    expect(delivered).toEqual(items);
    expect(order).toEqual(items);
    await o.close();
  });

  it('saves its head one sync at a time: an acknowledgement during a sync never breaks the next', async () => {
    const dir = freshDir();
    const outbox = await openOutbox<number>(dir);
    for (let i = 0; i < 20; i++) await outbox.push(i);
    // The timer's sync and the next one (another timer, or close) overlap on a slow disk.
    const sync = (outbox as unknown as { sync(): Promise<void> }).sync.bind(outbox);
    const syncs: Array<Promise<void>> = [];
    for (let i = 0; i < 10; i++) {
      await outbox.ack(1);
      syncs.push(sync());
    }
    await expect(Promise.all(syncs)).resolves.toBeDefined();
    await outbox.close();
    const again = await openOutbox<number>(dir);
    expect(again.peek(100)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    await again.close();
  });

  it('pushes and delivers 50,000 items in order', async () => {
    const o = await openOutbox<number>(freshDir());
    await Promise.all(Array.from({ length: 50_000 }, (_, i) => o.push(i)));
    let next = 0;
    while (o.size > 0) {
      const batch = o.peek(500);
      batch.forEach((n) => expect(n).toBe(next++));
      await o.ack(batch.length);
    }
    expect(next).toBe(50_000);
    await o.close();
  }, 120_000); // every push is fsynced: a disk shared with other jobs can take far longer than the default 30 s
});
