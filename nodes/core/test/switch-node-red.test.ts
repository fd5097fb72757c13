import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import change from '../src/change.node';
import switchNode from '../src/switch.node';

// Cases from Node-RED's own switch tests (test/nodes/core/function/10-switch_spec.js), restated
// for tagflow's config. Each names the Node-RED case it covers.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

/** Whether one rule sends each payload (one at a time) on out1. */
async function matches(rule: Record<string, unknown>, payloads: unknown[]): Promise<boolean[]> {
  const h = await testNode(switchNode, { config: { rules: [rule] } });
  open.push(h);
  const result: boolean[] = [];
  for (const payload of payloads) {
    h.clear();
    await h.send({ payload });
    expect(h.errors).toEqual([]);
    result.push(h.outputs('out1').length > 0);
  }
  return result;
}

describe('switch: Node-RED cases', () => {
  it('isType number: 999, 0 and Infinity are numbers, NaN is not ("of type number NaN")', async () => {
    // "should check if payload if of type number", "... number 0", "... number NaN", "... number Infinity".
    expect(await matches({ op: 'isType', value: 'number' }, [999, 0, Number.NaN, Infinity])).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it('isType json, buffer and undefined', async () => {
    // "of type JSON string", "of type JSON string (and fail if not)", "of type buffer", "of type undefined".
    expect(await matches({ op: 'isType', value: 'json' }, [JSON.stringify({ a: 1, b: 'b' }), 'Hello', 42])).toEqual([
      true,
      false,
      false,
    ]);
    expect(await matches({ op: 'isType', value: 'buffer' }, [Buffer.from('Hello'), 'Hello', [1]])).toEqual([
      true,
      false,
      false,
    ]);
    expect(await matches({ op: 'isType', value: 'undefined' }, [undefined, null, 0])).toEqual([true, false, false]);
    // A Buffer is not an "object" for isType, as it is not in Node-RED.
    expect(await matches({ op: 'isType', value: 'object' }, [{ a: 1 }, Buffer.from('x')])).toEqual([true, false]);
  });

  it('hask: an object with the key; not without it, not for a number key, not for null or undefined', async () => {
    // "should match if a payload has a required property", "... does not have a required property",
    // "... the key is not a string", "... parent object does not exist - null / - undefined".
    expect(await matches({ op: 'hask', value: 'a' }, [{ a: 1 }, { b: 1 }, null, undefined])).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect(await matches({ op: 'hask', value: 1 }, [{ a: 1 }, { 1: 'one' }])).toEqual([false, false]);
  });

  it('empty and nempty for texts, lists, buffers and objects; neither for null, undefined, 0', async () => {
    // "should check if payload is empty (string/array/buffer/object/non-empty .../null/undefined/0)"
    // and the same "is not empty" cases.
    const values = ['', [], Buffer.alloc(0), {}, '1', [1], Buffer.alloc(1), { a: 1 }, null, undefined, 0];
    expect(await matches({ op: 'empty' }, values)).toEqual([
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(await matches({ op: 'nempty' }, values)).toEqual([
      false,
      false,
      false,
      false,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('between takes its bounds in either order, for numbers and texts', async () => {
    // "between given values", "... in "wrong" order", "... given string values", "not between".
    expect(await matches({ op: 'between', value: '3', value2: '5' }, [4, 12])).toEqual([true, false]);
    expect(await matches({ op: 'between', value: '5', value2: '3' }, [4])).toEqual([true]);
    expect(await matches({ op: 'between', value: 'c', value2: 'e' }, ['d', 'f'])).toEqual([true, false]);
  });

  it('compares with a nested message property', async () => {
    // "should use a nested message property to compare value - matches / - no match".
    const h = await testNode(switchNode, {
      config: { rules: [{ op: 'eq', value: 'payload.limit', valueType: 'property' }], property: 'payload.value' },
    });
    open.push(h);
    await h.send({ payload: { value: 7, limit: 7 } });
    await h.send({ payload: { value: 7, limit: 8 } });
    expect(h.payloads('out1')).toEqual([{ value: 7, limit: 7 }]);
  });

  it('compares with flow and global context and a runtime variable', async () => {
    // "should handle flow context", "should handle global context", "should handle env var expression".
    const flow = await runFlow(
      {
        schemaVersion: 1,
        id: 'switch-context',
        nodes: [
          {
            id: 'remember',
            type: 'change',
            typeVersion: 1,
            config: {
              rules: [
                {
                  action: 'set',
                  scope: 'flow',
                  property: 'limits.high',
                  value: { type: 'property', value: 'payload' },
                },
                { action: 'set', scope: 'global', property: 'low', value: { type: 'literal', value: 2 } },
              ],
            },
          },
          {
            id: 'route',
            type: 'switch',
            typeVersion: 1,
            config: {
              rules: [
                { op: 'gt', value: 'limits.high', valueType: 'flow' },
                { op: 'lt', value: 'low', valueType: 'global' },
                { op: 'eq', value: 'SITE', valueType: 'variable' },
              ],
            },
          },
        ],
        edges: [],
      },
      { nodes: [change, switchNode] },
    );
    flow.engine.setVariables({ SITE: 'plant-7' });
    await flow.inject('remember', 10);
    for (const value of [11, 5, 1, 'plant-7']) await flow.inject('route', value);
    expect(flow.payloads('route', 'out1')).toEqual([11]);
    expect(flow.payloads('route', 'out2')).toEqual([1]);
    expect(flow.payloads('route', 'out3')).toEqual(['plant-7']);
    expect(flow.errors).toEqual([]);
    await flow.stop();
  });

  it('JSONata rules read flow and global context and variables', async () => {
    // "should handle flow and global contexts with JSONata expression", "should handle env var expression".
    const flow = await runFlow(
      {
        schemaVersion: 1,
        id: 'switch-jsonata-context',
        nodes: [
          {
            id: 'remember',
            type: 'change',
            typeVersion: 1,
            config: {
              rules: [
                { action: 'set', scope: 'flow', property: 'a', value: { type: 'literal', value: 1 } },
                { action: 'set', scope: 'global', property: 'b', value: { type: 'literal', value: 2 } },
              ],
            },
          },
          {
            id: 'route',
            type: 'switch',
            typeVersion: 1,
            config: {
              rules: [
                { op: 'jsonata', value: "payload = $flowContext('a') + $globalContext('b')" },
                { op: 'jsonata', value: "$env('SITE') = 'north'" },
              ],
            },
          },
        ],
        edges: [],
      },
      { nodes: [change, switchNode] },
    );
    flow.engine.setVariables({ SITE: 'north' });
    await flow.inject('remember', 0);
    await flow.inject('route', 3);
    await flow.inject('route', 4);
    expect(flow.payloads('route', 'out1')).toEqual([3]);
    expect(flow.payloads('route', 'out2')).toEqual([3, 4]);
    await flow.stop();
  });

  it('compares with the previous value of the property', async () => {
    // "should check input against a previous value": 1, 0, -2, 2 with gt previous. Node-RED also
    // sends the first 1 (it compares with null); tagflow's first message has no previous value.
    const h = await testNode(switchNode, { config: { rules: [{ op: 'gt', valueType: 'previous' }] } });
    open.push(h);
    for (const v of [1, 0, -2, 2]) await h.send(v);
    expect(h.payloads('out1')).toEqual([2]);
  });

  it('refuses a regex, isType or jsonata rule whose value is not written in the rule', async () => {
    await expect(
      testNode(switchNode, { config: { rules: [{ op: 'regex', value: 'pattern', valueType: 'flow' }] } }),
    ).rejects.toThrow(/its value must be written in the rule/);
  });
});
