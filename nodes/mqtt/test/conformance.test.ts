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
    else broker = await Mosquitto.start();
  },
  stopPeer: async () => broker?.down(),
  resourceConfig: () => ({ url: (broker as Mosquitto).url }),
  publisher: (resourceId, channel) => ({ type: 'mqtt-out', config: { broker: resourceId, topic: `conformance/${channel}`, qos: 1 } }),
  subscriber: (resourceId, channel) => ({ type: 'mqtt-in', config: { broker: resourceId, topic: `conformance/${channel}`, qos: 1 } }),
  messages: 2000,
});
