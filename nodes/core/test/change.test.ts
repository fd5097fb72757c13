import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import type { Message } from '@tagflow/node-sdk';
import change from '../src/change.node';
import { deletePath, formatPath, getPath, parsePath, setPath } from '../src/lib/message-path';

let open: NodeUnderTest[] = [];
async function start(rules: unknown[]): Promise<NodeUnderTest> {
  const h = await testNode(change, { config: { rules } });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

/** Runs one message through `rules` and returns what came out (exactly one message, no errors). */
async function applied(rules: unknown[], input: unknown): Promise<Message> {
  const h = await start(rules);
  await h.send(input);
  expect(h.errors).toEqual([]);
  expect(h.outputs()).toHaveLength(1);
  return h.outputs()[0];
}

const literal = (value: unknown) => ({ type: 'literal', value });
const expr = (value: string) => ({ type: 'jsonata', value });

describe('change', () => {
  describe('set', () => {
    it('sets a literal, creating the levels that are missing', async () => {
      const out = await applied(
        [
          { action: 'set', property: 'payload.limits.high', value: literal(80) },
          { action: 'set', property: 'unit', value: literal('°C') },
        ],
        {
          payload: { temp: 20 },
          topic: 'tank',
        },
      );
      expect(out).toMatchObject({ payload: { temp: 20, limits: { high: 80 } }, unit: '°C', topic: 'tank' });
    });

    it('sets the result of a JSONata expression on the message', async () => {
      const out = await applied([{ action: 'set', property: 'payload', value: expr('payload * 1.8 + 32') }], 25);
      expect(out.payload).toBe(77);
    });

    it('lets each rule see what the rules before it did', async () => {
      const out = await applied(
        [
          { action: 'set', property: 'payload.f', value: expr('payload.c * 1.8 + 32') },
          { action: 'set', property: 'topic', value: expr('"temp/" & $string(payload.f)') },
        ],
        { c: 100 },
      );
      expect(out).toMatchObject({ payload: { c: 100, f: 212 }, topic: 'temp/212' });
    });

    it('copies another property of the message', async () => {
      const out = await applied(
        [{ action: 'set', property: 'payload.source', value: { type: 'property', value: 'topic' } }],
        { payload: { v: 1 }, topic: 'pump3/flow' },
      );
      expect(out.payload).toEqual({ v: 1, source: 'pump3/flow' });
    });

    it('sends plain arrays from JSONata', async () => {
      const out = await applied(
        [{ action: 'set', property: 'payload', value: expr('payload.items[value > 1].value') }],
        { items: [{ value: 1 }, { value: 2 }, { value: 3 }] },
      );
      expect(out.payload).toEqual([2, 3]);
      expect(Object.keys(out.payload as object)).toEqual(['0', '1']);
    });
  });

  describe('delete and move', () => {
    it('deletes a field, and an item of a list', async () => {
      const out = await applied(
        [
          { action: 'delete', property: 'payload.secret' },
          { action: 'delete', property: 'payload.list[1]' },
          { action: 'delete', property: 'topic' },
        ],
        {
          payload: { secret: 'x', keep: 1, list: ['a', 'b', 'c'] },
          topic: 't',
        },
      );
      expect(out.payload).toEqual({ keep: 1, list: ['a', 'c'] });
      expect('topic' in out).toBe(false);
    });

    it('moves a property, also deeper into its old place', async () => {
      const out = await applied(
        [
          { action: 'move', property: 'topic', to: 'meta.source' },
          { action: 'move', property: 'payload', to: 'payload.raw' },
        ],
        { payload: 7, topic: 'pump' },
      );
      expect(out).toMatchObject({ payload: { raw: 7 }, meta: { source: 'pump' } });
      expect('topic' in out).toBe(false);
    });

    it('leaves the message alone when the property to move is missing', async () => {
      const out = await applied([{ action: 'move', property: 'payload.none', to: 'payload.other' }], { a: 1 });
      expect(out.payload).toEqual({ a: 1 });
    });
  });

  describe('change (search and replace)', () => {
    it('replaces every occurrence of a text', async () => {
      const out = await applied(
        [{ action: 'change', property: 'payload', search: '-', replace: '/' }],
        'plant-a-line-2',
      );
      expect(out.payload).toBe('plant/a/line/2');
    });

    it('replaces with a regular expression and its groups', async () => {
      const out = await applied(
        [{ action: 'change', property: 'topic', search: '^(\\w+)/(\\w+)$', regex: true, replace: '$2.$1' }],
        { payload: 1, topic: 'pump3/flow' },
      );
      expect(out.topic).toBe('flow.pump3');
    });

    it('replaces a whole value with the replacement type', async () => {
      const rules = [{ action: 'change', property: 'payload', search: 'ON', replace: true, ignoreCase: true }];
      expect((await applied(rules, 'on')).payload).toBe(true);
      expect(
        (await applied([{ action: 'change', property: 'payload', search: 1, replace: 'running' }], 1)).payload,
      ).toBe('running');
      expect(
        (await applied([{ action: 'change', property: 'payload', search: 1, replace: 'running' }], 2)).payload,
      ).toBe(2);
    });
  });

  it.each([
    ['a prototype of the message', 'payload.constructor.constructor("return process.pid")()'],
    ['a prototype, as text', '$string(payload.constructor)'],
    ['a variable named like a host object', '$process.pid'],
    ['an expression evaluated from text', '$eval("$process.pid")'],
  ])('a JSONata expression reaches the message only, not %s', async (_name, expression) => {
    const h = await start([{ action: 'set', property: 'payload', value: expr(expression) }]);
    await h.send({ a: 1 });
    // Either the expression fails on the message, or it finds nothing: never a value of the host.
    const found = h.outputs().map((m) => m.payload);
    expect(h.errors.length + found.length).toBe(1);
    if (h.errors.length) expect(h.errors[0]).toMatchObject({ code: 'CHANGE_EXPRESSION_FAILED' });
    else expect(found).toEqual([undefined]);
  });

  it('never modifies the input message and shares what it does not change', async () => {
    const untouched = { serial: 'A-1', calibration: [1, 2, 3] };
    const payload = { reading: { value: 20 }, device: untouched };
    const out = await applied([{ action: 'set', property: 'payload.reading.value', value: literal(21) }], {
      payload,
      topic: 't',
    });
    expect(payload).toEqual({ reading: { value: 20 }, device: { serial: 'A-1', calibration: [1, 2, 3] } });
    expect((out.payload as typeof payload).reading.value).toBe(21);
    expect((out.payload as typeof payload).device).toBe(untouched);
  });

  describe('errors', () => {
    it.each([
      [
        [
          { action: 'set', property: 'payload', value: literal(1) },
          { action: 'set', property: 'payload', value: expr('payload +') },
        ],
        /Rule 2 \(set payload\): the JSONata expression "payload \+" is invalid/,
      ],
      [[{ action: 'delete', property: 'timestamp' }], /Rule 1 \(delete timestamp\): timestamp is required/],
      [[{ action: 'move', property: 'quality', to: 'q' }], /quality is required/],
      [[{ action: 'set', property: 'payload.__proto__.polluted', value: literal(1) }], /not allowed/],
      [[{ action: 'set', property: '', value: literal(1) }], /empty/],
      [
        [{ action: 'change', property: 'payload', search: '(', regex: true, replace: '' }],
        /the regular expression "\(" is invalid/,
      ],
      [[{ action: 'rename', property: 'payload' }], /rules/],
    ])('refuses %j at deploy', async (rules, expected) => {
      await expect(testNode(change, { config: { rules } })).rejects.toThrow(expected);
    });

    it('reports a JSONata expression that fails on a message, and goes on with the next', async () => {
      const h = await start([{ action: 'set', property: 'payload', value: expr('payload * 2') }]);
      await h.send('abc');
      await h.send(4);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0]).toMatchObject({ code: 'CHANGE_EXPRESSION_FAILED' });
      expect(h.errors[0].message).toContain('Rule 1 (set payload)');
      expect(h.payloads()).toEqual([8]);
    });

    it('reports setting a field inside a value that is not an object', async () => {
      const h = await start([{ action: 'set', property: 'payload.unit', value: literal('bar') }]);
      await h.send(3.5);
      expect(h.errors[0]).toMatchObject({ code: 'CHANGE_PATH_CONFLICT' });
      expect(h.errors[0].message).toContain('payload is a number (3.5)');
    });

    it('shows a long text it cannot set a field in cut short (found by the fuzz suite)', async () => {
      const h = await start([{ action: 'set', property: 'payload.unit', value: literal('bar') }]);
      await h.send('x'.repeat(100_000));
      expect(h.errors[0]).toMatchObject({ code: 'CHANGE_PATH_CONFLICT' });
      expect(h.errors[0].message).toBe(
        `Rule 1 (set payload.unit): cannot set payload.unit: payload is a string ("${'x'.repeat(36)}...)`,
      );
    });

    it('names a missing or long timestamp in plain words (found by the fuzz suite)', async () => {
      const h = await start([{ action: 'set', property: 'timestamp', value: { type: 'property', value: 'payload' } }]);
      await h.send({ payload: undefined });
      await h.send('x'.repeat(100_000));
      expect(h.errors.map((e) => e.message)).toEqual([
        'The rules left timestamp missing; it must be milliseconds since 1970 (a number)',
        `The rules left timestamp as the text "${'x'.repeat(37)}..."; it must be milliseconds since 1970 (a number)`,
      ]);
      expect(h.payloads()).toEqual([]);
    });

    it('refuses to send a message whose quality the rules made invalid', async () => {
      const h = await start([{ action: 'set', property: 'quality', value: literal('excellent') }]);
      await h.send(1);
      expect(h.errors[0]).toMatchObject({ code: 'CHANGE_INVALID_MESSAGE' });
      expect(h.payloads()).toEqual([]);
    });
  });
});

