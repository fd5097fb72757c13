import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import threshold from '../src/threshold.node';

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('threshold', () => {
  it('raises once and clears once when a value chatters around the high limit', async () => {
    const above = 50;
    const hysteresis = 2;
    h = await testNode(threshold, { config: { above, hysteresis } });
    const values = [45, 49.9, 50, 50.5, 49.5, 51, 48.5, 50.2, 48, 49.9, 47.9, 48.5, 49.99, 50];
    for (const v of values) await h.send({ payload: v, topic: 'tank/level' });

    const raisedAt = values.findIndex((v) => v > above);
    const clearedAt = values.findIndex((v, i) => i > raisedAt && v < above - hysteresis);
    expect(h.payloads()).toEqual([
      { alarm: 'high', state: 'raised', value: values[raisedAt], limit: above },
      { alarm: 'high', state: 'cleared', value: values[clearedAt], limit: above },
    ]);
    expect(h.outputs().every((m) => m.topic === 'tank/level')).toBe(true);
  });

  it('with no hysteresis, a value equal to the limit neither raises nor clears', async () => {
    h = await testNode(threshold, { config: { above: 10 } });
    await h.send(10);
    expect(h.payloads()).toEqual([]);
    await h.send(10.001);
    await h.send(10);
    await h.send(10);
    expect(h.payloads()).toEqual([{ alarm: 'high', state: 'raised', value: 10.001, limit: 10 }]);
    await h.send(9.999);
    expect(h.payloads()).toHaveLength(2);
  });

  it('mirrors the low alarm: raised below the limit, cleared above limit + hysteresis', async () => {
    h = await testNode(threshold, { config: { below: 20, hysteresis: 5 } });
    for (const v of [30, 19, 24, 25, 15, 25.1, 22]) await h.send(v);
    expect(h.payloads()).toEqual([
      { alarm: 'low', state: 'raised', value: 19, limit: 20 },
      { alarm: 'low', state: 'cleared', value: 25.1, limit: 20 },
    ]);
  });

  it('reports a jump from the high to the low alarm as a clear then a raise, on the sample that jumped', async () => {
    h = await testNode(threshold, { config: { above: 80, below: 20, hysteresis: 5 } });
    await h.send({ payload: 90, timestamp: 1000 });
    await h.send({ payload: 10, timestamp: 2000 });
    const out = h.outputs();
    expect(out.map((m) => m.payload)).toEqual([
      { alarm: 'high', state: 'raised', value: 90, limit: 80 },
      { alarm: 'high', state: 'cleared', value: 10, limit: 80 },
      { alarm: 'low', state: 'raised', value: 10, limit: 20 },
    ]);
    expect(out.map((m) => m.timestamp)).toEqual([1000, 2000, 2000]);
  });

  it('with passThrough sends every value on "samples" marked with the active alarm, alarms only on "out"', async () => {
    h = await testNode(threshold, { config: { above: 50, below: 10, hysteresis: 1, passThrough: true } });
    const values = [30, 55, 49.5, 48, 5, 10.5, 12];
    for (const v of values) await h.send({ payload: v, quality: 'good', unit: 'bar' });

    // The active alarm after each value, worked out from the rule, one value at a time.
    let state: 'high' | 'low' | null = null;
    const expected = values.map((v) => {
      if (state === 'high' && v < 49) state = null;
      if (state === 'low' && v > 11) state = null;
      if (v > 50) state = 'high';
      if (v < 10) state = 'low';
      return state;
    });
    const samples = h.outputs('samples');
    expect(samples.map((m) => m.payload)).toEqual(values);
    expect(samples.map((m) => m.alarm)).toEqual(expected);
    expect(samples.every((m) => m.unit === 'bar')).toBe(true);
    expect((h.payloads('out') as Array<{ state: string }>).map((p) => p.state)).toEqual([
      'raised',
      'cleared',
      'raised',
      'cleared',
    ]);
  });

  it('sends nothing on "samples" without passThrough', async () => {
    h = await testNode(threshold, { config: { above: 1 } });
    await h.send(0);
    await h.send(2);
    expect(h.outputs('samples')).toEqual([]);
    expect(h.outputs('out')).toHaveLength(1);
  });

  it('does not let bad-quality values raise or clear an alarm', async () => {
    h = await testNode(threshold, { config: { above: 50, passThrough: true } });
    await h.send({ payload: 99, quality: 'bad' });
    expect(h.payloads()).toEqual([]);
    await h.send({ payload: 60, quality: 'uncertain' });
    expect(h.outputs()).toHaveLength(1);
    expect(h.outputs()[0].quality).toBe('uncertain');
    await h.send({ payload: 0, quality: 'bad' });
    await h.send({ payload: null, quality: 'bad' });
    expect(h.outputs()).toHaveLength(1);
    expect(h.errors).toEqual([]);
    expect(h.outputs('samples').map((m) => m.alarm)).toEqual([null, 'high', 'high', 'high']);
    await h.send(10);
    expect((h.payloads().at(-1) as { state: string }).state).toBe('cleared');
  });

  it('reports a non-numeric payload as NOT_A_NUMBER and keeps the alarm state', async () => {
    h = await testNode(threshold, { config: { above: 50, hysteresis: 5 } });
    await h.send(60);
    await h.send('low');
    await h.send({ payload: { value: 0 } });
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER']);
    await h.send(55); // still above the clear limit: nothing new
    expect(h.payloads()).toHaveLength(1);
    await h.send(40);
    expect(h.payloads().map((p) => (p as { state: string }).state)).toEqual(['raised', 'cleared']);
  });

  it('shows the alarm state in its status', async () => {
    h = await testNode(threshold, { config: { above: 50, below: 10 } });
    expect(h.status?.text).toBe('normal');
    await h.send(51);
    expect(h.status?.text).toMatch(/HIGH/);
    await h.send(5);
    expect(h.status?.text).toMatch(/LOW/);
    await h.send(30);
    expect(h.status?.text).toBe('normal');
  });

  it('refuses a config with no limit, and limits whose alarms could overlap', async () => {
    await expect(testNode(threshold, { config: { hysteresis: 1 } })).rejects.toThrow(
      /Set at least one limit: High limit or Low limit/,
    );
    await expect(testNode(threshold, { config: { above: 50, below: 48, hysteresis: 5 } })).rejects.toThrow(/low limit/);
  });
});

