// One tagflow engine per process, forked by nodered.bench.ts beside Node-RED's child for symmetry,
// running the flow the config names (nodered-reference.ts: BenchFlow) between a harness-driven
// source and a counting sink, driven and timed by the same harness as Node-RED's (child-harness.ts).
// usage: node dist/tagflow-child.js '<ChildConfig json>'
const tBoot = performance.now();
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, NodeRegistry } from '@tagflow/runtime/engine';
import type { EngineLogger } from '@tagflow/runtime/engine';
import type { Flow } from '@tagflow/flow-model';
import { defineNode } from '@tagflow/node-sdk';
import { functionNode, movingAverage, switchNode } from '@tagflow/nodes-core';
import { mqttBroker, mqttOut } from '@tagflow/nodes-mqtt';
import { coldStart, createHarness, measure, readConfig, report } from './child-harness';
import type { Send } from './child-harness';
import { FUNCTION_CODE, MQTT_TOPIC, THRESHOLD, WINDOW } from './nodered-reference';
import type { ChildConfig } from './nodered-reference';

const quiet: EngineLogger = {
  debug() {},
  info() {},
  warn: (o, m) => console.error(m, o),
  error: (o, m) => console.error(m, o),
};

function benchFlow(cfg: ChildConfig): Flow {
  const source = { id: 'src', type: 'bench-harness-source', typeVersion: 1 };
  const sink = { id: 'sink', type: 'bench-harness-sink', typeVersion: 1 };
  const average = { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: WINDOW } } };
  const threshold = (id: string) => ({
    id,
    type: 'switch',
    typeVersion: 1,
    config: { property: 'payload', rules: [{ op: 'gt', value: THRESHOLD }] },
  });
  const flow = { schemaVersion: 1 as const, id: `bench-${cfg.flow ?? 'reference'}` };
  if (cfg.flow === 'function') {
    return {
      ...flow,
      nodes: [source, { id: 'fn', type: 'function', typeVersion: 1, config: { code: FUNCTION_CODE } }, sink],
      edges: [
        { source: 'src', target: 'fn' },
        { source: 'fn', target: 'sink' },
      ],
    };
  }
  if (cfg.flow === 'mqtt') {
    const { port, qos } = cfg.mqtt!;
    return {
      ...flow,
      // MQTT 3.1.1 and a clean session, as Node-RED's broker node is set up in nr-child.cjs.
      resources: [
        {
          id: 'broker',
          type: 'mqtt-broker',
          config: { url: `mqtt://127.0.0.1:${port}`, protocolVersion: 4, cleanSession: true },
        },
      ],
      nodes: [
        source,
        average,
        threshold('sw0'),
        { id: 'out', type: 'mqtt-out', typeVersion: 1, config: { broker: 'broker', topic: MQTT_TOPIC, qos } },
      ],
      edges: [
        { source: 'src', target: 'avg' },
        { source: 'avg', target: 'sw0' },
        { source: 'sw0', sourcePort: 'out1', target: 'out' },
      ],
    };
  }
  const switches = Array.from({ length: cfg.fanout }, (_, k) => `sw${k}`);
  return {
    ...flow,
    nodes: [source, average, ...switches.map(threshold), sink],
    edges: [
      { source: 'src', target: 'avg' },
      ...switches.map((id) => ({ source: 'avg', target: id })),
      ...switches.map((id) => ({ source: id, sourcePort: 'out1', target: 'sink' })),
    ],
  };
}

async function main(): Promise<void> {
  const cfg = readConfig();
  const h = createHarness();
  let send: Send | undefined;
  // The source hands its ctx.send to the harness, which paces it (like Node-RED's harness source).
  const source = defineNode({
    type: 'bench-harness-source',
    version: 1,
    category: 'source',
    description: 'source driven by the benchmark harness',
    configSchema: { type: 'object' },
    inputs: [],
    outputs: ['out'],
    create(ctx) {
      send = (msg) => {
        if (ctx.send(msg as never)) return true;
        // As tagflow's own sources do: wait as the flow asks (queues full, or the engine yielding
        // the event loop); the harness goes on in the next turn.
        void ctx.drain();
        return false;
      };
      return {};
    },
  });
  const sink = defineNode({
    type: 'bench-harness-sink',
    version: 1,
    category: 'publisher',
    description: 'counts and times messages for the harness',
    configSchema: { type: 'object' },
    inputs: ['in'],
    outputs: [],
    create: () => ({ onMessage: (msg) => h.hit(msg as { sentAt?: unknown }) }),
  });
  const registry = new NodeRegistry();
  for (const def of [source, movingAverage, switchNode, functionNode, mqttOut, sink]) registry.registerNode(def);
  registry.registerResource(mqttBroker);
  // mqtt-out keeps its store-and-forward buffer in the data dir.
  const dataDir = mkdtempSync(join(tmpdir(), 'tagflow-bench-child-'));
  process.on('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  // The parent ends a child that is done (figures 4 and 5) with SIGTERM: exit, so the above runs.
  process.on('SIGTERM', () => process.exit(0));
  const engine = new Engine({ registry, logger: quiet, dataDir });
  const connected = new Promise<void>((resolve) =>
    engine.on('status', (e) => e.nodeId === 'out' && e.status.state === 'ok' && resolve()),
  );
  const result = await engine.deploy(benchFlow(cfg));
  if (!result.ok) throw new Error(`flow refused: ${JSON.stringify(result.errors)}`);
  if (!send) throw new Error('source did not start');
  if (cfg.mode === 'cold') return coldStart(h, send);
  // Node-RED's child waits for its broker connection too: neither is timed connecting.
  if (cfg.flow === 'mqtt') await connected;
  const version = (require('@tagflow/runtime/package.json') as { version: string }).version;
  report(await measure('tagflow', version, performance.now() - tBoot, cfg, h, send));
}

main().catch((err: unknown) => report({ type: 'error', error: String((err as Error)?.stack ?? err) }));
