import type { NodeTypeInfo, ResourceTypeInfo } from '@tagflow/flow-model';
import { defineErrorCodes, defineNode, defineResource } from '@tagflow/node-sdk';
import { NodeRegistry } from '../src/registry/node-registry';

const codes = defineErrorCodes({
  TOO_HOT: 'The value is above the limit.',
  NO_PEER: 'The peer cannot be reached.',
});

const gauge = defineNode({
  type: 'gauge',
  version: 2,
  category: 'processor',
  description: 'Checks a value against a limit.',
  docs: 'Sends the value on.\n\n## Example\n\n```json\n{ "payload": 1 }\n```',
  inputs: ['in'],
  outputs: ['out'],
  errors: codes.pick('TOO_HOT'),
  configSchema: { type: 'object', properties: { limit: { type: 'number' } } },
  create: () => ({ onMessage() {} }),
});

const peer = defineResource({
  type: 'peer',
  version: 3,
  description: 'A connection to the peer.',
  docs: 'Opens one connection.',
  errors: codes.pick('NO_PEER'),
  configSchema: { type: 'object', properties: {} },
  create: () => ({}),
});

describe('NodeRegistry.catalog', () => {
  it('passes on breaksCycles to validation and the editor, only for the types that set it', () => {
    const registry = new NodeRegistry();
    registry.registerNode(gauge, { name: '@acme/gauges', version: '1.0.0' });
    registry.registerNode(
      { ...gauge, type: 'throttle', breaksCycles: true },
      { name: '@acme/gauges', version: '1.0.0' },
    );
    const nodes = registry.catalog().nodes as ReadonlyMap<string, NodeTypeInfo>;
    expect(nodes.get('throttle')?.breaksCycles).toBe(true);
    expect(nodes.get('gauge')).not.toHaveProperty('breaksCycles');
    const palette = registry.paletteJson().nodes;
    expect(palette.find((n) => n.type === 'throttle')?.breaksCycles).toBe(true);
    expect(palette.find((n) => n.type === 'gauge')).not.toHaveProperty('breaksCycles');
  });

  it('carries what a docs page needs: docs and error meanings of nodes and resources', () => {
    const registry = new NodeRegistry();
    registry.registerNode(gauge, { name: '@acme/gauges', version: '1.0.0' });
    registry.registerResource(peer, { name: '@acme/gauges', version: '1.0.0' });
    const catalog = registry.catalog();
    const node = (catalog.nodes as ReadonlyMap<string, NodeTypeInfo>).get('gauge');
    expect(node?.docs).toBe(gauge.docs);
    expect(node?.errors).toEqual({ TOO_HOT: 'The value is above the limit.' });
    const resource = (catalog.resources as ReadonlyMap<string, ResourceTypeInfo>).get('peer');
    expect(resource).toMatchObject({
      type: 'peer',
      version: 3,
      docs: 'Opens one connection.',
      errors: { NO_PEER: 'The peer cannot be reached.' },
    });
  });

  it('is plain data: the editor receives it as JSON and gets the same values back', () => {
    const registry = new NodeRegistry();
    registry.registerNode(gauge);
    const node = (registry.catalog().nodes as ReadonlyMap<string, NodeTypeInfo>).get('gauge');
    expect(JSON.parse(JSON.stringify(node))).toEqual(node);
  });
});

describe('the check hook through the registry', () => {
  const limited = defineNode({
    type: 'limited',
    version: 1,
    category: 'processor',
    description: 'Passes values below a limit.',
    inputs: ['in'],
    outputs: ['out'],
    errors: codes.pick('TOO_HOT'),
    configSchema: { type: 'object', properties: { limit: { type: 'number', default: 1 } } },
    check(config) {
      return config.limit > 100 ? [{ path: '/limit', message: 'above 100', code: codes.code.TOO_HOT }] : [];
    },
    create: () => ({ onMessage() {} }),
  });

  it('hands check to validation in catalog(), and leaves it out of GET /api/nodes', () => {
    const registry = new NodeRegistry();
    registry.registerNode(limited);
    const info = (registry.catalog().nodes as ReadonlyMap<string, NodeTypeInfo>).get('limited');
    expect(info?.check?.({ limit: 200 })).toEqual([{ path: '/limit', message: 'above 100', code: 'TOO_HOT' }]);
    expect(info?.check?.({ limit: 2 })).toEqual([]);
    const palette = JSON.parse(JSON.stringify(registry.paletteJson())) as { nodes: Array<Record<string, unknown>> };
    expect(palette.nodes[0]).not.toHaveProperty('check');
    expect(Object.keys(registry.paletteJson().nodes[0])).not.toContain('check');
  });
});
