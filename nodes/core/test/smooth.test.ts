import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import smooth from '../src/smooth.node';

// Most cases come from Node-RED's smooth tests (node-red-nodes, test/function/smooth/17-smooth_spec.js),
// restated for tagflow's config; each names the Node-RED case it covers.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function start(config: Record<string, unknown>): Promise<NodeUnderTest> {
  const h = await testNode(smooth, { config });
  open.push(h);
  return h;
}

async function results(config: Record<string, unknown>, inputs: unknown[]): Promise<unknown[]> {
  const h = await start(config);
  for (const input of inputs) await h.send(input);
  expect(h.errors).toEqual([]);
  return h.payloads();
}

describe('smooth: Node-RED cases', () => {
  it('mean of the last N values, rounded', async () => {
    // "should average over a number of inputs".
    expect(await results({ statistic: 'mean', count: 5, decimals: 0 }, [1, 1, 2, 3, 4, 4.786])).toEqual([
      1, 1, 1, 2, 2, 3,
    ]);
    expect(await results({ statistic: 'mean', count: 5, decimals: 2 }, [1, 1, 2, 3])).toEqual([1, 1, 1.33, 1.75]);
  });

  it('reads and writes another property', async () => {
    // "should average over a number of inputs - another property - foo".
    const h = await start({ statistic: 'mean', count: 5, decimals: 0, property: 'foo' });
    for (const foo of [1, 1, 2, 3, 4, 4.786]) await h.send({ payload: 'kept', foo });
    expect(h.outputs().map((m) => [m.payload, m.foo])).toEqual([
      ['kept', 1],
      ['kept', 1],
      ['kept', 1],
      ['kept', 2],
      ['kept', 2],
      ['kept', 3],
    ]);
  });

  it('a message with reset starts the window again', async () => {
    // "should be able to be reset".
    expect(
      await results({ statistic: 'mean', count: 5, decimals: 0 }, [1, 2, 3, { reset: true, payload: 4 }, 5, 6]),
    ).toEqual([1, 2, 2, 4, 5, 5]);
  });

  it('max and min of the last N values', async () => {
    // "should output max over a number of inputs", "should output min over a number of inputs".
    expect(await results({ statistic: 'max', count: 5 }, [5, 2, 3, 7, 4])).toEqual([5, 5, 5, 7, 7]);
    expect(await results({ statistic: 'min', count: 5 }, [5, 2, 3, 7, 1])).toEqual([5, 2, 2, 2, 1]);
    // Values leave the window: after five more, 1 is gone.
    expect(await results({ statistic: 'min', count: 2 }, [1, 5, 6])).toEqual([1, 1, 5]);
  });

  it('sample standard deviation of the last N values', async () => {
    // "should output standard deviation over a number of inputs".
    expect(await results({ statistic: 'stddev', count: 5, decimals: 3 }, [1, 2, 3, 4, 5])).toEqual([
      0, 0.707, 1, 1.291, 1.581,
    ]);
  });

  it('low-pass and high-pass filters', async () => {
    // "should do a low pass filter over a number of inputs", "should do a high pass filter ...".
    const inputs = [1, 2, 3, 4, 5, 6, 7, 8, 8, 8];
    const low = await results({ statistic: 'lowPass', count: 5, decimals: 3 }, inputs);
    const high = await results({ statistic: 'highPass', count: 5, decimals: 3 }, inputs);
    expect([low[4], low[8], low[9]]).toEqual([2.638, 5.471, 5.977]);
    expect([high[4], high[8], high[9]]).toEqual([2.362, 2.529, 2.023]);
  });

  it('reports a value that is no number (Node-RED ignores it with a log line)', async () => {
    // "ignore msg with non numeric payload", "ignore msg with no payload": a documented difference.
    const h = await start({ statistic: 'mean', count: 5 });
    await h.send('banana');
    await h.send({ payload: undefined, topic: '1' });
    await h.send(3);
    expect(h.errors.map((e) => e.code)).toEqual(['NOT_A_NUMBER', 'NOT_A_NUMBER']);
    expect(h.payloads()).toEqual([3]);
  });

  it('one window for all topics unless perTopic', async () => {
    // "should average over a number of inputs on different topics", "should average over different topics if asked".
    const inputs = [
      ['A', 2],
      ['A', 1],
      ['A', 0],
      ['B', 3],
      ['B', 5],
      ['A', 5],
      ['B', 2],
      ['A', 7],
      ['A', 3],
      ['B', 6],
      ['B', 9],
    ].map(([topic, payload]) => ({ topic, payload }));
    const shared = await results({ statistic: 'mean', count: 5 }, inputs.slice(0, 7));
    expect(shared.slice(2)).toEqual([1, 1.5, 2.2, 2.8, 3]);
    const separate = await results({ statistic: 'mean', count: 5, perTopic: true }, inputs);
    expect(separate).toEqual([2, 1.5, 1, 3, 4, 2, 10 / 3, 3, 3.2, 4, 5]);
  });

  it('reduce: one result every N values', async () => {
    // "should reduce the number of messages by averaging / by max value / by min value, if asked".
    const inputs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 0];
    expect(await results({ statistic: 'mean', count: 5, reduce: true }, inputs)).toEqual([3, 6]);
    expect(await results({ statistic: 'max', count: 5, reduce: true }, inputs)).toEqual([5, 9]);
    expect(await results({ statistic: 'min', count: 5, reduce: true }, inputs)).toEqual([1, 0]);
  });

  it('sends the worst quality of the values in the window', async () => {
    const h = await start({ statistic: 'mean', count: 2 });
    await h.send({ payload: 1, quality: 'uncertain' });
    await h.send(3);
    await h.send(5);
    expect(h.outputs().map((m) => m.quality)).toEqual(['uncertain', 'uncertain', 'good']);
  });

  it('with persist, the window survives a restart of the flow', async () => {
    const flow = {
      schemaVersion: 1,
      id: 'smooth-persist',
      nodes: [{ id: 's', type: 'smooth', typeVersion: 1, config: { statistic: 'max', count: 3, persist: true } }],
      edges: [],
    };
    const f = await runFlow(flow, { nodes: [smooth] });
    await f.inject('s', 9);
    await f.inject('s', 1);
    await f.engine.stop();
    await f.engine.deploy(flow);
    await f.inject('s', 2); // the window still holds 9 and 1
    await f.inject('s', 3); // 9 has left
    expect(f.payloads('s')).toEqual([9, 9, 9, 3]);
    expect(f.errors).toEqual([]);
    await f.stop();
  });
});
