import {
  checkFlowLimits,
  flowErrors,
  formatIssues,
  MAX_EDGES,
  MAX_FLOW_BYTES,
  MAX_ID_LENGTH,
  MAX_JSON_DEPTH,
  MAX_NODES,
  MAX_RESOURCES,
  MAX_STRING_LENGTH,
  parseFlowJson,
  utf8Length,
  validateFlow,
} from '../src';
import type { FlowIssue } from '../src';
import { errorsOf, smallFlow } from './helpers';
import { mapCatalog } from './test-catalog';

/** An object `levels` levels deep: 1 is `{}`, 2 is `{ a: {} }`. */
function nest(levels: number, make: (inner: unknown) => unknown = (inner) => ({ a: inner })): unknown {
  let value: unknown = {};
  for (let i = 1; i < levels; i++) value = make(value);
  return value;
}

function debugNodes(count: number): Array<{ id: string; type: string; typeVersion: number }> {
  return Array.from({ length: count }, (_, i) => ({ id: `d${i}`, type: 'debug', typeVersion: 1 }));
}

function codes(issues: FlowIssue[]): string[] {
  return issues.map((i) => i.code);
}

describe('the nesting depth limit', () => {
  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}, naming the limit and the path`, () => {
    // The flow is level 1 and its `ui` level 2: `ui` may hold MAX_JSON_DEPTH - 1 levels.
    const atLimit = { ...smallFlow(), ui: nest(MAX_JSON_DEPTH - 1) };
    expect(checkFlowLimits(atLimit)).toEqual([]);
    expect(validateFlow(atLimit, mapCatalog()).ok).toBe(true);

    const over = { ...smallFlow(), ui: nest(MAX_JSON_DEPTH) };
    const errors = errorsOf(validateFlow(over, mapCatalog()));
    const path = `/ui${'/a'.repeat(MAX_JSON_DEPTH - 1)}`;
    expect(errors).toEqual([
      {
        code: flowErrors.code.NESTED_TOO_DEEP,
        path,
        message: `flow "small": ${path} is nested more than 64 levels deep (objects and lists inside each other); a flow may nest at most 64 levels`,
      },
    ]);
  });

  it('refuses 10,000 levels in a node config or ui in plain words, naming the node, without a stack overflow', () => {
    const flow = smallFlow();
    flow.nodes[1].config = nest(10_000) as Record<string, unknown>;
    flow.nodes[0].ui = nest(10_000, (inner) => [inner]) as Record<string, unknown>;
    const errors = errorsOf(validateFlow(flow, mapCatalog()));
    expect(codes(errors)).toEqual([flowErrors.code.NESTED_TOO_DEEP, flowErrors.code.NESTED_TOO_DEEP]);
    expect(errors[0]).toMatchObject({ nodeId: 'sensor', path: `/nodes/0/ui${'/0'.repeat(MAX_JSON_DEPTH - 3)}` });
    expect(errors[0].message).toMatch(
      /^node "sensor" \(simulate\): \/nodes\/0\/ui\/0\/0.* is nested more than 64 levels/,
    );
    expect(errors[1]).toMatchObject({ nodeId: 'avg', path: `/nodes/1/config${'/a'.repeat(MAX_JSON_DEPTH - 3)}` });
  });

  it('refuses a cycle (from code, not JSON) instead of recursing forever', () => {
    const flow: Record<string, unknown> = { ...smallFlow() };
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    flow.ui = loop;
    expect(codes(errorsOf(validateFlow(flow, mapCatalog())))).toEqual([flowErrors.code.NESTED_TOO_DEEP]);
  });
});

describe('the count limits', () => {
  it(`accepts ${MAX_NODES.toLocaleString('en-US')} nodes and refuses one more with the number`, () => {
    const atLimit = { schemaVersion: 1, id: 'many', nodes: debugNodes(MAX_NODES), edges: [] };
    const result = validateFlow(atLimit, mapCatalog());
    if (!result.ok) throw new Error(formatIssues(result.errors.slice(0, 5)));

    const over = { ...atLimit, nodes: debugNodes(MAX_NODES + 1) };
    expect(errorsOf(validateFlow(over, mapCatalog()))).toEqual([
      {
        code: flowErrors.code.TOO_MANY_NODES,
        path: '/nodes',
        message: 'flow "many": /nodes has 10,001 nodes; a flow may have at most 10,000',
      },
    ]);
  });

  it('refuses 100,000 debug nodes with that one issue, not one per node', () => {
    const flow = { schemaVersion: 1, id: 'huge', nodes: debugNodes(100_000), edges: [] };
    const errors = errorsOf(validateFlow(flow, mapCatalog()));
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('flow "huge": /nodes has 100,000 nodes; a flow may have at most 10,000');
  });

  it.each([
    ['edges', MAX_EDGES, flowErrors.code.TOO_MANY_EDGES, { source: 'sensor', target: 'avg' }],
    ['resources', MAX_RESOURCES, flowErrors.code.TOO_MANY_RESOURCES, { id: 'r', type: 'mqtt-broker' }],
  ])('accepts %s up to the limit (%d) and refuses one more', (field, max, code, item) => {
    const flow: Record<string, unknown> = { ...smallFlow() };
    flow[field] = Array.from({ length: max }, () => item);
    expect(checkFlowLimits(flow)).toEqual([]);
    flow[field] = Array.from({ length: max + 1 }, () => item);
    expect(checkFlowLimits(flow)).toEqual([
      {
        code,
        path: `/${field}`,
        message: `flow "small": /${field} has ${(max + 1).toLocaleString('en-US')} ${field}; a flow may have at most ${max.toLocaleString('en-US')}`,
      },
    ]);
  });
});

describe('the id length limit', () => {
  const at = 'a'.repeat(MAX_ID_LENGTH);
  const over = 'a'.repeat(MAX_ID_LENGTH + 1);

  it(`accepts ids of ${MAX_ID_LENGTH} characters and refuses ${MAX_ID_LENGTH + 1}`, () => {
    const flow = smallFlow();
    flow.id = at;
    flow.nodes[0].id = at;
    flow.edges[0].source = at;
    expect(validateFlow(flow, mapCatalog()).ok).toBe(true);

    flow.nodes[0].id = over;
    flow.edges[0].source = over;
    expect(errorsOf(validateFlow(flow, mapCatalog()))).toEqual([
      {
        code: flowErrors.code.ID_TOO_LONG,
        path: '/nodes/0/id',
        message: 'node #1 (simulate): /nodes/0/id is 129 characters long; ids may be at most 128 characters',
      },
      {
        code: flowErrors.code.ID_TOO_LONG,
        path: '/edges/0/source',
        message: 'edge #1: /edges/0/source is 129 characters long; ids may be at most 128 characters',
      },
    ]);
  });

  it('checks the flow, resource and edge ids, types and ports too', () => {
    const flow = {
      ...smallFlow(),
      id: over,
      resources: [{ id: over, type: over }],
      edges: [{ id: over, source: 'sensor', sourcePort: over, target: 'avg' }],
    };
    flow.nodes[1].type = over;
    const errors = checkFlowLimits(flow);
    expect(errors.map((e) => e.path)).toEqual([
      '/id',
      '/resources/0/id',
      '/resources/0/type',
      '/nodes/1/type',
      '/edges/0/id',
      '/edges/0/sourcePort',
    ]);
    expect(errors[2].message).toBe(
      'resource #1: /resources/0/type is 129 characters long; type names may be at most 128 characters',
    );
    expect(errors[5].message).toMatch(/port names may be at most 128 characters$/);
  });

  it('refuses a 1 MB node id once, without quoting it', () => {
    const flow = smallFlow();
    flow.nodes[0].id = 'x'.repeat(1024 * 1024);
    flow.edges[0].source = flow.nodes[0].id;
    const errors = errorsOf(validateFlow(flow, mapCatalog()));
    expect(codes(errors)).toEqual([flowErrors.code.ID_TOO_LONG, flowErrors.code.ID_TOO_LONG]);
    expect(errors[0].message).toBe(
      'node #1 (simulate): /nodes/0/id is 1,048,576 characters long; ids may be at most 128 characters',
    );
    expect(errors[0]).not.toHaveProperty('nodeId');
    expect(errors.every((e) => e.message.length < 200)).toBe(true);
  });
});

describe('the text length limit', () => {
  it(`accepts a text of ${MAX_STRING_LENGTH.toLocaleString('en-US')} characters and refuses one more`, () => {
    const flow = smallFlow();
    flow.nodes[1].name = 'n'.repeat(MAX_STRING_LENGTH);
    expect(checkFlowLimits(flow)).toEqual([]);
    flow.nodes[1].name = 'n'.repeat(MAX_STRING_LENGTH + 1);
    expect(checkFlowLimits(flow)).toEqual([
      {
        code: flowErrors.code.TEXT_TOO_LONG,
        path: '/nodes/1/name',
        nodeId: 'avg',
        message:
          'node "avg" (moving-average): /nodes/1/name is a text of 1,000,001 characters; texts may be at most 1,000,000 characters',
      },
    ]);
  });

  it('applies to field names as well', () => {
    const flow = smallFlow();
    flow.nodes[0].ui = { ['k'.repeat(MAX_STRING_LENGTH + 1)]: 1 };
    expect(checkFlowLimits(flow)).toEqual([
      expect.objectContaining({
        code: flowErrors.code.TEXT_TOO_LONG,
        path: '/nodes/0/ui',
        message:
          'node "sensor" (simulate): /nodes/0/ui has a field name of 1,000,001 characters; texts may be at most 1,000,000 characters',
      }),
    ]);
  });
});

describe('numbers JSON cannot hold', () => {
  it('refuses "above": 1e400 (Infinity once parsed) with the node and the path, instead of saving null', () => {
    const text = JSON.stringify(smallFlow()).replace('{"count":3}', '{"count":3},"above":1e400');
    const parsed = parseFlowJson(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(errorsOf(validateFlow(parsed.value, mapCatalog()))).toEqual([
      {
        code: flowErrors.code.NUMBER_NOT_FINITE,
        path: '/nodes/1/config/above',
        nodeId: 'avg',
        message:
          'node "avg" (moving-average): /nodes/1/config/above is too large for a number (a value like 1e400 reads as Infinity); numbers may be at most about 1.8e308',
      },
    ]);
  });

  it('refuses -Infinity and NaN anywhere, ui included', () => {
    const flow = smallFlow();
    flow.nodes[0].ui = { x: -Infinity, y: NaN };
    const errors = checkFlowLimits(flow);
    expect(errors.map((e) => [e.path, e.code])).toEqual([
      ['/nodes/0/ui/x', flowErrors.code.NUMBER_NOT_FINITE],
      ['/nodes/0/ui/y', flowErrors.code.NUMBER_NOT_FINITE],
    ]);
    expect(errors[0].message).toMatch(/is too far below zero for a number/);
    expect(errors[1].message).toMatch(/is NaN \(not a number\), which a flow file cannot hold$/);
  });

  it('reports the first 20 of many, not one per value', () => {
    const flow = smallFlow();
    flow.nodes[0].ui = { values: Array.from({ length: 1000 }, () => Infinity) };
    const errors = checkFlowLimits(flow);
    expect(errors).toHaveLength(20);
    expect(errors[19].path).toBe('/nodes/0/ui/values/19');
  });

  it('keeps the largest finite numbers', () => {
    const flow = smallFlow();
    flow.nodes[0].ui = { x: Number.MAX_VALUE, y: -Number.MAX_VALUE, z: 5e-324 };
    expect(checkFlowLimits(flow)).toEqual([]);
  });
});

describe('the size limit of a flow file', () => {
  it(`parses ${MAX_FLOW_BYTES.toLocaleString('en-US')} bytes and refuses one more, counted in UTF-8`, () => {
    const base = '{"id": "é"}';
    const atLimit = base + ' '.repeat(MAX_FLOW_BYTES - utf8Length(base));
    expect(utf8Length(atLimit)).toBe(MAX_FLOW_BYTES);
    expect(atLimit.length).toBe(MAX_FLOW_BYTES - 1); // é is one character, two bytes
    expect(parseFlowJson(atLimit).ok).toBe(true);
    expect(parseFlowJson(`${atLimit} `)).toEqual({
      ok: false,
      error: {
        code: flowErrors.code.FLOW_TOO_LARGE,
        path: '',
        message: 'the flow is 5 MB (5,242,881 bytes); a flow may be at most 5 MB (5,242,880 bytes)',
      },
    });
  });

  it('counts characters outside the BMP as 4 bytes', () => {
    expect(utf8Length('a\u00e9\u20ac\u{1F600}')).toBe(1 + 2 + 3 + 4);
  });

  it('reports a syntax error in 10,000 levels of lists in plain words, without a stack overflow', () => {
    const result = parseFlowJson('['.repeat(10_000));
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({
        code: flowErrors.code.INVALID_JSON,
        message:
          'line 1, column 65: objects and lists are nested more than 64 levels deep here, the most a flow may have; the rest of the text was not checked',
      }),
    });
  });
});
