import {
  CURRENT_SCHEMA_VERSION,
  DEFAULT_INPUT_PORT,
  DEFAULT_OUTPUT_PORT,
  edgeKey,
  normalizeEdge,
} from '@tagflow/flow-model';
import type {
  Flow,
  FlowEdge,
  FlowGroup,
  FlowNode,
  FlowResource,
  FlowSettings,
  QueueSettings,
  SubflowDef,
} from '@tagflow/flow-model';

/** A point on the canvas, in flow coordinates. */
export interface Position {
  x: number;
  y: number;
}

/** A node as the canvas draws it; `label` is the flow node's `name`. */
export interface CanvasNode {
  id: string;
  type: string;
  label?: string;
  position: Position;
  /** Never absent here (`{}` for a node without config); written only when non-empty. */
  config: Record<string, unknown>;
  typeVersion: number;
  /** Canvas selection; not saved, not an undo step. */
  selected?: boolean;
  disabled?: boolean;
  queue?: QueueSettings;
  /** Editor-only data of the node other than its position (colour, notes); saved under `ui`. */
  ui?: Record<string, unknown>;
}

/** An edge as the canvas draws it, ports always spelled out (1:1 with React Flow handles). */
export interface CanvasEdge {
  /** The flow edge's `id`, or its key `source:sourcePort->target:targetPort` when it has none. */
  id: string;
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
  /** Canvas selection; not saved, not an undo step. */
  selected?: boolean;
}

/** The flow's own fields, other than its nodes, edges and resources. */
export interface FlowMeta {
  id: string;
  name?: string;
  description?: string;
  schemaVersion: typeof CURRENT_SCHEMA_VERSION;
  /** How the runtime runs the flow (`maxHops`), kept as is. */
  settings?: FlowSettings;
  /** The flow's free-form editor data (viewport...), kept as is. */
  ui?: Record<string, unknown>;
  /** The flow's subflows (edited with Make subflow / Open subflow), kept as is otherwise. */
  subflows?: SubflowDef[];
  /** Named, coloured boxes around nodes (Group / Ungroup); editor-only, saved as the flow's `groups`. */
  groups?: FlowGroup[];
}

/** A flow as the canvas shows it. */
export interface CanvasDoc {
  nodes: readonly CanvasNode[];
  edges: readonly CanvasEdge[];
  resources: readonly FlowResource[];
  meta: FlowMeta;
}

/** Auto-layout grid: one column per graph depth, sources on the left. */
export const LAYOUT = { originX: 80, originY: 60, columnWidth: 220, rowHeight: 120 } as const;

/** The canvas view of a flow; nodes without `ui.x`/`ui.y` are laid out in columns by graph depth. */
export function flowToCanvas(flow: Flow): CanvasDoc {
  const edges = (flow.edges ?? []).map(toCanvasEdge);
  const placed = new Map<string, Position>();
  for (const node of flow.nodes ?? []) {
    if (typeof node.ui?.x === 'number' && typeof node.ui?.y === 'number')
      placed.set(node.id, { x: node.ui.x, y: node.ui.y });
  }
  const positions = layoutMissing(
    (flow.nodes ?? []).map((n) => n.id),
    edges,
    placed,
  );
  const nodes = (flow.nodes ?? []).map((node) =>
    toCanvasNode(node, positions.get(node.id) ?? { x: LAYOUT.originX, y: LAYOUT.originY }),
  );
  const meta: FlowMeta = { id: flow.id, schemaVersion: CURRENT_SCHEMA_VERSION };
  if (flow.name !== undefined) meta.name = flow.name;
  if (flow.description !== undefined) meta.description = flow.description;
  if (flow.settings !== undefined) meta.settings = structuredClone(flow.settings);
  if (flow.ui !== undefined) meta.ui = structuredClone(flow.ui);
  if (flow.subflows !== undefined) meta.subflows = structuredClone(flow.subflows);
  if (flow.groups !== undefined) meta.groups = structuredClone(flow.groups);
  return { nodes, edges, resources: structuredClone(flow.resources ?? []), meta };
}

/**
 * The flow file of a canvas: positions go to `ui.x`/`ui.y`; ports and ids equal to their defaults
 * (`out`, `in`, the edge key) and an empty config are left out, as a person would write them.
 */
export function canvasToFlow(doc: CanvasDoc): Flow {
  // Built in the order of a hand-written file, so saved files diff cleanly.
  const flow: Partial<Flow> = { schemaVersion: CURRENT_SCHEMA_VERSION, id: doc.meta.id };
  if (doc.meta.name !== undefined) flow.name = doc.meta.name;
  if (doc.meta.description !== undefined) flow.description = doc.meta.description;
  if (doc.resources.length > 0) flow.resources = structuredClone([...doc.resources]);
  flow.nodes = doc.nodes.map(toFlowNode);
  flow.edges = doc.edges.map(toFlowEdge);
  if (doc.meta.groups !== undefined && doc.meta.groups.length > 0) flow.groups = structuredClone(doc.meta.groups);
  if (doc.meta.subflows !== undefined) flow.subflows = structuredClone(doc.meta.subflows);
  if (doc.meta.settings !== undefined) flow.settings = structuredClone(doc.meta.settings);
  if (doc.meta.ui !== undefined) flow.ui = structuredClone(doc.meta.ui);
  return flow as Flow;
}

