import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_EPOCH, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import simulate from '../src/simulate.node';
import { createRandom } from '../src/simulation/prng';
import { createRandomWalk } from '../src/simulation/random-walk';

/** Replay files are relative to the files folder: here, the fixtures folder. */
const FIXTURES = join(__dirname, 'fixtures');

/** Lets the event loop turn until `done` holds (the flood runs on its own; jest's timeout bounds this). */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setImmediate(resolve));
}

let open: NodeUnderTest[] = [];
async function start(config: Record<string, unknown>, fakeTime = true): Promise<NodeUnderTest> {
  const h = await testNode(simulate, { config, fakeTime, filesDir: FIXTURES });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

describe('simulate: generated signals on a fake clock', () => {
  it('sends a first sample at start, then one per interval, stamped with the clock', async () => {
    const h = await start({
      tag: 'pump3/flow',
      unit: 'm3/h',
      intervalMs: 1000,
      signal: { kind: 'ramp', from: 0, to: 100, periodSeconds: 10 },
    });
    expect(h.outputs()).toHaveLength(1);
    await h.advance(4000);
    const out = h.outputs();
    expect(out.map((m) => m.timestamp)).toEqual([0, 1000, 2000, 3000, 4000].map((t) => FAKE_EPOCH + t));
    expect(out.map((m) => m.payload)).toEqual([0, 10, 20, 30, 40]);
    for (const m of out) expect(m).toMatchObject({ topic: 'pump3/flow', unit: 'm3/h', quality: 'good' });
  });

  it('sends the next sample when its inject button is pressed, and nothing once its count is reached', async () => {
    const h = await start({
      intervalMs: 1000,
      count: 3,
      signal: { kind: 'ramp', from: 0, to: 100, periodSeconds: 10 },
    });
    await h.advance(500);
    await h.trigger();
    expect(h.payloads()).toEqual([0, 5]);
    await h.advance(500);
    expect(h.payloads()).toEqual([0, 5, 10]);
    expect(h.status).toEqual({ state: 'idle', text: 'done: 3 samples sent' });
    await h.trigger();
    expect(h.payloads()).toHaveLength(3);
  });

  it('computes the sine from the time since start', async () => {
    const signal = { kind: 'sine', amplitude: 2, offset: 10, periodSeconds: 8, noise: 0 };
    const h = await start({ intervalMs: 500, signal });
    await h.advance(10_000);
    const payloads = h.payloads() as number[];
    expect(payloads).toHaveLength(21);
    payloads.forEach((value, i) => expect(value).toBeCloseTo(10 + 2 * Math.sin((2 * Math.PI * i * 500) / 8000), 10));
  });

  it('uses the defaults: sim/value, one sample a second, a noisy sine around 50, no unit', async () => {
    const h = await start({});
    await h.advance(59_000);
    const out = h.outputs();
    expect(out).toHaveLength(60);
    expect(out[0].topic).toBe('sim/value');
    expect(out[0]).not.toHaveProperty('unit');
    const values = out.map((m) => m.payload as number);
    expect(Math.max(...values)).toBeGreaterThan(57);
    expect(Math.min(...values)).toBeLessThan(43);
    // With noise, a value rarely equals the pure sine.
    expect(values.filter((v, i) => v !== 50 + 10 * Math.sin((2 * Math.PI * i) / 60)).length).toBeGreaterThan(55);
  });

  it('repeats the same values for the same seed and differs for another seed', async () => {
    const signal = { kind: 'sine', amplitude: 5, offset: 0, periodSeconds: 30, noise: 1 };
    const run = async (seed: number) => {
      const h = await start({ seed, intervalMs: 100, signal });
      await h.advance(2000);
      return h.payloads();
    };
    const first = await run(42);
    expect(first).toHaveLength(21);
    expect(await run(42)).toEqual(first);
    expect(await run(43)).not.toEqual(first);
  });

  it('keeps a seeded random walk within its bounds, step by step', async () => {
    const walk = { kind: 'random-walk', start: 2, step: 1.5, min: 0, max: 4 };
    const h = await start({ seed: 9, intervalMs: 10, signal: walk });
    await h.advance(9_990);
    const values = h.payloads() as number[];
    expect(values).toHaveLength(1000);
    const expected = createRandomWalk({ start: 2, step: 1.5, min: 0, max: 4 }, createRandom(9));
    expect(values).toEqual(Array.from({ length: 1000 }, () => expected()));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(4);
  });

  it('stops after `count` samples and says so', async () => {
    const h = await start({
      count: 3,
      intervalMs: 1000,
      signal: { kind: 'step', low: 0, high: 1, periodSeconds: 2, duty: 0.5 },
    });
    await h.advance(10_000);
    expect(h.payloads()).toEqual([1, 0, 1]);
    expect(h.status).toEqual({ state: 'idle', text: 'done: 3 samples sent' });
  });

  it("sends every Nth sample with quality 'bad'", async () => {
    const h = await start({ badEvery: 3, intervalMs: 1000, signal: { kind: 'ramp' } });
    await h.advance(6000);
    expect(h.outputs().map((m) => m.quality)).toEqual(['good', 'good', 'bad', 'good', 'good', 'bad', 'good']);
  });

  it('shows the number of samples sent in its status', async () => {
    const h = await start({ intervalMs: 1000, signal: { kind: 'ramp' } });
    await h.advance(4000);
    expect(h.status).toEqual({ state: 'ok', text: '5 samples sent' });
  });

  it('refuses configs the schema rules out', async () => {
    await expect(testNode(simulate, { config: { intervalMs: -1 } })).rejects.toThrow(/intervalMs/);
    await expect(testNode(simulate, { config: { signal: { kind: 'square' } } })).rejects.toThrow(/signal/);
    await expect(testNode(simulate, { config: { signal: { kind: 'ramp', periodSeconds: 0 } } })).rejects.toThrow();
    await expect(testNode(simulate, { config: { rate: 5 } })).rejects.toThrow(/rate/);
  });

  it('refuses a random walk whose start lies outside its bounds, at deploy', async () => {
    await expect(
      testNode(simulate, { config: { signal: { kind: 'random-walk', start: 500, min: 0, max: 100 } } }),
    ).rejects.toThrow(/start \(500\)/);
  });
});

describe('simulate: flood mode (intervalMs 0)', () => {
  it('delivers every one of `count` samples, in order, then stops', async () => {
    const count = 100_000;
    const h = await start({
      intervalMs: 0,
      count,
      seed: 7,
      signal: { kind: 'random-walk', start: 0, step: 1, min: -1000, max: 1000 },
    });
    await until(() => h.status?.state === 'idle');
    const values = h.payloads();
    expect(values).toHaveLength(count);
    const expected = createRandomWalk({ start: 0, step: 1, min: -1000, max: 1000 }, createRandom(7));
    let mismatches = 0;
    for (const value of values) if (value !== expected()) mismatches++;
    expect(mismatches).toBe(0);
    expect(h.status).toEqual({ state: 'idle', text: `done: ${count} samples sent` });
    for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(h.payloads()).toHaveLength(count);
  });

  it('yields to the event loop while flooding, and stops when closed', async () => {
    const h = await start({ intervalMs: 0, signal: { kind: 'ramp' } }, false);
    // A flood that never yielded would starve this timer and the test would time out.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await until(() => h.outputs().length > 5000);
    expect(h.status?.state).toBe('ok');
    await h.close();
    const sent = h.outputs().length;
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(h.outputs()).toHaveLength(sent);
  });
});

describe('simulate: CSV replay', () => {
  it('replays the values at the configured rate, stamped with the send time, then stops', async () => {
    const h = await start({ intervalMs: 1000, signal: { kind: 'replay', file: 'replay-pump.csv' } });
    await h.advance(10_000);
    expect(h.payloads()).toEqual([10.5, 11, 12.25, 11.75]);
    expect(h.outputs().map((m) => m.timestamp)).toEqual([0, 1000, 2000, 3000].map((t) => FAKE_EPOCH + t));
    expect(h.status).toEqual({ state: 'idle', text: 'replay finished' });
  });

  it("stamps messages with the file's timestamps when asked", async () => {
    const h = await start({
      intervalMs: 1000,
      signal: { kind: 'replay', file: 'replay-epoch.csv', useFileTimestamps: true },
    });
    await h.advance(5000);
    expect(h.outputs().map((m) => [m.timestamp, m.payload])).toEqual([
      [1748764800000, 3],
      [1748764801000, 1],
      [1748764802000, 4],
    ]);
  });

  it('loops over the file when asked, keeping file time moving forward', async () => {
    const file = 'replay-epoch.csv';
    const h = await start({ intervalMs: 1000, signal: { kind: 'replay', file, loop: true, useFileTimestamps: true } });
    await h.advance(6000);
    expect(h.payloads()).toEqual([3, 1, 4, 3, 1, 4, 3]);
    const times = h.outputs().map((m) => m.timestamp);
    expect(times.slice(3)).toEqual([1748764803000, 1748764804000, 1748764805000, 1748764806000]);
    expect(h.status?.state).toBe('ok');
  });

  it('replays as fast as possible in flood mode', async () => {
    const h = await start({ intervalMs: 0, signal: { kind: 'replay', file: 'replay-pump.csv' } });
    await until(() => h.status?.state === 'idle');
    expect(h.payloads()).toEqual([10.5, 11, 12.25, 11.75]);
    expect(h.status?.text).toBe('replay finished');
  });

  it('refuses a malformed file at deploy, naming the file and the line', async () => {
    const file = 'replay-malformed.csv';
    const refused = testNode(simulate, { config: { signal: { kind: 'replay', file } }, filesDir: FIXTURES });
    await expect(refused).rejects.toThrow(`${file} line 4: "eleven" is not a number`);
  });

  it('refuses a missing file at deploy, naming it', async () => {
    const file = 'no-such-recording.csv';
    await expect(
      testNode(simulate, { config: { signal: { kind: 'replay', file } }, filesDir: FIXTURES }),
    ).rejects.toThrow(`replay file ${file} does not exist (looked for ${join(FIXTURES, file)})`);
  });
});

describe('simulate: a replay file only from the files folder', () => {
  let dataDir: string;
  let files: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tagflow-replay-'));
    files = join(dataDir, 'files');
    await mkdir(files);
    await writeFile(join(dataDir, 'secret.key'), '1767225600000,1\n');
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  const replay = (file: string) => testNode(simulate, { config: { signal: { kind: 'replay', file } }, dataDir });

  it('reads a relative path from <data dir>/files', async () => {
    await mkdir(join(files, 'recordings'));
    await writeFile(join(files, 'recordings', 'pump3.csv'), '1767225600000,4.5\n');
    const h = await replay('recordings/pump3.csv');
    open.push(h);
    expect(h.payloads()).toEqual([4.5]);
  });

  it.each([
    ['../secret.key', '"../secret.key" climbs out of the files folder with ".."'],
    ['/etc/passwd', '"/etc/passwd" is an absolute path, outside the files folder'],
  ])('refuses %s at deploy, naming it', async (file, says) => {
    const refused = replay(file);
    await expect(refused).rejects.toThrow('/nodes/0/config/signal/file: node ');
    await expect(refused).rejects.toThrow(`: ${says}`);
    await expect(refused).rejects.toThrow('[FILE_OUTSIDE_ROOT]');
  });

  it('refuses at deploy a symbolic link out of the files folder, naming the node and the file', async () => {
    await symlink(join(dataDir, 'secret.key'), join(files, 'key.csv'));
    await expect(replay('key.csv')).rejects.toThrow(
      `node "node-under-test": "key.csv" leads outside the files folder ${files} through a symbolic link (to ${join(dataDir, 'secret.key')})`,
    );
  });
});
