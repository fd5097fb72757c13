import { connectorConformance } from '@tagflow/node-test';
import { mqttBroker, mqttIn, mqttOut } from '../src';
import { Mosquitto } from '@tagflow/node-test';

// The shared connector suite, run against a real Mosquitto that it stops and starts.
let broker: Mosquitto | undefined;

connectorConformance({
  name: 'mqtt-broker with mqtt-out/mqtt-in against Mosquitto',
  resource: mqttBroker,
  nodes: [mqttIn, mqttOut],
  async startPeer() {
    if (broker) await broker.up();
    // No per-subscriber queue limit: mqtt-out sends up to 1,000 ahead of confirmations, and a default
    // Mosquitto drops QoS 1 messages beyond 1,000 queued for the (same-process) subscriber.
    else broker = await Mosquitto.start({ settings: ['max_queued_messages 0'] });
  },
  stopPeer: async () => broker?.down(),
  resourceConfig: () => ({ url: (broker as Mosquitto).url }),
  publisher: (resourceId, channel) => ({
    type: 'mqtt-out',
    config: { broker: resourceId, topic: `conformance/${channel}`, qos: 1 },
  }),
  subscriber: (resourceId, channel) => ({
    type: 'mqtt-in',
    config: { broker: resourceId, topic: `conformance/${channel}`, qos: 1 },
  }),
  messages: 2000,
});
