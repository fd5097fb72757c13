import { edgeKey, formatIssues, validateFlow } from '../src';
import type { Flow, FlowIssue, FlowValidation } from '../src';
import manyMistakes from './fixtures/many-mistakes.json';
import validFlow from './fixtures/valid-flow.json';
import { mapCatalog, recordCatalog } from './test-catalog';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/** A fresh, loosely typed copy of a fixture, to edit in a test. */
function copy(value: unknown): Flow {
  return JSON.parse(JSON.stringify(value)) as Flow;
}

function errorsOf(result: FlowValidation): FlowIssue[] {
  if (result.ok) throw new Error('expected the flow to be refused');
  return result.errors;
}

describe('validateFlow on a valid flow', () => {
  it.each([
    ['Map', mapCatalog],
    ['record', recordCatalog],
  ])('accepts it with a %s catalog and returns it normalized', (_, makeCatalog) => {
    const result = validateFlow(copy(validFlow), makeCatalog());
    if (!result.ok) throw new Error(formatIssues(result.errors));
    expect(result.warnings).toEqual([]);
    expect(result.migrated).toEqual([]);
    expect(result.flow.edges).toEqual([
      { id: 'flow-sensor:out->avg:in', source: 'flow-sensor', sourcePort: 'out', target: 'avg', targetPort: 'in' },
      { id: 'avg-to-threshold', source: 'avg', sourcePort: 'out', target: 'high-flow', targetPort: 'in' },
      { id: 'avg:out->publish:in', source: 'avg', sourcePort: 'out', target: 'publish', targetPort: 'in' },
      { id: 'high-flow:above->log:in', source: 'high-flow', sourcePort: 'above', target: 'log', targetPort: 'in' },
    ]);
    const byId = Object.fromEntries(result.flow.nodes.map((n) => [n.id, n]));
    expect(byId['flow-sensor'].config).toEqual({ tag: 'pump3/flow', periodSeconds: 1 });
    expect(byId.avg.config).toEqual({ window: { count: 5 }, field: 'payload' });
    expect(byId.log.config).toEqual({ active: true }); // config was absent
    expect(byId.avg.queue).toEqual({ size: 100, overflow: 'drop-oldest' });
    expect(byId['flow-sensor'].ui).toEqual({ x: 80, y: 120 });
    expect(result.flow.resources).toEqual([
      { id: 'plant-broker', type: 'mqtt-broker', config: { url: 'mqtt://127.0.0.1:1883', keepaliveSeconds: 30 } },
    ]);
    expect(result.flow.ui).toEqual({ viewport: { zoom: 1.5 } });
  });

  it('never modifies its input (defaults go into a copy)', () => {
    const input = deepFreeze(copy(validFlow));
    const result = validateFlow(input, mapCatalog());
    expect(result.ok).toBe(true);
    expect(input).toEqual(validFlow);
    expect(input.nodes[4]).not.toHaveProperty('config');
    expect(input.edges[0]).not.toHaveProperty('sourcePort');
  });

  it('returns a deep copy that shares nothing with the input', () => {
    const input = copy(validFlow);
    const result = validateFlow(input, mapCatalog());
    if (!result.ok) throw new Error(formatIssues(result.errors));
    (result.flow.nodes[1].config as { window: { count: number } }).window.count = 99;
    (result.flow.ui as { viewport: { zoom: number } }).viewport.zoom = 3;
    expect(input.nodes[1].config).toEqual({ window: { count: 5 } });
    expect(input.ui).toEqual({ viewport: { zoom: 1.5 } });
  });

  it('gives edges without an id the edgeKey as id', () => {
    const edge = { source: 'a', target: 'b' };
    expect(edgeKey(edge)).toBe('a:out->b:in');
    expect(edgeKey({ source: 'a', sourcePort: 'above', target: 'b', targetPort: 'x' })).toBe('a:above->b:x');
  });

  it('warns about a node with no edges, without refusing the flow', () => {
    const flow = copy(validFlow);
    flow.nodes.push({ id: 'spare', type: 'simulate', typeVersion: 1, config: { tag: 'x' } });
    const result = validateFlow(flow, mapCatalog());
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({
        code: 'UNCONNECTED_NODE',
        nodeId: 'spare',
        path: '/nodes/5',
        message: expect.stringContaining('node "spare" (simulate)'),
      }),
    ]);
  });

  it('refuses what is not a JSON object', () => {
    for (const input of [null, [], 'flow', 42]) {
      expect(errorsOf(validateFlow(input, mapCatalog()))).toEqual([
        expect.objectContaining({ code: 'NOT_A_FLOW', path: '' }),
      ]);
    }
  });
});

