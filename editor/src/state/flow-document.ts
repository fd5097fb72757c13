import { CURRENT_SCHEMA_VERSION, deepEqual, findNodeType, outputPorts } from '@tagflow/flow-model';
import type { Flow, FlowGroup, FlowResource, NodeCatalog } from '@tagflow/flow-model';
import { canvasToFlow, flowToCanvas, toCanvasEdge, toCanvasNode } from './canvas';
import type { CanvasDoc, CanvasEdge, CanvasNode, FlowMeta, Position } from './canvas';
import { CLIPBOARD_MARKER, copyNodes, parseClipboard } from './clipboard';
import { checkConnection } from './connection';
import type { Connection } from './connection';
import { addGroup, pruneGroups, removeGroups } from './groups';

/** An edit the document refused, with the reason in plain words (ready to show). */
export interface Refused {
  ok: false;
  reason: string;
}

/** What an edit that may be refused returns: the new document, or why not. Test with `.ok`. */
export type EditResult = FlowDocument | Refused;

/** Options of `moveNodes`. */
export interface MoveOptions {
  /** A move in progress (drag): shown at once but not an undo step; the next recorded edit undoes to before it. */
  transient?: boolean;
}

/** Undo steps kept; older ones are forgotten. */
export const HISTORY_LIMIT = 200;

/** Where a paste goes relative to the copied nodes when no offset is given. */
export const DEFAULT_PASTE_OFFSET: Position = { x: 40, y: 40 };

/**
 * The flow being edited, with undo/redo. Immutable: every edit returns a new document (one undo
 * step) and leaves this one as it was, so it can sit in React state as is. An edit that changes
 * nothing returns this same document. Refusable edits return `{ ok: false, reason }` instead.
 */
export class FlowDocument implements CanvasDoc {
  /** Always true: tells a document from a `Refused` in an `EditResult`. */
  readonly ok = true as const;

  private constructor(
    private readonly state: CanvasDoc,
    private readonly past: readonly CanvasDoc[],
    private readonly future: readonly CanvasDoc[],
    /** Ids of the nodes the last edit created (addNode, paste), e.g. to select or focus them. */
    readonly createdIds: readonly string[] = [],
    /** The state before a transient move started, which the next recorded edit puts on the undo stack. */
    private readonly base?: CanvasDoc,
    /** Number of recorded edits since load: a cheap "has changed" marker for React. */
    readonly revision = 0,
  ) {}

  /** A new flow with no nodes, e.g. `FlowDocument.empty('line-2')`. */
  static empty(id: string, name?: string): FlowDocument {
    const meta: FlowMeta = { id, schemaVersion: CURRENT_SCHEMA_VERSION };
    if (name !== undefined) meta.name = name;
    return new FlowDocument({ nodes: [], edges: [], resources: [], meta }, [], []);
  }

  /** A document for a flow file (nodes without positions are laid out). */
  static fromFlow(flow: Flow): FlowDocument {
    return new FlowDocument(flowToCanvas(flow), [], []);
  }

  get nodes(): readonly CanvasNode[] {
    return this.state.nodes;
  }

  get edges(): readonly CanvasEdge[] {
    return this.state.edges;
  }

  get resources(): readonly FlowResource[] {
    return this.state.resources;
  }

  get meta(): FlowMeta {
    return this.state.meta;
  }

  get canUndo(): boolean {
    return this.past.length > 0 || this.base !== undefined;
  }

  get canRedo(): boolean {
    return this.future.length > 0 && this.base === undefined;
  }

  /** The flow file to save or deploy. */
  toFlow(): Flow {
    return canvasToFlow(this.state);
  }

  node(id: string): CanvasNode | undefined {
    return this.state.nodes.find((n) => n.id === id);
  }

  /** Adds a node of `type` at `position`; its id is `<type>-<n>`, unused in this flow and its undo history (see `createdIds`). */
  addNode(type: string, typeVersion: number, position: Position, config: Record<string, unknown> = {}): FlowDocument {
    const id = nextNodeId(type, this.idsInHistory());
    const node: CanvasNode = { id, type, typeVersion, position: { ...position }, config: structuredClone(config) };
    return this.commit({ ...this.state, nodes: [...this.state.nodes, node] }, [id]);
  }

