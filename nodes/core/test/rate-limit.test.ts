import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import rateLimit from '../src/rate-limit.node';

let h: NodeUnderTest | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/**
 * Which messages a sliding-window limit lets through, from their arrival times: a message passes
 * when fewer than `rate` passed in the `periodMs` before it (a pass at t frees its slot at t + period).
 */
function expectedPasses(arrivals: number[], rate: number, periodMs: number): number[] {
  const passedAt: number[] = [];
  const passed: number[] = [];
  arrivals.forEach((t, i) => {
    if (passedAt.filter((p) => p > t - periodMs).length < rate) {
      passedAt.push(t);
      passed.push(i);
    }
  });
  return passed;
}

/** Sends message i (payload i) at each arrival offset, in order, moving fake time as needed. */
async function sendAt(node: NodeUnderTest, arrivals: number[]): Promise<void> {
  const start = node.now();
  for (let i = 0; i < arrivals.length; i++) {
    const wait = start + arrivals[i] - node.now();
    if (wait > 0) await node.advance(wait);
    await node.send(i);
  }
}

describe('rate-limit, drop mode', () => {
  it('lets at most `rate` messages through in any period and drops the rest', async () => {
    h = await testNode(rateLimit, { config: { rate: 3, perSeconds: 2 } });
    const arrivals = [0, 0, 100, 200, 300, 1999, 2000, 2050, 2100, 2150, 3500, 4000, 4100, 6000, 6001, 6002, 6003];
    await sendAt(h, arrivals);

    const passed = expectedPasses(arrivals, 3, 2000);
    expect(h.payloads()).toEqual(passed);
    expect(passed.length).toBeLessThan(arrivals.length);

    await h.advance(1000); // the status is refreshed at most once a second
    expect(h.status?.text).toBe(`at most 3 per 2 s · ${arrivals.length - passed.length} dropped`);
  });

  it('defaults to one message per second', async () => {
    h = await testNode(rateLimit);
    await sendAt(h, [0, 500, 999, 1000, 1500, 2000]);
    expect(h.payloads()).toEqual(expectedPasses([0, 500, 999, 1000, 1500, 2000], 1, 1000));
  });

  it('sends the messages unchanged', async () => {
    h = await testNode(rateLimit, { config: { rate: 5 } });
    await h.send({ payload: { a: 1 }, topic: 't', timestamp: 77, quality: 'bad', extra: true });
    expect(h.outputs()[0]).toEqual({ payload: { a: 1 }, topic: 't', timestamp: 77, quality: 'bad', extra: true });
  });

  it('limits each topic separately with perTopic', async () => {
    h = await testNode(rateLimit, { config: { rate: 1, perSeconds: 10, perTopic: true } });
    for (const topic of ['a', 'b', 'a', 'c', 'b', 'a']) await h.send({ topic, payload: topic });
    expect(h.payloads()).toEqual(['a', 'b', 'c']);
    await h.advance(10_000);
    await h.send({ topic: 'b', payload: 'b again' });
    expect(h.payloads()).toEqual(['a', 'b', 'c', 'b again']);
  });

  it('limits all topics together by default', async () => {
    h = await testNode(rateLimit, { config: { rate: 1, perSeconds: 10 } });
    for (const topic of ['a', 'b', 'c']) await h.send({ topic, payload: topic });
    expect(h.payloads()).toEqual(['a']);
  });
});

describe('rate-limit, queue mode', () => {
  it('delays the excess and releases it in order at the allowed rate', async () => {
    h = await testNode(rateLimit, { config: { rate: 2, perSeconds: 1, mode: 'queue' } });
    const start = h.now();
    const sentAt: number[] = [];
    for (let i = 0; i < 7; i++) await h.send(i);
    expect(h.payloads()).toEqual([0, 1]);
    await h.advance(1000);
    expect(h.status).toMatchObject({ backlog: 3, text: '3 queued' });
    for (let t = 0; t < 5; t++) {
      sentAt.push(h.outputs().length);
      await h.advance(1000);
    }
    expect(h.payloads()).toEqual([0, 1, 2, 3, 4, 5, 6]);
    // Two per second: 2 at once, 2 after 1 s, 2 after 2 s, the last after 3 s.
    expect(sentAt).toEqual([4, 6, 7, 7, 7]);
    expect(h.now() - start).toBe(6000);
  });

  it('queues a message arriving while others wait behind them', async () => {
    h = await testNode(rateLimit, { config: { rate: 1, perSeconds: 1, mode: 'queue' } });
    await h.send('a');
    await h.send('b');
    await h.advance(999);
    await h.send('c');
    await h.advance(1);
    expect(h.payloads()).toEqual(['a', 'b']);
    await h.advance(1000);
    expect(h.payloads()).toEqual(['a', 'b', 'c']);
  });

  it('drops the oldest waiting message when the queue is full, and counts it', async () => {
    h = await testNode(rateLimit, { config: { rate: 1, perSeconds: 1, mode: 'queue', maxQueue: 2 } });
    for (let i = 0; i < 6; i++) await h.send(i);
    await h.advance(5000);
    // 0 passes; the queue keeps the newest 2 of 1..5.
    expect(h.payloads()).toEqual([0, 4, 5]);
    await h.advance(1000);
    expect(h.status).toMatchObject({ text: '0 queued · 3 dropped', backlog: 0, dropped: 3 });
  });

  it('does not fail when closed with messages waiting', async () => {
    const node = await testNode(rateLimit, { config: { rate: 1, perSeconds: 60, mode: 'queue' } });
    h = node;
    for (let i = 0; i < 3; i++) await node.send(i);
    expect(node.payloads()).toEqual([0]);
    await node.advance(1000); // the status is refreshed at most once a second
    expect(node.status).toMatchObject({ backlog: 2, text: '2 queued' });

    h = undefined;
    await node.close();
    // A close that threw or hung would be logged by the engine ("failed while closing" at error
    // level, "did not finish closing in time" as a warning); the only line is the node's own
    // account of the two messages it drops, and the release timer it had set never fires.
    expect(node.errors).toEqual([]);
    expect(node.logs.filter((l) => l.level === 'error' || l.level === 'warn').map((l) => l.message)).toEqual([
      '2 queued messages were not sent: the node stopped',
    ]);
    await node.advance(120_000);
    expect(node.payloads()).toEqual([0]);
    expect(node.errors).toEqual([]);
  });
});

describe('rate-limit: persist (issue 16)', () => {
  const flow = (persist: boolean) => ({
    schemaVersion: 1,
    id: 'limit-persist',
    nodes: [{ id: 'limit', type: 'rate-limit', typeVersion: 1, config: { rate: 2, perSeconds: 10, persist } }],
    edges: [],
  });

  it.each([
    [true, [1, 2, 4]],
    [false, [1, 2, 3, 4]],
  ])('with persist %s, the sends before a restart count after it', async (persist, expected) => {
    const f = await runFlow(flow(persist), { nodes: [rateLimit] });
    await f.inject('limit', 1);
    await f.inject('limit', 2);
    await f.engine.stop();
    await f.engine.deploy(flow(persist));
    await f.inject('limit', 3); // within the same 10 s: over the limit only if the sends were kept
    await f.advance(10_000);
    await f.inject('limit', 4);
    expect(f.payloads('limit')).toEqual(expected);
    expect(f.errors).toEqual([]);
    await f.stop();
  });
});
