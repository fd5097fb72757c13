import { deepEqual } from '@tagflow/flow-model';
import type { Flow } from '@tagflow/flow-model';
import type { FlowRunState, FlowSummary } from '../api/flows-types';
import { FlowDocument } from './flow-document';
import type { Refused } from './flow-document';
import { uniqueFlowId } from './flow-slug';

/** One flow open in the editor: the runtime's view of it and the document being edited. */
export interface FlowTab {
  /** The flow's id: fixed for the tab's life (a rename changes the name only). */
  readonly id: string;
  /** What the runtime last said about this flow; undefined for a flow not deployed yet (new or duplicated here). */
  readonly remote?: FlowSummary;
  /** The version the draft started from or was last deployed as (sent as If-Match); 0 for a new flow. */
  readonly baseVersion: number;
  /** That version's flow as the editor writes it, to tell unsaved edits; undefined for a new flow. */
  readonly base?: Flow;
  /** The document being edited; undefined until the tab is first opened and its flow loaded. */
  readonly draft?: FlowDocument;
}

/** What a tab shows beside its name: the runtime's state, or `new` for a flow the runtime does not hold yet. */
export type TabState = FlowRunState | 'new';

/** What a tab action that may be refused returns: the new tabs, or why not. Test with `.ok`. */
export type TabsResult = FlowTabs | Refused;

/** The tab opened on a runtime that holds no flow yet. */
export const FIRST_FLOW_NAME = 'My flow';

/**
 * The runtime's flows as editor tabs, each with its own draft, base version and state. Immutable,
 * like FlowDocument: each change returns new tabs and leaves these as they were. Switching tabs
 * keeps every draft; only a deploy, a delete, or a load of a tab never opened replace one.
 */
export class FlowTabs {
  /** Always true: tells tabs from a `Refused` in a `TabsResult`. */
  readonly ok = true as const;

  private constructor(
    readonly tabs: readonly FlowTab[],
    /** The tab shown; always one of `tabs`. */
    readonly activeId: string,
    /**
     * Changes made here that a list from the runtime asked for before them does not show yet
     * (deploy, delete, disable, enable), counted: see `refresh`'s `asOf`.
     */
    readonly changes = 0,
  ) {}

  /** Tabs for GET /api/flows, the first one active; a runtime without flows gets one new, empty flow. */
  static fromSummaries(flows: readonly FlowSummary[]): FlowTabs {
    const tabs: FlowTab[] = flows.map((remote) => ({ id: remote.id, remote, baseVersion: remote.version }));
    if (tabs.length === 0) tabs.push(newTab(FlowDocument.empty(uniqueFlowId(FIRST_FLOW_NAME, []), FIRST_FLOW_NAME)));
    return new FlowTabs(tabs, tabs[0].id);
  }

  get active(): FlowTab {
    return this.tab(this.activeId) ?? this.tabs[0];
  }

  tab(id: string): FlowTab | undefined {
    return this.tabs.find((t) => t.id === id);
  }

  /** Every id a tab holds, taken for a new flow. */
  ids(): string[] {
    return this.tabs.map((t) => t.id);
  }

  /** True when `id` was never opened (or reloaded) and its flow must be fetched before it is shown. */
  needsLoad(id: string): boolean {
    const tab = this.tab(id);
    return tab !== undefined && tab.draft === undefined;
  }

  /** Shows tab `id` (an unknown id changes nothing). */
  select(id: string): FlowTabs {
    if (id === this.activeId || !this.tab(id)) return this;
    return new FlowTabs(this.tabs, id, this.changes);
  }

  /**
   * The runtime's flow for tab `id` arrived (GET /api/flows/:id): it becomes the base and the draft.
   * A draft already there is kept (a late answer never replaces edits); `flow` null means the
   * runtime holds no version of it: the tab starts empty, as a new flow.
   */
  loaded(id: string, flow: Flow | null, version: number): FlowTabs {
    const tab = this.tab(id);
    if (!tab || tab.draft) return this;
    if (!flow) {
      const name = tab.remote?.name;
      return this.replace(id, { ...tab, baseVersion: 0, base: undefined, draft: FlowDocument.empty(id, name) });
    }
    const draft = FlowDocument.fromFlow(flow);
    return this.replace(id, { ...tab, baseVersion: version, base: draft.toFlow(), draft });
  }

  /** The user edited tab `id`'s document (any edit: nodes, name, import...). */
  edited(id: string, draft: FlowDocument): FlowTabs {
    const tab = this.tab(id);
    if (!tab || tab.draft === draft) return this;
    return this.replace(id, { ...tab, draft });
  }

  /** A new, empty flow named `name` with an id made from it (unique among the tabs), shown at once. */
  create(name: string): TabsResult {
    const trimmed = name.trim();
    if (!trimmed) return refused('type a name for the new flow');
    const id = uniqueFlowId(trimmed, this.ids());
    return new FlowTabs([...this.tabs, newTab(FlowDocument.empty(id, trimmed))], id, this.changes);
  }

