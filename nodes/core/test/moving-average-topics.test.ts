import { runFlow, testNode } from '@tagflow/node-test';
import movingAverage from '../src/moving-average.node';

describe('moving-average: per topic and persist (issue 16)', () => {
  it('perTopic keeps a window for each topic; without it all topics share one', async () => {
    const inputs = [
      { topic: 'a', payload: 10 },
      { topic: 'b', payload: 100 },
      { topic: 'a', payload: 20 },
      { topic: 'b', payload: 200 },
    ];
    const separate = await testNode(movingAverage, { config: { window: { count: 2 }, perTopic: true } });
    for (const input of inputs) await separate.send(input);
    expect(separate.outputs().map((m) => [m.topic, m.payload])).toEqual([
      ['a', 10],
      ['b', 100],
      ['a', 15],
      ['b', 150],
    ]);
    expect(separate.status).toMatchObject({ text: '2 tags' });
    await separate.close();

    const shared = await testNode(movingAverage, { config: { window: { count: 2 } } });
    for (const input of inputs) await shared.send(input);
    expect(shared.payloads()).toEqual([10, 55, 60, 110]);
    await shared.close();
  });

  it('perTopic with a time window judges each topic on its own timestamps', async () => {
    const h = await testNode(movingAverage, { config: { window: { seconds: 10 }, perTopic: true } });
    const t0 = Date.UTC(2026, 0, 1);
    await h.send({ topic: 'a', payload: 1, timestamp: t0 });
    await h.send({ topic: 'b', payload: 5, timestamp: t0 + 60_000 });
    // For topic a, t0 + 5 s is recent: b's newer timestamp does not make it late.
    await h.send({ topic: 'a', payload: 3, timestamp: t0 + 5_000 });
    expect(h.payloads()).toEqual([1, 5, 2]);
    await h.close();
  });

  const flow = (persist: boolean, count = 3) => ({
    schemaVersion: 1,
    id: 'avg-persist',
    nodes: [{ id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count }, persist } }],
    edges: [],
  });

  it('with persist, the window survives a restart of the flow', async () => {
    const f = await runFlow(flow(true), { nodes: [movingAverage] });
    await f.inject('avg', 10);
    await f.inject('avg', 20);
    await f.engine.stop();
    await f.engine.deploy(flow(true));
    expect(f.statuses('avg').at(-1)).toMatchObject({ text: '2/3 values' });
    await f.inject('avg', 30);
    expect(f.payloads('avg').at(-1)).toBe(20);
    expect(f.errors).toEqual([]);
    await f.stop();
  });

  it('without persist, or with a changed window, a restart starts empty', async () => {
    const f = await runFlow(flow(true), { nodes: [movingAverage] });
    await f.inject('avg', 10);
    await f.engine.stop();
    await f.engine.deploy(flow(true, 4)); // another window: the saved one does not apply
    await f.inject('avg', 30);
    await f.engine.stop();
    await f.engine.deploy(flow(false, 4));
    await f.inject('avg', 50);
    expect(f.payloads('avg')).toEqual([10, 30, 50]);
    await f.stop();
  });
});
