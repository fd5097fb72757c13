import type { Flow } from '@tagflow/flow-model';
import type { FlowSummary } from '../src/api/flows-types';
import { FIRST_FLOW_NAME, flowToDeploy, FlowTabs, isDirty, slugify, tabName, tabState } from '../src/state';
import type { TabsResult } from '../src/state';
import { pumpMonitor } from './load-fixtures';

function ok(result: TabsResult): FlowTabs {
  if (!result.ok) throw new Error(`refused: ${result.reason}`);
  return result;
}

function summary(id: string, version: number, extra: Partial<FlowSummary> = {}): FlowSummary {
  return { id, name: id.toUpperCase(), state: 'running', version, hash: `h${version}`, ...extra };
}

const pump = pumpMonitor();
const alarms: Flow = { schemaVersion: 1, id: 'alarms', name: 'Alarms', nodes: [], edges: [] };

/** Tabs for a runtime with the pump monitor (v3) and alarms (v1), both loaded. */
function twoLoaded(): FlowTabs {
  return FlowTabs.fromSummaries([summary(pump.id, 3, { name: pump.name }), summary('alarms', 1, { name: 'Alarms' })])
    .loaded(pump.id, pump, 3)
    .loaded('alarms', alarms, 1);
}

describe('FlowTabs from the runtime', () => {
  it('opens one tab per flow, the first active, none loaded yet', () => {
    const tabs = FlowTabs.fromSummaries([summary('a', 2), summary('b', 5, { state: 'disabled' })]);
    expect(tabs.ids()).toEqual(['a', 'b']);
    expect(tabs.activeId).toBe('a');
    expect(tabs.needsLoad('a')).toBe(true);
    expect(tabs.tab('b')?.baseVersion).toBe(5);
    expect(tabState(tabs.tab('b')!)).toBe('disabled');
    expect(tabName(tabs.tab('b')!)).toBe('B');
  });

  it('gives a runtime without flows one new, empty flow', () => {
    const tabs = FlowTabs.fromSummaries([]);
    expect(tabs.ids()).toEqual(['my-flow']);
    expect(tabName(tabs.active)).toBe(FIRST_FLOW_NAME);
    expect(tabState(tabs.active)).toBe('new');
    expect(tabs.active.baseVersion).toBe(0);
    expect(tabs.needsLoad('my-flow')).toBe(false);
  });

  it('loads a tab once: a late answer never replaces the draft', () => {
    const tabs = FlowTabs.fromSummaries([summary(pump.id, 3)]).loaded(pump.id, pump, 3);
    const draft = tabs.active.draft!.updateMeta({ name: 'edited' });
    const edited = tabs.edited(pump.id, draft);
    expect(edited.loaded(pump.id, { ...pump, name: 'late' }, 4).active.draft).toBe(draft);
    expect(isDirty(edited.active)).toBe(true);
    expect(isDirty(tabs.active)).toBe(false);
  });

  it('starts a listed flow without a version as a new, empty flow', () => {
    const tabs = FlowTabs.fromSummaries([summary('empty', 0)]).loaded('empty', null, 0);
    expect(tabs.active.draft?.nodes).toHaveLength(0);
    expect(tabs.active.baseVersion).toBe(0);
    expect(tabName(tabs.active)).toBe('EMPTY');
  });
});

describe('switching tabs', () => {
  it('keeps every unsaved edit, whichever tab is shown', () => {
    let tabs = twoLoaded();
    const editedPump = tabs.active.draft!.removeElements(['avg']);
    tabs = tabs.edited(pump.id, editedPump).select('alarms');
    expect(tabs.activeId).toBe('alarms');
    const editedAlarms = tabs.active.draft!.addNode('debug', 1, { x: 0, y: 0 });
    tabs = tabs.edited('alarms', editedAlarms).select(pump.id);
    expect(tabs.active.draft).toBe(editedPump);
    expect(tabs.tab('alarms')?.draft).toBe(editedAlarms);
    expect(isDirty(tabs.active)).toBe(true);
    expect(isDirty(tabs.tab('alarms')!)).toBe(true);
    // Undo is kept too: it lives in the draft.
    expect(isDirty({ ...tabs.active, draft: tabs.active.draft!.undo() })).toBe(false);
  });

  it('ignores an unknown tab', () => {
    const tabs = twoLoaded();
    expect(tabs.select('nope')).toBe(tabs);
  });
});

