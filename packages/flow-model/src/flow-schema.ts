/**
 * The JSON Schema of the flow file (format version 1). It checks shape only; what depends on the
 * installed node types (configs, ports, resources) is checked by `validateFlow`.
 */

import { DEFAULT_MAX_HOPS } from './flow';

/** Pattern of flow, node and resource ids: starts with a letter or digit, then letters, digits, `.`, `_`, `-`. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

/** A semantic version such as `1.2.0` or `2.0.0-beta.1`. */
export const SEMVER_PATTERN = '^\\d+\\.\\d+\\.\\d+(?:-[0-9A-Za-z.-]+)?(?:\\+[0-9A-Za-z.-]+)?$';

const id = { type: 'string', pattern: ID_PATTERN } as const;
const name = { type: 'string', minLength: 1 } as const;
const text = { type: 'string' } as const;
const freeObject = { type: 'object', description: 'Free-form; ignored by the runtime.' } as const;

/** JSON Schema (draft 2020-12) of a flow file; editors can offer it for completion too. */
export const flowSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'tagflow flow',
  type: 'object',
  required: ['schemaVersion', 'id', 'nodes', 'edges'],
  additionalProperties: false,
  properties: {
    schemaVersion: { const: 1, description: 'Version of the flow file format.' },
    id: { ...id, description: 'Stable identifier of the flow.' },
    name: text,
    description: text,
    resources: { type: 'array', items: { $ref: '#/$defs/resource' } },
    nodes: { type: 'array', items: { $ref: '#/$defs/node' } },
    edges: { type: 'array', items: { $ref: '#/$defs/edge' } },
    subflows: { type: 'array', items: { $ref: '#/$defs/subflow' } },
    groups: { type: 'array', items: { $ref: '#/$defs/group' } },
    settings: {
      type: 'object',
      description: 'How the runtime runs this flow; every field has a default.',
      additionalProperties: false,
      properties: {
        maxHops: {
          type: 'integer',
          minimum: 1,
          maximum: 1_000_000,
          default: DEFAULT_MAX_HOPS,
          description:
            'Nodes a message may pass through before the runtime drops it as caught in a loop (with an error naming the loop).',
        },
      },
    },
    ui: freeObject,
  },
  $defs: {
    node: {
      type: 'object',
      required: ['id', 'type', 'typeVersion'],
      additionalProperties: false,
      properties: {
        id,
        type: name,
        typeVersion: { type: 'integer', minimum: 1 },
        name: text,
        config: { type: 'object' },
        disabled: { type: 'boolean' },
        queue: {
          type: 'object',
          additionalProperties: false,
          properties: {
            size: { type: 'integer', minimum: 1, default: 1000 },
            overflow: { enum: ['block', 'drop-oldest', 'drop-newest'], default: 'block' },
          },
        },
        ui: { ...freeObject, properties: { x: { type: 'number' }, y: { type: 'number' } } },
      },
    },
    edge: {
      type: 'object',
      required: ['source', 'target'],
      additionalProperties: false,
      properties: {
        id: name,
        source: name,
        sourcePort: { ...name, default: 'out' },
        target: name,
        targetPort: { ...name, default: 'in' },
      },
    },
    subflow: {
      type: 'object',
      description: 'A reusable group of nodes, placed as nodes of type "subflow:<id>".',
      required: ['id', 'name', 'inputs', 'outputs', 'nodes', 'edges'],
      additionalProperties: false,
      properties: {
        id,
        name,
        description: text,
        version: { type: 'string', pattern: SEMVER_PATTERN, description: 'Semver, e.g. 1.0.0.' },
        category: name,
        icon: text,
        inputs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['port', 'to'],
            additionalProperties: false,
            properties: { port: name, to: { type: 'array', items: { $ref: '#/$defs/subflowPortRef' } } },
          },
        },
        outputs: {
          type: 'array',
          items: {
            type: 'object',
            required: ['port', 'from'],
            additionalProperties: false,
            properties: { port: name, from: { type: 'array', items: { $ref: '#/$defs/subflowPortRef' } } },
          },
        },
        params: { type: 'object', description: 'JSON Schema of an instance config (its parameters).' },
        status: { ...id, description: 'Inner node whose status is the instance status.' },
        resources: { type: 'array', items: { $ref: '#/$defs/resource' } },
        nodes: { type: 'array', items: { $ref: '#/$defs/node' } },
        edges: { type: 'array', items: { $ref: '#/$defs/edge' } },
      },
    },
    group: {
      type: 'object',
      description: 'A named, coloured box around nodes on the canvas; ignored by the runtime.',
      required: ['id', 'nodes'],
      additionalProperties: false,
      properties: {
        id,
        name: text,
        nodes: { type: 'array', items: id, description: 'Ids of the nodes in the group.' },
        color: { type: 'string', pattern: '^#[0-9A-Fa-f]{6}$', description: 'Colour of the box, e.g. #3b82f6.' },
      },
    },
    subflowPortRef: {
      type: 'object',
      required: ['node'],
      additionalProperties: false,
      properties: { node: id, port: name },
    },
    resource: {
      type: 'object',
      required: ['id', 'type'],
      additionalProperties: false,
      properties: {
        id,
        type: name,
        name: text,
        config: { type: 'object' },
      },
    },
  },
} as const;
