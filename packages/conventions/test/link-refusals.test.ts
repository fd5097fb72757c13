import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateFlow } from '@tagflow/flow-model';
import { Engine } from '@tagflow/runtime/engine';
import type { EngineLogger } from '@tagflow/runtime/engine';
import { loadRepoRegistry } from './repo-registry';

/**
 * Link nodes name other nodes, which a type's own `check` cannot see: the flow-level check refuses
 * a link to nowhere, and "validate = deploy" holds for it as for the refusals under test/refusals/.
 */

const registry = loadRepoRegistry({ template: false });
const quiet: EngineLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const node = (id: string, type: string, config: Record<string, unknown> = {}) => ({ id, type, typeVersion: 1, config });

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'tagflow-links-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('a link-out or link-call naming no link-in is refused by validate and deploy, in the same words', async () => {
  const flow = {
    schemaVersion: 1,
    id: 'links',
    nodes: [
      node('readings', 'link-out', { links: ['alarms-in'] }),
      node('alarm-in', 'link-in'),
      node('lookup', 'link-call', { link: 'avg' }),
      node('avg', 'moving-average', { window: { count: 5 } }),
    ],
    edges: [{ source: 'alarm-in', target: 'avg' }],
  };
  const validation = validateFlow(flow, registry.catalog(), { migrations: registry.migrations });
  if (validation.ok) throw new Error('the flow passed validate');
  expect(validation.errors).toEqual([
    expect.objectContaining({
      code: 'LINK_TARGET_NOT_FOUND',
      path: '/nodes/0/config/links/0',
      nodeId: 'readings',
      message:
        'node "readings" (link-out): /nodes/0/config/links/0 names "alarms-in", but this flow has no node with that id (did you mean "alarm-in"?); link-in nodes here: "alarm-in"',
    }),
    expect.objectContaining({
      code: 'LINK_TARGET_NOT_LINK_IN',
      path: '/nodes/2/config/link',
      nodeId: 'lookup',
      message:
        'node "lookup" (link-call): /nodes/2/config/link names node "avg" (moving-average), which is not a link-in: virtual wires end at link-in nodes; link-in nodes here: "alarm-in"',
    }),
  ]);
  const engine = new Engine({ registry, dataDir, logger: quiet });
  try {
    const deployed = await engine.deploy(flow);
    expect(deployed.ok).toBe(false);
    expect(deployed.ok ? [] : deployed.errors).toEqual(validation.errors);
    expect(engine.currentFlow).toBeUndefined();
  } finally {
    await engine.stop();
  }
});

test('validate counts virtual wires: linked nodes are connected, and a loop through links is warned about', () => {
  const flow = {
    schemaVersion: 1,
    id: 'links',
    nodes: [
      node('loop-in', 'link-in'),
      node('step', 'scale', { in: { min: 0, max: 1 }, out: { min: 0, max: 2 } }),
      node('loop-out', 'link-out', { links: ['loop-in'] }),
    ],
    edges: [
      { source: 'loop-in', target: 'step' },
      { source: 'step', target: 'loop-out' },
    ],
  };
  const validation = validateFlow(flow, registry.catalog(), { migrations: registry.migrations });
  if (!validation.ok) throw new Error(JSON.stringify(validation.errors));
  expect(validation.warnings).toEqual([
    expect.objectContaining({
      code: 'UNBROKEN_CYCLE',
      message: expect.stringContaining('loop-in → step → loop-out → loop-in'),
    }),
  ]);
  // A link-in fed only by a link-out, a link-out in return mode: connected, no UNCONNECTED_NODE.
  const linkedOnly = validateFlow(
    {
      schemaVersion: 1,
      id: 'links',
      nodes: [
        node('out', 'link-out', { links: ['in'] }),
        node('in', 'link-in'),
        node('back', 'link-out', { mode: 'return' }),
      ],
      edges: [],
    },
    registry.catalog(),
  );
  expect(linkedOnly.ok && linkedOnly.warnings).toEqual([]);
});
