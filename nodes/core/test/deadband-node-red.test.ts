import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import deadband from '../src/deadband.node';

// Cases from Node-RED's rbe tests (test/nodes/core/function/rbe_spec.js), restated for tagflow's
// deadband config. Each names the Node-RED case it covers.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function start(config: Record<string, unknown>): Promise<NodeUnderTest> {
  const h = await testNode(deadband, { config });
  open.push(h);
  return h;
}

/** Sends each message (a bare value becomes the payload) and returns the payloads passed. */
async function passed(config: Record<string, unknown>, inputs: unknown[]): Promise<unknown[]> {
  const h = await start(config);
  for (const input of inputs) await h.send(input);
  expect(h.errors).toEqual([]);
  return h.payloads();
}

describe('deadband: Node-RED rbe cases', () => {
  it('compare any: texts, numbers, objects by content and booleans pass only when they change, per topic', async () => {
    // "should only send output if payload changes - with multiple topics (rbe)".
    const inputs = [
      'a',
      'a',
      'a',
      2,
      2,
      { b: 1, c: 2 },
      { c: 2, b: 1 },
      { c: 2, b: 1 },
      true,
      false,
      false,
      true,
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'a', payload: 1 },
      { topic: 'c', payload: 1 },
    ];
    const h = await start({ compare: 'any' });
    for (const input of inputs) await h.send(input);
    expect(h.outputs().map((m) => [m.topic, m.payload])).toEqual([
      [undefined, 'a'],
      [undefined, 2],
      [undefined, { b: 1, c: 2 }],
      [undefined, true],
      [undefined, false],
      [undefined, true],
      ['a', 1],
      ['b', 1],
      ['c', 1],
    ]);
  });

  it('perTopic off: one reference for every topic', async () => {
    // "should ignore multiple topics if told to (rbe)".
    const inputs = [
      { topic: 'a', payload: 'a' },
      { topic: 'b', payload: 'a' },
      { topic: 'c', payload: 'a' },
      { topic: 'a', payload: 2 },
      { topic: 'b', payload: 2 },
      { b: 1, c: 2, payload: { b: 1, c: 2 } },
      { payload: { c: 2, b: 1 } },
      { topic: 'a', payload: true },
      { topic: 'b', payload: false },
      { topic: 'c', payload: false },
      { topic: 'd', payload: true },
      { topic: 'a', payload: 1 },
      { topic: 'b', payload: 1 },
      { topic: 'a', payload: 2 },
    ];
    expect(await passed({ compare: 'any', perTopic: false }, inputs)).toEqual([
      'a',
      2,
      { b: 1, c: 2 },
      true,
      false,
      true,
      1,
      2,
    ]);
  });

  it('compares another property and ignores messages without it', async () => {
    // "should only send output if another chosen property changes - foo (rbe)".
    const h = await start({ compare: 'any', property: 'foo' });
    const inputs = [
      { payload: 0, foo: 'a' },
      { payload: 'a' },
      { payload: 0, foo: 'a' },
      { payload: 'a' },
      { payload: 0, foo: 'a' },
      { payload: 0, foo: 'b' },
      { payload: 0, foo: { b: 1, c: 2 } },
      { payload: 0, foo: { c: 2, b: 1 } },
      { payload: { c: 2, b: 1 } },
    ];
    for (const input of inputs) await h.send(input);
    expect(h.outputs().map((m) => m.foo)).toEqual(['a', 'b', { b: 1, c: 2 }]);
  });

  it('ignoreFirst: the first value of each topic only sets the reference', async () => {
    // "should only send output if payload changes - ignoring first value (rbei)".
    const h = await start({ compare: 'any', ignoreFirst: true });
    for (const input of [
      { payload: 'a', topic: 'a' },
      { payload: 'a', topic: 'b' },
      { payload: 'a', topic: 'a' },
      { payload: 'b', topic: 'a' },
      { payload: 'b', topic: 'b' },
      { payload: 'c', topic: 'a' },
      { payload: 'c', topic: 'b' },
    ])
      await h.send(input);
    expect(h.outputs().map((m) => [m.topic, m.payload])).toEqual([
      ['a', 'b'],
      ['b', 'b'],
      ['a', 'c'],
      ['b', 'c'],
    ]);
  });

  it('a message with reset forgets its topic, or every topic', async () => {
    // "should send output if queue is reset (rbe)".
    const h = await start({ compare: 'any' });
    const inputs = [
      { topic: 'a', payload: 'a' },
      { topic: 'a', payload: 'a' },
      { topic: 'b', payload: 'b' },
      { payload: undefined, reset: true },
      { topic: 'a', payload: 'a' },
      { topic: 'b', payload: 'b' },
      { topic: 'b', payload: 'b' },
      { topic: 'b', payload: undefined, reset: '' },
      { topic: 'b', payload: 'b' },
      { topic: 'a', payload: 'a' },
      { payload: undefined, reset: '' },
      { topic: 'b', payload: 'b' },
      { topic: 'a', payload: 'a' },
      { topic: 'c', payload: undefined },
      { topic: 'b', payload: 'b' },
      { topic: 'a', payload: 'a' },
      { topic: 'c', payload: 'c' },
    ];
    for (const input of inputs) await h.send(input);
    expect(h.payloads()).toEqual(['a', 'b', 'a', 'b', 'b', 'b', 'a', 'c']);
  });

  it('inclusive: a change of exactly the band passes (deadbandEq)', async () => {
    // "should only send output if x away from original value (deadbandEq)".
    expect(await passed({ band: 10, inclusive: true }, [0, 2, 4, 6, 8, 10, 15, 20])).toEqual([0, 10, 20]);
  });

  it('a change must exceed the band; numeric text is refused, not parsed (deadband)', async () => {
    // "should only send output if more than x away from original value (deadband)"; tagflow reports
    // "6 deg" as NOT_A_NUMBER where Node-RED reads 6 (a documented difference).
    const h = await start({ band: 10 });
    for (const v of [0, 2, 4, '6 deg', 8, 20, 15]) await h.send(v);
    expect(h.payloads()).toEqual([0, 20]);
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER']);
  });

  it('percent band (deadband 10%)', async () => {
    // "should only send output if more than x% away from original value (deadband)".
    expect(await passed({ mode: 'percent', band: 10 }, [100, 95, 105, 111, 120, 135])).toEqual([100, 111, 135]);
  });

  it('reports a value that is no number (warn if no number found)', async () => {
    // "should warn if no number found in deadband mode": nothing is passed, the user is told.
    const h = await start({ band: 10 });
    await h.send('banana');
    expect(h.payloads()).toEqual([]);
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER']);
  });

  it('narrowband with a start value, exactly the band counting as moved (narrowbandEq)', async () => {
    // "should not send output if x away or greater from original value (narrowbandEq)".
    expect(
      await passed({ filter: 'narrowband', band: 10, inclusive: true, startValue: 1 }, [100, 0, 10, 5, 15, 10, 20, 25]),
    ).toEqual([0, 5, 10]);
  });

  it('narrowband drops values more than the band away (narrowband)', async () => {
    // "should not send output if more than x away from original value (narrowband)" (numbers only).
    expect(await passed({ filter: 'narrowband', band: 10 }, [0, 20, 40, 6, 18, 20, 50, 5])).toEqual([0, 6, 5]);
  });

  it('narrowband with band 0 passes repeats of the same value', async () => {
    // "should send output if gap is 0 and input doesnt change (narrowband)".
    expect(await passed({ filter: 'narrowband', band: 0 }, [1, 1, 1, 1, 0, 1])).toEqual([1, 1, 1, 1, 1]);
  });

  it('narrowband compared with the last value received, from a start value (step mode)', async () => {
    // "should not send output if more than x away from original value (narrowband in step mode)".
    expect(
      await passed({ filter: 'narrowband', band: 10, compareWith: 'received', startValue: 500 }, [50, 55, 200, 205]),
    ).toEqual([55, 205]);
  });

  it('compareWith received: a slow drift never passes, a step does', async () => {
    expect(await passed({ band: 1, compareWith: 'received' }, [10, 10.8, 11.6, 12.4, 14])).toEqual([10, 14]);
  });
});

