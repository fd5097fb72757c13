import { runFlow, testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import type { Message } from '@tagflow/node-sdk';
import change from '../src/change.node';

// Cases from Node-RED's own change tests (test/nodes/core/function/15-change_spec.js), restated
// for tagflow's config. Each names the Node-RED case it covers.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function applied(rules: unknown[], input: unknown): Promise<Message> {
  const h = await testNode(change, { config: { rules } });
  open.push(h);
  await h.send(input);
  expect(h.errors).toEqual([]);
  expect(h.outputs()).toHaveLength(1);
  return h.outputs()[0];
}

const literal = (value: unknown) => ({ type: 'literal', value });
const from = (property: string) => ({ type: 'property', value: property });

/** A flow of one change node (`rules`) whose context the test can read through a second one. */
function contextFlow(rules: unknown[]) {
  return {
    schemaVersion: 1,
    id: 'change-context',
    nodes: [{ id: 'c', type: 'change', typeVersion: 1, config: { rules } }],
    edges: [],
  };
}

describe('change: Node-RED cases', () => {
  it('a regex change with a boolean or null replacement keeps its type on a whole match', async () => {
    // "changes the value of the message property based on a regex": "on" -> true, "off" -> false,
    // while a text replacement still replaces every match inside the text.
    const out = await applied(
      [
        { action: 'change', property: 'payload.a', search: '\\d+', regex: true, replace: 'NUMBER' },
        { action: 'change', property: 'payload.b', search: 'on', regex: true, replace: true },
        { action: 'change', property: 'payload.c', search: 'off', regex: true, replace: false },
        { action: 'change', property: 'payload.d', search: 'n/?a', regex: true, replace: null },
        { action: 'change', property: 'payload.e', search: 'on', regex: true, replace: true },
      ],
      { payload: { a: 'Replace all numbers 12 and 14', b: 'on', c: 'off', d: 'n/a', e: 'only' } },
    );
    expect(out.payload).toEqual({
      a: 'Replace all numbers NUMBER and NUMBER',
      b: true,
      c: false,
      d: null,
      e: 'truely',
    });
  });

  it('setting from a missing property removes the target instead of creating its parents', async () => {
    // "doesn't set the value of a message property when the 'to' message property does not exist".
    const nested = await applied([{ action: 'set', property: 'foo.bar', value: from('fred.red') }], { payload: 1 });
    expect(nested).not.toHaveProperty('foo');
    // "overrides the value of a message property when the 'to' message property does not exist".
    const top = await applied([{ action: 'set', property: 'payload', value: from('foo') }], { payload: 'Hello' });
    expect(top.payload).toBeUndefined();
    // "sets the message property to null when the 'to' message property equals null".
    const fromNull = await applied([{ action: 'set', property: 'payload', value: from('foo') }], {
      payload: 'Hello',
      foo: null,
    });
    expect(fromNull.payload).toBeNull();
  });

  it('moving a property onto itself leaves it in place', async () => {
    // "moves the value of a message property object to itself".
    const out = await applied([{ action: 'move', property: 'payload', to: 'payload' }], { payload: 'bar' });
    expect(out.payload).toBe('bar');
  });

  it('moves a property to a sub-property of itself and back', async () => {
    // "moves the value of a message property object to a sub-property", "... sub-property object to a property".
    const deeper = await applied([{ action: 'move', property: 'payload', to: 'payload.foo' }], { payload: { a: 1 } });
    expect(deeper.payload).toEqual({ foo: { a: 1 } });
    const up = await applied([{ action: 'move', property: 'payload.foo', to: 'payload' }], {
      payload: { foo: { a: 1 } },
    });
    expect(up.payload).toEqual({ a: 1 });
  });

  it('a copied object is not changed by a later rule on the original (deep copy is always on)', async () => {
    // "deep copies the property if selected".
    const out = await applied(
      [
        { action: 'set', property: 'copy', value: from('payload') },
        { action: 'set', property: 'payload.a', value: literal(2) },
      ],
      { payload: { a: 1 } },
    );
    expect(out.copy).toEqual({ a: 1 });
    expect(out.payload).toEqual({ a: 2 });
  });

  it('sets, reads, moves and deletes flow and global context', async () => {
    // "sets the value of global context property", "changes the value to flow context property",
    // "sets the value of a nested flow context property using a message property",
    // "sets the value of a message property using a nested property in flow context",
    // "deletes the value of global context property", "changes the value of the global context".
    const f = await runFlow(
      contextFlow([
        { action: 'set', scope: 'global', property: 'count', value: from('payload') },
        { action: 'set', scope: 'flow', property: 'pump.speed', value: from('payload') },
        { action: 'set', property: 'speed', value: { type: 'flow', value: 'pump.speed' } },
        { action: 'set', property: 'total', value: { type: 'global', value: 'count' } },
        { action: 'change', scope: 'flow', property: 'pump.state', search: 'on', replace: true },
        { action: 'move', scope: 'global', property: 'count', to: 'moved', toScope: 'node' },
        { action: 'set', property: 'fromNode', value: { type: 'node', value: 'moved' } },
        { action: 'delete', scope: 'node', property: 'moved' },
        { action: 'set', property: 'afterDelete', value: { type: 'node', value: 'moved' } },
      ]),
      { nodes: [change] },
    );
    await f.inject('c', 42);
    expect(f.errors).toEqual([]);
    const [out] = f.outputs('c');
    expect(out).toMatchObject({ payload: 42, speed: 42, total: 42, fromNode: 42 });
    expect(out).not.toHaveProperty('afterDelete');
    await f.stop();
  });

  it('search and replace read from a message property, context or a variable', async () => {
    // "changes the value using msg property", "changes the value using flow context property",
    // "changes the number using global context property", "changes the value using env property".
    const f = await runFlow(
      contextFlow([
        { action: 'set', scope: 'flow', property: 'topic', value: literal('ABC') },
        { action: 'set', scope: 'global', property: 'mark', value: literal('#') },
        { action: 'change', property: 'payload.a', search: 'topic', searchFrom: 'property', replace: '123' },
        { action: 'change', property: 'payload.b', search: 'topic', searchFrom: 'flow', replace: '123' },
        {
          action: 'change',
          property: 'payload.c',
          search: 'SITE',
          searchFrom: 'variable',
          replace: 'mark',
          replaceFrom: 'global',
        },
        { action: 'change', property: 'payload.d', search: 'missing', searchFrom: 'flow', replace: 'x' },
      ]),
      { nodes: [change] },
    );
    f.engine.setVariables({ SITE: 'north' });
    await f.inject('c', { payload: { a: 'abcABCabc', b: 'ABC', c: 'north/pump', d: 'same' }, topic: 'ABC' });
    expect(f.errors).toEqual([]);
    expect(f.outputs('c')[0].payload).toEqual({ a: 'abc123abc', b: '123', c: '#/pump', d: 'same' });
    await f.stop();
  });

  it('sets a property from a runtime variable', async () => {
    // "sets the value using env property".
    const f = await runFlow(
      contextFlow([{ action: 'set', property: 'site', value: { type: 'variable', value: 'SITE' } }]),
      {
        nodes: [change],
      },
    );
    f.engine.setVariables({ SITE: 'north' });
    await f.inject('c', 1);
    expect(f.outputs('c')[0].site).toBe('north');
    await f.stop();
  });

  it('JSONata reads flow and global context; $millis() and $now() follow the node clock', async () => {
    // "changes the value using flow context with jsonata", "... global context with jsonata",
    // "sets the value of the message property to the current timestamp".
    const f = await runFlow(
      contextFlow([
        { action: 'set', scope: 'flow', property: 'offset', value: literal(5) },
        { action: 'set', property: 'payload', value: { type: 'jsonata', value: "payload + $flowContext('offset')" } },
        { action: 'set', property: 'at', value: { type: 'jsonata', value: '$millis()' } },
        { action: 'set', property: 'iso', value: { type: 'jsonata', value: '$now()' } },
      ]),
      { nodes: [change] },
    );
    await f.advance(3_600_000);
    await f.inject('c', 1);
    const [out] = f.outputs('c');
    expect(out.payload).toBe(6);
    expect(out.at).toBe(f.now());
    expect(out.iso).toBe(new Date(f.now()).toISOString());
    await f.stop();
  });
});
