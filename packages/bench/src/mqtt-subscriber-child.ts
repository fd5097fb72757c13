// Figure 5's counting subscriber, a process of its own so that counting does not slow the publisher:
// subscribes, says `subscribed`, counts what the broker delivers, and reports when `expected` arrived,
// after `idleMs` without a message, or after `maxMs`.
// usage: node dist/mqtt-subscriber-child.js '{"port":1883,"qos":1,"expected":1000,"idleMs":5000,"maxMs":120000}'
import { connect } from 'mqtt';
import { MQTT_TOPIC } from './nodered-reference';

interface SubscriberArgs {
  port: number;
  qos: 0 | 1;
  expected: number;
  idleMs: number;
  maxMs: number;
}

export interface SubscriberResult {
  type: 'result';
  why: 'expected' | 'idle' | 'maxMs';
  count: number;
  firstEpoch: number;
  lastEpoch: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as SubscriberArgs;
const client = connect({
  host: '127.0.0.1',
  port: args.port,
  protocolVersion: 4,
  clean: true,
  clientId: `bench-sub-${process.pid}`,
});
let count = 0;
let firstEpoch = 0;
let lastEpoch = 0;
let finished = false;

function finish(why: SubscriberResult['why']): void {
  if (finished) return;
  finished = true;
  const result: SubscriberResult = { type: 'result', why, count, firstEpoch, lastEpoch };
  process.send?.(result, () => client.end(true, () => process.exit(0)));
}

client.on('connect', () =>
  client.subscribe(MQTT_TOPIC, { qos: args.qos }, (err) => {
    if (err) process.send?.({ type: 'error', error: `cannot subscribe: ${err.message}` });
    else process.send?.({ type: 'subscribed' });
  }),
);
client.on('error', (err) => process.send?.({ type: 'error', error: `subscriber: ${err.message}` }));
client.on('message', () => {
  lastEpoch = Date.now();
  if (count++ === 0) firstEpoch = lastEpoch;
  if (count === args.expected) finish('expected');
});
setInterval(() => count > 0 && Date.now() - lastEpoch > args.idleMs && finish('idle'), 100).unref();
setTimeout(() => finish('maxMs'), args.maxMs).unref();
