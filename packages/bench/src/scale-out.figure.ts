// Scale-out figure: delivered msg/s with 1, 2 and 3 `tagflow run` processes sharing one stream
// through an MQTT 5 shared subscription (examples/scale-out/mqtt-shared.flow.json: mqtt-in in the
// group, acknowledging after the flow, -> mqtt-out to line1/done/<runtime>), and the share of the
// work each runtime did. A Mosquitto of its own on a free loopback port; the producer (QoS 1, up to
// WINDOW publishes unconfirmed) and the counting receiver are mqtt.js clients in this process.
// Every runtime is a child with a deadline (run-child's Child), killed at the end of its run.
//
// On the 2 cores of the machine this was written on, the machine is the ceiling: the runtimes, the
// broker, the producer and the receiver share the same cores, so a second and third runtime add
// little; on separate boxes each would bring its own.
//
// usage: node --no-node-snapshot dist/scale-out.figure.js
//   SCALE_OUT_N (messages per run, default 20000), SCALE_OUT_RUNS (runs per runtime count, default 1),
//   SCALE_OUT_RUNTIMES (runtime counts, default 1,2,3),
//   BENCH_RESULTS (the JSON's path instead of results/scale-out.json).
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect } from 'mqtt';
import type { MqttClient } from 'mqtt';
import { Mosquitto } from '@tagflow/node-test';
import { repoRoot, spawnTagflow } from '@tagflow/test-support';
import { attempt } from './failures';
import type { Failure } from './failures';
import { Child, deadline } from './run-child';
import { formatRate, median } from './stats';
import { reportFigure } from './summary';

const FLOW = join(repoRoot, 'examples', 'scale-out', 'mqtt-shared.flow.json');
const SUBSCRIBED = '"msg":"status ok: subscribed to $share/line1-workers/line1/jobs"';
/** Publishes the producer keeps unconfirmed. */
const WINDOW = 1000;

export interface ScaleOutRun {
  runtimes: number;
  sent: number;
  distinct: number;
  duplicates: number;
  deliveredPerSec: number;
  /** Share of the deliveries per runtime, in %. */
  share: Record<string, number>;
}

export interface ScaleOutFigure {
  n: number;
  runs: ScaleOutRun[];
  /** Median delivered msg/s per runtime count. */
  byRuntimes: Array<{ runtimes: number; deliveredPerSec: number; overOne: number }>;
  failures: Failure[];
}

/** A `tagflow run` of the example flow as runtime `name`, resolved for `brokerUrl`; resolves once subscribed. */
async function startRuntime(name: string, brokerUrl: string, deadlineMs: number): Promise<Child> {
  const dir = mkdtempSync(join(tmpdir(), `bench-scale-out-${name}-`));
  const flow = readFileSync(FLOW, 'utf8').replaceAll('${RUNTIME}', name).replaceAll('${BROKER_URL}', brokerUrl);
  writeFileSync(join(dir, 'flow.json'), flow);
  const process = spawnTagflow(['run', 'flow.json', '--data-dir', join(dir, 'data'), '--log-level', 'debug'], {
    cwd: dir,
  });
  const child = new Child(`tagflow run ${name}`, process, deadlineMs);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    process.stderr.on('data', (chunk: string) => {
      log = (log + chunk).slice(-8000);
      if (log.includes(SUBSCRIBED)) resolve();
    });
    void child.exited.then(() => reject(child.endError(`before subscribing:\n${log}`)));
  });
  return child;
}

async function client(url: string, clientId: string): Promise<MqttClient> {
  const c = connect(url, { protocolVersion: 5, clientId, reconnectPeriod: 0 });
  await new Promise((ok, fail) => c.once('connect', ok).once('error', fail));
  return c;
}

