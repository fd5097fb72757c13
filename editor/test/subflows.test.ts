import type { Flow } from '@tagflow/flow-model';
import {
  canvasToFlow,
  closeSubflow,
  flowToCanvas,
  makeSubflow,
  openSubflow,
  validate,
  withSubflowTypes,
} from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

/** The pump monitor: flow-sensor -> avg -> (publish, high-flow); avg and high-flow go into a subflow. */
function made() {
  const flow = pumpMonitor();
  const result = makeSubflow(flow, ['avg', 'high-flow']);
  if (!result.ok) throw new Error(result.reason);
  return { before: flow, ...result };
}

describe('makeSubflow', () => {
  it('moves the selected nodes into a definition with ports from the cut edges, and places an instance', () => {
    const { before, flow, subflowId, instanceId } = made();
    expect(subflowId).toBe('subflow-1');
    expect(instanceId).toBe('subflow-1-1');
    const def = flow.subflows?.[0];
    expect(def?.nodes.map((n) => n.id)).toEqual(['avg', 'high-flow']);
    expect(def?.edges.every((e) => ['avg', 'high-flow'].includes(e.source))).toBe(true);
    const cutIn = before.edges.filter((e) => e.target === 'avg' && e.source !== 'high-flow');
    expect(def?.inputs).toEqual([{ port: 'in', to: [{ node: 'avg' }] }]);
    expect(def?.outputs.length).toBeGreaterThan(0);
    expect(flow.nodes.map((n) => n.id)).not.toContain('avg');
    expect(flow.nodes.find((n) => n.id === instanceId)?.type).toBe('subflow:subflow-1');
    for (const e of cutIn) expect(flow.edges).toContainEqual({ source: e.source, target: instanceId });
  });

  it('gives a flow that validates and expands back to the same wiring', () => {
    const { before, flow } = made();
    const catalog = withSubflowTypes(coreCatalog(), flow.subflows);
    const result = validate(flow, catalog);
    expect(result.errors).toEqual([]);
    // The instance's ports are in the catalog the canvas and the form use.
    expect(catalog.nodes.get('subflow:subflow-1')?.inputs).toEqual(['in']);
    expect(validate(before, coreCatalog()).errors).toEqual([]);
  });

  it('refuses an empty selection in plain words', () => {
    expect(makeSubflow(pumpMonitor(), [])).toEqual({
      ok: false,
      reason: 'select the nodes to put into the subflow first',
    });
  });
});

describe('openSubflow / closeSubflow', () => {
  it('edits a subflow as a flow of its own and puts it back; ports to removed nodes are dropped', () => {
    const { flow, subflowId } = made();
    const view = openSubflow(flow, subflowId) as Flow;
    expect(view.nodes.map((n) => n.id)).toEqual(['avg', 'high-flow']);
    // What the canvas makes of it, with high-flow deleted.
    const edited = canvasToFlow(
      flowToCanvas({ ...view, nodes: view.nodes.filter((n) => n.id !== 'high-flow'), edges: [] }),
    );
    const back = closeSubflow(flow, subflowId, edited);
    const def = back.subflows?.find((s) => s.id === subflowId);
    expect(def?.nodes.map((n) => n.id)).toEqual(['avg']);
    expect(def?.outputs.every((o) => o.from.every((f) => f.node === 'avg'))).toBe(true);
    expect(back.nodes).toEqual(flow.nodes);
  });

  it('shows only the subflows the open one places, and keeps all of them when it closes', () => {
    const { flow, subflowId } = made();
    const other = { ...flow.subflows![0], id: 'other', name: 'Other' };
    const parent: Flow = { ...flow, subflows: [...flow.subflows!, other] };
    const view = openSubflow(parent, subflowId) as Flow;
    expect(view.subflows).toBeUndefined();
    const back = closeSubflow(parent, subflowId, view);
    expect(back.subflows?.map((s) => s.id)).toEqual([subflowId, 'other']);
  });

  it('keeps the subflows of a flow through the canvas', () => {
    const { flow } = made();
    expect(canvasToFlow(flowToCanvas(flow)).subflows).toStrictEqual(flow.subflows);
  });
});
