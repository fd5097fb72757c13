import { defineNode } from '@tagflow/node-sdk';
import { sparkplugErrors } from './error-codes';
import type { HostEvent, HostValue } from './host-state';
import { DataType } from './payload-codec';
import { idProblem, NAMESPACE, sparkplugTopic } from './topics';

/** What sparkplug-in uses of an mqtt-broker connection (@tagflow/nodes-mqtt's MqttConnection). */
interface BrokerConnection {
  subscribe(filter: string, qos: 0 | 1 | 2): Promise<void>;
  unsubscribe(filter: string): Promise<void>;
  onMessage(listener: (message: { topic: string; payload: Buffer }) => void): () => void;
  publish(topic: string, body: string | Buffer, options: { qos: 0 | 1 | 2; retain?: boolean }): Promise<void>;
}

export default defineNode({
  type: 'sparkplug-in',
  version: 1,
  category: 'source',
  description: 'Receives Sparkplug B edge nodes as a host application: one message per metric value.',
  docs: [
    'The host side of Sparkplug B: subscribes to `spBv1.0/<group>/#` through an `mqtt-broker`',
    "resource, decodes every message, tracks each edge node's birth certificates (NBIRTH, DBIRTH),",
    'resolves metric aliases, and sends what the edge nodes publish.',
    '',
    '## What it sends',
    '',
    'One message per metric value on `out`:',
    '',
    '```json',
    '{ "topic": "plant1/edge7/pump3/flow", "payload": 41.7, "timestamp": 1767225612000, "quality": "good",',
    '  "group": "plant1", "edgeNode": "edge7", "device": "pump3", "metric": "flow", "datatype": "Double", "historical": false }',
    '```',
    '',
    'Node-level metrics (NBIRTH/NDATA) have no `device` and the topic `<group>/<edge node>/<metric>`.',
    "`quality` comes from the metric's `Quality` property (OPC DA codes: 192 and up good, 64 to 191",
    "uncertain, below 64 bad; Ignition 8's 32-bit codes by their top bits); none means good.",
    '`historical` is true for stored values an edge node replays after an outage.',
    '',
    '## Online and offline',
    '',
    'On `state`, a message whenever an edge node or device comes online (NBIRTH, DBIRTH) or goes',
    'offline (NDEATH, DDEATH, and every device of an edge node with its NDEATH):',
    '`{ "topic": "plant1/edge7/pump3", "payload": "offline", "cause": "DDEATH", ... }`. An NDEATH',
    "whose bdSeq is not the one of the edge node's current NBIRTH (the will of an older connection) is",
    'ignored. The status counts the edge nodes online.',
    '',
    '## Rebirth requests',
    '',
    "Each message's seq must follow the previous one (0-255, wrapping). On a gap, on data from an",
    'edge node or device whose birth certificate it has not seen (tagflow started after the edge',
    'node), or on an alias it cannot resolve, it publishes an NCMD writing `true` to',
    '`Node Control/Rebirth` (once, until the NBIRTH comes), and counts it in the status. Values it can',
    'resolve are still sent.',
    '',
    '## Limits',
    '',
    'It is not a primary host application: it publishes no STATE, so edge nodes configured to wait',
    'for a primary host do not wait for it. It does not reorder messages that arrive out of order.',
    '',
    '## Example',
    '',
    '```json',
    '{ "id": "scada", "type": "sparkplug-in", "typeVersion": 1, "config": { "broker": "plant-broker", "group": "plant1" } }',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out', 'state'],
  resources: { broker: 'mqtt-broker' },
  errors: sparkplugErrors.pick('SPARKPLUG_CONFIG', 'SPARKPLUG_PAYLOAD'),
  configSchema: {
    type: 'object',
    properties: {
      broker: {
        type: 'string',
        description: 'Id of the mqtt-broker resource to subscribe through.',
        minLength: 1,
        'x-ui': { label: 'Broker', widget: 'resource', resourceType: 'mqtt-broker' },
      },
      group: {
        type: 'string',
        description: 'Sparkplug group id to receive; empty: every group.',
        minLength: 1,
        'x-ui': { label: 'Group id' },
      },
      rebirth: {
        type: 'boolean',
        description: 'Ask an edge node for a rebirth (NCMD) on a seq gap or data without birth certificate.',
        default: true,
        'x-ui': { label: 'Request rebirths' },
      },
    },
    required: ['broker'],
    additionalProperties: false,
  },

  check: (c) =>
    c.group !== undefined && idProblem(c.group) !== undefined
      ? [
          {
            path: '/group',
            message: `group "${c.group}" ${idProblem(c.group)}`,
            code: sparkplugErrors.code.SPARKPLUG_CONFIG,
          },
        ]
      : [],

  create(ctx) {
    const c = ctx.config;
    const handle = ctx.resource<BrokerConnection>(c.broker);
    // Protobuf and the tracker load with the first flow that uses this node.
    const { decodePayload, encodePayload } = require('./payload-codec') as typeof import('./payload-codec');
    const { HostTracker } = require('./host-state') as typeof import('./host-state');
    const { parseTopic } = require('./topics') as typeof import('./topics');
    const tracker = new HostTracker();
    const filter = `${NAMESPACE}/${c.group ?? '+'}/#`;
    let undecodable = 0;
    let shown = '';
    /** The connection whose subscription the broker confirmed. */
    let subscribed: BrokerConnection | undefined;

    const showStatus = () => {
      const parts = [`${tracker.online} edge node${tracker.online === 1 ? '' : 's'} online`];
      if (tracker.rebirths > 0) parts.push(`${tracker.rebirths} rebirth request${tracker.rebirths === 1 ? '' : 's'}`);
      if (tracker.gaps > 0) parts.push(`${tracker.gaps} seq gap${tracker.gaps === 1 ? '' : 's'}`);
      if (undecodable > 0) parts.push(`${undecodable} not Sparkplug B`);
      const text = parts.join(', ');
      const current = handle.current;
      const state = current === undefined ? 'reconnecting' : current === subscribed ? 'ok' : 'connecting';
      if (`${state} ${text}` === shown) return;
      shown = `${state} ${text}`;
      ctx.status({ state, text });
    };

    const emitValue = (v: HostValue) => {
      const path = [v.group, v.edgeNode, ...(v.device === undefined ? [] : [v.device]), v.metric].join('/');
      ctx.send({ ...v, topic: path, payload: v.value }, 'out');
    };
    const emitEvent = (e: HostEvent) => {
      const path = [e.group, e.edgeNode, ...(e.device === undefined ? [] : [e.device])].join('/');
      ctx.send(
        { ...e, topic: path, payload: e.online ? 'online' : 'offline', timestamp: Date.now(), quality: 'good' },
        'state',
      );
    };

    const requestRebirth = (connection: BrokerConnection, group: string, edgeNode: string, why: string) => {
      ctx.log.info('asking an edge node for its birth certificates', { group, edgeNode, why });
      const body = Buffer.from(
        encodePayload({
          timestamp: Date.now(),
          metrics: [{ name: 'Node Control/Rebirth', datatype: DataType.Boolean, value: true, timestamp: Date.now() }],
        }),
      );
      connection
        .publish(sparkplugTopic(group, 'NCMD', edgeNode), body, { qos: 0 })
        .catch((err: unknown) => ctx.log.warn('rebirth request not sent', { group, edgeNode, error: String(err) }));
    };

    let stopMessages: (() => void) | undefined;
    const stopConnect = handle.onConnect(async (connection) => {
      stopMessages?.();
      stopMessages = connection.onMessage(({ topic, payload }) => {
        const parsed = parseTopic(topic);
        if (!parsed || (c.group !== undefined && parsed.groupId !== c.group)) return;
        let decoded;
        try {
          decoded = decodePayload(payload);
        } catch (err) {
          undecodable++;
          ctx.log.warn('a message that is not a Sparkplug B payload was skipped', {
            code: sparkplugErrors.code.SPARKPLUG_PAYLOAD,
            topic,
            error: String(err),
          });
          return;
        }
        const outcome = tracker.handle(parsed, decoded);
        for (const e of outcome.events) emitEvent(e);
        for (const v of outcome.values) emitValue(v);
        if (outcome.rebirth !== undefined && c.rebirth)
          requestRebirth(connection, parsed.groupId, parsed.edgeNodeId, outcome.rebirth);
        showStatus();
      });
      await connection.subscribe(filter, 1);
      subscribed = connection;
      showStatus();
    });

    return {
      start() {
        ctx.clock.setInterval(showStatus, 1000);
        showStatus();
      },
      async close() {
        stopConnect();
        stopMessages?.();
        await handle.current
          ?.unsubscribe(filter)
          .catch((err: unknown) => ctx.log.debug('unsubscribe failed while closing', { error: String(err) }));
      },
    };
  },
});