  /**
   * New flows opened as tabs (a Node-RED export's tabs, converted), not on the runtime until each
   * is deployed. Each keeps its id when no tab has it, else gets one made from its name; the first
   * is shown. Refused when there is none.
   */
  addFlows(flows: readonly Flow[]): TabsResult {
    if (flows.length === 0) return refused('there is no flow to add');
    const taken = this.ids();
    const added: FlowTab[] = [];
    for (const flow of flows) {
      const id = taken.includes(flow.id) ? uniqueFlowId(flow.name ?? flow.id, taken) : flow.id;
      taken.push(id);
      added.push(newTab(FlowDocument.fromFlow({ ...structuredClone(flow), id })));
    }
    return new FlowTabs([...this.tabs, ...added], added[0].id, this.changes);
  }

  /**
   * Puts back edits kept in the browser (a local draft) as tab `id`'s draft, and shows the tab. The
   * tab keeps the draft's base version for If-Match, so a draft made on an older version than the
   * runtime's goes through the usual conflict path when deployed. A flow no tab has (new, never
   * deployed, or deleted meanwhile) comes back as a new tab. Refused while the tab's flow is not loaded.
   */
  restore(id: string, flow: Flow, baseVersion: number): TabsResult {
    const tab = this.tab(id);
    const draft = FlowDocument.fromFlow({ ...structuredClone(flow), id });
    if (!tab) return new FlowTabs([...this.tabs, newTab(draft)], id, this.changes);
    if (!tab.draft) return refused('open the flow before restoring its changes');
    const restored: FlowTab = { ...tab, draft, baseVersion: tab.remote ? baseVersion : 0 };
    return new FlowTabs(
      this.tabs.map((t) => (t.id === id ? restored : t)),
      id,
      this.changes,
    );
  }

  /** Renames tab `id`'s flow (its id stays): an edit of its draft, saved on the runtime by the next deploy. */
  rename(id: string, name: string): TabsResult {
    const tab = this.tab(id);
    if (!tab) return refused(`there is no flow ${JSON.stringify(id)} in the editor`);
    if (!tab.draft) return refused('open the flow before renaming it');
    const trimmed = name.trim();
    if (!trimmed) return refused('a flow needs a name');
    return this.edited(id, tab.draft.updateMeta({ name: trimmed }));
  }

  /**
   * A copy of tab `id`'s flow as it is in the editor (unsaved edits included), named `<name> copy`
   * with an id made from that name, placed after it and shown. The runtime gets it on its first deploy.
   */
  duplicate(id: string): TabsResult {
    const tab = this.tab(id);
    if (!tab) return refused(`there is no flow ${JSON.stringify(id)} in the editor`);
    const source = tab.draft?.toFlow() ?? tab.base;
    if (!source) return refused('open the flow before duplicating it');
    const name = `${tabName(tab)} copy`;
    const copyId = uniqueFlowId(name, this.ids());
    const copy = newTab(FlowDocument.fromFlow({ ...structuredClone(source), id: copyId, name }));
    const at = this.tabs.indexOf(tab) + 1;
    return new FlowTabs([...this.tabs.slice(0, at), copy, ...this.tabs.slice(at)], copyId, this.changes);
  }

  /**
   * Tab `id` was deployed as `version` with `flow`: that is its new base (the draft stays, so edits
   * made while the deploy ran are still unsaved), and the runtime holds it from now on.
   */
  deployed(id: string, version: number, flow: Flow): FlowTabs {
    const tab = this.tab(id);
    if (!tab) return this;
    const base = FlowDocument.fromFlow(flow).toFlow();
    const remote: FlowSummary = {
      ...(tab.remote ?? { id, state: 'running' }),
      version,
      ...(flow.name !== undefined ? { name: flow.name } : {}),
      nodes: flow.nodes.length,
    };
    if (flow.name === undefined) delete remote.name;
    return this.replace(id, { ...tab, remote, baseVersion: version, base }, true);
  }

  /** The runtime now runs or holds tab `id`'s flow in `state` (after disable or enable). */
  withState(id: string, state: FlowRunState): FlowTabs {
    const tab = this.tab(id);
    if (!tab?.remote || tab.remote.state === state) return this;
    return this.replace(id, { ...tab, remote: { ...tab.remote, state } }, true);
  }

  /**
   * Tab `id` is gone (deleted on the runtime, or a new flow dropped): the next tab is shown (else the
   * one before). Deleting the last tab leaves one new, empty flow, as on a runtime without flows.
   */
  removed(id: string): FlowTabs {
    const index = this.tabs.findIndex((t) => t.id === id);
    if (index === -1) return this;
    const tabs = this.tabs.filter((t) => t.id !== id);
    if (tabs.length === 0) return FlowTabs.fromSummaries([]).counted(this.changes + 1);
    const activeId = id === this.activeId ? tabs[Math.min(index, tabs.length - 1)].id : this.activeId;
    return new FlowTabs(tabs, activeId, this.changes + 1);
  }

