import Ajv2020 from 'ajv/dist/2020';
import { validateFlow } from '../src';
import type { Flow, NodeCatalog } from '../src';
import { codesOf, errorsOf, smallFlow } from './helpers';
import { mapCatalog, recordCatalog } from './test-catalog';

const catalog = mapCatalog();

function withNodes(...nodes: Flow['nodes']): Flow {
  const flow = smallFlow();
  flow.nodes.push(...nodes);
  // Wire the extra nodes so no warning distracts from what each test checks.
  for (const node of nodes) flow.edges.push({ source: 'avg', target: node.id });
  return flow;
}

describe('node ids', () => {
  it('refuses duplicate node ids, pointing at the second one', () => {
    const flow = withNodes({ id: 'avg', type: 'debug', typeVersion: 1 });
    // withNodes wires avg -> avg, which also reads as a wire into itself (SELF_LOOP, tested elsewhere).
    const errors = errorsOf(validateFlow(flow, catalog)).filter((e) => e.code !== 'SELF_LOOP');
    expect(errors).toEqual([
      {
        code: 'DUPLICATE_NODE_ID',
        path: '/nodes/2/id',
        nodeId: 'avg',
        message:
          'node "avg" (debug): /nodes/2/id "avg" is already used by the node at /nodes/1; node ids must be unique',
      },
    ]);
  });

  it('refuses duplicate resource ids but allows a resource to share an id with a node', () => {
    const flow = smallFlow();
    flow.resources = [
      { id: 'avg', type: 'modbus-device', config: { host: 'a' } },
      { id: 'plc', type: 'modbus-device', config: { host: 'b' } },
      { id: 'plc', type: 'modbus-device', config: { host: 'c' } },
    ];
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      expect.objectContaining({ code: 'DUPLICATE_RESOURCE_ID', path: '/resources/2/id', resourceId: 'plc' }),
    ]);
  });
});

describe('node types', () => {
  it('names the package of a well-known type that is missing, and suggests no download (it comes with tagflow)', () => {
    const flow = withNodes({ id: 'read', type: 'opcua-read', typeVersion: 1 });
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'UNKNOWN_NODE_TYPE',
        path: '/nodes/2/type',
        nodeId: 'read',
        message:
          'node "read" (opcua-read): /nodes/2/type "opcua-read" is not an installed node type; it comes with tagflow (in @tagflow/nodes-opcua@0.1.0), which this runtime\'s installation lacks: reinstall tagflow 0.1.0',
      },
    ]);
  });

  it('suggests the installed type a typo most likely meant', () => {
    const flow = withNodes({ id: 'a2', type: 'moving-averag', typeVersion: 1 });
    expect(errorsOf(validateFlow(flow, catalog))[0].message).toContain('did you mean "moving-average"?');
  });

  it('says plainly when a type is neither installed nor known', () => {
    const flow = withNodes({ id: 'x', type: 'acme-frobnicate', typeVersion: 1 });
    expect(errorsOf(validateFlow(flow, catalog))[0].message).toMatch(
      /"acme-frobnicate" is not an installed node type; install the package that provides it$/,
    );
  });

  it('does not mistake Object.prototype names for installed types', () => {
    const flow = withNodes({ id: 'x', type: 'constructor', typeVersion: 1 });
    expect(codesOf(validateFlow(flow, recordCatalog()))).toEqual(['UNKNOWN_NODE_TYPE']);
  });

  it('refuses a node saved with a newer version of its type', () => {
    const flow = smallFlow();
    flow.nodes[1].typeVersion = 4;
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'TYPE_VERSION_TOO_NEW',
        path: '/nodes/1/typeVersion',
        nodeId: 'avg',
        message:
          'node "avg" (moving-average): /nodes/1/typeVersion is 4: the node was saved with a newer version of the node type than the installed one (version 1); upgrade the package providing "moving-average"',
      },
    ]);
  });
});