describe('message paths', () => {
  it('parses dots, indexes and quoted keys, and writes them back', () => {
    expect(parsePath('payload.items[2]["tag.with.dots"].v')).toEqual(['payload', 'items', 2, 'tag.with.dots', 'v']);
    expect(formatPath(['payload', 'items', 2, 'tag.with.dots', 'v'])).toBe('payload.items[2]["tag.with.dots"].v');
  });

  it.each(['', 'a..b', 'a.', 'a[x]', 'a.constructor', 'a["__proto__"]'])('refuses %j', (path) => {
    expect(() => parsePath(path)).toThrow();
  });

  it('reads own properties only', () => {
    expect(getPath({ a: [{ b: 1 }] }, ['a', 0, 'b'])).toBe(1);
    expect(getPath({ a: {} }, ['a', 'toString'])).toBeUndefined();
    expect(getPath({ a: 'text' }, ['a', 'length'])).toBe(4);
  });

  it('sets by copying the path only', () => {
    const root = { a: { b: 1 }, c: { d: 2 } };
    const next = setPath(root, ['a', 'b'], 5);
    expect(next).toEqual({ a: { b: 5 }, c: { d: 2 } });
    expect(root.a.b).toBe(1);
    expect(next.c).toBe(root.c);
    expect(setPath({}, ['list', 1], 'x')).toEqual({ list: [undefined, 'x'] });
  });

  it('deletes by copying the path only, and returns the same object when nothing is there', () => {
    const root = { a: { b: 1, e: 3 }, c: { d: 2 } };
    const next = deletePath(root, ['a', 'b']);
    expect(next).toEqual({ a: { e: 3 }, c: { d: 2 } });
    expect(next.c).toBe(root.c);
    expect(root.a).toEqual({ b: 1, e: 3 });
    expect(deletePath(root, ['x', 'y'])).toBe(root);
  });
});

