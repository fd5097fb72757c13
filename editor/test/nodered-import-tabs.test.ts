import type { Flow } from '@tagflow/flow-model';
import { flowToDeploy, FlowTabs, isNodeRedExport, tabState } from '../src/state';
import type { TabsResult } from '../src/state';

function ok(result: TabsResult): FlowTabs {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result;
}

const flow = (id: string, name: string): Flow => ({
  schemaVersion: 1,
  id,
  name,
  nodes: [{ id: 'n', type: 'debug', typeVersion: 1, config: {} }],
  edges: [],
});

describe('imported flows as new tabs', () => {
  it('opens each as a new, undeployed tab, the first shown, ids kept when free', () => {
    const tabs = ok(
      FlowTabs.fromSummaries([{ id: 'line-1', state: 'running', version: 2 }]).addFlows([
        flow('boiler-room', 'Boiler room'),
        flow('packing', 'Packing'),
      ]),
    );
    expect(tabs.ids()).toEqual(['line-1', 'boiler-room', 'packing']);
    expect(tabs.activeId).toBe('boiler-room');
    expect(tabState(tabs.active)).toBe('new');
    expect(flowToDeploy(tabs.active)).toMatchObject({ id: 'boiler-room', name: 'Boiler room', nodes: [{ id: 'n' }] });
  });

  it('gives a flow whose id a tab already has a new id made from its name', () => {
    const tabs = ok(
      FlowTabs.fromSummaries([{ id: 'line-1', state: 'running', version: 2 }]).addFlows([flow('line-1', 'Line one')]),
    );
    expect(tabs.ids()).toHaveLength(2);
    expect(tabs.activeId).not.toBe('line-1');
    expect(flowToDeploy(tabs.active)).toMatchObject({ id: tabs.activeId, name: 'Line one' });
    expect(FlowTabs.fromSummaries([]).addFlows([])).toEqual({ ok: false, reason: 'there is no flow to add' });
  });
});

describe('a Node-RED export told from a tagflow flow', () => {
  it('knows a list of Node-RED nodes and {flows: [...]}, and not a tagflow flow', () => {
    const nodes = [
      { id: 't1', type: 'tab', label: 'Flow 1' },
      { id: 'a', type: 'inject', z: 't1', wires: [[]] },
    ];
    expect(isNodeRedExport(nodes)).toBe(true);
    expect(isNodeRedExport({ flows: nodes, rev: 'x' })).toBe(true);
    expect(isNodeRedExport(flow('x', 'X'))).toBe(false);
    expect(isNodeRedExport([])).toBe(false);
    expect(isNodeRedExport([{ id: 1 }])).toBe(false);
    expect(isNodeRedExport('text')).toBe(false);
  });
});
