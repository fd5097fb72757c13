import type { Flow, NodeCatalog, NodeTypeInfo, SubflowDef } from '../src';
import { formatIssue, resolveFlowVariables, subflowStatusNodes, validateFlow } from '../src';
import { errorsOf } from './helpers';
import { mapCatalog } from './test-catalog';

/** A subflow averaging its input and checking it against a threshold given as a parameter. */
function pumpHealth(): SubflowDef {
  return {
    id: 'pump-health',
    name: 'Pump health',
    version: '1.0.0',
    inputs: [{ port: 'in', to: [{ node: 'avg' }] }],
    outputs: [{ port: 'alarm', from: [{ node: 'limit', port: 'above' }] }],
    params: {
      type: 'object',
      properties: {
        limit: { type: 'number', title: 'Limit', default: 42.5 },
        window: { type: 'integer', title: 'Values', minimum: 1, default: 5 },
        topic: { type: 'string', title: 'Topic', default: 'pump' },
      },
    },
    status: 'limit',
    resources: [{ id: 'broker', type: 'mqtt-broker', config: { url: 'mqtt://127.0.0.1:1883' } }],
    nodes: [
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: '${window}' } } },
      { id: 'limit', type: 'threshold', typeVersion: 1, config: { above: '${limit}' } },
      { id: 'pub', type: 'mqtt-out', typeVersion: 1, config: { broker: 'broker', topic: 'plant/${topic}/avg' } },
    ],
    edges: [
      { source: 'avg', target: 'limit' },
      { source: 'avg', target: 'pub' },
    ],
  };
}

function flowWith(instances: Flow['nodes'], extraEdges: Flow['edges'] = []): Flow {
  return {
    schemaVersion: 1,
    id: 'plant',
    subflows: [pumpHealth()],
    nodes: [
      { id: 'sensor', type: 'simulate', typeVersion: 1 },
      ...instances,
      { id: 'log', type: 'debug', typeVersion: 1 },
    ],
    edges: [
      ...instances.flatMap((i) => [
        { source: 'sensor', target: i.id },
        { source: i.id, sourcePort: 'alarm', target: 'log' },
      ]),
      ...extraEdges,
    ],
  };
}

