import { defineNode } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { FunctionSandbox } from './sandbox/function-sandbox';
import { toOutputMessages } from './sandbox/function-result';
import { lacksNoSnapshotFlag } from './sandbox/snapshot-flag';

let snapshotWarningGiven = false;

export default defineNode({
  type: 'function',
  version: 1,
  category: 'processor',
  description: 'Runs your JavaScript on each message, in a sandbox.',
  docs: [
    'Runs the code on each message as the body of `function (msg, node, context) { ... }` and sends what it returns:',
    'a message (`return { ...msg, payload: msg.payload * 2 }`), an array of messages (sent in order on `out`), or `null` to send nothing.',
    '`msg` is a copy: changing it never affects other nodes. `context` is an object kept between messages (`context.get/set` work too).',
    '`node.log/warn/error` and `console.log` write to the log, `node.status({ state, text })` sets the status.',
    'The code runs in its own V8 isolate: no `process`, `require`, file system, network or timers. A message that runs longer than',
    '`timeoutMs` fails with FUNCTION_TIMEOUT, one that needs more than `memoryLimitMb` with FUNCTION_MEMORY; the next message runs normally.',
  ].join(' '),
  errors: coreErrors.pick(
    'FUNCTION_SYNTAX',
    'FUNCTION_ERROR',
    'FUNCTION_TIMEOUT',
    'FUNCTION_MEMORY',
    'FUNCTION_RESULT',
  ),
  configSchema: {
    type: 'object',
    properties: {
      code: {
        type: 'string',
        description:
          'Body of a function receiving `msg` (plus `node` and `context`); return a message, an array of messages, or null.',
        default: 'return msg;',
        'x-ui': { label: 'Code', widget: 'code', language: 'javascript' },
      },
      timeoutMs: {
        type: 'integer',
        description: 'Longest the code may run for one message before it is stopped and the message fails.',
        minimum: 1,
        maximum: 60000,
        default: 1000,
        'x-ui': { label: 'Time limit (ms)', advanced: true },
      },
      memoryLimitMb: {
        type: 'integer',
        description: 'Memory the code may use; past it the code is stopped and its context cleared.',
        minimum: 8,
        maximum: 1024,
        default: 32,
        'x-ui': { label: 'Memory limit (MB)', advanced: true },
      },
    },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    if (!snapshotWarningGiven && lacksNoSnapshotFlag()) {
      snapshotWarningGiven = true;
      ctx.log.warn(
        'Node.js runs without --no-node-snapshot; isolated-vm, which sandboxes function nodes, asks for it on Node 20 and later',
      );
    }
    const sandbox = new FunctionSandbox({
      code: ctx.config.code,
      timeoutMs: ctx.config.timeoutMs,
      memoryLimitMb: ctx.config.memoryLimitMb,
      nodeId: ctx.id,
      nodeName: ctx.name,
      onLog: (level, text) => ctx.log[level](text),
      onStatus: (status) => ctx.status(status),
      onCatastrophicError: (message) =>
        ctx.log.error(`The function sandbox failed beyond recovery; restart the runtime: ${message}`),
    });
    return {
      onMessage(msg) {
        for (const out of toOutputMessages(sandbox.run(msg), msg)) ctx.send(out);
      },
      close() {
        sandbox.dispose();
      },
    };
  },
});
