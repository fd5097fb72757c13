import type { NodeCatalog, NodeTypeInfo, ResourceTypeInfo } from '../src';

// A small catalog written here on purpose: flow-model must not depend on real node packages.

const simulate: NodeTypeInfo = {
  type: 'simulate',
  version: 1,
  category: 'source',
  inputs: [],
  outputs: ['out'],
  configSchema: {
    type: 'object',
    properties: {
      tag: { type: 'string', minLength: 1, default: 'sim/value', 'x-ui': { label: 'Tag' } },
      periodSeconds: { type: 'number', exclusiveMinimum: 0, default: 1 },
    },
    additionalProperties: false,
  },
};

const movingAverage: NodeTypeInfo = {
  type: 'moving-average',
  version: 1,
  category: 'processor',
  inputs: ['in'],
  outputs: ['out', 'error'],
  configSchema: {
    type: 'object',
    properties: {
      window: {
        type: 'object',
        default: {},
        properties: { count: { type: 'integer', minimum: 1, default: 10, 'x-ui': { label: 'Values' } } },
        additionalProperties: false,
      },
      field: { type: 'string', default: 'payload' },
    },
    additionalProperties: false,
  },
};

const threshold: NodeTypeInfo = {
  type: 'threshold',
  version: 1,
  category: 'processor',
  inputs: ['in'],
  outputs: ['above', 'below'],
  configSchema: {
    type: 'object',
    required: ['above'],
    properties: { above: { type: 'number' }, hysteresis: { type: 'number', minimum: 0, default: 0 } },
  },
};

const mqttOut: NodeTypeInfo = {
  type: 'mqtt-out',
  version: 1,
  category: 'publisher',
  inputs: ['in'],
  outputs: [],
  resources: { broker: 'mqtt-broker' },
  configSchema: {
    type: 'object',
    required: ['broker', 'topic'],
    properties: {
      broker: { type: 'string' },
      topic: { type: 'string', minLength: 1 },
      qos: { enum: [0, 1, 2], default: 1 },
    },
  },
};

const debug: NodeTypeInfo = {
  type: 'debug',
  version: 1,
  category: 'utility',
  inputs: ['in'],
  outputs: [],
  configSchema: { type: 'object', properties: { active: { type: 'boolean', default: true } } },
};

/** Version 3; see `scaleMigrations` in the migration tests. */
const scale: NodeTypeInfo = {
  type: 'scale',
  version: 3,
  category: 'processor',
  inputs: ['in'],
  outputs: ['out'],
  configSchema: {
    type: 'object',
    required: ['gain'],
    properties: { gain: { type: 'number' }, offset: { type: 'number', default: 0 } },
    additionalProperties: false,
  },
};

/** A config with a `oneOf` discriminated by `kind`, like the simulate node's signal. */
const signal: NodeTypeInfo = {
  type: 'signal',
  version: 1,
  category: 'source',
  inputs: [],
  outputs: ['out'],
  configSchema: {
    type: 'object',
    properties: {
      shape: {
        default: { kind: 'sine' },
        oneOf: [
          {
            type: 'object',
            title: 'Sine',
            required: ['kind'],
            properties: { kind: { const: 'sine' }, amplitude: { type: 'number' } },
            additionalProperties: false,
          },
          {
            type: 'object',
            title: 'Random walk',
            required: ['kind'],
            properties: { kind: { const: 'random-walk' }, step: { type: 'number', minimum: 0 } },
            additionalProperties: false,
          },
        ],
      },
      label: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    },
  },
};

const mqttBroker: ResourceTypeInfo = {
  type: 'mqtt-broker',
  configSchema: {
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', format: 'uri' },
      keepaliveSeconds: { type: 'integer', minimum: 1, default: 30 },
    },
  },
};

const modbusDevice: ResourceTypeInfo = {
  type: 'modbus-device',
  configSchema: {
    type: 'object',
    required: ['host'],
    properties: { host: { type: 'string' }, port: { type: 'integer', default: 502 } },
  },
};

const nodeTypes = [simulate, movingAverage, threshold, mqttOut, debug, scale, signal];
const resourceTypes = [mqttBroker, modbusDevice];

/** A fresh catalog with Maps, as the runtime builds it. */
export function mapCatalog(): NodeCatalog {
  return {
    nodes: new Map(nodeTypes.map((t) => [t.type, t])),
    resources: new Map(resourceTypes.map((t) => [t.type, t])),
  };
}

/** A fresh catalog with plain records, as the editor receives it over HTTP. */
export function recordCatalog(): NodeCatalog {
  return JSON.parse(
    JSON.stringify({
      nodes: Object.fromEntries(nodeTypes.map((t) => [t.type, t])),
      resources: Object.fromEntries(resourceTypes.map((t) => [t.type, t])),
    }),
  ) as NodeCatalog;
}