describe('validateFlow on a flow with many mistakes', () => {
  const result = validateFlow(copy(manyMistakes), mapCatalog());
  const errors = errorsOf(result);
  const summary = errors.map(({ code, path, nodeId, edgeId, resourceId }) => ({
    code,
    path,
    nodeId,
    edgeId,
    resourceId,
  }));

  it('reports every mistake at once, each with its code, path and owner', () => {
    const expected = [
      { code: 'UNKNOWN_FIELD', path: '/author' },
      { code: 'RESOURCE_CONFIG_INVALID', path: '/resources/0/config/url', resourceId: 'plant-broker' },
      { code: 'DUPLICATE_RESOURCE_ID', path: '/resources/2/id', resourceId: 'plc' },
      { code: 'UNKNOWN_RESOURCE_TYPE', path: '/resources/3/type', resourceId: 'hist' },
      { code: 'UNKNOWN_FIELD', path: '/nodes/0/colour', nodeId: 'sensor' },
      { code: 'INVALID_FIELD', path: '/nodes/1/queue/overflow', nodeId: 'avg' },
      { code: 'CONFIG_INVALID', path: '/nodes/1/config/window/count', nodeId: 'avg' },
      { code: 'DUPLICATE_NODE_ID', path: '/nodes/2/id', nodeId: 'avg' },
      { code: 'UNKNOWN_NODE_TYPE', path: '/nodes/3/type', nodeId: 'sub' },
      { code: 'TYPE_VERSION_TOO_NEW', path: '/nodes/4/typeVersion', nodeId: 'limit' },
      { code: 'RESOURCE_NOT_FOUND', path: '/nodes/5/config/broker', nodeId: 'send', resourceId: 'plant-brokr' },
      { code: 'RESOURCE_TYPE_MISMATCH', path: '/nodes/6/config/broker', nodeId: 'send2', resourceId: 'plc' },
      { code: 'MISSING_FIELD', path: '/nodes/7/typeVersion', nodeId: 'bad' },
      { code: 'DANGLING_EDGE', path: '/edges/1/target', edgeId: 'sensor:out->ghost:in' },
      { code: 'UNKNOWN_PORT', path: '/edges/2/targetPort', edgeId: 'sensor:out->avg:inn', nodeId: 'avg' },
      { code: 'DUPLICATE_EDGE', path: '/edges/3', edgeId: 'sensor:out->avg:in' },
    ];
    expect(summary).toEqual(
      expected.map((e) => ({ nodeId: undefined, edgeId: undefined, resourceId: undefined, ...e })),
    );
  });

  it('writes each message in plain words, naming the owner, and the path (config fields: by label)', () => {
    // A config field is named by its label (the path stays on the issue); the rest name the path.
    for (const issue of errors) {
      if (issue.text === undefined) expect(issue.message).toContain(issue.path);
      else expect(issue.message).toContain(issue.text);
    }
    const message = (code: string) => errors.find((e) => e.code === code)?.message;
    expect(message('CONFIG_INVALID')).toBe(
      'node "avg" (moving-average): Window › Values must be at least 1 (you typed 0)',
    );
    expect(message('UNKNOWN_NODE_TYPE')).toContain('@tagflow/nodes-mqtt');
    expect(message('UNKNOWN_RESOURCE_TYPE')).toContain('@tagflow/nodes-historian');
    expect(message('TYPE_VERSION_TOO_NEW')).toMatch(/newer version of the node type.*upgrade the package/);
    expect(message('UNKNOWN_PORT')).toContain('its only input port is "in"');
  });

  it('reports no warnings for nodes that have edges', () => {
    expect(result.warnings).toEqual([]);
  });
});