describe('subflow expansion', () => {
  it('turns each instance into its own namespaced nodes, resources and wires', () => {
    const flow = flowWith([
      { id: 'pump1', type: 'subflow:pump-health', typeVersion: 1, config: { limit: 10, topic: 'p1' } },
      { id: 'pump2', type: 'subflow:pump-health', typeVersion: 1, config: {} },
    ]);
    const result = validateFlow(flow, mapCatalog());
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    const ids = result.flow.nodes.map((n) => n.id);
    expect(ids).toEqual([
      'sensor',
      'pump1~avg',
      'pump1~limit',
      'pump1~pub',
      'pump2~avg',
      'pump2~limit',
      'pump2~pub',
      'log',
    ]);
    const byId = new Map(result.flow.nodes.map((n) => [n.id, n]));
    // Parameters: whole-field values keep their type, defaults apply, text is interpolated.
    expect(byId.get('pump1~limit')?.config).toMatchObject({ above: 10 });
    expect(byId.get('pump2~limit')?.config).toMatchObject({ above: 42.5 });
    expect(byId.get('pump1~avg')?.config).toMatchObject({ window: { count: 5 } });
    expect(byId.get('pump1~pub')?.config).toMatchObject({ broker: 'pump1~broker', topic: 'plant/p1/avg' });
    expect(byId.get('pump2~pub')?.config).toMatchObject({ broker: 'pump2~broker', topic: 'plant/pump/avg' });
    expect(result.flow.resources?.map((r) => r.id)).toEqual(['pump1~broker', 'pump2~broker']);
    const wires = result.flow.edges.map((e) => `${e.source}:${e.sourcePort}->${e.target}:${e.targetPort}`);
    expect(wires).toEqual(
      expect.arrayContaining([
        'sensor:out->pump1~avg:in',
        'pump1~limit:above->log:in',
        'pump1~avg:out->pump1~limit:in',
        'sensor:out->pump2~avg:in',
        'pump2~limit:above->log:in',
      ]),
    );
    expect(result.flow).not.toHaveProperty('subflows');
    expect(result.subflowStatus).toEqual({ pump1: 'pump1~limit', pump2: 'pump2~limit' });
    expect(subflowStatusNodes(flow, mapCatalog())).toEqual(result.subflowStatus);
  });

  it('names the instance and the parameter when a value is wrong', () => {
    const flow = flowWith([{ id: 'pump1', type: 'subflow:pump-health', typeVersion: 1, config: { limit: 'high' } }]);
    const [error] = errorsOf(validateFlow(flow, mapCatalog()));
    expect(error).toMatchObject({ code: 'SUBFLOW_PARAM_INVALID', nodeId: 'pump1', path: '/nodes/1/config/limit' });
    expect(error.message).toContain('subflow instance "pump1" (Pump health): parameter "limit"');
    expect(error.message).toContain('must be a number');
  });

  it('maps an inner node problem back to the instance, naming the inner node', () => {
    const def = pumpHealth();
    def.nodes[0].config = { window: { count: 0 } };
    const flow: Flow = { ...flowWith([{ id: 'pump1', type: 'subflow:pump-health', typeVersion: 1 }]), subflows: [def] };
    const errors = errorsOf(validateFlow(flow, mapCatalog()));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'CONFIG_INVALID', nodeId: 'pump1', path: '/nodes/1' });
    expect(errors[0].message).toMatch(/^subflow instance "pump1" \(subflow:pump-health\) at \/nodes\/1: /);
    expect(errors[0].message).toContain('node "avg" (moving-average)');
    expect(errors[0].message).toContain('/subflows/0/nodes/0/config/window/count');
  });

  it('refuses an edge to a port the subflow does not declare, and an unknown subflow', () => {
    const flow = flowWith(
      [
        { id: 'pump1', type: 'subflow:pump-health', typeVersion: 1 },
        { id: 'pump9', type: 'subflow:nope', typeVersion: 1 },
      ],
      [{ source: 'pump1', sourcePort: 'out', target: 'log' }],
    );
    const errors = errorsOf(validateFlow(flow, mapCatalog()));
    const codes = errors.map((e) => e.code);
    expect(codes).toContain('SUBFLOW_PORT_UNKNOWN');
    expect(codes).toContain('SUBFLOW_NOT_FOUND');
    const port = errors.find((e) => e.code === 'SUBFLOW_PORT_UNKNOWN');
    expect(port?.message).toContain('has no output port "out" (its outputs: "alarm")');
    const missing = errors.find((e) => e.code === 'SUBFLOW_NOT_FOUND');
    expect(missing).toMatchObject({ nodeId: 'pump9', path: '/nodes/2' });
  });

  it('expands nested subflows and refuses a subflow that contains itself', () => {
    const outer: SubflowDef = {
      id: 'line',
      name: 'Line',
      inputs: [{ port: 'in', to: [{ node: 'p' }] }],
      outputs: [{ port: 'alarm', from: [{ node: 'p', port: 'alarm' }] }],
      params: { type: 'object', properties: { limit: { type: 'number', default: 7 } } },
      status: 'p',
      nodes: [{ id: 'p', type: 'subflow:pump-health', typeVersion: 1, config: { limit: '${limit}' } }],
      edges: [],
    };
    const flow: Flow = {
      schemaVersion: 1,
      id: 'nested',
      subflows: [pumpHealth(), outer],
      nodes: [
        { id: 'sensor', type: 'simulate', typeVersion: 1 },
        { id: 'line1', type: 'subflow:line', typeVersion: 1 },
        { id: 'log', type: 'debug', typeVersion: 1 },
      ],
      edges: [
        { source: 'sensor', target: 'line1' },
        { source: 'line1', sourcePort: 'alarm', target: 'log' },
      ],
    };
    const result = validateFlow(flow, mapCatalog());
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    const limit = result.flow.nodes.find((n) => n.id === 'line1~p~limit');
    expect(limit?.config).toMatchObject({ above: 7 });
    expect(result.flow.edges.map((e) => `${e.source}->${e.target}`)).toEqual(
      expect.arrayContaining(['sensor->line1~p~avg', 'line1~p~limit->log']),
    );
    expect(result.subflowStatus?.line1).toBe('line1~p~limit');

    const loop: SubflowDef = { ...outer, nodes: [{ id: 'again', type: 'subflow:line', typeVersion: 1 }] };
    const errors = errorsOf(validateFlow({ ...flow, subflows: [pumpHealth(), loop] }, mapCatalog()));
    expect(errors[0]).toMatchObject({ code: 'SUBFLOW_CYCLE', nodeId: 'line1' });
    expect(errors[0].message).toContain('subflow:line -> subflow:line');
  });

  it('expands a packed subflow the catalog carries as a node type', () => {
    const catalog = mapCatalog();
    const template = pumpHealth();
    const packed: NodeTypeInfo = {
      type: 'pump-health',
      version: 1,
      category: 'subflow',
      inputs: ['in'],
      outputs: ['alarm'],
      configSchema: template.params as NodeTypeInfo['configSchema'],
      subflow: template,
    };
    const withPacked: NodeCatalog = {
      ...catalog,
      nodes: new Map([...(catalog.nodes as Map<string, NodeTypeInfo>), ['pump-health', packed]]),
    };
    const flow: Flow = {
      schemaVersion: 1,
      id: 'uses-package',
      nodes: [
        { id: 'sensor', type: 'simulate', typeVersion: 1 },
        { id: 'pump1', type: 'pump-health', typeVersion: 1, config: { limit: 3 } },
        { id: 'log', type: 'debug', typeVersion: 1 },
      ],
      edges: [
        { source: 'sensor', target: 'pump1' },
        { source: 'pump1', sourcePort: 'alarm', target: 'log' },
      ],
    };
    const result = validateFlow(flow, withPacked);
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    expect(result.flow.nodes.find((n) => n.id === 'pump1~limit')?.config).toMatchObject({ above: 3 });
    const bad = errorsOf(
      validateFlow(
        { ...flow, nodes: flow.nodes.map((n) => (n.id === 'pump1' ? { ...n, config: { window: 0 } } : n)) },
        withPacked,
      ),
    );
    expect(bad[0]).toMatchObject({ code: 'SUBFLOW_PARAM_INVALID', nodeId: 'pump1', path: '/nodes/1/config/window' });
  });
});

