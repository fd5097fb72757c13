import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { MqttConnection } from './mqtt-connection';
import { topicMatches } from './topic-template';

export default defineNode({
  type: 'mqtt-in',
  version: 1,
  category: 'source',
  description: 'Receives the messages published to an MQTT topic (wildcards allowed)',
  inputs: [],
  outputs: ['out'],
  resources: { broker: 'mqtt-broker' },
  configSchema: {
    type: 'object',
    properties: {
      broker: {
        type: 'string',
        minLength: 1,
        description: 'Id of the mqtt-broker resource.',
        'x-ui': { widget: 'resource', resourceType: 'mqtt-broker' },
      },
      topic: {
        type: 'string',
        minLength: 1,
        description: 'Topic filter; + matches one level, # the rest (plant/+/flow, plant/#).',
      },
      qos: { enum: [0, 1, 2], default: 1 },
      payload: {
        enum: ['auto', 'json', 'string', 'number', 'buffer'],
        default: 'auto',
        description: 'auto: JSON when it parses, else the text.',
      },
      sharedGroup: {
        type: 'string',
        pattern: '^[^/+#]+$',
        description: 'Share the subscription with other runtimes in this group: each message goes to one of them.',
      },
    },
    required: ['broker', 'topic'],
    additionalProperties: false,
  },

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
              'MQTT_PAYLOAD',
              `the message on ${topic} is not a number: ${JSON.stringify(text.slice(0, 40))}`,
            );
          return n;
        }
        case 'json':
          try {
            return JSON.parse(text);
          } catch (err) {
            throw new NodeError('MQTT_PAYLOAD', `the message on ${topic} is not JSON: ${(err as Error).message}`);
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

    // Every connection is new, so subscribing on each is never a duplicate.
    let detachMessages: (() => void) | undefined;
    broker.onConnect(async (connection) => {
      detachMessages?.();
      detachMessages = connection.onMessage(({ topic, payload }) => {
        if (!topicMatches(c.topic, topic)) return;
        try {
          ctx.send({ payload: parse(topic, payload), topic, timestamp: ctx.clock.now(), quality: 'good' });
        } catch (err) {
          ctx.error(err);
        }
      });
      await connection.subscribe(filter, c.qos);
      ctx.status({ state: 'ok', text: `subscribed to ${filter}` });
    });

    return {
      async close() {
        detachMessages?.();
        const connection = broker.current;
        if (connection)
          await connection
            .unsubscribe(filter)
            .catch((err: unknown) => ctx.log.warn('unsubscribe failed', { error: String(err) }));
      },
    };
  },
});
