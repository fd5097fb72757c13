import { dirname, join } from 'node:path';
import type { AnyNodeDefinition, AnyResourceDefinition } from '@tagflow/node-sdk';
import { runFlow } from '@tagflow/node-test';
import type { FlowUnderTest } from '@tagflow/node-test';
import { convertNodeRedFlows } from '../src';
import type { ImportedFlow, ImportReport, NodeRedObject } from '../src';

/** Every node type of @tagflow/nodes-core, as the runtime finds them: the modules its package.json lists. */
export const CORE_NODES: AnyNodeDefinition[] = (() => {
  const manifest = require.resolve('@tagflow/nodes-core/package.json');
  const { tagflow } = require(manifest) as { tagflow: { nodes: string[] } };
  return tagflow.nodes.map(
    (file) => (require(join(dirname(manifest), file)) as { default: AnyNodeDefinition }).default,
  );
})();

/** A Node-RED export with one tab ("Test") holding `nodes` (their `z` is filled in). */
export function oneTab(
  nodes: Array<Partial<NodeRedObject> & { id: string; type: string }>,
  extra: NodeRedObject[] = [],
): NodeRedObject[] {
  return [
    { id: 'tab1', type: 'tab', label: 'Test', disabled: false, info: '' },
    ...nodes.map((n, i) => ({ z: 'tab1', x: 100 + 150 * i, y: 80, wires: [], ...n })),
    ...extra,
  ];
}

/** Converts an export that must convert; answers its flows and report. */
export function convert(objects: unknown): { flows: ImportedFlow[]; report: ImportReport } {
  const result = convertNodeRedFlows(objects);
  if (!result.ok) throw new Error(result.problem);
  return result;
}

/** Converts a one-tab export and runs the flow in a real engine (fake time). */
export async function runConverted(
  objects: unknown,
  options: { nodes?: AnyNodeDefinition[]; resources?: AnyResourceDefinition[]; fakeTime?: boolean } = {},
): Promise<{ f: FlowUnderTest; flow: ImportedFlow; report: ImportReport }> {
  const { flows, report } = convert(objects);
  const flow = flows[0];
  const f = await runFlow(flow, {
    nodes: options.nodes ?? CORE_NODES,
    resources: options.resources,
    fakeTime: options.fakeTime,
  });
  return { f, flow, report };
}

/** The report entry of a Node-RED node. */
export function entryOf(report: ImportReport, id: string) {
  const entry = report.entries.find((e) => e.nodeRedId === id);
  if (!entry) throw new Error(`no report entry for ${id}`);
  return entry;
}
