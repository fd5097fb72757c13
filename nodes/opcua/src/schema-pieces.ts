// Config schema pieces the OPC UA nodes share. Each is a `const` literal, so the config types
// inferred from the node schemas stay as exact as if the piece were written out in place.

/** The `server` property of every OPC UA node: the id of its opcua-server resource. */
export const serverProperty = {
  type: 'string',
  description: 'Id of the opcua-server resource.',
  minLength: 1,
  'x-ui': { label: 'Server', widget: 'resource', resourceType: 'opcua-server' },
} as const;

/** One entry of an `items` list: a variable's node id and the topic its messages get. */
export const variableItemSchema = {
  type: 'object',
  properties: {
    nodeId: {
      type: 'string',
      description: 'Node id, e.g. ns=1;s=Pump.Flow.',
      minLength: 1,
      'x-ui': { label: 'Node id', widget: 'opcua-node' },
    },
    name: {
      type: 'string',
      description: 'Topic of its messages; default the node id.',
      minLength: 1,
      'x-ui': { label: 'Name' },
    },
  },
  required: ['nodeId'],
  additionalProperties: false,
} as const;