describe('node config', () => {
  it('reports every config mistake with its full path from the flow root, in words naming the field', () => {
    const flow = smallFlow();
    flow.nodes[1].config = { window: { count: 0, size: 3 }, field: 7 };
    expect(errorsOf(validateFlow(flow, catalog)).map((e) => [e.code, e.path, e.nodeId, e.message])).toEqual([
      [
        'CONFIG_INVALID',
        '/nodes/1/config/window/size',
        'avg',
        'node "avg" (moving-average): The setting "size" is not a known field (known fields: count)',
      ],
      [
        'CONFIG_INVALID',
        '/nodes/1/config/window/count',
        'avg',
        'node "avg" (moving-average): Window › Values must be at least 1 (you typed 0)',
      ],
      [
        'CONFIG_INVALID',
        '/nodes/1/config/field',
        'avg',
        'node "avg" (moving-average): Field must be text (you typed 7)',
      ],
    ]);
  });

  it('reports a missing required config field at the field itself', () => {
    const flow = withNodes({ id: 'limit', type: 'threshold', typeVersion: 1, config: { hysteresis: 1 } });
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'CONFIG_INVALID',
        path: '/nodes/2/config/above',
        nodeId: 'limit',
        field: 'Above',
        text: 'Above is required: fill it in',
        message: 'node "limit" (threshold): Above is required: fill it in',
      },
    ]);
  });

  it('applies schema defaults, also inside nested objects', () => {
    const flow = smallFlow();
    delete flow.nodes[1].config;
    const result = validateFlow(flow, catalog);
    if (!result.ok) throw new Error(result.errors[0].message);
    expect(result.flow.nodes[1].config).toEqual({ window: { count: 10 }, field: 'payload' });
  });

  it('explains a oneOf failure by the branch the user meant', () => {
    const flow = smallFlow();
    flow.nodes[0] = {
      id: 'sensor',
      type: 'signal',
      typeVersion: 1,
      config: { shape: { kind: 'random-walk', step: -1, amplitude: 2 } },
    };
    expect(errorsOf(validateFlow(flow, catalog)).map((e) => e.message)).toEqual([
      'node "sensor" (signal): The setting "amplitude" is not a known field (known fields: kind, step)',
      'node "sensor" (signal): Shape › Step must be at least 0 (you typed -1)',
    ]);
  });

  it('lists the allowed values of a oneOf discriminator', () => {
    const flow = smallFlow();
    flow.nodes[0] = { id: 'sensor', type: 'signal', typeVersion: 1, config: { shape: { kind: 'saw' }, label: true } };
    expect(errorsOf(validateFlow(flow, catalog)).map((e) => [e.path, e.message])).toEqual([
      [
        '/nodes/0/config/shape/kind',
        'node "sensor" (signal): Shape › Kind must be one of "sine" or "random-walk" (you typed "saw")',
      ],
      ['/nodes/0/config/label', 'node "sensor" (signal): Label must be text or a number (you typed true)'],
    ]);
  });

  it('reports a node type whose own config schema is broken, blaming the package', () => {
    const broken: NodeCatalog = {
      nodes: {
        ...Object.fromEntries(mapCatalog().nodes as Map<string, never>),
        debug: {
          type: 'debug',
          version: 1,
          category: 'utility',
          package: { name: 'acme-debug', version: '0.1.0' },
          inputs: ['in'],
          outputs: [],
          configSchema: { type: 'object', properties: { level: { type: 'wholenumber' } } },
        },
      },
    };
    const flow = withNodes({ id: 'log', type: 'debug', typeVersion: 1 });
    expect(errorsOf(validateFlow(flow, broken))).toEqual([
      expect.objectContaining({
        code: 'CONFIG_SCHEMA_INVALID',
        path: '/nodes/2/config',
        nodeId: 'log',
        message: expect.stringContaining('the config schema of node type "debug" (from acme-debug@0.1.0) is invalid'),
      }),
    ]);
  });

  it('compiles each config schema once per catalog', () => {
    const compile = jest.spyOn(Ajv2020.prototype, 'compile');
    try {
      const fresh = mapCatalog();
      validateFlow(smallFlow(), fresh);
      const afterFirst = compile.mock.calls.length;
      expect(afterFirst).toBeGreaterThan(0);
      validateFlow(smallFlow(), fresh);
      validateFlow(smallFlow(), fresh);
      expect(compile.mock.calls.length).toBe(afterFirst);
    } finally {
      compile.mockRestore();
    }
  });
});

