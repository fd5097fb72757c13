import { defineNode } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

export default defineNode({
  type: 'link-in',
  version: 1,
  category: 'utility',
  description:
    'Receives what link-out and link-call nodes send it, without a wire: splits a large flow into tidy parts.',
  docs: [
    "Where virtual wires end, as Node-RED's link in: `link-out` nodes that name this node in their",
    '`links`, and `link-call` nodes that name it in `link`, send here without an edge on the canvas',
    '(the editor draws them dashed). It has no input port: only those nodes send to it.',
    '',
    '## What it sends',
    '',
    'Every message it receives, unchanged, on `out`. A message from a `link-call` carries the call',
    'in `_linkCalls`; leave that field as it is, so that the `link-out` in return mode at the end of',
    'the called part can send the answer back.',
    '',
    'Virtual wires count like edges: each is one hop towards `settings.maxHops`, a loop through them',
    'is warned about at validate, and a busy part of the flow slows down the nodes that send to it.',
    '',
    '## Example',
    '',
    'Two parts of a flow, tied by a virtual wire: the readings go to `to-history`, which sends them',
    'on to `history-in`, the start of the recording part.',
    '',
    '```json',
    '{',
    '  "nodes": [',
    '    { "id": "to-history", "type": "link-out", "typeVersion": 1, "config": { "links": ["history-in"] } },',
    '    { "id": "history-in", "type": "link-in", "typeVersion": 1, "name": "Record" },',
    '    { "id": "record", "type": "historian-out", "typeVersion": 1, "config": { "historian": "plant-history" } }',
    '  ],',
    '  "edges": [{ "source": "history-in", "target": "record" }]',
    '}',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  link: 'in',
  errors: coreErrors.pick(),
  configSchema: { type: 'object', properties: {}, additionalProperties: false },

  create(ctx) {
    return {
      onMessage(msg) {
        ctx.send(msg);
      },
    };
  },
});
