import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { mqttErrors } from './error-codes';
import type { MqttConnection } from './mqtt-connection';
import { topicFilterProblems } from './topic-check';
import { topicMatches } from './topic-template';

/** A message received while the flow was full, with its PUBACK (QoS 1, acknowledged once handled). */
interface Waiting {
  msg: Message;
  release: ((ack: boolean) => void) | undefined;
  connection: MqttConnection;
}

/** Messages mqtt-in keeps while its flow is full; past it, it stops reading from the broker. */
const MAX_WAITING = 10_000;

export default defineNode({
  type: 'mqtt-in',
  version: 1,
  category: 'source',
  description: 'Receives the messages published to an MQTT topic filter (wildcards allowed).',
  docs: [
    'Subscribes to `topic` through the `broker` resource and sends one message for each MQTT message',
    'received on it.',
    '',
    '## What it sends',
    '',
    'One message per MQTT message received:',
    '',
    '```json',
    '{ "payload": 41.7, "topic": "plant1/pump3/flow", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    '- `payload`: the MQTT payload, read as `payload` says. `auto`: the parsed JSON when the text',
    '  parses, else the text; `json`: the parsed JSON, and an error `MQTT_PAYLOAD` when it is not',
    '  JSON; `number`: the number, and an error `MQTT_PAYLOAD` when it is not one; `string`: the',
    '  text; `buffer`: the raw bytes. Nothing is sent for a payload that cannot be read.',
    '- `topic`: the topic the message was published on (not the filter).',
    '- `timestamp`: when the runtime received it; `quality`: `good`.',
    '',
    '## Subscriptions and reconnects',
    '',
    'The subscription is made again on every new connection (after a broker restart or a network',
    'outage), never twice on one connection; the status shows `subscribed to <filter>`. With',
    '`sharedGroup` the node subscribes to `$share/<group>/<topic>` (MQTT 5 shared subscriptions): the',
    'broker gives each message to one member of the group, so several runtimes can share one stream.',
    '',
    '## Acknowledgement after the flow handled the message',
    '',
    'A message delivered with QoS 1 is acknowledged (PUBACK) only once the flow has handled it: every',
    'node it reached finished without error (a publisher counts once the message is in its buffer on',
    'disk). If the runtime dies before that (a crash, SIGKILL, a power cut), the message is not lost:',
    'the broker sends it again when the runtime connects again with the same client id, provided the',
    'broker kept the session (`cleanSession` off and, with MQTT 5, `sessionExpirySeconds` on the',
    'broker resource). This is at-least-once: a message can then be handled twice, at most as many as',
    "the broker had sent ahead without acknowledgement (Mosquitto's `max_inflight_messages`, 20 by",
    'default). `ackWhen: "received"` acknowledges on arrival instead (as most MQTT clients do): faster',
    'to recover from a poison message, but the messages in the flow at a crash are lost.',
    '',
    'A message whose flow failed (a node threw, a full queue dropped it, the flow was stopped) is left',
    'unacknowledged: the broker sends it again on the next connection, not on this one. Until then it',
    "takes one place of the broker's in-flight window for this client; the status counts them",
    '(`3 unacknowledged`), and once the window is full the broker sends nothing more to this runtime',
    'until it reconnects. A payload that cannot be read (`MQTT_PAYLOAD`) is acknowledged: it would',
    'fail the same way again. QoS 2 messages are acknowledged by the MQTT client on arrival',
    '(PUBREC), whatever `ackWhen` says: use QoS 1 for work that must survive a crash.',
    '',
    'A broker sending faster than the flow processes: the node keeps up to 10,000 messages waiting (QoS 1',
    'ones unacknowledged) and sends them on as the flow drains, in order. Past that it stops reading from',
    'the broker until the flow has taken half of them: TCP holds the broker back, and the broker keeps',
    "what it has for this runtime under its own limits (Mosquitto's `max_queued_messages`, 1,000 by",
    'default, past which it drops messages for a slow client: raise it, or set 0 for no limit, on a',
    "broker that feeds a busy flow). A broker's in-flight limit does not do this: Mosquitto 2.0 sends a",
    'new window of messages for each late PUBACK. While the reading is held nothing else comes in on',
    "that connection either: other mqtt-in nodes' messages, the confirmations of mqtt-out's publishes",
    'on the same broker resource. A hold longer than the keep-alive ends the connection; the resource',
    'connects again and the broker sends the unacknowledged QoS 1 messages again (with `cleanSession`',
    'off). Those of them still waiting in the node are dropped there for the copies to come; those the',
    'flow had already taken come twice. Tested: a flow stuck for 6 s with a keep-alive of 1 s, 25,000',
    'messages, three reconnects, every message handled, 554-868 of them twice (10,558-12,783 while the',
    'node kept its waiting ones). Set the keep-alive longer than the flow may be stuck.',
    '',
    '## Example',
    '',
    'Every flow reading of plant 1, as numbers, from the broker resource `plant-broker`:',
    '',
    '```json',
    '{',
    '  "id": "flows",',
    '  "type": "mqtt-in",',
    '  "typeVersion": 1,',
    '  "config": { "broker": "plant-broker", "topic": "plant1/+/flow", "payload": "number" }',
    '}',
    '```',
  ].join('\n'),
  inputs: [],
  outputs: ['out'],
  resources: { broker: 'mqtt-broker' },
  errors: mqttErrors.pick('MQTT_CONFIG', 'MQTT_PAYLOAD'),
  configSchema: {
    type: 'object',
    properties: {
      broker: {
        type: 'string',
        description: 'Id of the mqtt-broker resource to subscribe through.',
        minLength: 1,
        'x-ui': { label: 'Broker', widget: 'resource', resourceType: 'mqtt-broker' },
      },
      topic: {
        type: 'string',
        description: 'Topic filter; + matches one level, # the rest (plant/+/flow, plant/#).',
        minLength: 1,
        'x-ui': { label: 'Topic filter' },
      },
      qos: {
        description: 'Highest QoS the broker delivers with: 0 at most once, 1 at least once, 2 exactly once.',
        default: 1,
        enum: [0, 1, 2],
        'x-ui': { label: 'QoS' },
      },
      payload: {
        description:
          'How to read the payload: auto (JSON when it parses, else the text), json, string, number, or buffer (the raw bytes).',
        default: 'auto',
        enum: ['auto', 'json', 'string', 'number', 'buffer'],
        'x-ui': { label: 'Read payload as' },
      },
      ackWhen: {
        description:
          'When a QoS 1 message is acknowledged to the broker: handled (after the flow handled it; redelivered after a crash) or received (on arrival).',
        default: 'handled',
        enum: ['handled', 'received'],
        'x-ui': { label: 'Acknowledge when', advanced: true },
      },
      sharedGroup: {
        type: 'string',
        description: 'Share the subscription with other runtimes in this group: each message goes to one of them.',
        pattern: '^[^/+#]+$',
        'x-ui': { label: 'Shared group' },
      },
    },
    required: ['broker', 'topic'],
    additionalProperties: false,
  },

  check: (c) => topicFilterProblems(c.topic, '/topic'),

  create(ctx) {
    const c = ctx.config;
    const broker = ctx.resource<MqttConnection>(c.broker);
    const filter = c.sharedGroup === undefined ? c.topic : `$share/${c.sharedGroup}/${c.topic}`;

    const parse = (topic: string, raw: Buffer): unknown => {
      const text = raw.toString('utf8');
      switch (c.payload) {
        case 'buffer':
          return raw;
        case 'string':
          return text;
        case 'number': {
          const n = Number(text);
          if (text.trim() === '' || !Number.isFinite(n))
            throw new NodeError(
              mqttErrors.code.MQTT_PAYLOAD,
              `the message on ${topic} is not a number: ${JSON.stringify(text.slice(0, 40))}`,
            );
          return n;
        }
        case 'json':
          try {
            return JSON.parse(text);
          } catch (err) {
            throw new NodeError(
              mqttErrors.code.MQTT_PAYLOAD,
              `the message on ${topic} is not JSON: ${(err as Error).message}`,
            );
          }
        default:
          try {
            return JSON.parse(text);
          } catch {
            // auto mode: text that is not JSON is passed on as text, by design.
            return text;
          }
      }
    };

    // Messages of this connection whose flow failed: unacknowledged until the next connection.
    let unacknowledged = 0;
    const showStatus = () =>
      ctx.status({
        state: 'ok',
        text:
          unacknowledged === 0
            ? `subscribed to ${filter}`
            : `subscribed to ${filter}; ${unacknowledged} unacknowledged (flow failed; sent again on reconnect)`,
      });

    // Messages that came while the flow was full, in arrival order, sent on as it drains. mqtt.js
    // cannot stop reading for one node without also stopping the PUBACKs a publisher on the same
    // connection waits for, and a broker's in-flight limit does not hold a client that acknowledges
    // late (Mosquitto 2.0 sends a new window per PUBACK): so they wait here, unacknowledged.
    const waiting: Waiting[] = [];
    let flowing = true;
    const stopped = new Promise<void>((resolve) =>
      ctx.signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    // Past MAX_WAITING the connection's reading is held (see below) until half of them went on.
    let readingHeld: (() => void) | undefined;
    const readAgain = () => {
      readingHeld?.();
      readingHeld = undefined;
    };
    const flow = () => {
      flowing = true;
      while (flowing && waiting.length > 0) {
        deliver(waiting.shift() as Waiting);
        if (readingHeld !== undefined && waiting.length <= MAX_WAITING / 2) readAgain();
      }
    };
    const deliver = ({ msg, release, connection }: Waiting) => {
      const more =
        release === undefined
          ? ctx.send(msg)
          : ctx.send(msg, 'out', {
              onHandled(outcome) {
                release(outcome.handled);
                if (outcome.handled || broker.current !== connection) return;
                unacknowledged++;
                showStatus();
              },
            });
      if (more) return;
      flowing = false;
      void Promise.race([ctx.drain(), stopped]).then(() => {
        if (!ctx.signal.aborted) flow();
      });
    };

    /**
     * The QoS 1 messages still waiting that an earlier connection brought, unacknowledged: a broker
     * that kept the session sends them again on this one, so these would reach the flow twice.
     */
    const forgetResent = (current: MqttConnection) => {
      let kept = 0;
      for (const w of waiting) {
        if (w.connection === current || w.release === undefined) waiting[kept++] = w;
        else w.release(false);
      }
      waiting.length = kept;
    };

    // Every connection is new, so subscribing on each is never a duplicate.
    let detachMessages: (() => void) | undefined;
    broker.onConnect(async (connection) => {
      detachMessages?.();
      readAgain();
      unacknowledged = 0;
      if (connection.sessionPresent) forgetResent(connection);
      detachMessages = connection.onMessage(({ topic, payload, holdAck }) => {
        if (!topicMatches(c.topic, topic)) return;
        let msg;
        try {
          msg = { payload: parse(topic, payload), topic, timestamp: ctx.clock.now(), quality: 'good' as const };
        } catch (err) {
          ctx.error(err);
          return;
        }
        const release = c.ackWhen === 'handled' ? holdAck?.() : undefined;
        if (waiting.length === 0 && flowing) {
          deliver({ msg, release, connection });
          return;
        }
        // Dropping would lose it (QoS 0, or QoS 1 with a clean session) or leave it to a reconnect
        // that may not come: the broker is held back instead, through TCP.
        if (waiting.length >= MAX_WAITING && readingHeld === undefined) readingHeld = connection.holdReading();
        waiting.push({ msg, release, connection });
      });
      await connection.subscribe(filter, c.qos);
      showStatus();
    });

    return {
      async close() {
        detachMessages?.();
        readAgain();
        // Still waiting at a stop: QoS 1 ones stay unacknowledged (sent again), QoS 0 ones are lost.
        if (waiting.length > 0) {
          for (const w of waiting) w.release?.(false);
          ctx.dropped(waiting.length, 'closed');
          waiting.length = 0;
        }
        const connection = broker.current;
        if (connection)
          await connection
            .unsubscribe(filter)
            .catch((err: unknown) => ctx.log.warn('unsubscribe failed', { error: String(err) }));
      },
    };
  },
});
