import { ERROR_PORT, defineNode } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';

/** Status text is one short line under the node. */
const STATUS_LENGTH = 60;

export default defineNode({
  type: 'catch',
  version: 1,
  category: 'utility',
  description: 'Receives the errors of other nodes, as messages with msg.error, so the flow can handle them',
  inputs: [],
  outputs: ['out'],
  errors: coreErrors.pick(),
  configSchema: {
    type: 'object',
    properties: {
      scope: {
        type: 'array',
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
        default: [],
        description: 'Ids of the nodes whose errors to receive. Empty: every node of the flow.',
        'x-ui': { label: 'Catch errors from', widget: 'node-picker' },
      },
    },
    additionalProperties: false,
  },

  catches(config) {
    return config.scope.length > 0 ? config.scope : 'all';
  },

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