describe('threshold: persist (issue 16)', () => {
  const flow = (persist: boolean) => ({
    schemaVersion: 1,
    id: 'alarm-persist',
    nodes: [{ id: 'high', type: 'threshold', typeVersion: 1, config: { above: 50, hysteresis: 5, persist } }],
    edges: [],
  });

  it('an alarm raised before a restart is not raised again, and is cleared after it', async () => {
    const f = await runFlow(flow(true), { nodes: [threshold] });
    await f.inject('high', 60);
    await f.engine.stop();
    await f.engine.deploy(flow(true));
    expect(f.statuses('high').at(-1)).toMatchObject({ text: 'alarm HIGH (above 50)' });
    await f.inject('high', 70);
    await f.inject('high', 40);
    expect(f.payloads('high')).toEqual([
      { alarm: 'high', state: 'raised', value: 60, limit: 50 },
      { alarm: 'high', state: 'cleared', value: 40, limit: 50 },
    ]);
    expect(f.errors).toEqual([]);
    await f.stop();
  });

  it('without persist, a restart starts normal and raises the alarm again', async () => {
    const f = await runFlow(flow(false), { nodes: [threshold] });
    await f.inject('high', 60);
    await f.engine.stop();
    await f.engine.deploy(flow(false));
    await f.inject('high', 70);
    expect(f.payloads('high').map((p) => (p as { state: string }).state)).toEqual(['raised', 'raised']);
    await f.stop();
  });
});
