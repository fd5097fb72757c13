// The soak's independent consumer: subscribes (QoS 1) to what the runtime publishes and marks each
// reading that arrived by its source timestamp (ts - t0Epoch is its index), so that the parent
// learns exactly how many readings were delivered, how many twice (QoS 1 is at least once), and how
// many never. Progress goes to the parent every second; `final` answers with the tally.
// usage: node dist/soak-subscriber-child.js '{"port":1883,"topic":"plant/pump3/flow/avg","t0Epoch":1767225600000}'
import { connect } from 'mqtt';

interface SubscriberArgs {
  port: number;
  topic: string;
  t0Epoch: number;
}

/** What the subscriber tells the parent. */
export interface SubscriberProgress {
  type: 'subscribed' | 'progress' | 'final';
  /** Messages received, duplicates included. */
  received: number;
  /** Readings received at least once. */
  distinct: number;
  /** Messages whose body or timestamp could not be read as a soak reading. */
  unreadable: number;
  /** `final` only: readings below `expected` that never arrived. */
  missing?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as SubscriberArgs;
let seen = new Uint8Array(1 << 16);
let received = 0;
let distinct = 0;
let unreadable = 0;

function mark(index: number): void {
  if (index >= seen.length) {
    const grown = new Uint8Array(Math.max(seen.length * 2, index + 1));
    grown.set(seen);
    seen = grown;
  }
  if (seen[index] === 0) {
    seen[index] = 1;
    distinct++;
  }
}

const tally = (type: SubscriberProgress['type'], extra: Partial<SubscriberProgress> = {}): SubscriberProgress => ({
  type,
  received,
  distinct,
  unreadable,
  ...extra,
});

const client = connect({
  host: '127.0.0.1',
  port: args.port,
  protocolVersion: 4,
  clean: true,
  clientId: `soak-consumer-${process.pid}`,
});
client.on('connect', () =>
  client.subscribe(args.topic, { qos: 1 }, (err) => {
    if (err) process.send?.({ type: 'error', error: `soak subscriber cannot subscribe: ${err.message}` });
    else process.send?.(tally('subscribed'));
  }),
);
client.on('error', (err) => process.send?.({ type: 'error', error: `soak subscriber: ${err.message}` }));
client.on('message', (_topic, body) => {
  received++;
  let index = Number.NaN;
  try {
    index = (JSON.parse(body.toString('utf8')) as { timestamp?: number }).timestamp! - args.t0Epoch;
  } catch {
    // Counted below as unreadable: a body that is not JSON is a finding of the soak, not a crash.
  }
  if (Number.isInteger(index) && index >= 0) mark(index);
  else unreadable++;
});
setInterval(() => process.send?.(tally('progress')), 1000).unref();
// A parent that is gone cannot stop or read this child: it ends too.
process.on('disconnect', () => process.exit(0));
process.on('message', (m: { cmd?: string; expected?: number }) => {
  if (m.cmd !== 'final') return;
  const expected = m.expected ?? 0;
  let missing = 0;
  for (let i = 0; i < expected; i++) if (seen[i] !== 1) missing++;
  process.send?.(tally('final', { missing }), () => client.end(true, () => process.exit(0)));
});
