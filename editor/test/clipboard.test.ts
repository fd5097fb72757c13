import { CLIPBOARD_MARKER, FlowDocument } from '../src/state';
import { pumpMonitor } from './load-fixtures';

describe('copy / paste', () => {
  const source = FlowDocument.fromFlow(pumpMonitor());

  it('copies the nodes, the edges between them and the resources they use', () => {
    const clip = JSON.parse(source.copy(['avg', 'record-average', 'show-alarm']));
    expect(clip[CLIPBOARD_MARKER]).toBe(1);
    expect(clip.nodes.map((n: { id: string }) => n.id)).toStrictEqual(['avg', 'show-alarm', 'record-average']); // flow order
    expect(clip.edges).toStrictEqual([{ source: 'avg', target: 'record-average' }]); // not flow-sensor->avg nor high-flow->show-alarm
    expect(clip.resources).toStrictEqual(pumpMonitor().resources);
  });

  it('pastes with new ids, remapped edges and shifted positions, into the same flow', () => {
    const pasted = source.paste(source.copy(['avg', 'high-flow', 'show-alarm']), { x: 40, y: 60 });
    if (!pasted.ok) throw new Error(pasted.reason);
    expect(pasted.createdIds).toStrictEqual(['moving-average-1', 'threshold-1', 'debug-1']);
    const byId = new Map(pasted.nodes.map((n) => [n.id, n]));
    expect(byId.get('moving-average-1')).toMatchObject({
      type: 'moving-average',
      label: 'Average of last 10',
      config: { window: { count: 10 } },
      position: { x: 340, y: 180 },
      selected: true,
    });
    expect(byId.get('avg')!.selected).toBeUndefined();
    const newEdges = pasted.edges.slice(source.edges.length).map((e) => e.id);
    expect(newEdges).toStrictEqual(['moving-average-1:out->threshold-1:in', 'threshold-1:out->debug-1:in']);
    expect(pasted.resources).toHaveLength(1); // pump-history already there
    expect(pasted.undo().toFlow()).toStrictEqual(source.toFlow());
  });

  it('adds the resources a paste needs into another flow, and pastes twice without id clashes', () => {
    const clip = source.copy(['record-alarm']);
    const once = FlowDocument.empty('other').paste(clip);
    if (!once.ok) throw new Error(once.reason);
    const twice = once.paste(clip);
    if (!twice.ok) throw new Error(twice.reason);
    expect(twice.nodes.map((n) => n.id)).toStrictEqual(['historian-out-1', 'historian-out-2']);
    expect(twice.resources.map((r) => r.id)).toStrictEqual(['pump-history']);
    expect(twice.node('historian-out-2')!.config.historian).toBe('pump-history');
  });

  it.each([
    ['plain text', 'hello', 'it is not JSON'],
    [
      'JSON without the marker',
      '{"nodes":[{"id":"a","type":"x","typeVersion":1}]}',
      'it has no "tagflow-clipboard": 1 marker',
    ],
    ['a marker without nodes', '{"tagflow-clipboard":1,"nodes":[]}', 'it holds no nodes'],
    [
      'a node without a type',
      '{"tagflow-clipboard":1,"nodes":[{"id":"a","typeVersion":1}]}',
      'node #1 lacks an id, a type or a typeVersion',
    ],
  ])('refuses %s', (_name, text, why) => {
    expect(source.paste(text)).toStrictEqual({
      ok: false,
      reason: `the clipboard does not hold tagflow nodes: ${why}`,
    });
  });
});
