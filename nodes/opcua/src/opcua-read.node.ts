import { defineNode, deriveMessage, NodeError } from '@tagflow/node-sdk';
import { opcuaErrors } from './error-codes';
import { serverProperty, variableItemSchema } from './schema-pieces';
import { errorText } from './error-text';
import type { Message } from '@tagflow/node-sdk';
import type { NodeId } from 'node-opcua';
import { itemNodeIdProblems, parseNodeId } from './node-id';
import type { OpcuaConnection } from './opcua-connection';

/** One variable to read: its parsed id, its text and the topic of its message. */
interface ReadItem {
  nodeId: NodeId;
  text: string;
  topic: string;
}

export default defineNode({
  type: 'opcua-read',
  version: 1,
  category: 'processor',
  description: 'Reads OPC UA variables when a message arrives, sending one message per variable.',
  docs: [
    'On each incoming message, reads the configured variables (or, with none configured, the node id',
    'given in `msg.payload` as a text, else in `msg.topic`) and sends one message per variable.',
    '',
    '## What it sends',
    '',
    'One message per variable, in the configured order, with the other fields of the incoming message',
    'kept (e.g. a request id):',
    '',
    '```json',
    '{',
    '  "payload": 1234,',
    '  "topic": "pump3/hours",',
    '  "timestamp": 1795401734599,',
    '  "quality": "good",',
    '  "statusCode": "Good",',
    '  "nodeId": "ns=2;s=Pump3.Hours"',
    '}',
    '```',
    '',
    'The fields are as for [opcua-subscribe](opcua-subscribe.md): `payload` is `null` when the status',
    'is Bad, `timestamp` is the source timestamp, `quality` comes from the status code. A variable the',
    'server cannot read (unknown node, device failure) comes as `quality: "bad"`, `payload: null`,',
    '`statusCode: "BadNodeIdUnknown"`, not as an error.',
    '',
    'Errors: `OPCUA_NOT_CONNECTED` (no live session: the read is not queued), `OPCUA_READ` (the request',
    'failed or timed out), `OPCUA_NODE_ID` (the node id in the message is not one).',
    '',
    '## Example',
    '',
    "Read pump 3's running hours whenever a message arrives (e.g. from a `timer`):",
    '',
    '```json',
    '{',
    '  "id": "hours",',
    '  "type": "opcua-read",',
    '  "typeVersion": 1,',
    '  "config": { "server": "plc", "items": [{ "nodeId": "ns=2;s=Pump3.Hours", "name": "pump3/hours" }] }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  resources: { server: 'opcua-server' },
  errors: opcuaErrors.pick('OPCUA_NODE_ID', 'OPCUA_NOT_CONNECTED', 'OPCUA_READ'),
  configSchema: {
    type: 'object',
    properties: {
      server: serverProperty,
      items: {
        type: 'array',
        description: 'Variables to read; leave empty to read the node id given in msg.payload (else msg.topic).',
        default: [],
        items: variableItemSchema,
        'x-ui': { label: 'Variables' },
      },
    },
    required: ['server'],
    additionalProperties: false,
  },

  check: (c) => itemNodeIdProblems(c.items),

  create(ctx) {
    const c = ctx.config;
    const server = ctx.resource<OpcuaConnection>(c.server);
    // node-opcua loads here, when a flow first uses this node, not with the palette.
    const { dataValueMessage } = require('./data-value-message') as typeof import('./data-value-message');
    const configured: ReadItem[] = c.items.map((item) => ({
      nodeId: parseNodeId(item.nodeId),
      text: item.nodeId,
      topic: item.name ?? item.nodeId,
    }));

    const fromMessage = (msg: Message): ReadItem[] => {
      const text = typeof msg.payload === 'string' ? msg.payload : msg.topic;
      return [
        {
          nodeId: parseNodeId(text, 'node id to read (msg.payload or msg.topic)'),
          text: text as string,
          topic: text as string,
        },
      ];
    };

    return {
      async onMessage(msg: Message) {
        const items = configured.length > 0 ? configured : fromMessage(msg);
        const connection = server.current;
        if (!connection)
          throw new NodeError(
            opcuaErrors.code.OPCUA_NOT_CONNECTED,
            `not connected to the OPC UA server "${c.server}": nothing read`,
          );
        let values;
        try {
          values = await connection.read(items.map((item) => item.nodeId));
        } catch (err) {
          throw new NodeError(
            opcuaErrors.code.OPCUA_READ,
            `reading ${items.map((i) => i.text).join(', ')} from ${connection.endpointUrl} failed: ${errorText(err)}`,
          );
        }
        // A Bad status per variable (unknown node, device failure) is data, sent with quality bad.
        items.forEach((item, i) =>
          ctx.send(deriveMessage(msg, dataValueMessage(values[i], item.text, item.topic, ctx.clock.now()))),
        );
      },
    };
  },
});
