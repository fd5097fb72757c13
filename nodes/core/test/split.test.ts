import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import split from '../src/split.node';

// Cases from Node-RED's split node tests (test/nodes/core/sequence/17-split_spec.js), restated
// for tagflow's config; each names the Node-RED case it covers.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function start(config: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  const h = await testNode(split, { config });
  open.push(h);
  return h;
}

/** `[payload, parts without id]` of every message sent; checks all parts of one input share an id. */
function pieces(h: NodeUnderTest): Array<[unknown, Record<string, unknown>]> {
  return h.outputs().map((m) => {
    const { id, ...rest } = m.parts as Record<string, unknown>;
    expect(typeof id).toBe('string');
    return [m.payload, rest];
  });
}

describe('split: Node-RED cases', () => {
  it('splits a list into one message per item', async () => {
    // "should split an array into multiple messages".
    const h = await start();
    await h.send({ payload: [1, 2, 3, 4], topic: 't' });
    expect(pieces(h)).toEqual([
      [1, { index: 0, count: 4, type: 'array', len: 1 }],
      [2, { index: 1, count: 4, type: 'array', len: 1 }],
      [3, { index: 2, count: 4, type: 'array', len: 1 }],
      [4, { index: 3, count: 4, type: 'array', len: 1 }],
    ]);
    expect(new Set(h.outputs().map((m) => (m.parts as { id: string }).id)).size).toBe(1);
    expect(h.outputs().every((m) => m.topic === 't')).toBe(true);
  });

  it('splits a list on a sub-property, naming it in parts.property', async () => {
    // "should split an array on a sub-property into multiple messages".
    const h = await start({ property: 'foo' });
    await h.send({ payload: { a: 1 }, qualities: { a: 'good' }, foo: [1, 2] });
    expect(h.outputs().map((m) => [m.foo, m.payload, (m.parts as { property?: string }).property])).toEqual([
      [1, { a: 1 }, 'foo'],
      [2, { a: 1 }, 'foo'],
    ]);
    // The payload is untouched, so are the qualities describing it.
    expect(h.outputs()[0].qualities).toEqual({ a: 'good' });
  });

  it('splits a list into lists of arrayLength items', async () => {
    // "should split an array into multiple messages of a specified size".
    const h = await start({ arrayLength: 3 });
    await h.send([1, 2, 3, 4]);
    expect(pieces(h)).toEqual([
      [[1, 2, 3], { index: 0, count: 2, type: 'array', len: 3 }],
      [[4], { index: 1, count: 2, type: 'array', len: 3 }],
    ]);
  });

  it('splits an object into one message per key, optionally copying the key to topic', async () => {
    // "should split an object into pieces" / "... and overwrite their topics".
    const h = await start({ keyProperty: 'topic' });
    await h.send({ payload: { a: 1, b: '2', c: true }, topic: 'old' });
    expect(h.outputs().map((m) => [m.payload, m.topic])).toEqual([
      [1, 'a'],
      ['2', 'b'],
      [true, 'c'],
    ]);
    expect(pieces(h).map(([, p]) => p)).toEqual([
      { index: 0, count: 3, type: 'object', key: 'a' },
      { index: 1, count: 3, type: 'object', key: 'b' },
      { index: 2, count: 3, type: 'object', key: 'c' },
    ]);
  });

  it("gives each key's piece the quality of that key", async () => {
    const h = await start();
    await h.send({ payload: { a: 1, b: null }, quality: 'bad', qualities: { a: 'good', b: 'bad' } });
    expect(h.outputs().map((m) => [m.payload, m.quality, m.qualities])).toEqual([
      [1, 'good', undefined],
      [null, 'bad', undefined],
    ]);
  });

  it('splits a text at newlines by default, and at a given delimiter', async () => {
    // "should split a string into new-lines", "should split a string on a specified char".
    const h = await start();
    await h.send('Da\nve\n \nCJ');
    expect(pieces(h)).toEqual([
      ['Da', { index: 0, count: 4, type: 'string', ch: '\n' }],
      ['ve', { index: 1, count: 4, type: 'string', ch: '\n' }],
      [' ', { index: 2, count: 4, type: 'string', ch: '\n' }],
      ['CJ', { index: 3, count: 4, type: 'string', ch: '\n' }],
    ]);
    const comma = await start({ delimiter: ',' });
    await comma.send('1,2,3');
    expect(comma.payloads()).toEqual(['1', '2', '3']);
  });

  it('splits a text into pieces of a length, the last one shorter', async () => {
    // "should split a string into lengths", "should ceil count value when msg.payload type is string".
    const h = await start({ stringMode: 'length', length: 2 });
    await h.send('12345');
    expect(pieces(h)).toEqual([
      ['12', { index: 0, count: 3, type: 'string', ch: '', len: 2 }],
      ['34', { index: 1, count: 3, type: 'string', ch: '', len: 2 }],
      ['5', { index: 2, count: 3, type: 'string', ch: '', len: 2 }],
    ]);
  });

  it('stream: keeps the incomplete rest for the next message, no count, index going on', async () => {
    // "should split a string on a specified char in stream mode".
    const h = await start({ stream: true });
    await h.send('1\n2\n3');
    await h.send('4\n5\n6\n');
    expect(pieces(h)).toEqual([
      ['1', { index: 0, type: 'string', ch: '\n' }],
      ['2', { index: 1, type: 'string', ch: '\n' }],
      ['34', { index: 2, type: 'string', ch: '\n' }],
      ['5', { index: 3, type: 'string', ch: '\n' }],
      ['6', { index: 4, type: 'string', ch: '\n' }],
    ]);
  });

  it('splits a Buffer into lengths, and at a delimiter', async () => {
    // "should split a buffer into lengths", "should ceil count value when msg.payload type is Buffer".
    const h = await start({ stringMode: 'length', length: 2 });
    await h.send(Buffer.from('12345'));
    expect(h.payloads()).toEqual([Buffer.from('12'), Buffer.from('34'), Buffer.from('5')]);
    expect((h.outputs()[0].parts as { type: string }).type).toBe('buffer');
    const lines = await start();
    await lines.send(Buffer.from('a\nbc'));
    expect(lines.payloads()).toEqual([Buffer.from('a'), Buffer.from('bc')]);
  });

  it('nests the parts a message already had', async () => {
    // "should allow chained split-split-join-join sequences" (the split half).
    const h = await start();
    const outer = { id: 'outer', index: 1, count: 2, type: 'array' };
    await h.send({ payload: ['x', 'y'], parts: outer });
    expect((h.outputs()[0].parts as { parts: unknown }).parts).toEqual(outer);
  });

  it('drops, and counts, a payload it cannot split', async () => {
    const h = await start();
    await h.send(42);
    await h.send(true);
    expect(h.outputs()).toEqual([]);
    // Counted by the runtime: shown at the first drop, then at most once a second as the count moves.
    expect(h.status?.text).toMatch(/^[12] dropped$/);
    expect(h.flow.engine.statuses()['node-under-test']).toEqual({ state: 'ok', text: '2 dropped', dropped: 2 });
    expect(h.flow.engine.stats()['node-under-test'].drops).toEqual({ 'not-splittable': 2 });
  });
});
