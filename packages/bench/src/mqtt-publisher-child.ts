// Figure 5's yardstick: plain mqtt.js (the client tagflow's MQTT nodes use) publishing `n` messages of
// the same shape to the same broker, `chunk` publishes per event-loop turn, with nothing else in the
// process: the client's own limit. At QoS 1 it keeps at most 65,535 publishes unconfirmed (all that
// MQTT's 16-bit packet identifiers allow), queueing the rest inside mqtt.js: with the default
// identifier provider, ids wrap while earlier ones are still unconfirmed, their callbacks are
// overwritten, and the child waited for confirmations that could never come.
// usage: node dist/mqtt-publisher-child.js '{"port":1883,"qos":1,"n":1000,"chunk":100}'
import { connect, UniqueMessageIdProvider } from 'mqtt';
import { MQTT_TOPIC, value } from './nodered-reference';

interface PublisherArgs {
  port: number;
  qos: 0 | 1;
  n: number;
  chunk: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as PublisherArgs;
const client = connect({
  host: '127.0.0.1',
  port: args.port,
  protocolVersion: 4,
  clean: true,
  clientId: `bench-raw-${process.pid}`,
  messageIdProvider: new UniqueMessageIdProvider(),
});
client.on('error', (err) => process.send?.({ type: 'error', error: `publisher: ${err.message}` }));
client.once('connect', () => {
  process.send?.({ type: 'started', t0Epoch: Date.now() });
  const t0 = performance.now();
  let done = 0;
  const published = (err?: Error) => {
    if (err) process.send?.({ type: 'error', error: `publish failed: ${err.message}` });
    // QoS 0: written to the socket; QoS 1: acknowledged by the broker.
    if (++done === args.n) {
      const ms = performance.now() - t0;
      const result = {
        type: 'result',
        msgsPerSec: args.n / (ms / 1000),
        ms,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
      };
      process.send?.(result, () => client.end(false, () => process.exit(0)));
    }
  };
  let i = 0;
  const step = () => {
    const end = Math.min(args.n, i + args.chunk);
    for (; i < end; i++) client.publish(MQTT_TOPIC, String(value(i)), { qos: args.qos }, published);
    if (i < args.n) setImmediate(step);
  };
  step();
});
