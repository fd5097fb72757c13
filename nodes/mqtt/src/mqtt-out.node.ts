import { defineNode, NodeError, outboxOverflowProperty } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { connectionLoss } from './connection-loss';
import { mqttErrors } from './error-codes';
import type { MqttConnection } from './mqtt-connection';
import { publishTopicProblems } from './topic-check';
import { renderTopic } from './topic-template';

/** MQTT 5 publish properties, as kept in the outbox (JSON). */
interface PublishProperties {
  contentType?: string;
  messageExpiryInterval?: number;
  payloadFormatIndicator?: boolean;
  responseTopic?: string;
  userProperties?: Record<string, string>;
}

/** What the outbox holds: a publish, ready to send. */
interface PendingPublish {
  topic: string;
  body: string;
  qos: 0 | 1 | 2;
  retain: boolean;
  properties?: PublishProperties;
}

/** Outbox acknowledgements are made this many publishes at a time. */
const BATCH = 100;

export default defineNode({
  type: 'mqtt-out',
  version: 1,
  category: 'publisher',
  description: 'Publishes each message to an MQTT topic; buffers on disk while the broker is unreachable.',
  docs: [
    'Publishes each message it receives to `topic` through the `broker` resource, in order, through a',
    'buffer on disk: nothing is lost while the broker is unreachable, nor when the runtime stops or',
    'crashes.',
    '',
    '## What it sends',
    '',
    'One MQTT message per message received, on the topic `topic` names (its `{{...}}` placeholders',
    'filled from the message). The MQTT payload depends on `format`: `json` (the default) sends the',
    'payload as JSON (`41.7`, `{"flow": 41.7}`), `string` the payload as text, `message` the whole',
    'message as JSON:',
    '',
    '```json',
    '{ "payload": 41.7, "topic": "pump3/flow", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    'A message lacking a field a topic placeholder names is an error (`MQTT_TOPIC`) and is not sent.',
    '',
    '**MQTT 5 properties.** When any of `contentType`, `messageExpirySeconds`, `responseTopic` or',
    '`userProperties` is set, each message also carries `payloadFormatIndicator: true` (the payload is',
    'UTF-8 text). Templates are filled when the message arrives at the node, so a message buffered for',
    "an hour keeps the values of its own moment; a message lacking a placeholder's field is an error",
    '(`MQTT_PROPERTY`). On an MQTT 3.1.1 connection (`protocolVersion: 4`) the properties are left out,',
    'with one warning in the log.',
    '',
    '## Store-and-forward',
    '',
    "Every message goes through the node's buffer on disk (`<data dir>/outbox/<flow>/<node>/`), so",
    'nothing is lost while the broker is unreachable, nor when the runtime stops or crashes: the buffer',
    'is delivered when the broker is back, or after the runtime starts again with the same data dir.',
    "Delivery is in order, with up to `maxInFlight` messages sent ahead of the broker's confirmations,",
    'and a message leaves the buffer only once the broker confirmed it (PUBACK), a batch of up to 100',
    'at a time. This is at-least-once: if the connection drops while messages are in flight, those (up',
    'to `maxInFlight`) are sent again, so a subscriber may see some messages twice; deduplicate by a',
    'field of the payload if that matters. QoS 0 messages are buffered the same way and count as',
    'delivered once written to the socket.',
    '',
    "**Draining a backlog fast, and the broker's queues.** After an outage the buffer is sent as fast",
    'as the broker confirms it (tens of thousands of messages a second). A broker that limits what it',
    "queues for each subscriber drops messages for subscribers slower than that: Mosquitto's",
    "`max_queued_messages` is 1000 by default, even at QoS 1. Either raise the broker's limit",
    '(`max_queued_messages 0` for none) or lower `maxInFlight` (100 sends one batch at a time, about',
    '7,000 msg/s on a local network) so that the backlog drains at a pace the subscribers keep up with.',
    'Raising `maxInFlight` speeds QoS 1 up where the round trip to the broker is the limit (on',
    'loopback, 5000 delivered about a third more than 1000) at the cost of more duplicates after a',
    'connection drops.',
    '',
    '## Status',
    '',
    '`connected`, or `waiting for the broker, 12 buffered · 3 dropped`, with the backlog in `backlog`.',
    '',
    '## Example',
    '',
    "Each pump's average flow to `plant1/<topic>/avg`, retained, with the site and the source topic as",
    'MQTT 5 user properties:',
    '',
    '```json',
    '{',
    '  "id": "publish-avg",',
    '  "type": "mqtt-out",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "broker": "plant-broker",',
    '    "topic": "plant1/{{topic}}/avg",',
    '    "retain": true,',
    '    "userProperties": { "site": "plant-1", "source": "{{topic}}" }',
    '  }',
    '}',
    '```',
  ].join('\n'),
  inputs: ['in'],
  outputs: [],
  resources: { broker: 'mqtt-broker' },
  errors: mqttErrors.pick('MQTT_CONFIG', 'MQTT_TOPIC', 'MQTT_PROPERTY'),
  configSchema: {
    type: 'object',
    properties: {
      broker: {
        type: 'string',
        description: 'Id of the mqtt-broker resource to publish through.',
        minLength: 1,
        'x-ui': { label: 'Broker', widget: 'resource', resourceType: 'mqtt-broker' },
      },
      topic: {
        type: 'string',
        description:
          "Topic, or a template such as plant/{{topic}} or line/{{payload.line}}/flow; a message lacking a placeholder's field is an error (MQTT_TOPIC).",
        minLength: 1,
        'x-ui': { label: 'Topic' },
      },
      qos: {
        description: 'Delivery guarantee: 0 at most once, 1 at least once (confirmed by the broker), 2 exactly once.',
        default: 1,
        enum: [0, 1, 2],
        'x-ui': { label: 'QoS' },
      },
      retain: {
        type: 'boolean',
        description: 'Ask the broker to keep the last message of the topic and hand it to every new subscriber.',
        default: false,
        'x-ui': { label: 'Retain' },
      },
      format: {
        description: 'json: the payload as JSON; string: the payload as text; message: the whole message as JSON.',
        default: 'json',
        enum: ['json', 'string', 'message'],
        'x-ui': { label: 'Format' },
      },
      bufferMaxMB: {
        type: 'number',
        description: 'Disk space for messages waiting for the broker.',
        default: 100,
        exclusiveMinimum: 0,
        'x-ui': { label: 'Buffer size', unit: 'MB' },
      },
      overflow: outboxOverflowProperty,
      maxInFlight: {
        type: 'integer',
        description:
          'Messages sent before the broker has confirmed the earlier ones. Lower it when the subscribers of a broker that limits its queue per subscriber (Mosquitto: max_queued_messages, 1000 by default) must not miss messages while a backlog drains.',
        default: 1000,
        minimum: 1,
        maximum: 65535,
        'x-ui': { label: 'Messages in flight', advanced: true },
      },
      contentType: {
        type: 'string',
        description: 'MQTT 5: the content type sent with each message, e.g. application/json.',
        minLength: 1,
        'x-ui': { label: 'Content type' },
      },
      messageExpirySeconds: {
        type: 'integer',
        description:
          'MQTT 5: the broker discards the message if it cannot deliver it to a subscriber within this time.',
        minimum: 1,
        'x-ui': { label: 'Message expiry', unit: 's' },
      },
      responseTopic: {
        type: 'string',
        description: 'MQTT 5: the topic a receiver should answer on (a template, like topic).',
        minLength: 1,
        'x-ui': { label: 'Response topic' },
      },
      userProperties: {
        type: 'object',
        description:
          'MQTT 5: name/value pairs sent with each message; values may be templates, e.g. {"site": "plant-7", "line": "{{payload.line}}"}.',
        additionalProperties: { type: 'string' },
        'x-ui': { label: 'User properties', widget: 'key-value' },
      },
    },
    required: ['broker', 'topic'],
    additionalProperties: false,
  },

  check: (c) => [
    ...publishTopicProblems(c.topic, '/topic', 'the topic'),
    ...(c.responseTopic === undefined
      ? []
      : publishTopicProblems(c.responseTopic, '/responseTopic', 'the response topic')),
  ],

  async create(ctx) {
    const c = ctx.config;
    const broker = ctx.resource<MqttConnection>(c.broker);
    const outbox = await ctx.outbox<PendingPublish>({ maxBytes: c.bufferMaxMB * 2 ** 20, overflow: c.overflow });
    let delivering: Promise<void> | undefined;
    let shown = '';
    const wantsProperties =
      c.contentType !== undefined ||
      c.messageExpirySeconds !== undefined ||
      c.responseTopic !== undefined ||
      c.userProperties !== undefined;
    let warnedOldProtocol = false;

    // Properties are fixed when the message is accepted, so a message buffered for an hour keeps
    // the values of its own moment.
    const propertiesFor = (msg: Message): PublishProperties => {
      // Every format this node writes is UTF-8 text.
      const p: PublishProperties = { payloadFormatIndicator: true };
      if (c.contentType !== undefined) p.contentType = c.contentType;
      if (c.messageExpirySeconds !== undefined) p.messageExpiryInterval = c.messageExpirySeconds;
      if (c.responseTopic !== undefined) p.responseTopic = renderTopic(c.responseTopic, msg, 'the response topic');
      if (c.userProperties !== undefined) {
        p.userProperties = {};
        for (const [name, template] of Object.entries(c.userProperties))
          p.userProperties[name] = renderTopic(template, msg, `the user property "${name}"`);
      }
      return p;
    };

    const showBacklog = () => {
      const parts = [broker.current ? 'connected' : 'waiting for the broker'];
      if (outbox.size > 0) parts.push(`${outbox.size} buffered`);
      // What the full buffer dropped is counted by the runtime, which appends `· N dropped`.
      const text = parts.join(', ');
      if (text === shown) return;
      shown = text;
      ctx.status({ state: broker.current ? 'ok' : 'reconnecting', text, backlog: outbox.size });
    };

    const publish = (connection: MqttConnection, p: PendingPublish, v5: boolean) =>
      connection.publish(p.topic, p.body, { qos: p.qos, retain: p.retain, properties: v5 ? p.properties : undefined });

    // Delivers the outbox in order with up to maxInFlight publishes under way, acknowledging the
    // outbox's head a batch at a time, only once the broker confirmed it (QoS 1/2) or the socket took
    // it (QoS 0). Waiting for each batch before sending the next (as up to 100 under way did) cost
    // most of the QoS 1 throughput (figures: the README's Performance section).
    const batchSize = Math.min(BATCH, c.maxInFlight);
    const deliver = async () => {
      while (!ctx.signal.aborted) {
        await outbox.whenNotEmpty(ctx.signal);
        if (ctx.signal.aborted) return;
        const connection = await broker.ready(ctx.signal);
        const v5 = connection.protocolVersion === 5;
        if (!v5 && wantsProperties && !warnedOldProtocol) {
          warnedOldProtocol = true;
          ctx.log.warn('the broker connection uses MQTT 3.1.1, which has no message properties: they are left out', {});
        }
        // Publishes sent on this connection and not yet acknowledged in the outbox, oldest first.
        const window: Array<Promise<unknown>> = [];
        // A full buffer (drop-oldest) drops its oldest items: those sent first. Their publishes
        // are still in the window but the buffer's head has moved past them, so they must not be
        // acknowledged again (that would remove items never sent).
        let droppedInWindow = 0;
        let seenDropped = outbox.dropped;
        const countDrops = (inWindow: number) => {
          droppedInWindow = Math.min(inWindow, droppedInWindow + outbox.dropped - seenDropped);
          seenDropped = outbox.dropped;
        };
        // A dead connection may never answer for its publishes (mqtt.js keeps QoS 1 ones of a
        // persistent session for a resend that this discarded client will not make): stop waiting
        // when the resource reports the loss.
        const loss = connectionLoss();
        const stopWatching = broker.onDisconnect(loss.fail);
        try {
          while (!ctx.signal.aborted) {
            countDrops(window.length);
            for (const p of outbox.peek(c.maxInFlight).slice(window.length - droppedInWindow))
              window.push(publish(connection, p, v5));
            if (window.length === 0) break;
            const oldest = window.splice(0, batchSize);
            await loss.unlessLost(Promise.all(oldest));
            countDrops(window.length + oldest.length);
            const gone = Math.min(droppedInWindow, oldest.length);
            droppedInWindow -= gone;
            await outbox.ack(oldest.length - gone);
          }
        } catch (err) {
          // Connection lost mid-window: what is unacknowledged goes again on the next connection (at least once).
          ctx.log.warn('publish failed; will retry on the next connection', { error: String(err) });
          // The rest of the window fails too; nothing is waiting for it any more.
          for (const pending of window) pending.catch(() => undefined);
          if (broker.current === connection) await new Promise((r) => ctx.clock.setTimeout(() => r(undefined), 500));
        } finally {
          stopWatching();
        }
      }
    };

    return {
      start() {
        ctx.clock.setInterval(showBacklog, 500);
        showBacklog();
        delivering = deliver().catch((err: unknown) => {
          if (!ctx.signal.aborted) ctx.error(err);
        });
      },
      onMessage(msg: Message) {
        let topic: string;
        try {
          topic = renderTopic(c.topic, msg);
        } catch (err) {
          throw new NodeError(mqttErrors.code.MQTT_TOPIC, (err as Error).message);
        }
        const body =
          c.format === 'message'
            ? JSON.stringify(msg)
            : c.format === 'string'
              ? String(msg.payload)
              : (JSON.stringify(msg.payload) ?? 'null');
        let properties: PublishProperties | undefined;
        try {
          properties = wantsProperties ? propertiesFor(msg) : undefined;
        } catch (err) {
          throw new NodeError(mqttErrors.code.MQTT_PROPERTY, (err as Error).message);
        }
        const pushed = outbox.push({ topic, body, qos: c.qos, retain: c.retain, properties });
        // With 'block', waiting is the point: the flow is held back while the buffer is full.
        if (c.overflow === 'block') return pushed;
        // Otherwise the message is already queued for the buffer's file, which takes everything
        // queued in this turn with one write; waiting for that write before taking the next message
        // would cost a system call and an event-loop turn per message. A failed write still
        // reaches the flow, as this node's error for this message.
        pushed.catch((err: unknown) => ctx.error(err, msg));
      },
      async close() {
        await delivering;
      },
    };
  },
});
