import { defineNode, deriveMessage, NodeError } from '@tagflow/node-sdk';
import { errorText } from './error-text';
import type { Message } from '@tagflow/node-sdk';
import { DataType } from 'node-opcua';
import { parseNodeId } from './node-id';
import type { OpcuaConnection } from './opcua-connection';
import { describeStatus } from './status-quality';
import { toVariant, WRITABLE_TYPES, writableTypeName } from './variant-codec';

export default defineNode({
  type: 'opcua-write',
  version: 1,
  category: 'publisher',
  description: 'Writes each message payload to an OPC UA variable, typed and range-checked',
  docs: [
    'Writes `msg.payload` to the configured variable (else the node id in `msg.topic`), as the',
    'configured data type or, with `auto`, the type the variable declares. A value of the wrong type',
    'or out of range is refused before anything is sent (`OPCUA_WRITE_VALUE`); a status other than',
    'Good from the server is an error (`OPCUA_WRITE`). A message of bad quality is never written.',
    'After a successful write the message is sent on, with `nodeId` and `statusCode` added.',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  resources: { server: 'opcua-server' },
  configSchema: {
    type: 'object',
    properties: {
      server: {
        type: 'string',
        minLength: 1,
        description: 'Id of the opcua-server resource.',
        'x-ui': { widget: 'resource', resourceType: 'opcua-server' },
      },
      nodeId: {
        type: 'string',
        minLength: 1,
        description: 'Variable to write, e.g. ns=1;s=Pump.Setpoint; leave empty to take it from msg.topic.',
        'x-ui': { widget: 'opcua-node', label: 'Node id' },
      },
      dataType: {
        enum: ['auto', ...WRITABLE_TYPES],
        default: 'auto',
        description: "Type to write the value as; auto reads the variable's DataType attribute (once per connection).",
        'x-ui': { label: 'Data type' },
      },
    },
    required: ['server'],
    additionalProperties: false,
  },

  create(ctx) {
    const c = ctx.config;
    const server = ctx.resource<OpcuaConnection>(c.server);
    const fixedNodeId = c.nodeId === undefined ? undefined : parseNodeId(c.nodeId);

    const typeToWrite = async (
      connection: OpcuaConnection,
      nodeId: ReturnType<typeof parseNodeId>,
      target: string,
      payload: unknown,
    ) => {
      if (c.dataType !== 'auto') return { name: c.dataType, array: false };
      let declared;
      try {
        declared = await connection.variableType(nodeId);
      } catch (err) {
        throw new NodeError('OPCUA_WRITE', `cannot write ${target}: ${errorText(err)}`);
      }
      const name = writableTypeName(declared.dataType);
      if (!name)
        throw new NodeError(
          'OPCUA_WRITE_TYPE',
          `cannot write ${target}: its data type ${DataType[declared.dataType]} is not one tagflow writes (${WRITABLE_TYPES.join(', ')})`,
        );
      if (!declared.array && Array.isArray(payload))
        throw new NodeError('OPCUA_WRITE_VALUE', `cannot write an array to ${target}: it holds a single ${name}`);
      return { name, array: declared.array };
    };

    return {
      async onMessage(msg: Message) {
        const nodeId = fixedNodeId ?? parseNodeId(msg.topic, 'node id to write (msg.topic)');
        const target = nodeId.toString();
        if (msg.quality === 'bad')
          throw new NodeError('OPCUA_WRITE_BAD_QUALITY', `not writing a value of bad quality to ${target}`);
        const connection = server.current;
        if (!connection)
          throw new NodeError(
            'OPCUA_NOT_CONNECTED',
            `not connected to the OPC UA server "${c.server}": ${target} not written`,
          );
        const type = await typeToWrite(connection, nodeId, target, msg.payload);
        const variant = toVariant(msg.payload, type.name, target, type.array);
        let status;
        try {
          status = await connection.write(nodeId, variant);
        } catch (err) {
          throw new NodeError(
            'OPCUA_WRITE',
            `writing ${target} on ${connection.endpointUrl} failed: ${errorText(err)}`,
          );
        }
        if (!status.isGood()) {
          throw new NodeError(
            'OPCUA_WRITE',
            `the server refused to write ${JSON.stringify(msg.payload)} to ${target}: ${describeStatus(status)}`,
            { statusCode: status.name },
          );
        }
        ctx.send(deriveMessage(msg, { nodeId: target, statusCode: status.name }));
      },
    };
  },
});
