import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import join from '../src/join.node';
import split from '../src/split.node';

// Cases from Node-RED's join node tests (test/nodes/core/sequence/17-split_spec.js), restated
// for tagflow's config; each names the Node-RED case it covers. Reduce mode is not supported.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function start(config: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  const h = await testNode(join, { config });
  open.push(h);
  return h;
}

/** split -> join (auto), returning what join sent for each input. */
async function roundTrip(splitConfig: Record<string, unknown>, inputs: unknown[]): Promise<unknown[]> {
  const flow = await runFlow(
    {
      schemaVersion: 1,
      id: 'split-join',
      nodes: [
        { id: 's', type: 'split', typeVersion: 1, config: splitConfig },
        { id: 'j', type: 'join', typeVersion: 1, config: { mode: 'auto' } },
      ],
      edges: [{ source: 's', target: 'j' }],
    },
    { nodes: [split, join] },
  );
  try {
    for (const payload of inputs) await flow.inject('s', { payload, topic: 'T' });
    await flow.idle();
    expect(flow.outputs('j').every((m) => m.parts === undefined && m.topic === 'T')).toBe(true);
    return flow.payloads('j');
  } finally {
    await flow.stop();
  }
}

describe('join: automatic mode', () => {
  it('undoes a split of lists, objects, texts, Buffers', async () => {
    // "should join split things back into an array / an object", "... split strings back into a word",
    // "should join bits of buffer back together automatically".
    const inputs = [[1, 2, 3], { a: 1, b: 'x' }, 'one\ntwo', Buffer.from('ab\ncd')];
    expect(await roundTrip({}, inputs)).toEqual(inputs);
    expect(await roundTrip({ stringMode: 'length', length: 2 }, ['abcde'])).toEqual(['abcde']);
    expect(await roundTrip({ arrayLength: 2 }, [[1, 2, 3, 4, 5]])).toEqual([[1, 2, 3, 4, 5]]);
  });

  it('places parts by index whatever their order; one part carrying the count is enough', async () => {
    // "should handle msg.parts even if messages are out of order in auto mode if exactly one message has count set".
    const h = await start();
    for (const i of [1, 2, 0, 4, 3])
      await h.send({ payload: i, parts: { id: 'g', index: i, type: 'array', ...(i === 4 ? { count: 5 } : {}) } });
    expect(h.payloads()).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('msg.complete sends an incomplete group; the output has no parts or complete', async () => {
    // "should join split things, send when told complete".
    const h = await start();
    await h.send({ payload: 'a', parts: { id: 'g', index: 0, count: 3, type: 'string', ch: '-' } });
    await h.send({ payload: 'b', parts: { id: 'g', index: 1, count: 3, type: 'string', ch: '-' }, complete: true });
    expect(h.payloads()).toEqual(['a-b']);
    expect(h.outputs()[0]).not.toHaveProperty('complete');
    expect(h.outputs()[0]).not.toHaveProperty('parts');
  });

  it('restores the parts a message had before the split (nested splits)', async () => {
    // "should allow chained split-split-join-join sequences".
    const h = await start();
    const outer = { id: 'o', index: 0, count: 1, type: 'array' };
    await h.send({ payload: 'x', parts: { id: 'i', index: 0, count: 1, type: 'array', parts: outer } });
    expect(h.outputs()[0].parts).toEqual(outer);
  });

  it('drops and counts a message without msg.parts; a bare msg.reset clears every group', async () => {
    // "should handle msg.parts property when mode is auto and parts or id are missing".
    const h = await start();
    await h.send('no parts');
    expect(h.status).toMatchObject({ text: '1 dropped' });
    await h.send({ payload: 1, parts: { id: 'g', index: 0, count: 2, type: 'array' } });
    await h.send({ payload: undefined, reset: true });
    await h.send({ payload: 2, parts: { id: 'g', index: 1, count: 2, type: 'array' } });
    expect(h.outputs()).toEqual([]);
  });

  it('keeps the worst quality of the group, and per-key qualities for an object', async () => {
    const flow = await runFlow(
      {
        schemaVersion: 1,
        id: 'split-join-quality',
        nodes: [
          { id: 's', type: 'split', typeVersion: 1 },
          { id: 'j', type: 'join', typeVersion: 1 },
        ],
        edges: [{ source: 's', target: 'j' }],
      },
      { nodes: [split, join] },
    );
    await flow.inject('s', { payload: { a: 1, b: null }, quality: 'bad', qualities: { a: 'good', b: 'bad' } });
    await flow.idle();
    expect(flow.outputs('j')[0]).toMatchObject({
      payload: { a: 1, b: null },
      quality: 'bad',
      qualities: { a: 'good', b: 'bad' },
    });
    await flow.stop();
  });
});

describe('join: manual mode', () => {
  it('array after a count, ignoring msg.parts.index; fields of the latest message', async () => {
    // "should join things into an array after a count", "... ignoring msg.parts.index in manual mode".
    const h = await start({ mode: 'manual', count: 3 });
    await h.send({ payload: 1, parts: { index: 3 }, topic: 'a' });
    await h.send({ payload: true, parts: { index: 0 }, topic: 'b' });
    await h.send({ payload: { a: 1 }, parts: { index: 9 }, topic: 'c' });
    expect(h.payloads()).toEqual([[1, true, { a: 1 }]]);
    expect(h.outputs()[0].topic).toBe('c');
  });

  it('key/value object after a count, keys from topic', async () => {
    // "should join things into an object after a count".
    const h = await start({ mode: 'manual', build: 'object', count: 5 });
    for (const [topic, payload] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['a', 4],
      ['d', 5],
      ['e', 6],
    ] as const)
      await h.send({ payload, topic });
    expect(h.payloads()).toEqual([{ a: 4, b: 2, c: 3, d: 5, e: 6 }]);
  });

  it('merged object, and accumulate: sends again for each later message', async () => {
    // "should merge objects", "should accumulate a merged object".
    const h = await start({ mode: 'manual', build: 'merged', count: 3, accumulate: true });
    for (const payload of [{ a: 1 }, { b: 2 }, { c: 3 }, { a: 3 }, { b: 2 }, { c: 1 }]) await h.send(payload);
    expect(h.payloads()).toEqual([
      { a: 1, b: 2, c: 3 },
      { a: 3, b: 2, c: 3 },
      { a: 3, b: 2, c: 3 },
      { a: 3, b: 2, c: 1 },
    ]);
  });

  it('merges whole messages, counting their keys (not timestamp and quality)', async () => {
    // "should merge full msg objects".
    const h = await start({ mode: 'manual', build: 'merged', wholeMessage: true, count: 6 });
    await h.send({ payload: 1, topic: 'f' });
    await h.send({ payload: 2, topic: 'a' });
    await h.send({ payload: 3, foo: 'b' });
    await h.send({ payload: 4, bar: 'b' });
    await h.send({ payload: 5, aha: 'c' });
    await h.send({ payload: 6, foo: 'd' });
    expect(h.outputs()).toEqual([]);
    await h.send({ payload: 7, bingo: 'e' });
    expect(h.outputs()[0].payload).toMatchObject({ payload: 7, aha: 'c', bar: 'b', bingo: 'e', foo: 'd', topic: 'a' });
  });

  it('string joined with a character after a timeout; msg.restartTimeout starts it again', async () => {
    // "should join strings with a specifed character after a timeout", "should allow the timeout to be restarted".
    const h = await start({ mode: 'manual', build: 'string', joiner: '-', timeoutMs: 50 });
    await h.send('a');
    await h.advance(30);
    await h.send({ payload: 'b', restartTimeout: true });
    await h.advance(30);
    expect(h.payloads()).toEqual([]);
    await h.send('c');
    await h.advance(20);
    expect(h.payloads()).toEqual(['a-b-c']);
  });

  it('string completed by msg.complete, which is added first', async () => {
    // "should join strings with a specifed character and complete when told to".
    const h = await start({ mode: 'manual', build: 'string', joiner: '-' });
    await h.send('a');
    await h.send('b');
    await h.send({ payload: 'c', complete: true });
    await h.send('d');
    await h.send({ payload: undefined, complete: true });
    expect(h.payloads()).toEqual(['a-b-c', 'd']);
  });

  it('Buffer from texts after a count', async () => {
    // "should join strings into a buffer after a count".
    const h = await start({ mode: 'manual', build: 'buffer', joiner: '', count: 2 });
    await h.send('ab');
    await h.send(Buffer.from('cd'));
    expect(h.payloads()).toEqual([Buffer.from('abcd')]);
  });

  it('whole messages into a list after a count', async () => {
    // "should join complete message objects into an array after a count".
    const h = await start({ mode: 'manual', wholeMessage: true, count: 2 });
    await h.send({ payload: 1, topic: 'x' });
    await h.send({ payload: 2, topic: 'y' });
    expect((h.payloads()[0] as Array<Record<string, unknown>>).map((m) => [m.payload, m.topic])).toEqual([
      [1, 'x'],
      [2, 'y'],
    ]);
  });

  it('msg.reset drops the group in progress', async () => {
    // "should be able to reset an accumulation".
    const h = await start({ mode: 'manual', count: 2 });
    await h.send(1);
    await h.send({ payload: undefined, reset: true });
    await h.send(2);
    await h.send(3);
    expect(h.payloads()).toEqual([[2, 3]]);
  });

  it('drops the oldest group past maxParts, counted; logs what it held when stopped', async () => {
    const h = await start({ mode: 'auto', maxParts: 2 });
    for (const id of ['g1', 'g2', 'g3'])
      await h.send({ payload: id, parts: { id, index: 0, count: 2, type: 'array' } });
    expect(h.status).toMatchObject({ text: '1 dropped' });
    await h.send({ payload: 'g1 again', parts: { id: 'g2', index: 1, count: 2, type: 'array' } });
    expect(h.payloads()).toEqual([['g2', 'g1 again']]);
    await h.close();
    open = open.filter((o) => o !== h);
    expect(h.logs.map((l) => l.message)).toContain('1 value was not joined: the node stopped');
  });
});
