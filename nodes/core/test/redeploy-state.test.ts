import { runFlow } from '@tagflow/node-test';
import debug from '../src/debug.node';
import movingAverage from '../src/moving-average.node';
import threshold from '../src/threshold.node';

const flow = (above: number) => ({
  schemaVersion: 1,
  id: 'redeploy',
  nodes: [
    { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: 4 } } },
    { id: 'high', type: 'threshold', typeVersion: 1, config: { above } },
    { id: 'show', type: 'debug', typeVersion: 1 },
  ],
  edges: [
    { source: 'avg', target: 'high' },
    { source: 'avg', target: 'show' },
  ],
});

describe('redeploy keeps the state of untouched nodes', () => {
  it('a moving-average window survives a redeploy that changed only the threshold', async () => {
    const f = await runFlow(flow(100), { nodes: [movingAverage, threshold, debug] });
    for (const v of [10, 20, 30]) await f.inject('avg', v);

    const result = await f.engine.deploy(flow(20));
    expect(result).toMatchObject({ ok: true, changed: ['high'], unchanged: ['avg', 'show'] });

    await f.inject('avg', 40);
    // The window still holds 10, 20, 30: the mean is of four values, not of 40 alone.
    expect(f.payloads('avg').at(-1)).toBeCloseTo((10 + 20 + 30 + 40) / 4, 10);
    // The new limit (20) applies to it at once.
    expect(f.payloads('high')).toEqual([{ alarm: 'high', state: 'raised', value: 25, limit: 20 }]);
    await f.stop();
  });

  it('a changed moving-average starts with an empty window', async () => {
    const f = await runFlow(flow(100), { nodes: [movingAverage, threshold, debug] });
    for (const v of [10, 20, 30]) await f.inject('avg', v);
    const changed = flow(100);
    changed.nodes[0].config = { window: { count: 5 } };
    expect(await f.engine.deploy(changed)).toMatchObject({ ok: true, changed: ['avg'] });
    await f.inject('avg', 40);
    expect(f.payloads('avg').at(-1)).toBe(40);
    await f.stop();
  });
});
