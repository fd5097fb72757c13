import type { Flow } from '@tagflow/flow-model';
import {
  deployButtonName,
  deployButtonText,
  FlowTabs,
  hasUndeployedWork,
  isDirty,
  LocalDrafts,
  MAX_DRAFT_CHARS,
  MAX_DRAFTS,
  restoreQuestion,
  staleNote,
  undeployedChanges,
} from '../src/state';
import type { DraftStorage } from '../src/state';
import { coreCatalog, pumpMonitor } from './load-fixtures';

/**
 * Web Storage as the browser's localStorage behaves (insertion-ordered keys, a quota that throws):
 * Node has no localStorage; the real one is exercised by e2e/drafts.e2e.test.ts.
 */
class MemoryStorage implements DraftStorage {
  readonly items = new Map<string, string>();
  constructor(private readonly quota = Infinity) {}
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    const used = [...this.items].reduce((n, [k, v]) => n + (k === key ? 0 : k.length + v.length), 0);
    if (used + key.length + value.length > this.quota) throw new Error('QuotaExceededError');
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

const pump = pumpMonitor();
const flow = (id: string, name = id): Flow => ({ schemaVersion: 1, id, name, nodes: [], edges: [] });

describe('LocalDrafts', () => {
  it('keeps one draft per runtime and flow, with its base version and time', () => {
    const storage = new MemoryStorage();
    const edge1 = new LocalDrafts(storage, 'http://edge-1:1990');
    const edge2 = new LocalDrafts(storage, 'http://edge-2:1990');
    expect(edge1.save(pump.id, pump, 3, 1000)).toBe('saved');
    expect(edge1.save(pump.id, { ...pump, name: 'Pump 3 (edited)' }, 3, 2000)).toBe('saved');
    edge2.save(pump.id, flow(pump.id, 'Other runtime'), 7, 1500);
    expect(edge1.list()).toHaveLength(1);
    expect(edge1.get(pump.id)).toMatchObject({
      flowId: pump.id,
      name: 'Pump 3 (edited)',
      baseVersion: 3,
      savedAt: 2000,
    });
    expect(edge2.get(pump.id)?.baseVersion).toBe(7);
    edge1.remove(pump.id);
    expect(edge1.get(pump.id)).toBeUndefined();
    expect(edge2.get(pump.id)?.name).toBe('Other runtime');
  });

  it('lists newest first and keeps at most MAX_DRAFTS, dropping the oldest', () => {
    const drafts = new LocalDrafts(new MemoryStorage(), 'r');
    for (let i = 0; i < MAX_DRAFTS + 3; i += 1) drafts.save(`f${i}`, flow(`f${i}`), 1, 100 + i);
    const list = drafts.list();
    expect(list).toHaveLength(MAX_DRAFTS);
    expect(list[0].flowId).toBe(`f${MAX_DRAFTS + 2}`);
    expect(list.map((d) => d.flowId)).not.toContain('f0');
  });

  it('refuses a draft too large to keep, and drops that flow’s stale one', () => {
    const drafts = new LocalDrafts(new MemoryStorage(), 'r');
    drafts.save('big', flow('big'), 1, 1);
    const huge = { ...flow('big'), description: 'x'.repeat(MAX_DRAFT_CHARS) };
    expect(drafts.save('big', huge, 1, 2)).toBe('too-large');
    expect(drafts.get('big')).toBeUndefined();
  });

  it('makes room in a full storage by dropping the oldest drafts, and says when none is left', () => {
    const storage = new MemoryStorage(1500);
    const drafts = new LocalDrafts(storage, 'r');
    const padded = (id: string) => ({ ...flow(id), description: 'y'.repeat(400) });
    drafts.save('a', padded('a'), 1, 1);
    drafts.save('b', padded('b'), 1, 2);
    expect(drafts.save('c', padded('c'), 1, 3)).toBe('saved');
    expect(drafts.list().map((d) => d.flowId)).toEqual(['c', 'b']);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(drafts.save('d', { ...flow('d'), description: 'z'.repeat(1600) }, 1, 4)).toBe('no-room');
    expect(warn).toHaveBeenCalled();
    warn.mockRestore();
  });

  it('removes an unreadable entry instead of offering it', () => {
    const storage = new MemoryStorage();
    const drafts = new LocalDrafts(storage, 'r');
    drafts.save('ok', flow('ok'), 1, 1);
    storage.setItem('tagflow.draft.v1 r broken', '{"flowId": "broken", "na');
    storage.setItem('tagflow.draft.v1 r other', JSON.stringify({ flowId: 'other', name: 'x' }));
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    expect(drafts.list().map((d) => d.flowId)).toEqual(['ok']);
    warn.mockRestore();
    expect(storage.getItem('tagflow.draft.v1 r broken')).toBeNull();
    expect(storage.getItem('tagflow.draft.v1 r other')).toBeNull();
  });

  it('words the offer, and a note when the runtime moved on', () => {
    const draft = { flowId: 'line-1', name: 'Line 1', baseVersion: 5, savedAt: 0, flow: flow('line-1') };
    expect(restoreQuestion(draft, 5 * 60_000)).toBe('Restore your undeployed changes to Line 1 (saved 5 min ago)?');
    expect(restoreQuestion(draft, 10_000)).toContain('(saved just now)');
    expect(staleNote(draft, 5)).toBeUndefined();
    expect(staleNote(draft, 8)).toBe(
      'Your changes were made on version 5; the runtime now runs version 8. Deploying them will ask which one to keep.',
    );
    expect(staleNote(draft, undefined)).toContain('no longer holds this flow');
    expect(staleNote({ ...draft, baseVersion: 0 }, undefined)).toBeUndefined();
    expect(staleNote({ ...draft, baseVersion: 0 }, 2)).toContain('its own version 2');
  });
});

describe('restoring a draft into the tabs', () => {
  const summary = { id: pump.id, name: pump.name, state: 'running' as const, version: 8, hash: 'h8' };

  it('makes the loaded tab dirty as it was, with the draft’s base version for If-Match', () => {
    const tabs = FlowTabs.fromSummaries([summary]).loaded(pump.id, pump, 8);
    const edited = { ...pump, name: 'Pump 3 renamed' };
    const result = tabs.restore(pump.id, edited, 5);
    if (!result.ok) throw new Error(result.reason);
    expect(result.active.draft?.meta.name).toBe('Pump 3 renamed');
    expect(result.active.baseVersion).toBe(5);
    expect(isDirty(result.active)).toBe(true);
    expect(hasUndeployedWork(result.active)).toBe(true);
  });

  it('waits for the flow to load, and brings back a flow no tab has as a new tab', () => {
    const tabs = FlowTabs.fromSummaries([summary]);
    expect(tabs.restore(pump.id, pump, 8).ok).toBe(false);
    const result = tabs.restore('line-2', flow('line-2', 'Line 2'), 0);
    if (!result.ok) throw new Error(result.reason);
    expect(result.activeId).toBe('line-2');
    expect(result.active.remote).toBeUndefined();
    expect(result.active.baseVersion).toBe(0);
  });

  it('keeps no draft of an empty new flow (nothing to lose but its name)', () => {
    const tabs = FlowTabs.fromSummaries([]);
    expect(isDirty(tabs.active)).toBe(true);
    expect(hasUndeployedWork(tabs.active)).toBe(false);
  });
});

describe('undeployed changes', () => {
  const catalog = coreCatalog();

  it('counts nothing for the deployed flow itself', () => {
    expect(undeployedChanges(pump, structuredClone(pump), catalog)).toEqual({ count: 0, nodes: new Map() });
  });

  it('marks added and changed nodes, and counts removals, wires, moves and the name', () => {
    const edited = structuredClone(pump);
    const [first, second, , last] = edited.nodes;
    first.name = 'Renamed source';
    second.ui = { x: (second.ui?.x ?? 0) + 50, y: second.ui?.y ?? 0 };
    edited.nodes = edited.nodes.filter((n) => n !== last);
    edited.edges = edited.edges.filter((e) => e.source !== last.id && e.target !== last.id);
    edited.nodes.push({ id: 'extra', type: 'debug', typeVersion: 1, config: {} });
    edited.name = 'Pump 3 (new name)';
    const removedEdges = pump.edges.length - edited.edges.length;
    const changes = undeployedChanges(pump, edited, catalog);
    expect([...changes.nodes]).toEqual([
      ['extra', 'added'],
      [first.id, 'changed'],
    ]);
    // added + changed + moved + removed + wires removed + the name
    expect(changes.count).toBe(1 + 1 + 1 + 1 + removedEdges + 1);
  });

  it('counts everything of a flow the runtime does not hold as added', () => {
    const changes = undeployedChanges(undefined, pump, catalog);
    expect(changes.nodes.size).toBe(pump.nodes.length);
    expect(changes.count).toBe(pump.nodes.length + pump.edges.length + (pump.resources?.length ?? 0));
  });

  it('words the Deploy button', () => {
    expect(deployButtonText(0)).toBe('Deploy');
    expect(deployButtonText(1)).toBe('Deploy (1 change)');
    expect(deployButtonText(3)).toBe('Deploy (3 changes)');
    expect(deployButtonName(0)).toBe('Deploy: no undeployed changes');
    expect(deployButtonName(3)).toBe('Deploy: 3 undeployed changes');
  });
});
