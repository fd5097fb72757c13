import type { Flow } from '@tagflow/flow-model';
import { canvasToFlow, flowToCanvas, FlowDocument } from '../src/state';
import { pumpMonitor } from './load-fixtures';

describe('flowToCanvas / canvasToFlow', () => {
  it('round-trips examples/pump-monitor/flow.json exactly', () => {
    const original = pumpMonitor();
    const back = canvasToFlow(flowToCanvas(original));
    expect(back).toStrictEqual(original);
    expect(JSON.stringify(back)).toBe(JSON.stringify(original)); // key order too, so saved files diff cleanly
    expect(FlowDocument.fromFlow(original).toFlow()).toStrictEqual(original);
  });

  it('keeps the flow settings (maxHops) through the canvas', () => {
    const flow: Flow = { ...pumpMonitor(), settings: { maxHops: 50 } };
    expect(canvasToFlow(flowToCanvas(flow)).settings).toStrictEqual({ maxHops: 50 });
    expect(canvasToFlow(flowToCanvas(pumpMonitor()))).not.toHaveProperty('settings');
  });

  it('adds ui positions when absent and changes nothing else', () => {
    const original = pumpMonitor();
    for (const n of original.nodes) delete n.ui;
    const back = canvasToFlow(flowToCanvas(original));
    for (const n of back.nodes) {
      expect(typeof n.ui?.x).toBe('number');
      expect(typeof n.ui?.y).toBe('number');
    }
    expect(back.nodes.map(({ ui: _ui, ...rest }) => rest)).toStrictEqual(original.nodes);
    expect({ ...back, nodes: [] }).toStrictEqual({ ...original, nodes: [] });
  });

  it('auto-layout puts each source left of its consumers, one column per depth', () => {
    const flow = pumpMonitor();
    for (const n of flow.nodes) delete n.ui;
    const pos = new Map(flowToCanvas(flow).nodes.map((n) => [n.id, n.position]));
    for (const e of flow.edges) expect(pos.get(e.source)!.x).toBeLessThan(pos.get(e.target)!.x);
    expect(pos.get('show-average')!.x).toBe(pos.get('high-flow')!.x); // both at depth 2
    const spots = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
    expect(spots.size).toBe(flow.nodes.length); // no two nodes stacked
  });

  it('lays out cycles and self-loops without hanging', () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'loop',
      nodes: ['a', 'b', 'c'].map((id) => ({ id, type: 'scale', typeVersion: 1 })),
      edges: [
        { source: 'a', target: 'b' },
        { source: 'b', target: 'c' },
        { source: 'c', target: 'b' },
        { source: 'c', target: 'c' },
      ],
    };
    const pos = new Map(flowToCanvas(flow).nodes.map((n) => [n.id, n.position]));
    expect(pos.get('a')!.x).toBeLessThan(pos.get('b')!.x);
    expect(pos.get('b')!.x).toBeLessThan(pos.get('c')!.x);
  });

  it('keeps edge ids stable, spells ports on the canvas and leaves defaults out of the file', () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'ids',
      nodes: [
        { id: 'th', type: 'threshold', typeVersion: 1, ui: { x: 0, y: 0 } },
        { id: 'd', type: 'debug', typeVersion: 1, ui: { x: 1, y: 1 } },
      ],
      edges: [
        { id: 'alarm-wire', source: 'th', sourcePort: 'samples', target: 'd' },
        { source: 'th', target: 'd' },
      ],
    };
    const canvas = flowToCanvas(flow);
    expect(canvas.edges).toStrictEqual([
      { id: 'alarm-wire', source: 'th', sourcePort: 'samples', target: 'd', targetPort: 'in' },
      { id: 'th:out->d:in', source: 'th', sourcePort: 'out', target: 'd', targetPort: 'in' },
    ]);
    expect(canvasToFlow(canvas).edges).toStrictEqual(flow.edges);
    expect(flowToCanvas(canvasToFlow(canvas)).edges.map((e) => e.id)).toStrictEqual(['alarm-wire', 'th:out->d:in']);
  });

  it('keeps disabled, queue, extra ui keys and the flow ui', () => {
    const flow: Flow = {
      schemaVersion: 1,
      id: 'extras',
      nodes: [
        {
          id: 'a',
          type: 'scale',
          typeVersion: 2,
          disabled: true,
          queue: { size: 5, overflow: 'drop-oldest' },
          ui: { x: 3, y: 4, colour: 'red' },
        },
      ],
      edges: [],
      ui: { viewport: { zoom: 2 } },
    };
    const canvas = flowToCanvas(flow);
    expect(canvas.nodes[0]).toMatchObject({
      disabled: true,
      typeVersion: 2,
      position: { x: 3, y: 4 },
      ui: { colour: 'red' },
      config: {},
    });
    expect(canvasToFlow(canvas)).toStrictEqual(flow);
  });

  it('does not share objects with the flow it was built from', () => {
    const flow = pumpMonitor();
    const canvas = flowToCanvas(flow);
    (canvas.nodes[1].config.window as { count: number }).count = 99;
    expect(flow.nodes[1].config).toStrictEqual({ window: { count: 10 } });
  });
});
