// The soak's plant: a sensor publishing readings over MQTT at a steady rate (QoS 1), as a PLC
// gateway would, until the parent says stop. Reading i carries `ts` = t0Epoch + i: a source
// timestamp unique per reading, which the flow keeps as the message timestamp, so that the
// historian's (tag, ts) key stores each reading and the subscriber can tell which ones arrived.
// Progress goes to the parent every second; `stop` ends publishing and answers `stopped` once the
// broker has confirmed every publish.
// usage: node dist/soak-publisher-child.js '{"port":1883,"topic":"plant/pump3/flow","rate":1000,"t0Epoch":1767225600000}'
import { connect, UniqueMessageIdProvider } from 'mqtt';

interface PublisherArgs {
  port: number;
  topic: string;
  rate: number;
  t0Epoch: number;
}

/** What the publisher tells the parent (`progress` every second, `stopped` once). */
export interface PublisherProgress {
  type: 'started' | 'progress' | 'stopped';
  published: number;
  confirmed: number;
  failed: number;
}

/** Reading i: the pump's flow, a 20 s sine around 40 m3/h, so that the 42.5 alarm threshold is crossed. */
export function reading(i: number, rate: number): number {
  return Math.round((40 + 6 * Math.sin((2 * Math.PI * i) / (20 * rate))) * 1000) / 1000;
}

const args = JSON.parse(process.argv[2] ?? '{}') as PublisherArgs;
const client = connect({
  host: '127.0.0.1',
  port: args.port,
  protocolVersion: 4,
  clean: true,
  clientId: `soak-plant-${process.pid}`,
  // Identifiers must not wrap onto publishes still waiting for their PUBACK (see mqtt-publisher-child).
  messageIdProvider: new UniqueMessageIdProvider(),
});
let published = 0;
let confirmed = 0;
let failed = 0;
let stopping = false;
const progress = (type: PublisherProgress['type']) =>
  process.send?.({ type, published, confirmed, failed } satisfies PublisherProgress);

function answerWhenConfirmed(): void {
  if (stopping && confirmed + failed === published) {
    progress('stopped');
    client.end(false, () => process.exit(0));
  }
}

client.on('error', (err) => process.send?.({ type: 'error', error: `soak publisher: ${err.message}` }));
client.once('connect', () => {
  progress('started');
  const t0 = performance.now();
  const done = (err?: Error) => {
    if (err) failed++;
    else confirmed++;
    answerWhenConfirmed();
  };
  // Every tick publishes what is due, so the rate holds however late a tick runs.
  const tick = setInterval(() => {
    if (stopping) return clearInterval(tick);
    const due = Math.floor(((performance.now() - t0) / 1000) * args.rate);
    for (; published < due;) {
      const i = published++;
      const body = JSON.stringify({ value: reading(i, args.rate), ts: args.t0Epoch + i });
      client.publish(args.topic, body, { qos: 1 }, done);
    }
  }, 10);
  setInterval(() => progress('progress'), 1000).unref();
});
// A parent that is gone cannot stop or read this child: it ends too.
process.on('disconnect', () => process.exit(0));
process.on('message', (m: { cmd?: string }) => {
  if (m.cmd !== 'stop') return;
  stopping = true;
  answerWhenConfirmed();
});
