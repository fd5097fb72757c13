import {
  defineNode,
  deriveMessage,
  LINK_CALLS,
  LINK_PORT,
  linkCallsOf,
  NodeError,
  RETURN_PORT,
} from '@tagflow/node-sdk';
import type { LinkCall, Message, Timer } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

export default defineNode({
  type: 'link-call',
  version: 1,
  category: 'utility',
  description:
    'Calls a part of the flow that starts at a link-in and ends at a link-out in return mode, and sends on its answer.',
  docs: [
    "Calls a part of the flow like a subroutine, as Node-RED's link call: each message goes to the",
    '`link-in` named in `link`, with the call added to `_linkCalls` (the call stack the message',
    'carries); the part of the flow that starts there ends at a `link-out` in mode `return`, which',
    'sends the message back here. Calls nest: a called part may call another, each',
    'answer goes back to the link-call that made the innermost call. Several calls may wait at once.',
    '',
    '## What it sends',
    '',
    'The answer, on `out`: the message as the `link-out` returned it, with this call taken off',
    '`_linkCalls` (the field is gone when no call is left). Hops go on counting through the call',
    'and back, towards `settings.maxHops`.',
    '',
    'No answer within `timeoutMs` is an error `LINK_TIMEOUT` with the message that was sent, e.g.',
    '`link-call "lookup" got no answer from link-in "recipe-in" within 30000 ms: is there a link-out',
    'in return mode at the end of that part of the flow?`. An answer arriving after that is an',
    'error `LINK_LATE_ANSWER` and is dropped (the caller already had its error). A `link` that names',
    'no link-in of the flow refuses the deploy, at validate too.',
    '',
    '## Example',
    '',
    'Ask the recipe part of the flow for the set-points of each batch, waiting at most 5 s:',
    '',
    '```json',
    '{',
    '  "id": "lookup",',
    '  "type": "link-call",',
    '  "typeVersion": 1,',
    '  "config": { "link": "recipe-in", "timeoutMs": 5000 }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  link: 'call',
  errors: coreErrors.pick('LINK_TIMEOUT', 'LINK_LATE_ANSWER'),
  configSchema: {
    type: 'object',
    properties: {
      link: {
        type: 'string',
        description: 'Id of the link-in node that starts the part of the flow to call.',
        minLength: 1,
        'x-ui': { label: 'Call', widget: 'node-picker', nodeType: 'link-in' },
      },
      timeoutMs: {
        type: 'integer',
        description: 'How long to wait for the answer before reporting an error.',
        default: 30000,
        minimum: 1,
        'x-ui': { label: 'Timeout', unit: 'ms' },
      },
    },
    required: ['link'],
    additionalProperties: false,
  },

  create(ctx) {
    const { link, timeoutMs } = ctx.config;
    /** Calls waiting for their answer, by call id: the message sent and its timeout. */
    const waiting = new Map<string, { msg: Message; timer: Timer }>();
    let next = 0;
    // Ids of an earlier instance (before a redeploy) cannot match a call of this one.
    const started = ctx.clock.now().toString(36);

    const call = (msg: Message) => {
      const id = `${started}-${(next++).toString(36)}`;
      const frame: LinkCall = { flow: ctx.flowId, node: ctx.id, id };
      const timer = ctx.clock.setTimeout(() => {
        waiting.delete(id);
        ctx.error(
          new NodeError(
            coreErrors.code.LINK_TIMEOUT,
            `link-call "${ctx.id}" got no answer from link-in "${link}" within ${timeoutMs} ms: is there a link-out in return mode at the end of that part of the flow?`,
          ),
          msg,
        );
      }, timeoutMs);
      waiting.set(id, { msg, timer });
      ctx.send(deriveMessage(msg, { [LINK_CALLS]: [...linkCallsOf(msg), frame] }), LINK_PORT);
    };

    const answer = (msg: Message) => {
      const calls = linkCallsOf(msg);
      const top = calls[calls.length - 1];
      const pending = top === undefined ? undefined : waiting.get(top.id);
      if (pending === undefined) {
        throw new NodeError(
          coreErrors.code.LINK_LATE_ANSWER,
          `link-call "${ctx.id}" got an answer after its call had timed out (${timeoutMs} ms); the answer was dropped`,
        );
      }
      pending.timer.cancel();
      waiting.delete(top.id);
      const rest = calls.slice(0, -1);
      if (rest.length > 0) {
        ctx.send(deriveMessage(msg, { [LINK_CALLS]: rest }));
        return;
      }
      const { [LINK_CALLS]: _done, ...answered } = msg;
      ctx.send(answered);
    };

    return {
      onMessage(msg, port) {
        // Answers come from the engine on the hidden port; everything else is a new call.
        if (port === RETURN_PORT) answer(msg);
        else call(msg);
      },
    };
  },
});
