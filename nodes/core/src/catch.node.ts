import { ERROR_PORT, defineNode } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { listenedNodes, nodeScopeSchema } from './node-scope';

/** Status text is one short line under the node. */
const STATUS_LENGTH = 60;

export default defineNode({
  type: 'catch',
  version: 1,
  category: 'utility',
  description: 'Receives the errors of other nodes, as messages with msg.error, so the flow can handle them.',
  docs: [
    'Receives the errors of other nodes as messages, so a flow can handle them: alert someone, log',
    "them to a file, publish them to MQTT. Like Node-RED's catch node.",
    '',
    '`uncaughtOnly` (Node-RED\'s "only errors not caught by another catch") is not supported: every',
    'catch node whose scope includes the failing node receives its error.',
    '',
    '## What it sends, and when',
    '',
    'Each time a node in its scope fails (throws or rejects while handling a message, or reports an',
    'error with `ctx.error`), the catch node sends the message that failed on `out`, unchanged, with',
    '`msg.error` describing the failure:',
    '',
    '```json',
    '{',
    '  "payload": "ON",',
    '  "topic": "valve/cmd",',
    '  "timestamp": 1767225600000,',
    '  "quality": "good",',
    '  "error": {',
    '    "message": "cannot handle ON",',
    '    "code": "BROKEN",',
    '    "nodeId": "valve",',
    '    "nodeType": "modbus-write",',
    '    "depth": 0',
    '  }',
    '}',
    '```',
    '',
    "`error.code` is the node's error code (`UNEXPECTED` for a bug, with `error.stack`);",
    '`error.nodeId` / `nodeType` name the node that failed.',
    '',
    'Errors of a node that has its own `error` output port wired go there instead, not to catch',
    'nodes. The engine stops an error loop (a catch whose handling fails again and again) after a',
    'few hops. The status shows how many errors were caught and the last one, e.g.',
    '`2 caught, last: the device did not answer`.',
    '',
    '## Example',
    '',
    "Send every error of the pump's nodes to a debug node and a file:",
    '',
    '```json',
    '{',
    '  "nodes": [',
    '    { "id": "pump-errors", "type": "catch", "typeVersion": 1, "config": { "scope": ["read-pump", "avg"] } },',
    '    { "id": "show", "type": "debug", "typeVersion": 1, "config": { "property": "msg" } },',
    '    { "id": "log", "type": "file-out", "typeVersion": 1, "config": { "path": "errors.jsonl" } }',
    '  ],',
    '  "edges": [',
    '    { "source": "pump-errors", "target": "show" },',
    '    { "source": "pump-errors", "target": "log" }',
    '  ]',
    '}',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  errors: coreErrors.pick(),
  configSchema: nodeScopeSchema(
    'Ids of the nodes whose errors to receive. Empty: every node of the flow.',
    'Catch errors from',
  ),

  catches: listenedNodes,

  create(ctx) {
    let caught = 0;
    return {
      onMessage(msg, port) {
        // Only the engine delivers here; the node has no wired inputs.
        if (port !== ERROR_PORT) return;
        caught++;
        ctx.send(msg);
        const text = `${caught} caught, last: ${msg.error?.message ?? 'unknown error'}`;
        ctx.status({ state: 'ok', text: text.length > STATUS_LENGTH ? `${text.slice(0, STATUS_LENGTH - 1)}…` : text });
      },
    };
  },
});
