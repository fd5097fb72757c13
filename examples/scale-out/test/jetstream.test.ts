import { connect, StringCodec } from 'nats';
import type { NatsConnection } from 'nats';
import { NatsServer } from '@tagflow/node-test';
import { ensureCliBuilt, until } from '@tagflow/test-support';
import { Runtime, Tally } from './runtimes';

// Three `tagflow run` processes of jetstream.flow.json pulling from one durable consumer of a
// stream on a real nats-server (JetStream on); the test's own nats.js clients publish the jobs into
// the stream and count what the runtimes forward to line1.done.<runtime>.

const FLOW = 'jetstream.flow.json';
const CONSUMING = /^status ok: consuming LINE1\/line1-workers/;
// What the killed runtime had pulled and not acknowledged (at most one batch, 50) comes again to
// the others after ackWaitSeconds (5 s).
const BATCH = 50;

let server: NatsServer;
let nc: NatsConnection;
const runtimes: Runtime[] = [];
let tally = new Tally();
const codec = StringCodec();

async function publish(from: number, to: number): Promise<void> {
  const js = nc.jetstream();
  for (let n = from; n <= to; n++) await js.publish('line1.jobs', codec.encode(String(n)));
}

beforeAll(async () => {
  ensureCliBuilt();
  server = await NatsServer.start();
  nc = await connect({ servers: server.url });
  const done = nc.subscribe('line1.done.*');
  void (async () => {
    for await (const m of done) tally.add(m.subject.split('.')[2], Number(codec.decode(m.data)));
  })();
  for (const name of ['a', 'b', 'c']) runtimes.push(await Runtime.prepare(name, FLOW, { NATS_URL: server.url }));
  // The first creates the stream and the consumer; the others find them.
  await runtimes[0].start('jobs', CONSUMING);
  await Promise.all(runtimes.slice(1).map((r) => r.start('jobs', CONSUMING)));
}, 120_000);

afterAll(async () => {
  await Promise.all(runtimes.map((r) => r.stop('SIGKILL')));
  await nc?.close();
  await server?.down();
});

describe('examples/scale-out: JetStream work queue, three runtimes', () => {
  it('splits the jobs across the three runtimes, each handling a share', async () => {
    tally = new Tally();
    const total = 600;
    await publish(1, total);
    await until(() => tally.distinct === total, `all ${total} jobs forwarded`, 30_000);
    process.stdout.write(`jetstream split: ${JSON.stringify(tally.summary())}\n`);
    for (const name of ['a', 'b', 'c']) expect(tally.perRuntime.get(name) ?? 0).toBeGreaterThan(0);
    expect(tally.missing(total)).toEqual([]);
  }, 60_000);

  it('loses no job when one runtime is killed (SIGKILL) mid-stream: the others take its work over, its restart sends what it had taken', async () => {
    tally = new Tally();
    const total = 3000;
    const [, b] = runtimes;
    // Killed while the producer is still publishing and b holds a pulled batch.
    const publishing = publish(1, total);
    await until(() => tally.received >= 500, 'the first 500 jobs forwarded', 30_000);
    await b.stop('SIGKILL');
    const atKill = tally.summary();
    await publishing;
    // a and c pull the rest, and b's unacknowledged jobs after ackWaitSeconds (5 s). A job b had
    // acknowledged was already in its nats-out buffer on disk (handled): no other runtime can have it,
    // it goes out when b starts again with its data dir. Wait until nothing moves for 8 s.
    let last = -1;
    let still = Date.now();
    await until(
      () => {
        if (tally.distinct !== last) [last, still] = [tally.distinct, Date.now()];
        return tally.distinct === total || Date.now() - still > 8_000;
      },
      'a and c to take the rest over',
      90_000,
    );
    const heldByB = tally.missing(total);
    // At most what b had taken from JetStream and not yet published: its pulled batch.
    expect(heldByB.length).toBeLessThanOrEqual(BATCH);
    const bBeforeRestart = tally.perRuntime.get('b') ?? 0;
    await b.start('jobs', CONSUMING);
    await until(() => tally.distinct === total, `all ${total} jobs forwarded`, 60_000).catch((err: Error) => {
      throw new Error(`${err.message}; missing ${JSON.stringify(tally.missing(total).slice(0, 50))}`);
    });
    const seen = { atKill, heldByB, after: tally.summary(), distinct: tally.distinct, duplicates: tally.duplicates };
    process.stdout.write(`jetstream SIGKILL: ${JSON.stringify(seen)}\n`);
    expect(b.starts).toBe(2);
    expect(tally.missing(total)).toEqual([]);
    // Twice: the batch b held unacknowledged (the others got it again), and what b's restart sent
    // from its buffer that had also been redelivered (b died between its buffer and the ack).
    const sentByRestart = (tally.perRuntime.get('b') ?? 0) - bBeforeRestart;
    expect(tally.duplicates).toBeLessThanOrEqual(sentByRestart + BATCH);
  }, 180_000);
});
