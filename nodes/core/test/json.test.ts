import { testNode } from '@tagflow/node-test';
import type { NodeUnderTest } from '@tagflow/node-test';
import json from '../src/json.node';

// Cases from Node-RED's json node tests (test/nodes/core/parsers/70-JSON_spec.js), restated for
// tagflow's config; each names the Node-RED case it covers.

let open: NodeUnderTest[] = [];
afterEach(async () => {
  await Promise.all(open.map((h) => h.close()));
  open = [];
});

async function start(config: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  const h = await testNode(json, { config });
  open.push(h);
  return h;
}

/** The payloads sent for each input payload, one message at a time. */
async function converted(config: Record<string, unknown>, payloads: unknown[]): Promise<unknown[]> {
  const h = await start(config);
  for (const payload of payloads) await h.send({ payload });
  expect(h.errors).toEqual([]);
  return h.payloads();
}

describe('json: Node-RED cases', () => {
  it('auto: parses JSON text and a Buffer of JSON text', async () => {
    // "should convert a valid json string to a javascript object", "... a buffer of a valid json string".
    const text = '{"employees":[{"firstName":"John", "lastName":"Smith"}]}';
    expect(await converted({}, [text, Buffer.from(text)])).toEqual([
      { employees: [{ firstName: 'John', lastName: 'Smith' }] },
      { employees: [{ firstName: 'John', lastName: 'Smith' }] },
    ]);
  });

  it('auto: writes objects, lists, booleans, numbers and null as JSON text', async () => {
    // "should convert a javascript object / an array / a boolean / a number to a json string".
    expect(await converted({}, [{ employees: [{ firstName: 'John' }] }, [1, 2, 3], true, 7, null])).toEqual([
      '{"employees":[{"firstName":"John"}]}',
      '[1,2,3]',
      'true',
      '7',
      'null',
    ]);
  });

  it('pretty: indents JSON text by four spaces', async () => {
    // "should convert a javascript object to a pretty json string".
    expect(await converted({ pretty: true }, [{ a: [1] }])).toEqual(['{\n    "a": [\n        1\n    ]\n}']);
  });

  it('str: text is passed unchanged, unchecked; a value becomes text', async () => {
    // "should ensure the result is a json string" (and a non-JSON string is left alone).
    expect(await converted({ action: 'str' }, ['{"a":1}', 'not json', { a: 1 }])).toEqual([
      '{"a":1}',
      'not json',
      '{"a":1}',
    ]);
  });

  it('obj: text is parsed; a value is passed unchanged', async () => {
    // "should ensure the result is a JS Object".
    expect(await converted({ action: 'obj' }, ['{"a":1}', { a: 1 }, 5])).toEqual([{ a: 1 }, { a: 1 }, 5]);
  });

  it('passes a message without the property straight through', async () => {
    // "should pass straight through if no payload set".
    const h = await start();
    await h.send({ payload: undefined, topic: 'bar' });
    expect(h.outputs()).toHaveLength(1);
    expect(h.outputs()[0]).toMatchObject({ topic: 'bar' });
    expect(h.outputs()[0].payload).toBeUndefined();
  });

  it('reports text that is not JSON as JSON_PARSE_FAILED and sends nothing', async () => {
    // "should log an error if asked to parse an invalid json string".
    const h = await start();
    await h.send({ payload: 'foo', topic: 'bar' });
    expect(h.outputs()).toEqual([]);
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toMatchObject({ code: 'JSON_PARSE_FAILED' });
    expect(h.errors[0].message).toContain('payload is not valid JSON text');
  });

  it('reports a value JSON cannot hold as JSON_NOT_SERIALIZABLE', async () => {
    // "should log an error if asked to stringify something that cannot be" (a BigInt here).
    const h = await start({ action: 'str' });
    await h.send({ payload: { big: 10n } });
    expect(h.outputs()).toEqual([]);
    expect(h.errors[0]).toMatchObject({ code: 'JSON_NOT_SERIALIZABLE' });
  });

  it('converts any message property, leaving the rest of the message alone', async () => {
    // "should handle any msg property - receive existing string" / "... object".
    const h = await start({ property: 'one.two' });
    await h.send({ payload: 'keep', one: { two: '{"x":1}', three: 3 }, topic: 't' });
    await h.send({ payload: 'keep', one: { two: { x: 2 } } });
    const [first, second] = h.outputs();
    expect(first).toMatchObject({ payload: 'keep', topic: 't', one: { two: { x: 1 }, three: 3 } });
    expect(second.one).toEqual({ two: '{"x":2}' });
  });

  it('does not change the message it received', async () => {
    const h = await start();
    const msg = { payload: { a: 1 }, qualities: { a: 'bad' } };
    await h.send(msg);
    expect(msg.payload).toEqual({ a: 1 });
    // Per-key qualities describe an object payload, so text drops them.
    expect(h.outputs()[0]).not.toHaveProperty('qualities');
    expect(h.outputs()[0].payload).toBe('{"a":1}');
  });
});