async function oneRun(runtimes: number, n: number, maxMs: number): Promise<ScaleOutRun> {
  const broker = await Mosquitto.start({ persistence: false, settings: ['max_queued_messages 0'] });
  const children: Child[] = [];
  const clients: MqttClient[] = [];
  try {
    const names = ['a', 'b', 'c', 'd', 'e'].slice(0, runtimes);
    for (const name of names) children.push(await startRuntime(name, broker.url, deadline(maxMs + 60_000)));
    const receiver = await client(broker.url, 'bench-scale-out-receiver');
    clients.push(receiver);
    const perRuntime = new Map<string, number>();
    const seen = new Set<number>();
    let received = 0;
    let lastAt = 0;
    let allSeen: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (allSeen = resolve));
    receiver.on('message', (topic, body) => {
      received++;
      lastAt = performance.now();
      const name = topic.split('/')[2];
      perRuntime.set(name, (perRuntime.get(name) ?? 0) + 1);
      seen.add(Number(body.toString()));
      if (seen.size === n) allSeen();
    });
    await receiver.subscribeAsync('line1/done/+', { qos: 1 });
    const producer = await client(broker.url, 'bench-scale-out-producer');
    clients.push(producer);

    const t0 = performance.now();
    let unconfirmed = 0;
    let wake: () => void = () => undefined;
    for (let i = 1; i <= n; i++) {
      while (unconfirmed >= WINDOW) await new Promise<void>((resolve) => (wake = resolve));
      unconfirmed++;
      producer.publish('line1/jobs', String(i), { qos: 1 }, () => {
        unconfirmed--;
        wake();
      });
    }
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, maxMs))]);
    const ms = (seen.size === n ? lastAt : performance.now()) - t0;
    const share = Object.fromEntries(
      names.map((name) => [name, Math.round(((perRuntime.get(name) ?? 0) / Math.max(1, received)) * 1000) / 10]),
    );
    return {
      runtimes,
      sent: n,
      distinct: seen.size,
      duplicates: received - seen.size,
      deliveredPerSec: seen.size / (ms / 1000),
      share,
    };
  } finally {
    for (const c of clients) c.end(true);
    await Promise.all(children.map((c) => c.kill()));
    await broker.down();
  }
}

export async function scaleOutFigure(
  o: { n: number; runs: number; maxMs: number; counts?: number[] },
  log: (line: string) => void,
): Promise<ScaleOutFigure> {
  const failures: Failure[] = [];
  const runs: ScaleOutRun[] = [];
  log(`scale-out: ${o.n.toLocaleString('en')} QoS 1 messages through an MQTT 5 shared subscription`);
  for (let run = 1; run <= o.runs; run++)
    for (const runtimes of o.counts ?? [1, 2, 3]) {
      const label = `scale-out ${runtimes} runtime${runtimes > 1 ? 's' : ''} run ${run}`;
      const r = await attempt(label, 'tagflow run', failures, log, () => oneRun(runtimes, o.n, o.maxMs));
      if (!r) continue;
      runs.push(r);
      const lost = r.sent - r.distinct;
      log(
        `  ${label}: ${formatRate(r.deliveredPerSec)} delivered, share ${JSON.stringify(r.share)}, ` +
          `lost ${lost}, duplicates ${r.duplicates}`,
      );
    }
  const one = median(runs.filter((r) => r.runtimes === 1).map((r) => r.deliveredPerSec));
  const byRuntimes = [1, 2, 3].map((runtimes) => {
    const rate = median(runs.filter((r) => r.runtimes === runtimes).map((r) => r.deliveredPerSec));
    return { runtimes, deliveredPerSec: rate, overOne: rate / one };
  });
  return { n: o.n, runs, byRuntimes, failures };
}

async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const n = Number(process.env.SCALE_OUT_N ?? 20_000);
  const runs = Number(process.env.SCALE_OUT_RUNS ?? 1);
  const counts = process.env.SCALE_OUT_RUNTIMES?.split(',').map(Number);
  const figure = await scaleOutFigure({ n, runs, maxMs: 120_000, counts }, log);
  log('\nruntimes  delivered msg/s  x one runtime');
  for (const r of figure.byRuntimes)
    log(`${String(r.runtimes).padEnd(9)}  ${formatRate(r.deliveredPerSec).padEnd(15)}  ${r.overOne.toFixed(2)}`);
  log('(2 cores shared by the runtimes, Mosquitto, producer and receiver: the machine is the ceiling)');
  const one = figure.byRuntimes.find((r) => r.runtimes === 1)?.deliveredPerSec;
  for (const r of figure.byRuntimes) {
    const ofCount = figure.runs.filter((run) => run.runtimes === r.runtimes);
    const lost = ofCount.reduce((sum, run) => sum + run.sent - run.distinct, 0);
    const measured = ofCount.length > 0 && Number.isFinite(r.deliveredPerSec);
    const shares = ofCount.map((run) =>
      Object.values(run.share)
        .map((v) => `${Math.round(v)}%`)
        .join('/'),
    );
    reportFigure({
      id: `scale-out-${r.runtimes}`,
      value: measured ? r.deliveredPerSec : null,
      baseline: one !== undefined && Number.isFinite(one) ? one : null,
      missing: measured ? undefined : 'no run of this count completed (see the failures above)',
      note: measured ? `share ${shares.join(', ')}; lost ${lost}; 2 cores: the machine is the ceiling` : undefined,
    });
  }
  const file = process.env.BENCH_RESULTS ?? join(__dirname, '..', 'results', 'scale-out.json');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(figure, null, 2)}\n`);
  if (figure.failures.length || figure.runs.some((r) => r.distinct < r.sent)) process.exitCode = 1;
}

if (require.main === module)
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
