import Ajv2020 from 'ajv/dist/2020';
import { flowSchema, validateFlow } from '../src';
import { errorsOf, smallFlow } from './helpers';
import { mapCatalog } from './test-catalog';

const catalog = mapCatalog();

describe('flowSchema', () => {
  it('is a well-formed JSON Schema even for a strict validator', () => {
    const strict = new Ajv2020({ strict: true });
    expect(() => strict.compile(flowSchema)).not.toThrow();
  });
});

describe('structure errors', () => {
  it('reports a missing top-level field', () => {
    const { nodes: _nodes, ...flow } = smallFlow();
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      { code: 'MISSING_FIELD', path: '/nodes', message: 'flow "small": /nodes is required but missing' },
    ]);
  });

  it('reports wrong types in plain words and attaches the node id', () => {
    const flow = smallFlow() as unknown as { nodes: Array<Record<string, unknown>> };
    flow.nodes[1].typeVersion = '1';
    flow.nodes[1].disabled = 'no';
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'INVALID_FIELD',
        path: '/nodes/1/typeVersion',
        nodeId: 'avg',
        message: 'node "avg" (moving-average): /nodes/1/typeVersion must be a whole number (got "1")',
      },
      {
        code: 'INVALID_FIELD',
        path: '/nodes/1/disabled',
        nodeId: 'avg',
        message: 'node "avg" (moving-average): /nodes/1/disabled must be true or false (got "no")',
      },
    ]);
  });

  it('names a node without an id by its position', () => {
    const flow = smallFlow() as unknown as { nodes: Array<Record<string, unknown>> };
    delete flow.nodes[0].id;
    const errors = errorsOf(validateFlow(flow, catalog));
    expect(errors[0]).toEqual({
      code: 'MISSING_FIELD',
      path: '/nodes/0/id',
      message: 'node #1 (no id) (simulate): /nodes/0/id is required but missing',
    });
  });

  it('refuses unknown top-level and node-level fields, suggesting the likely one', () => {
    const flow = { ...smallFlow(), version: 2 } as Record<string, unknown>;
    (flow.nodes as Array<Record<string, unknown>>)[0].typeversion = 1;
    const errors = errorsOf(validateFlow(flow, catalog));
    expect(errors.map((e) => [e.code, e.path, e.nodeId])).toEqual([
      ['UNKNOWN_FIELD', '/version', undefined],
      ['UNKNOWN_FIELD', '/nodes/0/typeversion', 'sensor'],
    ]);
    expect(errors[1].message).toContain('did you mean "typeVersion"?');
    expect(errors[0].message).toContain('known fields: schemaVersion, id, name');
  });

  it('refuses unknown fields in edges and resources, naming them', () => {
    const flow = smallFlow() as unknown as Record<string, Array<Record<string, unknown>>>;
    flow.edges[0].label = 'x';
    flow.resources = [{ id: 'b', type: 'mqtt-broker', config: { url: 'mqtt://h' }, secret: 'pw' }];
    const errors = errorsOf(validateFlow(flow, catalog));
    expect(errors).toEqual([
      expect.objectContaining({ code: 'UNKNOWN_FIELD', path: '/resources/0/secret', resourceId: 'b' }),
      expect.objectContaining({ code: 'UNKNOWN_FIELD', path: '/edges/0/label', edgeId: 'sensor:out->avg:in' }),
    ]);
    expect(errors[1].message).toMatch(/^edge "sensor:out->avg:in": \/edges\/0\/label is not a known field/);
  });

  it('leaves ui objects free-form', () => {
    const flow = smallFlow() as unknown as Record<string, unknown> & { nodes: Array<Record<string, unknown>> };
    flow.ui = { anything: { goes: [1, 2] } };
    flow.nodes[0].ui = { x: 1, y: 2, colour: 'red', collapsed: true };
    expect(validateFlow(flow, catalog).ok).toBe(true);
  });

  it('checks ids against the id pattern', () => {
    const flow = smallFlow();
    flow.id = 'pump monitor';
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'INVALID_FIELD',
        path: '/id',
        message:
          'flow "pump monitor": /id must start with a letter or digit and use only letters, digits, ".", "_" or "-" (got "pump monitor")',
      },
    ]);
  });

  it('checks queue settings', () => {
    const flow = smallFlow();
    flow.nodes[1].queue = { size: 0, overflow: 'fifo' as never };
    expect(errorsOf(validateFlow(flow, catalog)).map((e) => [e.path, e.message])).toEqual([
      ['/nodes/1/queue/size', 'node "avg" (moving-average): /nodes/1/queue/size must be >= 1 (got 0)'],
      [
        '/nodes/1/queue/overflow',
        'node "avg" (moving-average): /nodes/1/queue/overflow must be one of "block", "drop-oldest" or "drop-newest" (got "fifo")',
      ],
    ]);
  });

  it('says a flow from a newer tagflow needs an upgrade', () => {
    const flow = { ...smallFlow(), schemaVersion: 2 };
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      expect.objectContaining({
        code: 'UNSUPPORTED_SCHEMA_VERSION',
        path: '/schemaVersion',
        message: expect.stringContaining('upgrade tagflow'),
      }),
    ]);
  });

  it('still checks the parts it can when the shape is broken elsewhere', () => {
    const flow = smallFlow() as unknown as Record<string, unknown> & { nodes: Array<Record<string, unknown>> };
    flow.edges = 'none';
    flow.nodes[1].config = { window: { count: -1 } };
    expect(errorsOf(validateFlow(flow, catalog)).map((e) => [e.code, e.path])).toEqual([
      ['CONFIG_INVALID', '/nodes/1/config/window/count'],
      ['INVALID_FIELD', '/edges'],
    ]);
  });
});
