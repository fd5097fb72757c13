// Figure 5: end to end over MQTT. The reference flow ending in an MQTT publisher (Node-RED's mqtt out,
// tagflow's mqtt-out with its store-and-forward buffer) to a Mosquitto the benchmark starts on a free
// loopback port, counted by a subscriber in another process; beside plain mqtt.js publishing the
// same number of messages to the same broker. Throughput is messages delivered per second at the
// subscriber, from the publisher's first send to the last arrival.
import { join } from 'node:path';
import { Mosquitto } from '@tagflow/node-test';
import { attempt } from './failures';
import type { Failure } from './failures';
import { expectedPass } from './nodered-reference';
import type { ChildConfig, ChildResult } from './nodered-reference';
import { deadline, forkChild, forkSystem } from './run-child';
import type { Child, ChildMessage } from './run-child';
import type { SubscriberResult } from './mqtt-subscriber-child';
import { formatRate, series } from './stats';
import type { Series } from './stats';
import { NODE_RED_SYSTEMS, rotations, SYSTEMS } from './systems';
import type { NodeRedSystem, System } from './systems';

export type MqttSubject = System | 'mqtt.js';
const ALL_SUBJECTS: MqttSubject[] = [...SYSTEMS, 'mqtt.js'];
/** BENCH_MQTT_SUBJECTS=tagflow,mqtt.js measures only those (a quick side by side while working on one). */
const ONLY = process.env.BENCH_MQTT_SUBJECTS?.split(',').map((s) => s.trim());
const SUBJECTS = ONLY ? ALL_SUBJECTS.filter((s) => ONLY.includes(s)) : ALL_SUBJECTS;

export interface MqttRun {
  subject: MqttSubject;
  qos: 0 | 1;
  delivered: number;
  expected: number;
  deliveredPerSec: number;
  peakRssMb: number;
}

export interface MqttFigure {
  n: number;
  published: number;
  byQos: Array<{
    qos: 0 | 1;
    subjects: Record<MqttSubject, { deliveredPerSec: Series; lost: number[] }>;
    /** tagflow's delivered rate over raw mqtt.js's (medians). */
    tagflowOfRaw: number;
    /** tagflow's delivered rate over each Node-RED release's (medians). */
    tagflowOver: Record<NodeRedSystem, number>;
  }>;
  runs: MqttRun[];
  /**
   * The receiving side: plain mqtt.js publishing `published` messages, received by tagflow's mqtt-in
   * (into a counting node) and, in turn, by a plain mqtt.js subscriber; rates at the receiver.
   */
  inbound: Array<{
    qos: 0 | 1;
    subjects: Record<InboundSubject, { deliveredPerSec: Series; lost: number[] }>;
    /** mqtt-in's delivered rate over the plain subscriber's (medians). */
    tagflowOfRaw: number;
  }>;
  failures: Failure[];
}

export type InboundSubject = 'tagflow' | 'mqtt.js';
const INBOUND: InboundSubject[] = ['tagflow', 'mqtt.js'];

export interface MqttFigureOptions {
  runs: number;
  /** Messages into the flow; expectedPass(n) of them reach the publisher. */
  n: number;
  chunk: Record<System, number>;
  /** plain mqtt.js: publishes per event-loop turn (100 was its fastest in the anchor measurement). */
  rawChunk: number;
  /** The subscriber reports what it has after this long; every child of a run is killed a minute later. */
  maxMs: number;
}

/** How long a publisher has to report once the subscriber has reported. */
const REPORT_WITHIN_MS = 60_000;

