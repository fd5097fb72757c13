import { validateFlow } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import {
  addGroup,
  FlowDocument,
  GROUP_PADDING,
  groupBounds,
  groupMove,
  makeSubflow,
  MAX_FIT_ZOOM,
  pruneGroups,
  readableZoom,
  uniqueGroupId,
} from '../src/state';
import type { EditResult } from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

const catalog = coreCatalog();

function done(result: EditResult): FlowDocument {
  if (!result.ok) throw new Error(`edit refused: ${result.reason}`);
  return result;
}

describe('groups in the document', () => {
  const start = FlowDocument.fromFlow(pumpMonitor());

  it('groups nodes under a name and colour, saved in the flow file as valid groups, one undo step', () => {
    const grouped = done(start.group(['flow-sensor', 'avg'], 'Pump 3'));
    expect(grouped.createdIds).toEqual(['pump-3']);
    const flow = grouped.toFlow();
    expect(flow.groups).toEqual([{ id: 'pump-3', name: 'Pump 3', nodes: ['flow-sensor', 'avg'], color: '#3b82f6' }]);
    const checked = validateFlow(flow, catalog);
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    // Round trip through the file: the same groups come back.
    expect(FlowDocument.fromFlow(JSON.parse(JSON.stringify(flow)) as Flow).toFlow().groups).toEqual(flow.groups);
    expect(grouped.undo().toFlow().groups).toBeUndefined();
    expect(grouped.undo().redo().toFlow().groups).toEqual(flow.groups);
  });

  it('ungroups (nodes stay), renames and recolours, each undoable', () => {
    const grouped = done(start.group(['flow-sensor', 'avg'], 'Pump 3'));
    const renamed = done(grouped.updateGroup('pump-3', { name: 'Pump three', color: '#10b981' }));
    expect(renamed.toFlow().groups?.[0]).toMatchObject({ name: 'Pump three', color: '#10b981' });
    const ungrouped = renamed.ungroup(['pump-3']);
    expect(ungrouped.toFlow().groups).toBeUndefined();
    expect(ungrouped.nodes.map((n) => n.position)).toEqual(start.nodes.map((n) => n.position));
    expect(ungrouped.undo().toFlow().groups?.[0].name).toBe('Pump three');
    expect(grouped.ungroup(['nope'])).toBe(grouped);
    expect(grouped.updateGroup('nope', { name: 'x' })).toStrictEqual({
      ok: false,
      reason: 'there is no group "nope" in this flow',
    });
  });

  it('refuses to group nothing or unknown nodes, in plain words', () => {
    expect(start.group([], 'Empty')).toStrictEqual({ ok: false, reason: 'select the nodes to group first' });
    expect(start.group(['ghost'], 'G')).toStrictEqual({ ok: false, reason: 'there is no node "ghost" in this flow' });
  });

  it('takes a deleted node out of its group, and drops a group left empty', () => {
    const grouped = done(start.group(['flow-sensor', 'avg'], 'Pump 3'));
    expect(grouped.removeElements(['avg']).toFlow().groups?.[0].nodes).toEqual(['flow-sensor']);
    expect(grouped.removeElements(['avg', 'flow-sensor']).toFlow().groups).toBeUndefined();
  });

  it('moves a node from its old group into a new one (a node is in one group only)', () => {
    const one = done(start.group(['flow-sensor', 'avg'], 'A'));
    const two = done(one.group(['avg', 'high-flow'], 'B'));
    expect(two.toFlow().groups?.map((g) => [g.id, g.nodes])).toEqual([
      ['a', ['flow-sensor']],
      ['b', ['avg', 'high-flow']],
    ]);
  });

  it('keeps groups valid when their nodes move into a subflow', () => {
    const grouped = done(start.group(['flow-sensor', 'avg'], 'Pump 3')).toFlow();
    const made = makeSubflow(grouped, ['avg']);
    if (!made.ok) throw new Error(made.reason);
    expect(made.flow.groups).toEqual([expect.objectContaining({ nodes: ['flow-sensor'] })]);
  });
});

describe('group geometry', () => {
  const positions: Record<string, { x: number; y: number }> = { a: { x: 100, y: 50 }, b: { x: 300, y: 150 } };
  const group = { id: 'g', nodes: ['a', 'b', 'gone'] };

  it('draws the box around its nodes with room for the name', () => {
    expect(
      groupBounds(
        group,
        (id) => positions[id],
        () => ({ width: 180, height: 60 }),
      ),
    ).toEqual({
      x: 100 - GROUP_PADDING.side,
      y: 50 - GROUP_PADDING.top,
      width: 380 + 2 * GROUP_PADDING.side,
      height: 160 + GROUP_PADDING.top + GROUP_PADDING.bottom,
    });
    expect(
      groupBounds(
        { id: 'x', nodes: ['none'] },
        () => undefined,
        () => ({ width: 1, height: 1 }),
      ),
    ).toBeUndefined();
  });

  it('moves every node of the group by the distance its box was dragged', () => {
    expect(groupMove(group, (id) => positions[id], { x: 0, y: 0 }, { x: 25, y: -10 })).toEqual({
      a: { x: 125, y: 40 },
      b: { x: 325, y: 140 },
    });
  });

  it('makes ids from names, unique among the groups', () => {
    expect(uniqueGroupId('Pump 3 – Füllstand', new Set())).toBe('pump-3-fullstand');
    expect(uniqueGroupId('Pump', new Set(['pump']))).toBe('pump-1');
    expect(uniqueGroupId('!!!', new Set())).toBe('group-1');
    expect(addGroup(undefined, ['a'], 'x')).toMatchObject({ ok: true, id: 'x' });
    expect(pruneGroups([{ id: 'g', nodes: ['a', 'b'] }], new Set(['b']))).toEqual([{ id: 'g', nodes: ['b'] }]);
  });
});

describe('readable zoom', () => {
  it('shows a flow that fits at 1:1 at 1:1, and shrinks a bigger one just enough', () => {
    expect(MAX_FIT_ZOOM).toBe(1);
    // Fits at 1:1 only with the tight padding: still 1:1, not 0.85.
    expect(readableZoom(0.85, 1.02)).toBe(1);
    expect(readableZoom(3, 3.5)).toBe(1);
    // Does not fit at 1:1 even tightly: shrunk to the tight fit, so nothing is cut off.
    expect(readableZoom(0.8, 0.9)).toBe(0.9);
    expect(readableZoom(0.5)).toBe(0.5);
    expect(readableZoom(0.01)).toBe(0.2);
    expect(readableZoom(Number.NaN)).toBe(1);
  });
});
