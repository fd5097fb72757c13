import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import switchNode from '../src/switch.node';

const PORTS = ['out1', 'out2', 'out3', 'out4', 'out5', 'out6'];

let open: NodeUnderTest[] = [];
async function start(config: Record<string, unknown>): Promise<NodeUnderTest> {
  const h = await testNode(switchNode, { config });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

/** The ports each payload went to, sending them one by one. */
async function routes(h: NodeUnderTest, payloads: unknown[]): Promise<string[][]> {
  const result: string[][] = [];
  for (const p of payloads) {
    h.clear();
    await h.send(p);
    expect(h.errors).toEqual([]);
    result.push(PORTS.filter((port) => h.outputs(port).length > 0));
  }
  return result;
}

/** Whether one rule matches each payload (sent on out1). */
async function matches(rule: Record<string, unknown>, payloads: unknown[]): Promise<boolean[]> {
  const h = await start({ rules: [rule] });
  return (await routes(h, payloads)).map((ports) => ports.includes('out1'));
}

describe('switch', () => {
  it('sends rule N matches on outN, the message unchanged', async () => {
    const h = await start({
      rules: [
        { op: 'lt', value: 10 },
        { op: 'gte', value: 10 },
      ],
    });
    await h.send({ payload: 4, topic: 'tank/level', quality: 'uncertain' });
    await h.send(15);
    expect(h.outputs('out1')).toEqual([{ payload: 4, topic: 'tank/level', timestamp: h.now(), quality: 'uncertain' }]);
    expect(h.payloads('out2')).toEqual([15]);
  });

  it('sends to every matching rule with checkAll, to the first only without', async () => {
    const rules = [
      { op: 'gt', value: 10 },
      { op: 'gt', value: 20 },
      { op: 'lt', value: 0 },
    ];
    expect(await routes(await start({ rules }), [25, 15, -1, 5])).toEqual([['out1', 'out2'], ['out1'], ['out3'], []]);
    expect(await routes(await start({ rules, checkAll: false }), [25, 15])).toEqual([['out1'], ['out1']]);
  });

  it('sends once to a port that several matching rules name', async () => {
    const h = await start({
      rules: [
        { op: 'gt', value: 10, port: 'out2' },
        { op: 'gt', value: 20, port: 'out2' },
      ],
    });
    await h.send(30);
    expect(h.payloads('out2')).toEqual([30]);
    expect(h.payloads('out1')).toEqual([]);
  });

  it('matches else only when no rule before it matched', async () => {
    const h = await start({
      rules: [
        { op: 'gt', value: 100 },
        { op: 'else', port: 'out6' },
        { op: 'lt', value: 0 },
      ],
    });
    expect(await routes(h, [150, 50, -5])).toEqual([['out1'], ['out6'], ['out3', 'out6']]);
  });

  it('tests the property the config names', async () => {
    const h = await start({ property: 'payload.readings[1].temp', rules: [{ op: 'gt', value: 80 }] });
    await h.send({ readings: [{ temp: 20 }, { temp: 95 }] });
    await h.send({ readings: [{ temp: 99 }, { temp: 60 }] });
    await h.send({ readings: [] });
    expect(h.payloads('out1')).toEqual([{ readings: [{ temp: 20 }, { temp: 95 }] }]);
  });

  it('tests the topic with a regular expression, ignoring case when asked', async () => {
    const h = await start({
      property: 'topic',
      rules: [
        { op: 'regex', value: '^pump\\d+/flow$' },
        { op: 'regex', value: 'ALARM', ignoreCase: true },
      ],
    });
    for (const topic of ['pump3/flow', 'pump3/pressure', 'line/alarm']) await h.send({ payload: topic, topic });
    expect(h.payloads('out1')).toEqual(['pump3/flow']);
    expect(h.payloads('out2')).toEqual(['line/alarm']);
  });

  describe('operators', () => {
    it('eq and neq treat a number and its text as equal, and compare lists by content', async () => {
      expect(await matches({ op: 'eq', value: 42 }, [42, '42', 43, '42a', null])).toEqual([
        true,
        true,
        false,
        false,
        false,
      ]);
      expect(await matches({ op: 'eq', value: 'RUN' }, ['RUN', 'run'])).toEqual([true, false]);
      expect(
        await matches({ op: 'eq', value: [1, { a: 2 }] }, [
          [1, { a: 2 }],
          [1, { a: 3 }],
        ]),
      ).toEqual([true, false]);
      expect(await matches({ op: 'neq', value: 0 }, [0, 1, '0'])).toEqual([false, true, false]);
    });

    it('lt, lte, gt and gte compare numbers (also as text) and texts', async () => {
      expect(await matches({ op: 'lt', value: 10 }, [9.99, 10, '9', 'ten', null])).toEqual([
        true,
        false,
        true,
        false,
        false,
      ]);
      expect(await matches({ op: 'lte', value: 10 }, [10, 10.01])).toEqual([true, false]);
      expect(await matches({ op: 'gt', value: '10' }, [11, '9', 10])).toEqual([true, false, false]);
      expect(await matches({ op: 'gte', value: 'm' }, ['m', 'z', 'a'])).toEqual([true, true, false]);
    });

    it('between includes both bounds, in either order', async () => {
      expect(await matches({ op: 'between', value: 10, value2: 20 }, [10, 15, 20, 20.5, 9])).toEqual([
        true,
        true,
        true,
        false,
        false,
      ]);
      expect(await matches({ op: 'between', value: 20, value2: 10 }, [15, 25])).toEqual([true, false]);
    });

    it('contains looks in texts and lists', async () => {
      expect(await matches({ op: 'contains', value: 'err' }, ['sensor error', 'ok', ['err'], 5])).toEqual([
        true,
        false,
        true,
        false,
      ]);
      expect(
        await matches({ op: 'contains', value: 3 }, [
          [1, 2, 3],
          [1, 2],
        ]),
      ).toEqual([true, false]);
    });

    it('true, false, null and notnull', async () => {
      const values = [true, false, 'true', 0, null, undefined];
      expect(await matches({ op: 'true' }, values)).toEqual([true, false, false, false, false, false]);
      expect(await matches({ op: 'false' }, values)).toEqual([false, true, false, false, false, false]);
      expect(await matches({ op: 'null' }, values)).toEqual([false, false, false, false, true, true]);
      expect(await matches({ op: 'notnull' }, values)).toEqual([true, true, true, true, false, false]);
    });

    it('isType names the type', async () => {
      const values = [1, 'a', true, [1], { a: 1 }, null];
      expect(await matches({ op: 'isType', value: 'number' }, values)).toEqual([
        true,
        false,
        false,
        false,
        false,
        false,
      ]);
      expect(await matches({ op: 'isType', value: 'array' }, values)).toEqual([
        false,
        false,
        false,
        true,
        false,
        false,
      ]);
      expect(await matches({ op: 'isType', value: 'object' }, values)).toEqual([
        false,
        false,
        false,
        false,
        true,
        false,
      ]);
      expect(await matches({ op: 'isType', value: 'null' }, values)).toEqual([false, false, false, false, false, true]);
    });

    it('jsonata runs on the whole message and matches when it gives true', async () => {
      const h = await start({
        rules: [{ op: 'jsonata', value: 'payload.temp > 50 and topic = "tank"' }, { op: 'else' }],
      });
      await h.send({ payload: { temp: 60 }, topic: 'tank' });
      await h.send({ payload: { temp: 60 }, topic: 'pipe' });
      await h.send({ payload: { temp: 40 }, topic: 'tank' });
      expect(h.outputs('out1').map((m) => m.topic)).toEqual(['tank']);
      expect(h.outputs('out2').map((m) => m.topic)).toEqual(['pipe', 'tank']);
    });

    it('a jsonata rule that fails on a message reports SWITCH_EXPRESSION_FAILED and sends nothing', async () => {
      const h = await start({ rules: [{ op: 'jsonata', value: 'payload * 2 > 10' }] });
      await h.send('not a number');
      await h.send(6);
      expect(h.errors).toHaveLength(1);
      expect(h.errors[0].code).toBe('SWITCH_EXPRESSION_FAILED');
      expect(h.errors[0].message).toContain('Rule 1 (jsonata)');
      expect(h.payloads('out1')).toEqual([6]);
    });
  });

  describe('config errors at deploy', () => {
    it.each([
      [
        { rules: [{ op: 'regex', value: '(unclosed' }] },
        /Rule 1 \(regex\): the regular expression "\(unclosed" is invalid/,
      ],
      [{ rules: [{ op: 'gt' }] }, /Rule 1 \(gt\): needs a value/],
      [{ rules: [{ op: 'between', value: 1 }] }, /Rule 1 \(between\): needs value2/],
      [{ rules: [{ op: 'isType', value: 'date' }] }, /the type must be one of/],
      [
        { rules: [{ op: 'jsonata', value: 'payload >' }] },
        /Rule 1 \(jsonata\): the JSONata expression "payload >" is invalid/,
      ],
      [{ property: 'payload..x', rules: [] }, /Property: "payload..x"/],
      [{ property: 'payload.__proto__', rules: [] }, /not allowed/],
      [
        { rules: Array.from({ length: 7 }, () => ({ op: 'true' })) },
        /Rule 7 \(true\): the switch has 6 outputs, so this rule has no out7; raise outputs to 7 or more/,
      ],
      [
        { outputs: 8, rules: [{ op: 'true', port: 'out9' }] },
        /Rule 1 \(true\): sends to "out9", but the switch has 8 outputs \(out1 to out8\); raise outputs to 9/,
      ],
      [{ outputs: 33, rules: [] }, /outputs/],
      [{ outputs: 0, rules: [] }, /outputs/],
      [{ rules: [{ op: 'sometimes' }] }, /op/],
      [{ rules: [{ op: 'true', port: 'out9' }] }, /Rule 1 \(true\): sends to "out9", but the switch has 6 outputs/],
      [{ rules: [{ op: 'true', port: 'left' }] }, /port/],
    ])('refuses %j', async (config, expected) => {
      await expect(testNode(switchNode, { config })).rejects.toThrow(expected);
    });

    it('accepts more than six rules when they name their ports', async () => {
      const rules = Array.from({ length: 8 }, (_, i) => ({ op: 'eq', value: i, port: i % 2 === 0 ? 'out1' : 'out2' }));
      const h = await start({ rules });
      expect(await routes(h, [6, 7])).toEqual([['out1'], ['out2']]);
    });
  });
});
