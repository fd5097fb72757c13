import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import debug from '../src/debug.node';

let open: NodeUnderTest[] = [];
async function start(config: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  const h = await testNode(debug, { config });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

/** Shows one payload with `config` and returns what the node displayed. */
async function show(payload: unknown, config: Record<string, unknown> = {}): Promise<unknown> {
  const h = await start(config);
  await h.send({ payload });
  expect(h.errors).toEqual([]);
  expect(h.debug).toHaveLength(1);
  return h.debug[0];
}

describe('debug', () => {
  it('shows the payload of each message, in order', async () => {
    const h = await start();
    await h.send(42);
    await h.send('hello');
    await h.send({ payload: { flow: 12.5, ok: true }, topic: 'pump3/flow' });
    expect(h.debug).toEqual([42, 'hello', { flow: 12.5, ok: true }]);
  });

  it("shows the whole message with property 'msg'", async () => {
    const h = await start({ property: 'msg' });
    await h.send({ payload: 7, topic: 'tank/level', timestamp: 1000, quality: 'uncertain', unit: 'm' });
    expect(h.debug).toEqual([{ payload: 7, topic: 'tank/level', timestamp: 1000, quality: 'uncertain', unit: 'm' }]);
  });

  it('shows nothing when inactive, and says it is inactive', async () => {
    const h = await start({ active: false });
    await h.send(1);
    expect(h.debug).toEqual([]);
    expect(h.status).toEqual({ state: 'idle', text: 'inactive' });
  });

  it('shows the latest value in its status when asked', async () => {
    const h = await start({ toStatus: true });
    await h.send(1.5);
    await h.send('running');
    expect(h.statuses.map((s) => s.text)).toEqual(['1.5', 'running']);
    await h.send({ payload: { text: 'x'.repeat(500) } });
    expect(h.status?.text?.length).toBeLessThanOrEqual(60);
    expect(h.status?.text?.startsWith('{"text":"xxx')).toBe(true);
  });

  it('leaves the status alone by default', async () => {
    const h = await start();
    await h.send(1);
    expect(h.statuses).toEqual([]);
  });

  describe('huge values', () => {
    it('cuts long strings with a marker saying how much was left out', async () => {
      const shown = await show('a'.repeat(5000), { maxLength: 100 });
      expect(shown).toBe(`${'a'.repeat(100)}… [+4900 characters]`);
    });

    it('cuts long arrays, typed arrays and sets', async () => {
      const list = Array.from({ length: 5000 }, (_, i) => i);
      const shown = (await show(list, { maxLength: 10 })) as unknown[];
      expect(shown).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, '… [+4990 more items]']);
      expect(await show(new Float64Array(50), { maxLength: 3 })).toEqual([0, 0, 0, '… [+47 more items]']);
      expect(await show(new Set(['a', 'b', 'c']), { maxLength: 2 })).toEqual(['a', 'b', '… [+1 more items]']);
    });

    it('cuts objects with many keys', async () => {
      const wide = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, i]));
      const shown = (await show(wide, { maxLength: 3 })) as Record<string, unknown>;
      expect(shown).toEqual({ k0: 0, k1: 1, k2: 2, '…': '+1997 more keys' });
    });

    it('bounds the whole display, however the bulk is nested', async () => {
      const grid = Array.from({ length: 1000 }, () => Array.from({ length: 1000 }, () => 'value'));
      const shown = await show(grid);
      // A million strings went in; what is shown stays within a small multiple of maxLength.
      expect(JSON.stringify(shown).length).toBeLessThan(200_000);
      expect(JSON.stringify(shown)).toContain('more items');
    });

    it('shows very deep nesting as [Object] past ten levels', async () => {
      let deep: Record<string, unknown> = { bottom: true };
      for (let i = 0; i < 5000; i++) deep = { next: deep };
      const shown = await show(deep);
      let level = shown as Record<string, unknown>;
      let depth = 0;
      while (typeof level.next === 'object') {
        level = level.next as Record<string, unknown>;
        depth++;
      }
      expect(level.next).toBe('[Object]');
      expect(depth).toBe(9);
    });
  });

  describe('values JSON cannot hold', () => {
    it('shows circular references as [Circular] and repeats shared ones', async () => {
      const shared = { id: 1 };
      const loop: Record<string, unknown> = { name: 'loop', a: shared, b: shared };
      loop.self = loop;
      loop.list = [loop, shared];
      const shown = await show(loop);
      expect(shown).toEqual({
        name: 'loop',
        a: { id: 1 },
        b: { id: 1 },
        self: '[Circular]',
        list: ['[Circular]', { id: 1 }],
      });
    });

    it('renders BigInt, NaN, undefined, functions, symbols, dates, maps and errors as text or plain data', async () => {
      const payload = {
        big: 2n ** 70n,
        nan: NaN,
        inf: -Infinity,
        none: undefined,
        fn: function pump() {},
        sym: Symbol('tag'),
        date: new Date(Date.UTC(2026, 0, 1)),
        map: new Map<unknown, unknown>([
          ['a', 1],
          [2, 'b'],
        ]),
        err: Object.assign(new Error('sensor offline'), { code: 'E42' }),
        buf: new ArrayBuffer(8),
      };
      const shown = await show(payload);
      expect(shown).toEqual({
        big: '1180591620717411303424n',
        nan: 'NaN',
        inf: '-Infinity',
        none: '[undefined]',
        fn: '[Function pump]',
        sym: 'Symbol(tag)',
        date: '2026-01-01T00:00:00.000Z',
        map: { a: 1, 2: 'b' },
        err: { name: 'Error', message: 'sensor offline', code: 'E42' },
        buf: '[ArrayBuffer 8 bytes]',
      });
      expect(() => JSON.stringify(shown)).not.toThrow();
    });

    it('shows a top-level BigInt and an undefined payload', async () => {
      expect(await show(12n)).toBe('12n');
      expect(await show(undefined)).toBe('[undefined]');
    });

    it('survives getters that throw and keeps __proto__ as an ordinary field', async () => {
      const tricky = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<string, unknown>;
      Object.defineProperty(tricky, 'broken', {
        enumerable: true,
        get() {
          throw new Error('no access');
        },
      });
      const shown = (await show(tricky)) as Record<string, unknown>;
      expect(Object.keys(shown)).toEqual(['__proto__', 'ok', 'broken']);
      expect(Object.getPrototypeOf(shown)).toBe(Object.prototype);
      expect(shown.broken).toBe('[unreadable: no access]');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('puts a circular value in its status without failing', async () => {
      const h = await start({ toStatus: true });
      const loop: Record<string, unknown> = { n: 1 };
      loop.me = loop;
      await h.send({ payload: loop });
      expect(h.errors).toEqual([]);
      expect(h.status?.text).toBe('{"n":1,"me":"[Circular]"}');
    });
  });
});
