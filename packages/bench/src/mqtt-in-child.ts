// Figure 5's mqtt-in side: a tagflow engine whose flow is mqtt-in -> a counting sink, receiving what
// plain mqtt.js publishes, counted like mqtt-subscriber-child.ts counts for the plain subscriber
// beside it: says `subscribed`, reports when `expected` arrived, after `idleMs` without a message, or
// after `maxMs`.
// usage: node dist/mqtt-in-child.js '{"port":1883,"qos":1,"expected":1000,"idleMs":5000,"maxMs":120000}'
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineNode } from '@tagflow/node-sdk';
import { Engine, NodeRegistry } from '@tagflow/runtime/engine';
import type { EngineLogger } from '@tagflow/runtime/engine';
import { mqttBroker, mqttIn } from '@tagflow/nodes-mqtt';
import type { SubscriberResult } from './mqtt-subscriber-child';
import { MQTT_TOPIC } from './nodered-reference';

interface InArgs {
  port: number;
  qos: 0 | 1;
  expected: number;
  idleMs: number;
  maxMs: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as InArgs;
const quiet: EngineLogger = {
  debug() {},
  info() {},
  warn: (o, m) => console.error(m, o),
  error: (o, m) => console.error(m, o),
};
let count = 0;
let firstEpoch = 0;
let lastEpoch = 0;
let finished = false;

function finish(why: SubscriberResult['why']): void {
  if (finished) return;
  finished = true;
  const result: SubscriberResult = { type: 'result', why, count, firstEpoch, lastEpoch };
  process.send?.({ ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 }, () => process.exit(0));
}

async function main(): Promise<void> {
  const sink = defineNode({
    type: 'bench-mqtt-in-sink',
    version: 1,
    category: 'publisher',
    description: 'counts what mqtt-in delivers',
    configSchema: { type: 'object' },
    inputs: ['in'],
    outputs: [],
    create: () => ({
      onMessage: () => {
        lastEpoch = Date.now();
        if (count++ === 0) firstEpoch = lastEpoch;
        if (count === args.expected) finish('expected');
      },
    }),
  });
  const registry = new NodeRegistry();
  for (const def of [mqttIn, sink]) registry.registerNode(def);
  registry.registerResource(mqttBroker);
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-bench-mqtt-in-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  process.on('SIGTERM', () => process.exit(0));
  const engine = new Engine({ registry, logger: quiet, dataDir });
  const subscribed = new Promise<void>((resolve) =>
    engine.on('status', (e) => e.nodeId === 'in' && /^subscribed/.test(e.status.text ?? '') && resolve()),
  );
  const result = await engine.deploy({
    schemaVersion: 1,
    id: 'bench-mqtt-in',
    // MQTT 3.1.1 and a clean session, as the plain subscriber beside it.
    resources: [
      {
        id: 'broker',
        type: 'mqtt-broker',
        config: { url: `mqtt://127.0.0.1:${args.port}`, protocolVersion: 4, cleanSession: true },
      },
    ],
    nodes: [
      { id: 'in', type: 'mqtt-in', typeVersion: 1, config: { broker: 'broker', topic: MQTT_TOPIC, qos: args.qos } },
      { id: 'sink', type: 'bench-mqtt-in-sink', typeVersion: 1 },
    ],
    edges: [{ source: 'in', target: 'sink' }],
  });
  if (!result.ok) throw new Error(`flow refused: ${JSON.stringify(result.errors)}`);
  await subscribed;
  process.send?.({ type: 'subscribed' });
  setInterval(() => count > 0 && Date.now() - lastEpoch > args.idleMs && finish('idle'), 100).unref();
  setTimeout(() => finish('maxMs'), args.maxMs).unref();
}

main().catch((err: unknown) => process.send?.({ type: 'error', error: String((err as Error)?.stack ?? err) }));