describe('resources used by nodes', () => {
  const broker = { id: 'plant-broker', type: 'mqtt-broker', config: { url: 'mqtt://127.0.0.1:1883' } };
  const publish = (brokerId: unknown) =>
    ({
      id: 'publish',
      type: 'mqtt-out',
      typeVersion: 1,
      config: { broker: brokerId, topic: 'a/b' },
    }) as Flow['nodes'][number];

  it('accepts a node naming a resource of the right type', () => {
    const flow = withNodes(publish('plant-broker'));
    flow.resources = [broker];
    expect(validateFlow(flow, catalog).ok).toBe(true);
  });

  it('refuses a resource id that names no resource', () => {
    const flow = withNodes(publish('plant-brokr'));
    flow.resources = [broker];
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'RESOURCE_NOT_FOUND',
        path: '/nodes/2/config/broker',
        nodeId: 'publish',
        resourceId: 'plant-brokr',
        message:
          'node "publish" (mqtt-out): /nodes/2/config/broker names resource "plant-brokr", but this flow has no resource with that id; resources of that type here: "plant-broker"',
      },
    ]);
  });

  it('refuses a resource of the wrong type', () => {
    const flow = withNodes(publish('plc'));
    flow.resources = [{ id: 'plc', type: 'modbus-device', config: { host: 'plc.local' } }];
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      expect.objectContaining({
        code: 'RESOURCE_TYPE_MISMATCH',
        path: '/nodes/2/config/broker',
        message: expect.stringContaining(
          'names resource "plc" of type "modbus-device", but this node needs a "mqtt-broker" resource; this flow has no "mqtt-broker" resource',
        ),
      }),
    ]);
  });

  it('refuses an empty resource field, and does not repeat a missing one the schema reported', () => {
    const empty = withNodes(publish(''));
    expect(codesOf(validateFlow(empty, catalog))).toEqual(['RESOURCE_NOT_SET']);
    const missing = withNodes({ id: 'publish', type: 'mqtt-out', typeVersion: 1, config: { topic: 'a/b' } });
    expect(errorsOf(validateFlow(missing, catalog))).toEqual([
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        path: '/nodes/2/config/broker',
        message: expect.stringContaining('Broker is required: fill it in'),
      }),
    ]);
  });

  it('refuses an unknown resource type, naming its package', () => {
    const flow = smallFlow();
    flow.resources = [{ id: 'ua', type: 'opcua-server' }];
    expect(errorsOf(validateFlow(flow, catalog))).toEqual([
      {
        code: 'UNKNOWN_RESOURCE_TYPE',
        path: '/resources/0/type',
        resourceId: 'ua',
        message:
          'resource "ua" (opcua-server): /resources/0/type "opcua-server" is not an installed resource type; it comes with tagflow (in @tagflow/nodes-opcua@0.1.0), which this runtime\'s installation lacks: reinstall tagflow 0.1.0',
      },
    ]);
  });

  it('checks resource configs against their type schema and fills in defaults', () => {
    const bad = smallFlow();
    bad.resources = [{ id: 'b', type: 'mqtt-broker', config: { url: 'not a url', keepaliveSeconds: 0 } }];
    expect(errorsOf(validateFlow(bad, catalog)).map((e) => [e.code, e.path, e.resourceId])).toEqual([
      ['RESOURCE_CONFIG_INVALID', '/resources/0/config/url', 'b'],
      ['RESOURCE_CONFIG_INVALID', '/resources/0/config/keepaliveSeconds', 'b'],
    ]);
    const good = smallFlow();
    good.resources = [{ id: 'plc', type: 'modbus-device', config: { host: 'plc.local' } }];
    const result = validateFlow(good, catalog);
    if (!result.ok) throw new Error(result.errors[0].message);
    expect(result.flow.resources).toEqual([
      { id: 'plc', type: 'modbus-device', config: { host: 'plc.local', port: 502 } },
    ]);
  });
});

describe('TAGFLOW_RELEASE', () => {
  it('is the version of the @tagflow packages it names', () => {
    const { readFileSync } = require('node:fs') as typeof import('node:fs');
    const { join } = require('node:path') as typeof import('node:path');
    const { TAGFLOW_RELEASE } = require('../src') as typeof import('../src');
    for (const dir of [
      'packages/flow-model',
      'nodes/core',
      'nodes/mqtt',
      'nodes/modbus',
      'nodes/opcua',
      'nodes/historian',
    ]) {
      const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', dir, 'package.json'), 'utf8')) as {
        version: string;
      };
      expect(`${dir}@${pkg.version}`).toBe(`${dir}@${TAGFLOW_RELEASE}`);
    }
  });
});