describe('node references inside a subflow', () => {
  it('points node-picker fields (link targets, catch scopes) at the instance copies', () => {
    const catalog = mapCatalog();
    const picker: NodeTypeInfo = {
      type: 'watcher',
      version: 1,
      category: 'utility',
      inputs: ['in'],
      outputs: [],
      configSchema: {
        type: 'object',
        properties: {
          scope: { type: 'array', items: { type: 'string' }, 'x-ui': { widget: 'node-picker' } },
        },
      },
    };
    const withPicker: NodeCatalog = {
      ...catalog,
      nodes: new Map([...(catalog.nodes as Map<string, NodeTypeInfo>), ['watcher', picker]]),
    };
    const def = pumpHealth();
    def.nodes.push({ id: 'watch', type: 'watcher', typeVersion: 1, config: { scope: ['avg', 'sensor'] } });
    def.edges.push({ source: 'avg', target: 'watch' });
    const flow: Flow = { ...flowWith([{ id: 'pump1', type: 'subflow:pump-health', typeVersion: 1 }]), subflows: [def] };
    const result = validateFlow(flow, withPicker);
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    // An inner id gets the instance's prefix; an id of the flow around it stays as written.
    expect(result.flow.nodes.find((n) => n.id === 'pump1~watch')?.config).toEqual({ scope: ['pump1~avg', 'sensor'] });
  });
});

describe('expansion limits', () => {
  it('stops expanding nested subflows that would multiply past MAX_NODES', () => {
    // Eight levels of 100 instances each would be 100^8 nodes: refused early, never computed.
    const levels: SubflowDef[] = Array.from({ length: 8 }, (_, level) => ({
      id: `l${level}`,
      name: `Level ${level}`,
      inputs: [],
      outputs: [],
      nodes: Array.from({ length: 100 }, (_, i) =>
        level === 7
          ? { id: `n${i}`, type: 'debug', typeVersion: 1 }
          : { id: `n${i}`, type: `subflow:l${level + 1}`, typeVersion: 1 },
      ),
      edges: [],
    }));
    const flow: Flow = {
      schemaVersion: 1,
      id: 'bomb',
      subflows: levels,
      nodes: [{ id: 'top', type: 'subflow:l0', typeVersion: 1 }],
      edges: [],
    };
    const errors = errorsOf(validateFlow(flow, mapCatalog()));
    expect(errors.map((e) => e.code)).toContain('TOO_MANY_NODES');
  });
});

describe('unused subflows', () => {
  it('warns that a subflow no node uses is not checked', () => {
    const flow: Flow = { ...flowWith([]), subflows: [pumpHealth()] };
    const result = validateFlow(flow, mapCatalog());
    expect(result.warnings).toContainEqual(expect.objectContaining({ code: 'SUBFLOW_UNUSED', path: '/subflows/0' }));
  });
});

describe('subflow parameters and runtime variables', () => {
  it('keeps ${param} for the instance and resolves the runtime variables around it', () => {
    const def = pumpHealth();
    def.nodes[2].config = { broker: 'broker', topic: '${SITE}/${topic}/$${literal}' };
    const flow: Flow = {
      ...flowWith([{ id: 'pump1', type: 'subflow:pump-health', typeVersion: 1, config: { limit: '${LIMIT}' } }]),
      subflows: [def],
    };
    const resolved = resolveFlowVariables(flow, mapCatalog(), { SITE: 'north', LIMIT: '12.5' });
    expect(resolved.errors).toEqual([]);
    expect(resolved.used).toEqual({ SITE: 'north', LIMIT: '12.5' });
    const result = validateFlow(resolved.flow, mapCatalog());
    if (!result.ok) throw new Error(result.errors.map(formatIssue).join('\n'));
    const byId = new Map(result.flow.nodes.map((n) => [n.id, n]));
    expect(byId.get('pump1~pub')?.config).toMatchObject({ topic: 'north/pump/${literal}' });
    // The instance's `${LIMIT}` became the number its parameter's schema wants.
    expect(byId.get('pump1~limit')?.config).toMatchObject({ above: 12.5 });
  });

  it('reports an unset runtime variable inside a subflow at its place in the definition', () => {
    const def = pumpHealth();
    def.nodes[2].config = { broker: 'broker', topic: '${SITE}/x' };
    const flow: Flow = { ...flowWith([{ id: 'pump1', type: 'subflow:pump-health', typeVersion: 1 }]), subflows: [def] };
    const resolved = resolveFlowVariables(flow, mapCatalog(), {});
    expect(resolved.errors).toHaveLength(1);
    expect(resolved.errors[0]).toMatchObject({ code: 'VARIABLE_UNRESOLVED', path: '/subflows/0/nodes/2/config/topic' });
  });
});
