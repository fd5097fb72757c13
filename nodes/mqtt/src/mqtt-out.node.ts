import { defineNode, NodeError, outboxOverflowProperty, publishBody, publishFormatProperty } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { mqttErrors } from './error-codes';
import type { MqttConnection } from './mqtt-connection';
import { PublishWindow } from './publish-window';
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
/**
 * Publishes under way while a backlog is replayed, unless `maxInFlight` says otherwise: a default
 * Mosquitto's own window towards each subscriber. The pace in time is `replayRate`'s
 * (test/replay-queue-limit.test.ts).
 */
const REPLAY_IN_FLIGHT = 20;
/**
 * Publishes under way for live messages, unless `maxInFlight` says otherwise: the flow sets the pace,
 * as for any MQTT client, and the window only bounds what goes again after a dropped connection.
 */
const LIVE_IN_FLIGHT = 16384;
/** A broker that confirms none of the publishes under way for this long shows as not answering. */
const STALLED_MS = 10_000;

export default defineNode({
  type: 'mqtt-out',
  version: 1,
  category: 'publisher',
  description: 'Publishes each message to an MQTT topic; buffers on disk while the broker is unreachable.',
  docs: [
    'Publishes each message it receives to `topic` through the `broker` resource, in order, through a',
    'buffer on disk: nothing is lost while the broker is unreachable, nor when the runtime stops or',
    'crashes. At QoS 0, a message the connection can take at once skips the disk (see below).',
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
    "Every message (at QoS 0: see below) goes through the node's buffer on disk",
    '(`<data dir>/outbox/<flow>/<node>/`), so nothing is lost while the broker is unreachable, nor when',
    'the runtime stops or crashes: the buffer is delivered when the broker is back, or after the',
    'runtime starts again with the same data dir.',
    "Delivery is in order, with messages sent ahead of the broker's confirmations (see below), and a",
    'message leaves the buffer only once the broker confirmed it (PUBACK), in order, a batch of up to',
    '100 at a time. This is at-least-once: if the connection drops while messages are in flight, those',
    'are sent again, so a subscriber may see some messages twice; deduplicate by a field of the payload',
    'if that matters.',
    '',
    '**QoS 0.** A QoS 0 message counts as delivered once written to the socket: that is all MQTT',
    'promises for it (a broker or network that fails then loses it). One that comes while the broker',
    'is connected, the buffer is empty and the socket has room is written to the socket at once (with',
    "the rest of that event-loop turn's, in one write), without going through the disk; the others (the",
    'broker unreachable, the socket full, messages waiting before it) go through the buffer, like QoS 1',
    'ones, and are acknowledged once written to the socket. What was written to the socket just before',
    'the runtime crashed may not have left the machine, and is not sent again after the restart. Use',
    'QoS 1 for messages that must survive a crash of the runtime or of the broker.',
    '',
    "**Messages in flight: live, and a backlog's replay.** When `maxInFlight` is not set, what the",
    'buffer holds when the connection comes up (a backlog, after an outage or a restart) is replayed',
    'with up to 20 messages in flight; once the replay has caught up, messages are live and go as the',
    'flow sends them, with up to 16384 in flight, as a plain MQTT client would send them: the flow sets',
    'the pace. A `maxInFlight` that is set applies to both.',
    '',
    "**Draining a backlog, and the broker's queues.** After an outage the buffer is replayed with up to",
    '20 messages in flight and at most `replayRate` messages a second (5,000 unless set). The pace in',
    'time is what protects subscribers: a broker confirms a publish when it has received it, not when',
    'the subscribers have it, and one that limits what it queues for each subscriber drops what is',
    "beyond the limit, even at QoS 1: Mosquitto's `max_queued_messages` is 1000 by default (and",
    '`max_inflight_messages` 20). Tested with a default Mosquitto: a backlog of 5,000 replayed to an',
    'online persistent QoS 1 subscriber (mosquitto_sub, another process) arrives whole; paced by the 20',
    'in flight alone (about 10,000 a second on one machine), the same replay lost 1,000 to 1,600 of',
    'the 5,000 in five of eight runs. A subscriber that takes at least `replayRate` messages a second',
    'keeps up with any backlog; a slower one has the broker queue to spare (1000 messages). Not',
    "promised: a subscriber that is offline during the replay gets at most the broker's queue limit of",
    "it, and one slower than the flow's live messages still loses messages; for those, raise the",
    "broker's limit (`max_queued_messages 0` for none, or a bound in bytes) or lower `replayRate`. The",
    'replay is what the buffer held when the connection came up, and what the flow sent meanwhile',
    "waits behind it: to catch up, the replay rate must exceed the flow's own rate. Raise it where the",
    "subscribers are fast and a long outage's backlog should drain sooner. `maxInFlight` higher speeds a",
    'replay up where the round trip to the broker is long (a remote broker), at the cost of more',
    'duplicates after a dropped connection.',
    '',
    '## Status',
    '',
    '`connected`, or `waiting for the broker, 12 buffered · 3 dropped`, with the backlog in `backlog`.',
    'A broker that took the connection but has confirmed none of the publishes under way for 10 s shows',
    'as `error`: `broker not answering (no PUBACK for 10 s), 1000 buffered`; one that never answers the',
    'connect itself shows `reconnecting` with `broker not answering (no CONNACK for 5 s)`.',
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
      format: publishFormatProperty,
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
          'Messages sent before the broker has confirmed the earlier ones. Unset: 20 while a backlog is replayed (at most the replay rate as well), and up to 16384 for live messages; a value set here applies to both.',
        minimum: 1,
        maximum: 65535,
        'x-ui': { label: 'Messages in flight', advanced: true },
      },
      replayRate: {
        type: 'integer',
        description:
          "Most messages a second while a backlog is replayed after an outage, so that the broker's subscribers keep up (a broker drops what queues beyond its limit for a slow one). Live messages are not limited.",
        default: 5000,
        minimum: 1,
        'x-ui': { label: 'Replay rate', unit: 'msg/s', advanced: true },
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
      // A broker that took the connection but confirms nothing (hung, or its disk full) is not `ok`.
      const waited = window?.waitingFor() ?? 0;
      const stalled = broker.current !== undefined && waited >= STALLED_MS;
      const parts = [
        stalled
          ? `broker not answering (no ${c.qos === 0 ? 'room in the socket' : c.qos === 1 ? 'PUBACK' : 'PUBCOMP'} for ${Math.floor(waited / 1000)} s)`
          : broker.current
            ? 'connected'
            : 'waiting for the broker',
      ];
      if (outbox.size > 0) parts.push(`${outbox.size} buffered`);
      // What the full buffer dropped is counted by the runtime, which appends `· N dropped`.
      const text = parts.join(', ');
      if (text === shown) return;
      shown = text;
      ctx.status({ state: stalled ? 'error' : broker.current ? 'ok' : 'reconnecting', text, backlog: outbox.size });
    };

    // Delivers the outbox in order with up to maxInFlight publishes under way, each confirmation
    // making room for the next publish at once; the outbox's head is acknowledged a batch at a time,
    // only once the broker confirmed it (QoS 1/2) or the socket took it (QoS 0). Waiting for each
    // batch before sending the next (as up to 100 under way did) cost most of the QoS 1 throughput
    // (figures: the README's Performance section).
    const ackEvery = Math.min(BATCH, c.maxInFlight ?? REPLAY_IN_FLIGHT);
    let window: PublishWindow<PendingPublish> | undefined;
    let fillQueued = false;
    const fillWindow = () => {
      fillQueued = false;
      window?.fill();
    };
    let lastPushed: Promise<void> | undefined;
    const usualOptions = { qos: c.qos, retain: c.retain };
    /**
     * QoS 0, while a window delivers and the buffer is empty: publishes a message straight to the
     * socket if it has room (true), for it then counts as delivered at once. Writing it to the
     * buffer, to acknowledge it within the same turn, cost a fifth of a QoS 0 publisher's CPU.
     */
    let sendNow: ((topic: string, body: string) => boolean) | undefined;
    // A topic without placeholders needs no rendering per message.
    const staticTopic = c.topic.includes('{{') ? undefined : c.topic;
    const deliver = async () => {
      while (!ctx.signal.aborted) {
        // The window opens with the connection, buffer empty or not: what it holds then is the
        // backlog to replay at the paced window, what comes after is live.
        const connection = await broker.ready(ctx.signal);
        const v5 = connection.protocolVersion === 5;
        if (!v5 && wantsProperties && !warnedOldProtocol) {
          warnedOldProtocol = true;
          ctx.log.warn('the broker connection uses MQTT 3.1.1, which has no message properties: they are left out', {});
        }
        const current = new PublishWindow<PendingPublish>({
          outbox,
          maxInFlight: c.maxInFlight ?? REPLAY_IN_FLIGHT,
          liveMaxInFlight: c.maxInFlight ?? LIVE_IN_FLIGHT,
          replayPerSecond: c.replayRate,
          ackEvery,
          now: () => ctx.clock.now(),
          setTimeout: (fn, ms) => ctx.clock.setTimeout(fn, ms),
          // mqtt.js copies the options it is given: the usual ones are made once, not per publish.
          send: (p, done) =>
            connection.send(
              p.topic,
              p.body,
              p.qos === c.qos && p.retain === c.retain && (!v5 || p.properties === undefined)
                ? usualOptions
                : { qos: p.qos, retain: p.retain, properties: v5 ? p.properties : undefined },
              done,
            ),
        });
        // A dead connection may never answer for its publishes (mqtt.js keeps QoS 1 ones of a
        // persistent session for a resend that this discarded client will not make): stop waiting
        // when the resource reports the loss.
        const stopWatching = broker.onDisconnect((reason) => current.fail(reason));
        const stopOnAbort = () => current.stop();
        ctx.signal.addEventListener('abort', stopOnAbort, { once: true });
        window = current;
        // Only what the buffer holds can wait (nothing pushed before it may be overtaken), and only
        // messages sent without properties go this way.
        if (c.qos === 0 && !(v5 && wantsProperties))
          sendNow = (topic, body) => outbox.size === 0 && connection.sendNow(topic, body, c.retain);
        try {
          current.fill();
          await current.ended;
        } catch (err) {
          // Connection lost mid-window: what is unacknowledged goes again on the next connection (at least once).
          ctx.log.warn('publish failed; will retry on the next connection', { error: String(err) });
          if (broker.current === connection) await new Promise((r) => ctx.clock.setTimeout(() => r(undefined), 500));
        } finally {
          sendNow = undefined;
          window = undefined;
          stopWatching();
          ctx.signal.removeEventListener('abort', stopOnAbort);
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
          topic = staticTopic ?? renderTopic(c.topic, msg);
        } catch (err) {
          throw new NodeError(mqttErrors.code.MQTT_TOPIC, (err as Error).message);
        }
        const body = publishBody(c.format, msg);
        let properties: PublishProperties | undefined;
        try {
          properties = wantsProperties ? propertiesFor(msg) : undefined;
        } catch (err) {
          throw new NodeError(mqttErrors.code.MQTT_PROPERTY, (err as Error).message);
        }
        if (sendNow !== undefined && sendNow(topic, body)) return;
        const pushed = outbox.push({ topic, body, qos: c.qos, retain: c.retain, properties });
        // The window sends what came in this turn together, once the turn's messages are in.
        if (!fillQueued) {
          fillQueued = true;
          queueMicrotask(fillWindow);
        }
        // With 'block', waiting is the point: the flow is held back while the buffer is full.
        if (c.overflow === 'block') return pushed;
        // Otherwise the message is already queued for the buffer's file, which takes everything
        // queued in this turn with one write; waiting for that write before taking the next message
        // would cost a system call and an event-loop turn per message. The pushes of one write share
        // one Promise: a failed write reaches the flow once, as this node's error for the first
        // message it held.
        if (pushed !== lastPushed) {
          lastPushed = pushed;
          pushed.catch((err: unknown) => ctx.error(err, msg));
        }
      },
      async close() {
        await delivering;
      },
    };
  },
});
