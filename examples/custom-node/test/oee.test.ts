import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import oee from '../src/oee.node';

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

type State = 'running' | 'stopped' | 'idle';
/** What a test fed the node, at whole seconds from the start. */
type Event = { second: number; state: State } | { second: number; good: number; total: number };

/**
 * OEE the slow, obvious way, independent of the node's code: the state of every second of the
 * window is looked up from the events, and counts are summed over the window.
 */
function reference(events: Event[], nowSecond: number, windowSeconds: number, idealCycleSeconds: number) {
  let run = 0;
  let planned = 0;
  for (let s = nowSecond - windowSeconds; s < nowSecond; s++) {
    let state: State | undefined;
    for (const e of events) if ('state' in e && e.second <= s) state = e.state;
    if (state === 'running') run++;
    if (state === 'running' || state === 'stopped') planned++;
  }
  let good = 0;
  let total = 0;
  for (const e of events) {
    if ('total' in e && e.second >= nowSecond - windowSeconds && e.second < nowSecond) {
      good += e.good;
      total += e.total;
    }
  }
  const availability = planned > 0 ? run / planned : 0;
  const performance = run > 0 ? Math.min(1, (total * idealCycleSeconds) / run) : 0;
  const quality = total > 0 ? good / total : 0;
  return {
    availability,
    performance,
    quality,
    oee: availability * performance * quality,
    runSeconds: run,
    plannedSeconds: planned,
    good,
    total,
  };
}