describe('deadband: persist', () => {
  const flow = (persist: boolean) => ({
    schemaVersion: 1,
    id: 'persist',
    nodes: [{ id: 'rbe', type: 'deadband', typeVersion: 1, config: { band: 1, persist } }],
    edges: [],
  });

  it('with persist, the last value passed survives a restart of the flow', async () => {
    const f = await runFlow(flow(true), { nodes: [deadband] });
    await f.inject('rbe', 10);
    await f.inject('rbe', 10.5);
    await f.engine.stop();
    expect(await f.engine.deploy(flow(true))).toMatchObject({ ok: true });
    // 10.8 is within the band of the 10 passed before the restart: dropped; 11.2 is not.
    await f.inject('rbe', 10.8);
    await f.inject('rbe', 11.2);
    expect(f.payloads('rbe')).toEqual([10, 11.2]);
    expect(f.statuses('rbe').at(-1)).toMatchObject({ text: '1 tag' });
    expect(f.errors).toEqual([]);
    await f.stop();
  });

  it('with persist, the reference survives a restart of the runtime (same data dir)', async () => {
    const first = await runFlow(flow(true), { nodes: [deadband] });
    await first.inject('rbe', 10);
    await first.stop();
    const second = await runFlow(flow(true), { nodes: [deadband], dataDir: first.dataDir });
    await second.inject('rbe', 10.5); // within the band of the 10 passed before the restart
    await second.inject('rbe', 12);
    expect(second.payloads('rbe')).toEqual([12]);
    expect(second.errors).toEqual([]);
    await second.stop();
  });

  it('without persist, a restart starts empty, and turning it on later brings back nothing stale', async () => {
    const f = await runFlow(flow(true), { nodes: [deadband] });
    await f.inject('rbe', 10);
    await f.engine.stop();
    await f.engine.deploy(flow(false));
    await f.inject('rbe', 10.5); // a first value again: passes
    await f.engine.stop();
    await f.engine.deploy(flow(true));
    await f.inject('rbe', 10.2); // nothing was restored: passes
    expect(f.payloads('rbe')).toEqual([10, 10.5, 10.2]);
    expect(f.errors).toEqual([]);
    await f.stop();
  });
});
