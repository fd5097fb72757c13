import { defineNode, deriveMessage, NodeError, problemsFrom } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
import { serverProperty } from './schema-pieces';
import { errorText } from './error-text';
import type { Message } from '@tagflow/node-sdk';
import { parseNodeId } from './node-id';
import type { OpcuaConnection } from './opcua-connection';
import { describeStatus } from './status-quality';
import { WRITABLE_TYPES } from './writable-types';

export default defineNode({
  type: 'opcua-write',
  version: 1,
  category: 'publisher',
  description: 'Writes each message payload to an OPC UA variable, typed and range-checked.',
  docs: [
    "Writes each message's `msg.payload` to the configured variable (else the node id in `msg.topic`),",
    'as the configured data type or, with `auto`, the type the variable declares (its DataType',
    'attribute, read once per connection; subtypes such as Duration resolve to their built-in type).',
    '',
    '## Payload types',
    '',
    'The payload must already have the right JavaScript type; nothing is coerced:',
    '',
    '| data type | payload |',
    '| --- | --- |',
    '| Boolean | `true` / `false` (not `1`, not `"true"`) |',
    "| integer types | an integer within the type's range (`Byte` 0..255, `Int16` -32768..32767...; 64-bit ones within ±2^53) |",
    '| Float, Double | a finite number (Float within ±3.4e38) |',
    '| String, LocalizedText | a text |',
    '| DateTime | ISO 8601 text, or milliseconds since 1970 |',
    '| arrays | an array whose every element fits; required when the variable holds an array |',
    '',
    '## What it sends',
    '',
    'After a successful write the message is sent on unchanged, with `nodeId` and `statusCode: "Good"`',
    'added:',
    '',
    '```json',
    '{ "payload": 42.5, "topic": "ns=2;s=Pump3.Setpoint", "timestamp": 1795401734599, "quality": "good", "nodeId": "ns=2;s=Pump3.Setpoint", "statusCode": "Good" }',
    '```',
    '',
    '## When a write fails',
    '',
    'The message is not written, and the node reports an error:',
    '',
    '| code | when |',
    '| --- | --- |',
    '| `OPCUA_WRITE_VALUE` | wrong type or out of range, e.g. `cannot write 300 to ns=2;s=Pump3.Mode: expected Byte in the range 0..255` |',
    '| `OPCUA_WRITE_BAD_QUALITY` | the message has quality `bad`: a bad value is never written to a device |',
    '| `OPCUA_WRITE` | the server refused (`the server refused to write 5 to ns=2;s=Pump3.Hours: BadNotWritable (...)`) or the request failed |',
    "| `OPCUA_WRITE_TYPE` | with `auto`, the variable's type is not one listed above |",
    '| `OPCUA_NOT_CONNECTED` | no live session: the write is not queued (a stale setpoint is worse than none) |',
    '| `OPCUA_NODE_ID` | `msg.topic` is not a node id |',
    '',
    '## Example',
    '',
    'Write each incoming setpoint to pump 3, as the type the variable declares:',
    '',
    '```json',
    '{',
    '  "id": "setpoint",',
    '  "type": "opcua-write",',
    '  "typeVersion": 1,',
    '  "config": { "server": "plc", "nodeId": "ns=2;s=Pump3.Setpoint" }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  resources: { server: 'opcua-server' },
  errors: opcuaErrors.pick(
    'OPCUA_NODE_ID',
    'OPCUA_WRITE_BAD_QUALITY',
    'OPCUA_NOT_CONNECTED',
    'OPCUA_WRITE',
    'OPCUA_WRITE_TYPE',
    'OPCUA_WRITE_VALUE',
  ),
  configSchema: {
    type: 'object',
    properties: {
      server: serverProperty,
      nodeId: {
        type: 'string',
        description: 'Variable to write, e.g. ns=1;s=Pump.Setpoint; leave empty to take it from msg.topic.',
        minLength: 1,
        'x-ui': { widget: 'opcua-node', label: 'Node id' },
      },
      dataType: {
        description: "Type to write the value as; auto reads the variable's DataType attribute (once per connection).",
        default: 'auto',
        enum: ['auto', ...WRITABLE_TYPES],
        'x-ui': { label: 'Data type' },
      },
    },
    required: ['server'],
    additionalProperties: false,
  },

  check: (c) => (c.nodeId === undefined ? [] : problemsFrom('/nodeId', () => parseNodeId(c.nodeId))),

  create(ctx) {
    const c = ctx.config;
    const server = ctx.resource<OpcuaConnection>(c.server);
    const fixedNodeId = c.nodeId === undefined ? undefined : parseNodeId(c.nodeId);
    // node-opcua loads here, when a flow first uses this node, not with the palette.
    const { dataTypeName, toVariant, writableTypeName } =
      require('./variant-codec') as typeof import('./variant-codec');

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
        throw new NodeError(opcuaErrors.code.OPCUA_WRITE, `cannot write ${target}: ${errorText(err)}`);
      }
      const name = writableTypeName(declared.dataType);
      if (!name)
        throw new NodeError(
          opcuaErrors.code.OPCUA_WRITE_TYPE,
          `cannot write ${target}: its data type ${dataTypeName(declared.dataType)} is not one tagflow writes (${WRITABLE_TYPES.join(', ')})`,
        );
      if (!declared.array && Array.isArray(payload))
        throw new NodeError(
          opcuaErrors.code.OPCUA_WRITE_VALUE,
          `cannot write an array to ${target}: it holds a single ${name}`,
        );
      return { name, array: declared.array };
    };

    return {
      async onMessage(msg: Message) {
        const nodeId = fixedNodeId ?? parseNodeId(msg.topic, 'node id to write (msg.topic)');
        const target = nodeId.toString();
        if (msg.quality === 'bad')
          throw new NodeError(
            opcuaErrors.code.OPCUA_WRITE_BAD_QUALITY,
            `not writing a value of bad quality to ${target}`,
          );
        const connection = server.current;
        if (!connection)
          throw new NodeError(
            opcuaErrors.code.OPCUA_NOT_CONNECTED,
            `not connected to the OPC UA server "${c.server}": ${target} not written`,
          );
        const type = await typeToWrite(connection, nodeId, target, msg.payload);
        const variant = toVariant(msg.payload, type.name, target, type.array);
        let status;
        try {
          status = await connection.write(nodeId, variant);
        } catch (err) {
          throw new NodeError(
            opcuaErrors.code.OPCUA_WRITE,
            `writing ${target} on ${connection.endpointUrl} failed: ${errorText(err)}`,
          );
        }
        if (!status.isGood()) {
          throw new NodeError(
            opcuaErrors.code.OPCUA_WRITE,
            `the server refused to write ${JSON.stringify(msg.payload)} to ${target}: ${describeStatus(status)}`,
            { statusCode: status.name },
          );
        }
        ctx.send(deriveMessage(msg, { nodeId: target, statusCode: status.name }));
      },
    };
  },
});
