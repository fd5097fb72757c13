// One tagflow engine per process, forked by nodered.bench.ts beside Node-RED's child for symmetry:
// source -> moving-average(10) -> switch (> 100) [x fanout] -> counting sink, driven and timed by the
// same harness (child-harness.ts). usage: node dist/tagflow-child.js '<ChildConfig json>'
const tBoot = performance.now();
import { Engine, NodeRegistry } from '@tagflow/runtime';
import type { EngineLogger } from '@tagflow/runtime';
import { defineNode } from '@tagflow/node-sdk';
import { movingAverage, switchNode } from '@tagflow/nodes-core';
import { createHarness, measure, readConfig, report } from './child-harness';
import type { Send } from './child-harness';
import { THRESHOLD, WINDOW } from './nodered-reference';

const quiet: EngineLogger = { debug() {}, info() {}, warn: (o, m) => console.error(m, o), error: (o, m) => console.error(m, o) };

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
      send = (msg) => ctx.send(msg as never);
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
  for (const def of [source, movingAverage, switchNode, sink]) registry.registerNode(def);
  const engine = new Engine({ registry, logger: quiet });
  const switches = Array.from({ length: cfg.fanout }, (_, k) => `sw${k}`);
  const result = await engine.deploy({
    schemaVersion: 1,
    id: 'bench-nodered-comparison',
    nodes: [
      { id: 'src', type: 'bench-harness-source', typeVersion: 1 },
      { id: 'avg', type: 'moving-average', typeVersion: 1, config: { window: { count: WINDOW } } },
      ...switches.map((id) => ({ id, type: 'switch', typeVersion: 1, config: { property: 'payload', rules: [{ op: 'gt', value: THRESHOLD }] } })),
      { id: 'sink', type: 'bench-harness-sink', typeVersion: 1 },
    ],
    edges: [
      { source: 'src', target: 'avg' },
      ...switches.map((id) => ({ source: 'avg', target: id })),
      ...switches.map((id) => ({ source: id, sourcePort: 'out1', target: 'sink' })),
    ],
  });
  if (!result.ok) throw new Error(`flow refused: ${JSON.stringify(result.errors)}`);
  if (!send) throw new Error('source did not start');
  const version = (require('@tagflow/runtime/package.json') as { version: string }).version;
  report(await measure('tagflow', version, performance.now() - tBoot, cfg, h, send));
}

main().catch((err: unknown) => report({ type: 'error', error: String((err as Error)?.stack ?? err) }));