  /** Removes nodes (with every edge touching them) and edges; unknown ids are ignored. */
  removeElements(nodeIds: readonly string[], edgeIds: readonly string[] = []): FlowDocument {
    const nodes = new Set(nodeIds);
    const edges = new Set(edgeIds);
    const keptNodes = this.state.nodes.filter((n) => !nodes.has(n.id));
    const keptEdges = this.state.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target));
    if (keptNodes.length === this.state.nodes.length && keptEdges.length === this.state.edges.length) return this;
    // A deleted node leaves its group; a group left empty goes.
    const meta = this.withGroups(pruneGroups(this.state.meta.groups, new Set(keptNodes.map((n) => n.id))));
    return this.commit({ ...this.state, nodes: keptNodes, edges: keptEdges, meta });
  }

  /**
   * Puts nodes into a new group named `name` (taken out of any group they were in), e.g. the
   * selection; `createdIds` holds the group's id. Refused with no nodes or unknown ones.
   */
  group(nodeIds: readonly string[], name: string): EditResult {
    const unknown = nodeIds.find((id) => !this.node(id));
    if (unknown !== undefined) return { ok: false, reason: `there is no node ${JSON.stringify(unknown)} in this flow` };
    const made = addGroup(this.state.meta.groups, nodeIds, name.trim() || 'Group');
    if (!made.ok) return made;
    return this.commit({ ...this.state, meta: this.withGroups(made.groups) }, [made.id]);
  }

  /** Removes groups (their nodes stay where they are); unknown ids are ignored. */
  ungroup(groupIds: readonly string[]): FlowDocument {
    const groups = removeGroups(this.state.meta.groups, groupIds);
    if (groups.length === (this.state.meta.groups?.length ?? 0)) return this;
    return this.commit({ ...this.state, meta: this.withGroups(groups) });
  }

  /** Renames or recolours a group (an empty name removes it). */
  updateGroup(groupId: string, patch: { name?: string; color?: string }): EditResult {
    const groups = this.state.meta.groups ?? [];
    const index = groups.findIndex((g) => g.id === groupId);
    if (index === -1) return { ok: false, reason: `there is no group ${JSON.stringify(groupId)} in this flow` };
    const next = { ...groups[index] };
    if (patch.name !== undefined) {
      if (patch.name.trim() === '') delete next.name;
      else next.name = patch.name.trim();
    }
    if (patch.color !== undefined) next.color = patch.color;
    if (deepEqual(next, groups[index])) return this;
    const list = [...groups];
    list[index] = next;
    return this.commit({ ...this.state, meta: this.withGroups(list) });
  }

  /** The meta with these groups (no `groups` field when there are none). */
  private withGroups(groups: readonly FlowGroup[]): FlowMeta {
    const { groups: _old, ...rest } = this.state.meta;
    return groups.length > 0 ? { ...rest, groups: [...groups] } : rest;
  }

  /**
   * Moves nodes, e.g. `moveNodes({ avg: { x: 300, y: 120 } })`. During a drag pass `{ transient: true }`
   * on every frame and call it once more without on drop: the whole drag is then one undo step.
   */
  moveNodes(
    positions: Readonly<Record<string, Position>> | ReadonlyMap<string, Position>,
    options: MoveOptions = {},
  ): FlowDocument {
    const get = (id: string): Position | undefined =>
      positions instanceof Map
        ? (positions as ReadonlyMap<string, Position>).get(id)
        : Object.prototype.hasOwnProperty.call(positions, id)
          ? (positions as Record<string, Position>)[id]
          : undefined;
    let moved = false;
    const nodes = this.state.nodes.map((n) => {
      const p = get(n.id);
      if (!p || (p.x === n.position.x && p.y === n.position.y)) return n;
      moved = true;
      return { ...n, position: { x: p.x, y: p.y } };
    });
    if (!moved && !(this.base && !options.transient)) return this;
    const next = { ...this.state, nodes };
    if (options.transient)
      return new FlowDocument(next, this.past, this.future, [], this.base ?? this.state, this.revision);
    return this.commit(next);
  }

  /** Wires two ports; refused (in the flow model's words) for an unknown node or port, a wrong direction or a duplicate. */
  connect(conn: Connection, catalog: NodeCatalog): EditResult {
    const reason = checkConnection(this.state, conn, catalog);
    if (reason) return { ok: false, reason };
    const edge = toCanvasEdge(conn);
    return this.commit({ ...this.state, edges: [...this.state.edges, edge] });
  }

  /**
   * Replaces a node's whole config (the form's value). Given the catalog, the wires of output ports
   * the new config takes away (a switch's `outputs` lowered from 8 to 6 drops `out7` and `out8`) go
   * with the change, in the same undo step, as Node-RED drops the wires of removed outputs.
   */
  updateConfig(nodeId: string, config: Record<string, unknown>, catalog?: NodeCatalog): EditResult {
    const node = this.node(nodeId);
    if (!node) return { ok: false, reason: `there is no node ${JSON.stringify(nodeId)} in this flow` };
    if (deepEqual(node.config, config)) return this;
    const nodes = this.state.nodes.map((n) => (n === node ? { ...n, config: structuredClone(config) } : n));
    const info = catalog && findNodeType(catalog, node.type);
    if (!info?.numberedOutputs) return this.commit({ ...this.state, nodes });
    const kept = new Set(outputPorts(info, config));
    const gone = new Set(outputPorts(info, node.config).filter((port) => !kept.has(port)));
    const edges = this.state.edges.filter((e) => e.source !== nodeId || !gone.has(e.sourcePort));
    return this.commit({ ...this.state, nodes, edges });
  }

  /** Sets a node's label; an empty label removes it. */
  rename(nodeId: string, label: string): EditResult {
    return this.updateNode(nodeId, (n) => {
      const { label: old, ...rest } = n;
      if (label === '') return old === undefined ? n : rest;
      return old === label ? n : { ...rest, label };
    });
  }

  /** Enables or disables a node (a disabled node is not started and passes nothing on). */
  setDisabled(nodeId: string, disabled: boolean): EditResult {
    return this.updateNode(nodeId, (n) => {
      if (Boolean(n.disabled) === disabled) return n;
      const { disabled: _old, ...rest } = n;
      return disabled ? { ...rest, disabled: true } : rest;
    });
  }

  /** Sets the flow's name and description (`undefined` removes one). */
  updateMeta(patch: Partial<Pick<FlowMeta, 'name' | 'description'>>): FlowDocument {
    const meta: FlowMeta = { ...this.state.meta };
    for (const key of ['name', 'description'] as const) {
      if (!(key in patch)) continue;
      const value = patch[key];
      if (value === undefined || value === '') delete meta[key];
      else meta[key] = value;
    }
    if (deepEqual(meta, this.state.meta)) return this;
    return this.commit({ ...this.state, meta });
  }

  /** Replaces every resource of the flow. */
  setResources(resources: readonly FlowResource[]): FlowDocument {
    if (deepEqual(resources, this.state.resources)) return this;
    return this.commit({ ...this.state, resources: structuredClone([...resources]) });
  }

  /** Adds a resource, or replaces the one with the same id (in place). */
  upsertResource(resource: FlowResource): FlowDocument {
    const index = this.state.resources.findIndex((r) => r.id === resource.id);
    if (index === -1) return this.setResources([...this.state.resources, resource]);
    const resources = [...this.state.resources];
    resources[index] = resource;
    return this.setResources(resources);
  }

  /** Removes a resource by id (nodes naming it are left as they are: validation reports them). */
  removeResource(id: string): FlowDocument {
    return this.setResources(this.state.resources.filter((r) => r.id !== id));
  }

  /** Marks exactly these nodes and edges selected; not an undo step. */
  select(nodeIds: readonly string[], edgeIds: readonly string[] = []): FlowDocument {
    const nodes = new Set(nodeIds);
    const edges = new Set(edgeIds);
    const next: CanvasDoc = {
      ...this.state,
      nodes: this.state.nodes.map((n) => withSelected(n, nodes.has(n.id))),
      edges: this.state.edges.map((e) => withSelected(e, edges.has(e.id))),
    };
    return new FlowDocument(next, this.past, this.future, this.createdIds, this.base, this.revision);
  }

  undo(): FlowDocument {
    const previous = this.base ?? this.past[this.past.length - 1];
    if (!previous) return this;
    const past = this.base ? this.past : this.past.slice(0, -1);
    return new FlowDocument(previous, past, [...this.future, this.state], [], undefined, this.revision + 1);
  }

  redo(): FlowDocument {
    const next = this.future[this.future.length - 1];
    if (!next || this.base) return this;
    return new FlowDocument(
      next,
      [...this.past, this.state].slice(-HISTORY_LIMIT),
      this.future.slice(0, -1),
      [],
      undefined,
      this.revision + 1,
    );
  }

  /** Clipboard text for these nodes, the edges between them and the resources they use. */
  copy(nodeIds: readonly string[]): string {
    return copyNodes(this.state, nodeIds);
  }

  /**
   * Pastes clipboard text from `copy`: nodes get new ids (edges follow), positions shift by `offset`,
   * resources are added unless one with the same id exists; the pasted nodes become the selection.
   */
  paste(text: string, offset: Position = DEFAULT_PASTE_OFFSET): EditResult {
    const content = parseClipboard(text);
    if (!(CLIPBOARD_MARKER in content)) return content;
    const taken = this.idsInHistory();
    const ids = new Map<string, string>();
    const pasted = content.nodes.map((raw, index) => {
      const id = nextNodeId(raw.type, taken);
      taken.add(id);
      ids.set(raw.id, id);
      const x = typeof raw.ui?.x === 'number' ? raw.ui.x : index * 40;
      const y = typeof raw.ui?.y === 'number' ? raw.ui.y : index * 40;
      return { ...toCanvasNode({ ...raw, id }, { x: x + offset.x, y: y + offset.y }), selected: true };
    });
    const edges = content.edges.flatMap((raw) => {
      const source = ids.get(raw.source);
      const target = ids.get(raw.target);
      // A copied edge's id was made for the old ends; the pasted one goes by its new key.
      return source && target
        ? [toCanvasEdge({ source, sourcePort: raw.sourcePort, target, targetPort: raw.targetPort })]
        : [];
    });
    const have = new Set(this.state.resources.map((r) => r.id));
    const resources = content.resources.filter((r) => !have.has(r.id)).map((r) => structuredClone(r));
    return this.commit(
      {
        ...this.state,
        nodes: [...this.state.nodes.map((n) => withSelected(n, false)), ...pasted],
        edges: [...this.state.edges.map((e) => withSelected(e, false)), ...edges],
        resources: [...this.state.resources, ...resources],
      },
      [...ids.values()],
    );
  }

  /** Node ids in this state and in the undo/redo history: a new node must not take one (undo would mix them up). */
  private idsInHistory(): Set<string> {
    const ids = new Set<string>();
    for (const state of [this.state, ...this.past, ...this.future, ...(this.base ? [this.base] : [])])
      for (const n of state.nodes) ids.add(n.id);
    return ids;
  }

  private updateNode(nodeId: string, change: (node: CanvasNode) => CanvasNode): EditResult {
    const index = this.state.nodes.findIndex((n) => n.id === nodeId);
    if (index === -1) return { ok: false, reason: `there is no node ${JSON.stringify(nodeId)} in this flow` };
    const node = this.state.nodes[index];
    const changed = change(node);
    if (changed === node) return this;
    const nodes = [...this.state.nodes];
    nodes[index] = changed;
    return this.commit({ ...this.state, nodes });
  }

  private commit(next: CanvasDoc, created: readonly string[] = []): FlowDocument {
    const past = [...this.past, this.base ?? this.state].slice(-HISTORY_LIMIT);
    return new FlowDocument(next, past, [], created, undefined, this.revision + 1);
  }
}

/** `<type>-<n>` with n one past the highest taken, so a node deleted at the end of the list does not pass its id on. */
export function nextNodeId(type: string, taken: ReadonlySet<string>): string {
  const base = type.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'node';
  const prefix = `${base}-`;
  let max = 0;
  for (const id of taken) {
    if (!id.startsWith(prefix)) continue;
    const n = Number(id.slice(prefix.length));
    if (Number.isInteger(n) && n > max) max = n;
  }
  let n = max + 1;
  while (taken.has(`${prefix}${n}`)) n += 1;
  return `${prefix}${n}`;
}

function withSelected<T extends { selected?: boolean }>(item: T, selected: boolean): T {
  if (Boolean(item.selected) === selected) return item;
  if (selected) return { ...item, selected: true };
  const { selected: _s, ...rest } = item;
  return rest as T;
}
