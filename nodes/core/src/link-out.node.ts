import { defineNode, LINK_PORT, linkCallsOf, NodeError, RETURN_PORT } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

export default defineNode({
  type: 'link-out',
  version: 1,
  category: 'utility',
  description:
    'Sends each message to link-in nodes without a wire, or back to the link-call that called this part of the flow.',
  docs: [
    "Where virtual wires start, as Node-RED's link out. Two modes:",
    '',
    '- `link` (the default): each message goes to every `link-in` node named in `links`, as if wired',
    '  to each. A name that is no link-in of the flow refuses the deploy (`LINK_TARGET_NOT_FOUND`,',
    '  `LINK_TARGET_NOT_LINK_IN`), at validate too, with the same words.',
    '- `return`: ends a part of the flow that a `link-call` called: each message goes back to the',
    '  `link-call` that made the call it is part of (the last one in `_linkCalls`), which sends it on.',
    '  A message that came from no link-call (or whose caller a redeploy removed) is an error',
    '  `LINK_NO_CALLER`, and the message is dropped.',
    '',
    '## What it sends',
    '',
    'Nothing on a port of its own: each message goes, unchanged, to the link-in nodes (mode `link`)',
    'or to the calling `link-call` (mode `return`). Each virtual wire is one hop towards',
    '`settings.maxHops`, like an edge: a loop through links is cut as a loop of edges is. A',
    'disabled link-in receives nothing.',
    '',
    '## Example',
    '',
    'Send the readings to two parts of the flow, the recording and the alarms:',
    '',
    '```json',
    '{',
    '  "id": "readings-out",',
    '  "type": "link-out",',
    '  "typeVersion": 1,',
    '  "config": { "mode": "link", "links": ["history-in", "alarms-in"] }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  link: 'out',
  errors: coreErrors.pick('LINK_NO_CALLER'),
  configSchema: {
    type: 'object',
    properties: {
      mode: {
        description:
          'link: send to the link-in nodes named in links; return: send back to the link-call that called this part of the flow.',
        default: 'link',
        enum: ['link', 'return'],
        'x-ui': {
          label: 'Mode',
          enumLabels: { link: 'Send to link-in nodes', return: 'Return to the calling link-call' },
        },
      },
      links: {
        type: 'array',
        description: 'Ids of the link-in nodes each message goes to (mode link).',
        default: [],
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
        'x-ui': { label: 'Send to', widget: 'node-picker', nodeType: 'link-in' },
      },
    },
    additionalProperties: false,
  },

  create(ctx) {
    const returning = ctx.config.mode === 'return';
    return {
      onMessage(msg) {
        if (!returning) {
          ctx.send(msg, LINK_PORT);
          return;
        }
        // The engine routes the answer to the caller on top of the stack; without one, say so here.
        if (linkCallsOf(msg).length === 0) {
          throw new NodeError(
            coreErrors.code.LINK_NO_CALLER,
            `link-out "${ctx.id}" returns to the link-call that called it, but this message came from no link-call (it carries no _linkCalls); the message was dropped`,
          );
        }
        ctx.send(msg, RETURN_PORT);
      },
    };
  },
});