describe('create, rename, duplicate', () => {
  it('creates a flow whose id is a unique slug of the typed name, not deployed yet', () => {
    let tabs = ok(twoLoaded().create('  Line 2 – Füllstand '));
    expect(tabs.activeId).toBe('line-2-fullstand');
    expect(tabName(tabs.active)).toBe('Line 2 – Füllstand');
    expect(tabState(tabs.active)).toBe('new');
    expect(tabs.active.baseVersion).toBe(0);
    expect(flowToDeploy(tabs.active)).toMatchObject({ id: 'line-2-fullstand', name: 'Line 2 – Füllstand', nodes: [] });
    tabs = ok(tabs.create('Line 2 Füllstand'));
    expect(tabs.activeId).toBe('line-2-fullstand-2');
    expect(ok(tabs.create('Alarms')).activeId).toBe('alarms-2');
  });

  it('refuses a new flow without a name', () => {
    const result = twoLoaded().create('   ');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/name/);
  });

  it('renames a flow: the name follows, the id stays, and it is an unsaved (undoable) edit', () => {
    const tabs = ok(twoLoaded().rename(pump.id, 'Pump station North'));
    expect(tabs.activeId).toBe(pump.id);
    expect(tabName(tabs.active)).toBe('Pump station North');
    expect(flowToDeploy(tabs.active)).toMatchObject({ id: pump.id, name: 'Pump station North' });
    expect(isDirty(tabs.active)).toBe(true);
    expect(tabName({ ...tabs.active, draft: tabs.active.draft!.undo() })).toBe(pump.name);
  });

  it('refuses to rename to nothing, or a flow not loaded', () => {
    expect(twoLoaded().rename(pump.id, ' ').ok).toBe(false);
    expect(FlowTabs.fromSummaries([summary('a', 1)]).rename('a', 'x').ok).toBe(false);
  });

  it('duplicates the flow as edited, with a new id and "<name> copy", after it, not deployed', () => {
    const start = twoLoaded();
    const edited = start.edited(pump.id, start.active.draft!.removeElements(['avg']));
    const tabs = ok(edited.duplicate(pump.id));
    const copyId = slugify(`${pump.name} copy`);
    expect(tabs.ids()).toEqual([pump.id, copyId, 'alarms']);
    expect(tabs.activeId).toBe(copyId);
    expect(tabName(tabs.active)).toBe(`${pump.name} copy`);
    expect(tabState(tabs.active)).toBe('new');
    const copy = flowToDeploy(tabs.active)!;
    expect(copy.id).toBe(copyId);
    expect(copy.nodes.map((n) => n.id)).toEqual(edited.tab(pump.id)!.draft!.nodes.map((n) => n.id));
    // The original is untouched, its edit still unsaved.
    expect(flowToDeploy(tabs.tab(pump.id)!)!.id).toBe(pump.id);
    expect(isDirty(tabs.tab(pump.id)!)).toBe(true);
    // A second copy gets its own id.
    expect(ok(tabs.duplicate(pump.id)).activeId).toBe(`${copyId}-2`);
  });
});

describe('deploy, disable, delete', () => {
  it('a deploy makes the deployed flow the base: the tab is clean, its version the new one', () => {
    let tabs = ok(twoLoaded().create('Line 2'));
    const flow = flowToDeploy(tabs.active)!;
    tabs = tabs.deployed('line-2', 1, flow);
    expect(tabs.active.baseVersion).toBe(1);
    expect(tabState(tabs.active)).toBe('running');
    expect(isDirty(tabs.active)).toBe(false);
    // The other flows are not touched.
    expect(tabs.tab(pump.id)?.baseVersion).toBe(3);
  });

  it('keeps edits made while a deploy ran as unsaved', () => {
    const tabs = twoLoaded();
    const deployedFlow = flowToDeploy(tabs.active)!;
    const later = tabs.edited(pump.id, tabs.active.draft!.updateMeta({ description: 'typed meanwhile' }));
    const after = later.deployed(pump.id, 4, deployedFlow);
    expect(after.active.baseVersion).toBe(4);
    expect(isDirty(after.active)).toBe(true);
  });

  it('shows disable and enable', () => {
    const tabs = twoLoaded().withState('alarms', 'disabled');
    expect(tabState(tabs.tab('alarms')!)).toBe('disabled');
    expect(tabState(tabs.withState('alarms', 'running').tab('alarms')!)).toBe('running');
    // A flow the runtime does not hold has no state to change.
    const fresh = ok(tabs.create('x'));
    expect(fresh.withState('x', 'disabled')).toBe(fresh);
  });

  it('shows the next tab after a delete, and a new flow when the last one goes', () => {
    let tabs = twoLoaded().removed(pump.id);
    expect(tabs.ids()).toEqual(['alarms']);
    expect(tabs.activeId).toBe('alarms');
    tabs = ok(tabs.create('B')).removed('b');
    expect(tabs.activeId).toBe('alarms');
    tabs = tabs.removed('alarms');
    expect(tabs.ids()).toEqual(['my-flow']);
    expect(tabState(tabs.active)).toBe('new');
  });
});