  /**
   * The runtime's list again (GET /api/flows, or `flows` of GET /api/status): states, versions and
   * names are updated, flows deployed elsewhere are added at the end. A flow removed elsewhere
   * loses its tab unless it has unsaved edits: then it stays as a new flow, so nothing typed is lost.
   * Returns these same tabs when nothing changed (cheap to call on every status poll).
   * `asOf` is `changes` when the list was asked for: a list asked for before a deploy, delete,
   * disable or enable made here is older than these tabs and is ignored (the next poll's counts).
   */
  refresh(flows: readonly FlowSummary[], asOf = this.changes): FlowTabs {
    if (asOf !== this.changes) return this;
    const byId = new Map(flows.map((f) => [f.id, f]));
    let changed = false;
    const tabs: FlowTab[] = [];
    for (const tab of this.tabs) {
      const remote = byId.get(tab.id);
      if (remote) {
        if (tab.remote && sameSummary(tab.remote, remote)) tabs.push(tab);
        else {
          changed = true;
          // A tab never opened loads the latest version when it is; an opened one keeps its base (If-Match).
          tabs.push(tab.draft ? { ...tab, remote } : { ...tab, remote, baseVersion: remote.version });
        }
      } else if (!tab.remote) tabs.push(tab);
      else {
        changed = true;
        if (tab.draft && isDirty(tab)) tabs.push({ id: tab.id, baseVersion: 0, draft: tab.draft });
      }
    }
    const known = new Set(this.tabs.map((t) => t.id));
    for (const remote of flows) {
      if (known.has(remote.id)) continue;
      changed = true;
      tabs.push({ id: remote.id, remote, baseVersion: remote.version });
    }
    if (!changed) return this;
    if (tabs.length === 0) return FlowTabs.fromSummaries([]).counted(this.changes);
    const stays = tabs.some((t) => t.id === this.activeId);
    if (stays) return new FlowTabs(tabs, this.activeId, this.changes);
    const index = this.tabs.findIndex((t) => t.id === this.activeId);
    return new FlowTabs(tabs, tabs[Math.min(index, tabs.length - 1)].id, this.changes);
  }

  private replace(id: string, tab: FlowTab, onRuntime = false): FlowTabs {
    return new FlowTabs(
      this.tabs.map((t) => (t.id === id ? tab : t)),
      this.activeId,
      this.changes + (onRuntime ? 1 : 0),
    );
  }

  private counted(changes: number): FlowTabs {
    return new FlowTabs(this.tabs, this.activeId, changes);
  }
}

/** The name a tab shows: its draft's (it follows renames at once), else the runtime's, else the id. */
export function tabName(tab: FlowTab): string {
  if (tab.draft) return tab.draft.meta.name ?? tab.id;
  return tab.remote?.name ?? tab.id;
}

/** The runtime's state of the tab's flow, or `new` while the runtime does not hold it. */
export function tabState(tab: FlowTab): TabState {
  return tab.remote?.state ?? 'new';
}

// A tab's dirty flag is asked on every render: computed once per draft.
const dirtyCache = new WeakMap<FlowDocument, { base: Flow | undefined; dirty: boolean }>();

/** True when the tab holds edits the runtime does not have (always true for a flow never deployed). */
export function isDirty(tab: FlowTab): boolean {
  if (!tab.draft) return false;
  if (!tab.base) return true;
  const cached = dirtyCache.get(tab.draft);
  if (cached && cached.base === tab.base) return cached.dirty;
  const dirty = !deepEqual(tab.draft.toFlow(), tab.base);
  dirtyCache.set(tab.draft, { base: tab.base, dirty });
  return dirty;
}

/**
 * True when closing the editor now would lose something: edits the runtime does not have (a new
 * flow counts once it has a node, a wire or a resource: an empty one loses nothing but its name).
 */
export function hasUndeployedWork(tab: FlowTab): boolean {
  if (!isDirty(tab) || !tab.draft) return false;
  if (tab.remote || tab.base) return true;
  return tab.draft.nodes.length > 0 || tab.draft.edges.length > 0 || tab.draft.resources.length > 0;
}

/** The flow to deploy for a tab: its draft, with the tab's id (an import or JSON edit may carry another). */
export function flowToDeploy(tab: FlowTab): Flow | undefined {
  const flow = tab.draft?.toFlow();
  return flow && { ...flow, id: tab.id };
}

/** Counters change on every poll; a tab shows none of them, so they alone are no change. */
function sameSummary(a: FlowSummary, b: FlowSummary): boolean {
  return a.name === b.name && a.state === b.state && a.version === b.version && a.hash === b.hash;
}

function newTab(draft: FlowDocument): FlowTab {
  return { id: draft.meta.id, baseVersion: 0, draft };
}

function refused(reason: string): Refused {
  return { ok: false, reason };
}