describe('change with per-tag qualities (modbus-read object mode)', () => {
  const polled = {
    payload: { flow: 12.5, level: null, temp: 20 },
    quality: 'bad',
    qualities: { flow: 'good', level: 'bad', temp: 'uncertain' },
  };

  it('gives a tag pulled out to payload its own quality, and drops the stale qualities', async () => {
    const out = await applied([{ action: 'move', property: 'payload.flow', to: 'payload' }], polled);
    expect(out.payload).toBe(12.5);
    expect(out.quality).toBe('good');
    expect(out.qualities).toBeUndefined();
  });

  it('does the same for a value set from the property or by JSONata', async () => {
    const byProperty = await applied(
      [{ action: 'set', property: 'payload', value: { type: 'property', value: 'payload.temp' } }],
      polled,
    );
    expect([byProperty.payload, byProperty.quality, byProperty.qualities]).toEqual([20, 'uncertain', undefined]);
    const byExpression = await applied([{ action: 'set', property: 'payload', value: expr('payload.flow') }], polled);
    expect([byExpression.payload, byExpression.quality]).toEqual([12.5, 'good']);
  });

  it('keeps the worst quality for a payload that is none of the tags, and a quality the rules set', async () => {
    const computed = await applied([{ action: 'set', property: 'payload', value: expr('payload.flow * 2') }], polled);
    expect([computed.payload, computed.quality, computed.qualities]).toEqual([25, 'bad', undefined]);
    const stated = await applied(
      [
        { action: 'set', property: 'quality', value: literal('uncertain') },
        { action: 'move', property: 'payload.flow', to: 'payload' },
      ],
      polled,
    );
    expect([stated.quality, stated.qualities]).toEqual(['uncertain', undefined]);
  });

  it('keeps the qualities while the payload stays an object of tags', async () => {
    const out = await applied([{ action: 'set', property: 'payload.site', value: literal('A') }], polled);
    expect(out.qualities).toEqual(polled.qualities);
    expect(out.quality).toBe('bad');
  });
});