async function oneRun(broker: Mosquitto, subject: MqttSubject, qos: 0 | 1, o: MqttFigureOptions): Promise<MqttRun> {
  const expected = expectedPass(o.n);
  const deadlineMs = deadline(o.maxMs + 60_000);
  const subscriber = forkChild(
    'subscriber',
    join(__dirname, '..', 'dist', 'mqtt-subscriber-child.js'),
    { port: broker.port, qos, expected, idleMs: 5000, maxMs: o.maxMs },
    { deadlineMs },
  );
  let publisher: Child | undefined;
  try {
    await subscriber.waitFor('subscribed');
    publisher =
      subject === 'mqtt.js'
        ? forkChild(
            'mqtt.js',
            join(__dirname, '..', 'dist', 'mqtt-publisher-child.js'),
            { port: broker.port, qos, n: expected, chunk: o.rawChunk },
            { deadlineMs },
          )
        : forkSystem(
            subject,
            {
              mode: 'burst',
              flow: 'mqtt',
              fanout: 1,
              n: o.n,
              chunk: o.chunk[subject],
              mqtt: { port: broker.port, qos },
            } satisfies ChildConfig,
            deadlineMs,
          );
    const { t0Epoch } = await publisher.waitFor<ChildMessage & { t0Epoch: number }>('started');
    const got = await subscriber.waitFor<SubscriberResult & ChildMessage>('result');
    // The flows' children report when told; plain mqtt.js when the broker has confirmed every publish.
    if (subject !== 'mqtt.js') publisher.send({ cmd: 'report' });
    // Once the subscriber has reported, confirmations still missing a minute later will not come
    // (the 2026-12-02 run waited for them for minutes): the publisher is ended and the run fails.
    const result = await publisher.waitFor<ChildMessage & Pick<ChildResult, 'peakRssMb'>>('result', REPORT_WITHIN_MS);
    return {
      subject,
      qos,
      delivered: got.count,
      expected,
      deliveredPerSec: got.count / ((got.lastEpoch - t0Epoch) / 1000),
      peakRssMb: result.peakRssMb,
    };
  } finally {
    await Promise.all([publisher?.kill(), subscriber.kill()]);
  }
}

/** Plain mqtt.js publishes; `receiver` (tagflow's mqtt-in, or a plain subscriber) counts. */
async function oneInboundRun(
  broker: Mosquitto,
  receiver: InboundSubject,
  qos: 0 | 1,
  o: MqttFigureOptions,
): Promise<{ delivered: number; expected: number; deliveredPerSec: number }> {
  const expected = expectedPass(o.n);
  const deadlineMs = deadline(o.maxMs + 60_000);
  const script = receiver === 'tagflow' ? 'mqtt-in-child.js' : 'mqtt-subscriber-child.js';
  const subscriber = forkChild(
    `${receiver} receiver`,
    join(__dirname, '..', 'dist', script),
    { port: broker.port, qos, expected, idleMs: 5000, maxMs: o.maxMs },
    { deadlineMs },
  );
  let publisher: Child | undefined;
  try {
    await subscriber.waitFor('subscribed');
    publisher = forkChild(
      'mqtt.js',
      join(__dirname, '..', 'dist', 'mqtt-publisher-child.js'),
      { port: broker.port, qos, n: expected, chunk: o.rawChunk },
      { deadlineMs },
    );
    const { t0Epoch } = await publisher.waitFor<ChildMessage & { t0Epoch: number }>('started');
    const got = await subscriber.waitFor<SubscriberResult & ChildMessage>('result');
    return { delivered: got.count, expected, deliveredPerSec: got.count / ((got.lastEpoch - t0Epoch) / 1000) };
  } finally {
    await Promise.all([publisher?.kill(), subscriber.kill()]);
  }
}

