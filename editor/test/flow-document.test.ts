import type { Flow } from '@tagflow/flow-model';
import { FlowDocument, HISTORY_LIMIT } from '../src/state';
import type { EditResult } from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

const catalog = coreCatalog();

function done(result: EditResult): FlowDocument {
  if (!result.ok) throw new Error(`edit refused: ${result.reason}`);
  return result;
}

describe('FlowDocument edits', () => {
  const start = FlowDocument.fromFlow(pumpMonitor());
  const edits: Array<[string, (d: FlowDocument) => FlowDocument, (before: Flow, after: Flow) => void]> = [
    [
      'addNode',
      (d) => d.addNode('scale', 1, { x: 10, y: 20 }, { factor: 2 }),
      (b, a) => expect(a.nodes).toHaveLength(b.nodes.length + 1),
    ],
    [
      'removeElements (node with its edges)',
      (d) => d.removeElements(['avg']),
      (b, a) => expect(a.edges.length).toBe(b.edges.length - 4),
    ],
    [
      'removeElements (edge)',
      (d) => d.removeElements([], ['avg:out->high-flow:in']),
      (b, a) => expect(a.edges.length).toBe(b.edges.length - 1),
    ],
    [
      'moveNodes',
      (d) => d.moveNodes({ avg: { x: 1, y: 2 } }),
      (_b, a) => expect(a.nodes[1].ui).toStrictEqual({ x: 1, y: 2 }),
    ],
    [
      'connect',
      (d) =>
        done(
          d.connect({ source: 'high-flow', sourcePort: 'samples', target: 'show-average', targetPort: 'in' }, catalog),
        ),
      (b, a) => expect(a.edges.length).toBe(b.edges.length + 1),
    ],
    [
      'updateConfig',
      (d) => done(d.updateConfig('avg', { window: { seconds: 5 } })),
      (_b, a) => expect(a.nodes[1].config).toStrictEqual({ window: { seconds: 5 } }),
    ],
    ['rename', (d) => done(d.rename('avg', 'Smoothed')), (_b, a) => expect(a.nodes[1].name).toBe('Smoothed')],
    ['rename to nothing', (d) => done(d.rename('avg', '')), (_b, a) => expect('name' in a.nodes[1]).toBe(false)],
    ['setDisabled', (d) => done(d.setDisabled('avg', true)), (_b, a) => expect(a.nodes[1].disabled).toBe(true)],
    ['updateMeta', (d) => d.updateMeta({ name: 'Pump 4' }), (_b, a) => expect(a.name).toBe('Pump 4')],
    ['setResources', (d) => d.setResources([]), (_b, a) => expect(a.resources).toBeUndefined()],
    [
      'upsertResource (replace)',
      (d) =>
        d.upsertResource({ id: 'pump-history', type: 'historian', config: { backend: 'local', retentionDays: 7 } }),
      (_b, a) => expect(a.resources?.[0].config?.retentionDays).toBe(7),
    ],
    [
      'upsertResource (add)',
      (d) => d.upsertResource({ id: 'h2', type: 'historian' }),
      (_b, a) => expect(a.resources).toHaveLength(2),
    ],
    ['removeResource', (d) => d.removeResource('pump-history'), (_b, a) => expect(a.resources).toBeUndefined()],
    [
      'paste',
      (d) => done(d.paste(d.copy(['avg', 'high-flow']))),
      (b, a) => expect(a.nodes).toHaveLength(b.nodes.length + 2),
    ],
  ];

  it.each(edits)('%s is one undo step, undo restores the flow exactly, redo re-applies it', (_name, edit, check) => {
    const before = start.toFlow();
    const edited = edit(start);
    const after = edited.toFlow();
    check(before, after);
    expect(after).not.toStrictEqual(before);
    expect(start.toFlow()).toStrictEqual(before); // the old document is untouched
    expect(edited.canUndo).toBe(true);
    const undone = edited.undo();
    expect(undone.toFlow()).toStrictEqual(before);
    expect(undone.canUndo).toBe(false);
    expect(undone.canRedo).toBe(true);
    const redone = undone.redo();
    expect(redone.toFlow()).toStrictEqual(after);
    expect(redone.canRedo).toBe(false);
  });

  it('returns the same document for an edit that changes nothing (no empty undo step)', () => {
    expect(start.removeElements(['nope'])).toBe(start);
    expect(start.moveNodes({ avg: { x: 300, y: 120 } })).toBe(start);
    expect(start.updateConfig('avg', { window: { count: 10 } })).toBe(start);
    expect(start.rename('avg', 'Average of last 10')).toBe(start);
  });

  it('refuses edits of a node that does not exist', () => {
    expect(start.updateConfig('ghost', {})).toStrictEqual({
      ok: false,
      reason: 'there is no node "ghost" in this flow',
    });
    expect(start.rename('ghost', 'x')).toMatchObject({ ok: false });
  });

  it('names new nodes <type>-<n>, never reusing a deleted one', () => {
    let doc = FlowDocument.empty('f');
    doc = doc.addNode('moving-average', 1, { x: 0, y: 0 });
    doc = doc.addNode('moving-average', 1, { x: 0, y: 0 });
    expect(doc.nodes.map((n) => n.id)).toStrictEqual(['moving-average-1', 'moving-average-2']);
    expect(doc.createdIds).toStrictEqual(['moving-average-2']);
    doc = doc.removeElements(['moving-average-2']).addNode('moving-average', 1, { x: 0, y: 0 });
    expect(doc.nodes.map((n) => n.id)).toStrictEqual(['moving-average-1', 'moving-average-3']);
  });

  it('a new edit after undo drops the redo branch', () => {
    const a = start.rename('avg', 'A') as FlowDocument;
    const b = a.undo().rename('avg', 'B') as FlowDocument;
    expect(b.canRedo).toBe(false);
    expect(b.redo()).toBe(b);
  });

  it(`keeps at most ${HISTORY_LIMIT} undo steps`, () => {
    let doc = FlowDocument.empty('f').addNode('scale', 1, { x: 0, y: 0 });
    for (let i = 1; i <= HISTORY_LIMIT + 50; i += 1) doc = doc.moveNodes({ 'scale-1': { x: i, y: 0 } });
    let steps = 0;
    while (doc.canUndo) {
      doc = doc.undo();
      steps += 1;
    }
    expect(steps).toBe(HISTORY_LIMIT);
    expect(doc.nodes[0].position.x).toBe(50); // the oldest kept state
  });

  it('a drag (transient moves, then a final move) is a single undo step back to where it started', () => {
    let doc = start;
    for (let x = 301; x <= 310; x += 1) doc = doc.moveNodes({ avg: { x, y: 120 } }, { transient: true });
    expect(doc.node('avg')!.position.x).toBe(310);
    doc = doc.moveNodes({ avg: { x: 311, y: 121 } });
    expect(doc.undo().toFlow()).toStrictEqual(start.toFlow());
    expect(doc.undo().redo().node('avg')!.position).toStrictEqual({ x: 311, y: 121 });
  });

  it('selection is not an undo step and is not saved', () => {
    const selected = start.select(['avg'], ['avg:out->high-flow:in']);
    expect(selected.node('avg')!.selected).toBe(true);
    expect(selected.edges.find((e) => e.id === 'avg:out->high-flow:in')!.selected).toBe(true);
    expect(selected.canUndo).toBe(false);
    expect(selected.toFlow()).toStrictEqual(start.toFlow());
  });
});
