import { defineNode } from '@tagflow/node-sdk';
import type { Command, EdgeNodeSession } from './edge-session';
import { sparkplugErrors } from './error-codes';
import { dataTypeName } from './payload-codec';

export default defineNode({
  type: 'sparkplug-command',
  version: 1,
  category: 'source',
  description: 'Emits each write a Sparkplug host sends to the edge node (DCMD, NCMD) as a message.',
  docs: [
    'Receives the commands a host application (Ignition, another tagflow runtime) sends to the',
    '`sparkplug-edge-node`: one message per written metric, so that a flow can pass the write on to',
    'the device, e.g. to a `modbus-write` or `opcua-write` node.',
    '',
    '## What it sends',
    '',
    '```json',
    '{ "topic": "setpoint", "payload": 42.5, "device": "pump3", "datatype": "Double", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    '`topic` is the metric name (an alias is resolved to it), `device` the device of a DCMD (absent',
    'for an NCMD). `Node Control/Rebirth` is handled by the edge node itself and never emitted. Set',
    "`device` to receive one device's commands only. Nothing is acknowledged back: the host sees the",
    'new value when the flow publishes it again through `sparkplug-out`.',
    '',
    '## Example',
    '',
    '```json',
    '{ "id": "writes", "type": "sparkplug-command", "typeVersion": 1, "config": { "edgeNode": "edge7", "device": "pump3" } }',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  resources: { edgeNode: 'sparkplug-edge-node' },
  errors: sparkplugErrors.pick(),
  configSchema: {
    type: 'object',
    properties: {
      edgeNode: {
        type: 'string',
        description: 'Id of the sparkplug-edge-node resource receiving the commands.',
        minLength: 1,
        'x-ui': { label: 'Edge node', widget: 'resource', resourceType: 'sparkplug-edge-node' },
      },
      device: {
        type: 'string',
        description: 'Only the commands (DCMD) of this device; empty: every DCMD and NCMD.',
        minLength: 1,
        'x-ui': { label: 'Device id' },
      },
    },
    required: ['edgeNode'],
    additionalProperties: false,
  },

  create(ctx) {
    const c = ctx.config;
    const handle = ctx.resource<EdgeNodeSession>(c.edgeNode);
    let received = 0;
    const emit = (command: Command) => {
      if (c.device !== undefined && command.device !== c.device) return;
      received++;
      ctx.status({ state: 'ok', text: `${received} command${received === 1 ? '' : 's'}` });
      ctx.send({
        topic: command.metric,
        payload: command.value,
        timestamp: command.timestamp,
        quality: 'good',
        ...(command.device === undefined ? {} : { device: command.device }),
        ...(command.datatype === undefined ? {} : { datatype: dataTypeName(command.datatype) }),
      });
    };
    let stopListening: (() => void) | undefined;
    const stopConnect = handle.onConnect((session) => {
      stopListening?.();
      stopListening = session.onCommand(emit);
    });
    return {
      close() {
        stopConnect();
        stopListening?.();
      },
    };
  },
});
