import { STATUS_PORT, defineNode } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { listenedNodes, nodeScopeSchema } from './node-scope';

export default defineNode({
  type: 'status',
  version: 1,
  category: 'utility',
  description: 'Receives the status changes of other nodes, as messages, so the flow can act on them.',
  docs: [
    "Receives the status changes of other nodes as messages, like Node-RED's status node: alert",
    'someone when a connection drops, show a device state on a dashboard, log the changes.',
    '',
    '## What it sends, and when',
    '',
    'Each time a node in its scope (`scope`: the listed node ids; empty: every node of the flow)',
    'sets its status, or the connection it uses reports a change, the status node sends:',
    '',
    '```json',
    '{',
    '  "payload": "connected to 10.0.0.5:502",',
    '  "timestamp": 1767225600000,',
    '  "quality": "good",',
    '  "status": {',
    '    "state": "ok",',
    '    "text": "connected to 10.0.0.5:502",',
    '    "fill": "green",',
    '    "shape": "dot",',
    '    "source": { "id": "read-pump", "type": "modbus-read", "name": "Pump PLC" }',
    '  }',
    '}',
    '```',
    '',
    "`status.state` is tagflow's state (`ok`, `idle`, `connecting`, `reconnecting`, `disconnected`,",
    '`error`); `fill` and `shape` are the Node-RED look of it (green dot, grey ring, yellow ring,',
    'yellow ring, red ring, red dot), for flows converted from Node-RED that test `msg.status.fill`.',
    '`status.backlog` is there when the node reports one. Unlike Node-RED, `payload` holds the text',
    '(Node-RED sends none). `source.name` is there when the node has a name.',
    '',
    'A status node never receives its own status, and sets none itself, so two status nodes',
    'watching each other cannot feed each other. A loop through a node whose status changes with',
    "every message it gets is stopped by the flow's `settings.maxHops`, as any loop is.",
    '',
    '## Example',
    '',
    'Log every status change of the two PLC readers:',
    '',
    '```json',
    '{',
    '  "nodes": [',
    '    { "id": "plc-status", "type": "status", "typeVersion": 1, "config": { "scope": ["read-pump", "read-tank"] } },',
    '    { "id": "log", "type": "file-out", "typeVersion": 1, "config": { "path": "plc-status.jsonl" } }',
    '  ],',
    '  "edges": [{ "source": "plc-status", "target": "log" }]',
    '}',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  errors: coreErrors.pick(),
  configSchema: nodeScopeSchema(
    'Ids of the nodes whose status changes to receive. Empty: every node of the flow.',
    'Report status from',
  ),

  watchesStatus: listenedNodes,

  create(ctx) {
    return {
      onMessage(msg, port) {
        // Only the engine delivers here; the node has no wired inputs.
        if (port === STATUS_PORT) ctx.send(msg);
      },
    };
  },
});