function expectFigures(actual: unknown, expected: Record<string, number>): void {
  const got = actual as Record<string, number>;
  expect(Object.keys(got).sort()).toEqual(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) expect([key, got[key]]).toEqual([key, expect.closeTo(expected[key], 9)]);
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('oee', () => {
  it('computes availability, performance and quality of a simple shift', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 2, windowSeconds: 60, emitEveryMs: 60_000 } });
    // 40 s running, 20 s stopped; 15 parts of which 12 good.
    await h.send('running');
    await h.advance(20_000);
    await h.send({ good: 6, total: 8 });
    await h.advance(20_000);
    await h.send({ state: 'stopped', good: 6, total: 7 });
    await h.advance(20_000);
    const [out] = h.outputs();
    expect(out.quality).toBe('good');
    expectFigures(out.payload, {
      availability: 40 / 60,
      performance: (15 * 2) / 40,
      quality: 12 / 15,
      oee: (40 / 60) * ((15 * 2) / 40) * (12 / 15),
      runSeconds: 40,
      plannedSeconds: 60,
      good: 12,
      total: 15,
    });
    expect(h.status?.text).toBe('OEE 40.0 % (A 66.7 %, P 75.0 %, Q 80.0 %)');
  });

  it('matches the reference computation over a long random run, every emission', async () => {
    const config = { idealCycleTimeSeconds: 1.5, windowSeconds: 300, emitEveryMs: 7_000 };
    h = await testNode(oee, { config });
    const next = random(7);
    const events: Event[] = [];
    const states: State[] = ['running', 'stopped', 'idle'];
    for (let second = 0; second < 1800; second++) {
      if (second === 0 || next() < 0.02) {
        const state = states[next() < 0.7 ? 0 : next() < 0.6 ? 1 : 2];
        events.push({ second, state });
        await h.send({ state });
      }
      if (next() < 0.4) {
        const total = 1 + Math.floor(next() * 2);
        const good = next() < 0.9 ? total : total - 1;
        events.push({ second, good, total });
        await h.send({ good, total });
      }
      await h.advance(1000);
    }
    const outputs = h.outputs();
    expect(outputs).toHaveLength(Math.floor(1_800_000 / 7_000));
    for (const [i, msg] of outputs.entries()) {
      const nowSecond = ((i + 1) * 7_000) / 1000;
      // The reference works in whole seconds: compare at emissions that fall on one.
      if (!Number.isInteger(nowSecond)) continue;
      expectFigures(msg.payload, reference(events, nowSecond, 300, 1.5));
      expect(msg.quality).toBe(nowSecond >= 300 ? 'good' : 'uncertain');
    }
  });

  it('sends quality uncertain until the state is known for a whole window', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 1, windowSeconds: 30, emitEveryMs: 10_000 } });
    await h.advance(10_000); // no state yet
    await h.send('running'); // known from 10 s: a whole window at 40 s
    await h.advance(40_000);
    expect(h.outputs().map((m) => m.quality)).toEqual(['uncertain', 'uncertain', 'uncertain', 'good', 'good']);
    expect(h.outputs()[4]).toMatchObject({ windowStart: h.now() - 30_000, windowEnd: h.now(), timestamp: h.now() });
    expect(h.statuses.map((s) => s.state)).toEqual(['idle', 'idle', 'idle', 'ok', 'ok']);
  });

  it('leaves idle time (planned downtime) out of availability', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 1, windowSeconds: 100, emitEveryMs: 100_000 } });
    await h.send(true); // a running bit
    await h.advance(30_000);
    await h.send('Idle');
    await h.advance(50_000);
    await h.send(false);
    await h.advance(20_000);
    expect(h.payloads()[0]).toMatchObject({ availability: 30 / 50, runSeconds: 30, plannedSeconds: 50 });
  });

  it('turns cumulative counters into increments, and takes a counter that goes down as a reset', async () => {
    h = await testNode(oee, {
      config: { idealCycleTimeSeconds: 1, windowSeconds: 60, emitEveryMs: 60_000, counters: 'cumulative' },
    });
    await h.send('running');
    await h.send({ good: 1000, total: 1010 }); // the baseline: counted from here
    await h.advance(10_000);
    await h.send({ good: 1018, total: 1030 }); // +18 good of +20
    await h.advance(10_000);
    await h.send({ good: 5, total: 6 }); // reset, then 5 of 6
    await h.advance(40_000);
    expect(h.payloads()[0]).toMatchObject({ good: 23, total: 26, quality: 23 / 26 });
    expect(h.logs.some((l) => /reset to 0/.test(l.message))).toBe(true);
  });

  it('caps performance at 1 and says why in its status', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 10, windowSeconds: 60, emitEveryMs: 60_000 } });
    await h.send('running');
    await h.send({ good: 60, total: 60 }); // 60 parts in 60 s cannot be done at 10 s a part
    await h.advance(60_000);
    expect(h.payloads()[0]).toMatchObject({ performance: 1, availability: 1, quality: 1, oee: 1 });
    expect(h.status?.text).toMatch(/check idealCycleTimeSeconds/);
  });

  it('gives 0 for ratios with nothing to divide by', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 1, windowSeconds: 10, emitEveryMs: 10_000 } });
    await h.send('idle');
    await h.advance(10_000);
    expect(h.payloads()).toEqual([
      { availability: 0, performance: 0, quality: 0, oee: 0, runSeconds: 0, plannedSeconds: 0, good: 0, total: 0 },
    ]);
  });

  it('forgets what slid out of the window', async () => {
    h = await testNode(oee, {
      config: { idealCycleTimeSeconds: 1, windowSeconds: 10, emitEveryMs: 10_000, topic: 'line1/press/oee' },
    });
    await h.send('stopped');
    await h.send({ good: 0, total: 3 });
    await h.advance(10_000);
    await h.send('running');
    await h.send({ good: 5, total: 5 });
    await h.advance(10_000);
    expect(h.outputs()[1]).toMatchObject({
      topic: 'line1/press/oee',
      payload: { availability: 1, performance: 0.5, quality: 1, good: 5, total: 5 },
    });
  });

  it('places events at their source timestamp, never in the future', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 1, windowSeconds: 60, emitEveryMs: 60_000 } });
    const start = h.now();
    await h.send('stopped');
    await h.advance(30_000);
    await h.send({ payload: 'running', timestamp: start + 20_000 }); // reported late by the gateway
    await h.send({ payload: { good: 1, total: 1 }, timestamp: start + 999_999 }); // a clock ahead: taken as now
    await h.advance(30_000);
    expect(h.payloads()[0]).toMatchObject({ runSeconds: 40, plannedSeconds: 60, total: 1 });
  });

  it('reports malformed input as NodeErrors and keeps going', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 1, windowSeconds: 10, emitEveryMs: 10_000 } });
    await h.send('running');
    await h.send('exploded');
    await h.send(42);
    await h.send({ temperature: 80 });
    await h.send({ good: 3 });
    await h.send({ good: 5, total: 4 });
    await h.send({ good: -1, total: 4 });
    await h.send({ good: 4, total: 4 });
    await h.advance(10_000);
    expect(h.errors.map((e) => e.code)).toEqual([
      'OEE_STATE',
      'OEE_INPUT',
      'OEE_INPUT',
      'OEE_COUNTS',
      'OEE_COUNTS',
      'OEE_COUNTS',
    ]);
    expect(h.errors[0].message).toBe(
      'unknown machine state "exploded": expected running, stopped, idle (or true/false)',
    );
    expect(h.errors[4].message).toBe('good (5) cannot exceed total (4)');
    expect(h.errors.every((e) => e.stack === undefined)).toBe(true);
    expect(h.payloads()[0]).toMatchObject({ good: 4, total: 4 });
  });

  it('refuses a config without the ideal cycle time, or with a window under a second', async () => {
    await expect(testNode(oee, { config: {} })).rejects.toThrow(/idealCycleTimeSeconds/);
    await expect(testNode(oee, { config: { idealCycleTimeSeconds: 1, windowSeconds: 0.5 } })).rejects.toThrow(
      /windowSeconds/,
    );
  });

  it('stops sending when closed', async () => {
    h = await testNode(oee, { config: { idealCycleTimeSeconds: 1, windowSeconds: 10, emitEveryMs: 1000 } });
    await h.advance(3000);
    expect(h.outputs()).toHaveLength(3);
    await h.close();
    await h.advance(5000);
    expect(h.outputs()).toHaveLength(3);
    h = undefined;
  });
});
