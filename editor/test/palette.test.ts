/// <reference types="node" />
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Flow } from '@tagflow/flow-model';
import { catalogFromApi, paletteGroups } from '../src/state';
import { nodesApi } from './load-fixtures';

describe('catalogFromApi', () => {
  it('maps GET /api/nodes to a catalog with ports, schemas, packages and docs', () => {
    const catalog = catalogFromApi(nodesApi());
    const avg = catalog.nodes.get('moving-average')!;
    expect(avg).toMatchObject({
      type: 'moving-average',
      version: 1,
      category: 'processor',
      inputs: ['in'],
      outputs: ['out'],
      package: { name: '@tagflow/nodes-core' },
    });
    expect(typeof avg.docs).toBe('string');
    expect(avg.resources).toEqual({}); // as the runtime sends it: moving-average names no resource
    expect(catalog.resources.get('historian')?.package?.name).toBe('@tagflow/nodes-historian');
  });

  it('takes node resource fields when the runtime sends them, and a null docs as none', () => {
    const catalog = catalogFromApi({
      nodes: [
        {
          type: 'mqtt-in',
          version: 1,
          category: 'source',
          docs: null,
          inputs: [],
          outputs: ['out'],
          configSchema: {},
          resources: { broker: 'mqtt-broker' },
        },
      ],
    });
    expect(catalog.nodes.get('mqtt-in')).toStrictEqual({
      type: 'mqtt-in',
      version: 1,
      category: 'source',
      configSchema: {},
      inputs: [],
      outputs: ['out'],
      resources: { broker: 'mqtt-broker' },
    });
    expect(catalog.resources.size).toBe(0);
  });
});

describe('catalogFromApi, docs and errors', () => {
  it('keeps the error meanings of nodes and the docs and errors of resources, for the help', () => {
    const catalog = catalogFromApi({
      nodes: [
        {
          type: 'gauge',
          version: 1,
          category: 'processor',
          docs: '## Example',
          errors: { TOO_HIGH: 'The value is above the limit.' },
          inputs: ['in'],
          outputs: ['out'],
          configSchema: {},
        },
      ],
      resources: [
        {
          type: 'valve',
          version: 2,
          docs: 'Opens one connection.',
          errors: { NO_VALVE: 'The valve cannot be reached.' },
          configSchema: {},
        },
      ],
    });
    expect(catalog.nodes.get('gauge')?.errors).toStrictEqual({ TOO_HIGH: 'The value is above the limit.' });
    expect(catalog.resources.get('valve')).toStrictEqual({
      type: 'valve',
      version: 2,
      configSchema: {},
      docs: 'Opens one connection.',
      errors: { NO_VALVE: 'The valve cannot be reached.' },
    });
  });
});

describe('paletteGroups', () => {
  const api = nodesApi();

  it('orders categories source, processor, publisher, utility, then others', () => {
    const extra = {
      ...api,
      nodes: [
        ...api.nodes,
        { type: 'zz-custom', version: 1, category: 'custom', inputs: [], outputs: [], configSchema: {} },
      ],
    };
    expect(paletteGroups(extra).map((g) => g.category)).toStrictEqual([
      'source',
      'processor',
      'publisher',
      'utility',
      'custom',
    ]);
    expect(paletteGroups(catalogFromApi(api))[0].items.map((i) => i.type)).toStrictEqual([
      'modbus-read',
      'mqtt-in',
      'nats-in',
      'opcua-subscribe',
      'simulate',
      'sparkplug-command',
      'sparkplug-in',
      'timer',
    ]);
  });

  it('filters case-insensitively on type, description and docs, leaving out empty groups', () => {
    // opcua-subscribe's docs speak of the server-side deadband.
    expect(paletteGroups(api, 'DEADBAND').flatMap((g) => g.items.map((i) => i.type))).toStrictEqual([
      'opcua-subscribe',
      'deadband',
    ]);
    const described = api.nodes.find((n) => n.type === 'deadband')!.description!;
    const word = described.split(/\s+/).find((w) => w.length > 6)!;
    expect(paletteGroups(api, word.toUpperCase()).flatMap((g) => g.items.map((i) => i.type))).toContain('deadband');
    expect(paletteGroups(api, 'no such thing anywhere')).toStrictEqual([]);
  });

  // Issue 16: the palette of the standard distribution (what `tagflow start` serves).
  it('finds the Modbus, MQTT and OPC UA nodes a new user searches for', () => {
    const found = (search: string) => paletteGroups(api, search).flatMap((g) => g.items.map((i) => i.type));
    expect(found('modbus')).toEqual(expect.arrayContaining(['modbus-read', 'modbus-write']));
    expect(found('mqtt')).toEqual(expect.arrayContaining(['mqtt-in', 'mqtt-out']));
    expect(found('opc ua')).toEqual(expect.arrayContaining(['opcua-subscribe', 'opcua-read', 'opcua-write']));
  });

  it('has every type the bundled examples use but the third-party one: none shows as not installed', () => {
    const catalog = catalogFromApi(api);
    const examples = path.resolve(__dirname, '../../examples');
    const missing = fs
      .readdirSync(examples)
      .filter((name) => name !== 'custom-node' && fs.existsSync(path.join(examples, name, 'flow.json')))
      .flatMap((name) => {
        const flow = JSON.parse(fs.readFileSync(path.join(examples, name, 'flow.json'), 'utf8')) as Flow;
        return [
          ...flow.nodes.filter((n) => !catalog.nodes.has(n.type)).map((n) => `${name}: node ${n.type}`),
          ...(flow.resources ?? [])
            .filter((r) => !catalog.resources.has(r.type))
            .map((r) => `${name}: resource ${r.type}`),
        ];
      });
    expect(missing).toEqual([]);
  });
});