export async function mqttFigure(o: MqttFigureOptions, log: (line: string) => void): Promise<MqttFigure> {
  // Mosquitto queues at most 1,000 messages for a subscriber by default and drops the rest, even at
  // QoS 1: a publisher faster than the subscriber would then show losses that are the broker's.
  const broker = await Mosquitto.start({
    persistence: false,
    settings: ['max_queued_messages 0', 'max_queued_bytes 0'],
  });
  const runs: MqttRun[] = [];
  const inboundRuns: Array<{
    receiver: InboundSubject;
    qos: 0 | 1;
    delivered: number;
    expected: number;
    deliveredPerSec: number;
  }> = [];
  const failures: Failure[] = [];
  try {
    for (const qos of [0, 1] as const) {
      for (const [run, order] of rotations(SUBJECTS, o.runs).entries()) {
        for (const subject of order) {
          const r = await attempt(`mqtt QoS${qos} ${subject} run ${run + 1}`, subject, failures, log, () =>
            oneRun(broker, subject, qos, o),
          );
          if (!r) continue;
          runs.push(r);
          const lost = r.expected - r.delivered;
          log(
            `  mqtt QoS${qos} ${subject.padEnd(10)} run ${run + 1}: ${formatRate(r.deliveredPerSec)} msg/s delivered, ${r.delivered}/${r.expected}${lost > 0 ? ` (${lost} LOST)` : ''}, peak RSS ${r.peakRssMb.toFixed(0)} MB`,
          );
        }
      }
    }
    for (const qos of [0, 1] as const) {
      for (const [run, order] of rotations(INBOUND, o.runs).entries()) {
        for (const receiver of order) {
          const label = `mqtt-in QoS${qos} ${receiver} run ${run + 1}`;
          const r = await attempt(label, receiver, failures, log, () => oneInboundRun(broker, receiver, qos, o));
          if (!r) continue;
          inboundRuns.push({ receiver, qos, ...r });
          const lost = r.expected - r.delivered;
          log(
            `  mqtt-in QoS${qos} ${(receiver === 'tagflow' ? 'mqtt-in' : 'mqtt.js').padEnd(10)} run ${run + 1}: ${formatRate(r.deliveredPerSec)} msg/s received, ${r.delivered}/${r.expected}${lost > 0 ? ` (${lost} LOST)` : ''}`,
          );
        }
      }
    }
  } finally {
    await broker.down();
  }
  const byQos = ([0, 1] as const).map((qos) => {
    const subjects = Object.fromEntries(
      ALL_SUBJECTS.map((s) => {
        const mine = runs.filter((r) => r.qos === qos && r.subject === s);
        return [
          s,
          {
            deliveredPerSec: series(mine.map((r) => r.deliveredPerSec)),
            lost: mine.map((r) => r.expected - r.delivered),
          },
        ];
      }),
    ) as Record<MqttSubject, { deliveredPerSec: Series; lost: number[] }>;
    const tf = subjects.tagflow.deliveredPerSec.median;
    return {
      qos,
      subjects,
      tagflowOfRaw: tf / subjects['mqtt.js'].deliveredPerSec.median,
      tagflowOver: Object.fromEntries(
        NODE_RED_SYSTEMS.map((s) => [s, tf / subjects[s].deliveredPerSec.median]),
      ) as Record<NodeRedSystem, number>,
    };
  });
  const inbound = ([0, 1] as const).map((qos) => {
    const subjects = Object.fromEntries(
      INBOUND.map((s) => {
        const mine = inboundRuns.filter((r) => r.qos === qos && r.receiver === s);
        return [
          s,
          {
            deliveredPerSec: series(mine.map((r) => r.deliveredPerSec)),
            lost: mine.map((r) => r.expected - r.delivered),
          },
        ];
      }),
    ) as Record<InboundSubject, { deliveredPerSec: Series; lost: number[] }>;
    const tagflowOfRaw = subjects.tagflow.deliveredPerSec.median / subjects['mqtt.js'].deliveredPerSec.median;
    log(
      `  mqtt-in QoS${qos}: tagflow mqtt-in ${formatRate(subjects.tagflow.deliveredPerSec.median)} msg/s, plain mqtt.js subscriber ${formatRate(subjects['mqtt.js'].deliveredPerSec.median)}: ${(tagflowOfRaw * 100).toFixed(0)}%`,
    );
    return { qos, subjects, tagflowOfRaw };
  });
  return { n: o.n, published: expectedPass(o.n), byQos, runs, inbound, failures };
}