describe('refresh from the runtime', () => {
  it('is a no-op when only counters moved', () => {
    const tabs = twoLoaded();
    const again = tabs.refresh([
      summary(pump.id, 3, { name: pump.name, counters: { in: 5, out: 5, errors: 0, dropped: 0 } }),
      summary('alarms', 1, { name: 'Alarms' }),
    ]);
    expect(again).toBe(tabs);
  });

  it('updates states, adds flows deployed elsewhere, keeps local new flows and the drafts', () => {
    const start = ok(twoLoaded().create('Line 2'));
    const draft = start.tab(pump.id)!.draft!.removeElements(['avg']);
    const tabs = start
      .edited(pump.id, draft)
      .refresh([
        summary(pump.id, 5, { name: pump.name }),
        summary('alarms', 1, { name: 'Alarms', state: 'failed' }),
        summary('reports', 2),
      ]);
    expect(tabs.ids()).toEqual([pump.id, 'alarms', 'line-2', 'reports']);
    expect(tabs.activeId).toBe('line-2');
    expect(tabState(tabs.tab('alarms')!)).toBe('failed');
    // Someone deployed v5 of the pump monitor: the draft and its base version stay (a deploy then meets a conflict).
    expect(tabs.tab(pump.id)?.draft).toBe(draft);
    expect(tabs.tab(pump.id)?.baseVersion).toBe(3);
    expect(tabs.tab(pump.id)?.remote?.version).toBe(5);
    expect(tabs.needsLoad('reports')).toBe(true);
    expect(tabs.tab('reports')?.baseVersion).toBe(2);
  });

  it('drops a flow removed elsewhere, unless it has unsaved edits (then it stays as a new flow)', () => {
    const start = twoLoaded();
    const dirty = start.edited('alarms', start.tab('alarms')!.draft!.updateMeta({ name: 'Alarms (edited)' }));
    const clean = start.refresh([summary(pump.id, 3, { name: pump.name })]);
    expect(clean.ids()).toEqual([pump.id]);
    const kept = dirty.select('alarms').refresh([summary(pump.id, 3, { name: pump.name })]);
    expect(kept.ids()).toEqual([pump.id, 'alarms']);
    expect(kept.activeId).toBe('alarms');
    expect(tabState(kept.tab('alarms')!)).toBe('new');
    expect(kept.tab('alarms')?.baseVersion).toBe(0);
    expect(tabName(kept.tab('alarms')!)).toBe('Alarms (edited)');
  });

  it('ignores a list asked for before a deploy, delete, disable or enable made here', () => {
    let tabs = ok(twoLoaded().create('Line 2'));
    const asked = tabs.changes;
    const stale = [summary(pump.id, 3, { name: pump.name }), summary('alarms', 1, { name: 'Alarms' })];
    tabs = tabs.deployed('line-2', 1, flowToDeploy(tabs.active)!);
    // The stale list does not hold line-2 yet: taken in, it would drop the tab just deployed.
    expect(tabs.refresh(stale, asked)).toBe(tabs);
    expect(tabs.refresh(stale).ids()).toEqual([pump.id, 'alarms']);

    const before = tabs.changes;
    const removed = tabs.removed('alarms');
    expect(removed.refresh(stale, before)).toBe(removed);
    const disabled = tabs.withState('alarms', 'disabled');
    expect(tabState(disabled.refresh(stale, before).tab('alarms')!)).toBe('disabled');
    // Local edits, creations and switches do not make a list stale.
    const edited = tabs.select('alarms').edited(pump.id, tabs.tab(pump.id)!.draft!.updateMeta({ name: 'x' }));
    expect(edited.changes).toBe(tabs.changes);
  });

  it('moves to a neighbour when the shown flow was removed elsewhere', () => {
    const tabs = twoLoaded().refresh([summary('alarms', 1, { name: 'Alarms' })]);
    expect(tabs.activeId).toBe('alarms');
  });
});