/** A flow node as the canvas holds it (deep copy). */
export function toCanvasNode(node: FlowNode, position: Position): CanvasNode {
  const out: CanvasNode = {
    id: node.id,
    type: node.type,
    position: { ...position },
    config: structuredClone(node.config ?? {}),
    typeVersion: node.typeVersion,
  };
  if (node.name !== undefined) out.label = node.name;
  if (node.disabled !== undefined) out.disabled = node.disabled;
  if (node.queue !== undefined) out.queue = { ...node.queue };
  if (node.ui) {
    const { x: _x, y: _y, ...rest } = node.ui;
    if (Object.keys(rest).length > 0) out.ui = structuredClone(rest);
  }
  return out;
}

/** A canvas node as the flow file holds it (deep copy). */
export function toFlowNode(node: CanvasNode): FlowNode {
  const out: FlowNode = { id: node.id, type: node.type, typeVersion: node.typeVersion };
  if (node.label !== undefined) out.name = node.label;
  if (Object.keys(node.config).length > 0) out.config = structuredClone(node.config);
  if (node.disabled !== undefined) out.disabled = node.disabled;
  if (node.queue !== undefined) out.queue = { ...node.queue };
  out.ui = { ...structuredClone(node.ui ?? {}), x: node.position.x, y: node.position.y };
  return out;
}

/** A flow edge with its ports and id filled in (the flow model's own normalisation). */
export function toCanvasEdge(edge: FlowEdge): CanvasEdge {
  return normalizeEdge(edge);
}

/** A canvas edge as a person would write it: default ports and the generated id left out (same meaning). */
export function toFlowEdge(edge: CanvasEdge): FlowEdge {
  // Key order as in hand-written files: id, source, sourcePort, target, targetPort.
  const out: Partial<FlowEdge> = {};
  if (edge.id !== edgeKey(edge)) out.id = edge.id;
  out.source = edge.source;
  if (edge.sourcePort !== DEFAULT_OUTPUT_PORT) out.sourcePort = edge.sourcePort;
  out.target = edge.target;
  if (edge.targetPort !== DEFAULT_INPUT_PORT) out.targetPort = edge.targetPort;
  return out as FlowEdge;
}

/**
 * Positions for every node: `placed` ones keep theirs, the others go to the column of their depth
 * (longest path from a node without inputs), stacked below any placed node. Cycles are tolerated.
 */
export function layoutMissing(
  nodeIds: readonly string[],
  edges: readonly Pick<CanvasEdge, 'source' | 'target'>[],
  placed: ReadonlyMap<string, Position>,
): Map<string, Position> {
  const result = new Map<string, Position>(placed);
  const missing = nodeIds.filter((id) => !placed.has(id));
  if (missing.length === 0) return result;
  const depth = graphDepths(nodeIds, edges);
  let top: number = LAYOUT.originY;
  for (const p of placed.values()) top = Math.max(top, p.y + LAYOUT.rowHeight);
  if (placed.size === 0) top = LAYOUT.originY;
  const rows = new Map<number, number>();
  for (const id of missing) {
    const d = depth.get(id) ?? 0;
    const row = rows.get(d) ?? 0;
    rows.set(d, row + 1);
    result.set(id, { x: LAYOUT.originX + d * LAYOUT.columnWidth, y: top + row * LAYOUT.rowHeight });
  }
  return result;
}

/** Longest-path depth of each node from the nodes nobody feeds; nodes on a cycle get one past their known feeders. */
export function graphDepths(
  nodeIds: readonly string[],
  edges: readonly Pick<CanvasEdge, 'source' | 'target'>[],
): Map<string, number> {
  const known = new Set(nodeIds);
  const incoming = new Map<string, number>(nodeIds.map((id) => [id, 0]));
  const next = new Map<string, string[]>();
  for (const e of edges) {
    if (!known.has(e.source) || !known.has(e.target) || e.source === e.target) continue;
    incoming.set(e.target, (incoming.get(e.target) ?? 0) + 1);
    next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  }
  const depth = new Map<string, number>();
  const queue = nodeIds.filter((id) => incoming.get(id) === 0);
  for (const id of queue) depth.set(id, 0);
  const done = new Set<string>();
  const visit = (id: string): void => {
    done.add(id);
    for (const t of next.get(id) ?? []) {
      if (done.has(t)) continue; // a back edge of a cycle: its target keeps its column
      depth.set(t, Math.max(depth.get(t) ?? 0, (depth.get(id) ?? 0) + 1));
      const left = (incoming.get(t) ?? 0) - 1;
      incoming.set(t, left);
      if (left === 0) queue.push(t);
    }
  };
  for (let i = 0; i < queue.length; i += 1) visit(queue[i]);
  // Nodes on a cycle never reach zero incoming edges: release them one at a time, in flow order.
  for (const id of nodeIds) {
    if (done.has(id)) continue;
    if (!depth.has(id)) depth.set(id, 0);
    queue.push(id);
    for (let i = queue.length - 1; i < queue.length; i += 1) if (!done.has(queue[i])) visit(queue[i]);
  }
  return depth;
}
