import { DEFAULT_INPUT_PORT, DEFAULT_OUTPUT_PORT, normalizeEdge, SUBFLOW_TYPE_PREFIX } from '@tagflow/flow-model';
import type { Flow, FlowEdge, FlowNode, NodeTypeInfo, SubflowDef } from '@tagflow/flow-model';
import type { EditorCatalog } from './api-catalog';
import { pruneGroups } from './groups';

/** Palette group of a flow's own subflows (a subflow's `category` overrides it). */
export const SUBFLOW_CATEGORY = 'subflow';

/** The node type an instance of `def` has, as the palette, canvas and form need it. */
export function subflowTypeInfo(def: SubflowDef): NodeTypeInfo {
  const info: NodeTypeInfo = {
    type: `${SUBFLOW_TYPE_PREFIX}${def.id}`,
    version: 1,
    category: def.category ?? SUBFLOW_CATEGORY,
    configSchema: def.params ?? { type: 'object', properties: {} },
    inputs: def.inputs.map((p) => p.port),
    outputs: def.outputs.map((p) => p.port),
    description: def.description ?? `Subflow “${def.name}” of this flow.`,
  };
  return info;
}

/**
 * The catalog with a node type for each of the flow's subflows (`subflow:<id>`), so the palette
 * offers them, the canvas draws their ports and the properties form draws their parameters.
 * Validation expands them by their `subflow:` prefix, as the runtime does.
 */
export function withSubflowTypes(catalog: EditorCatalog, subflows: readonly SubflowDef[] | undefined): EditorCatalog {
  if (!subflows || subflows.length === 0) return catalog;
  const nodes = new Map(catalog.nodes);
  for (const def of subflows) nodes.set(`${SUBFLOW_TYPE_PREFIX}${def.id}`, subflowTypeInfo(def));
  return { ...catalog, nodes };
}

/** What `makeSubflow` made: the new flow, and the ids of the subflow and of its instance. */
export type MadeSubflow =
  { ok: true; flow: Flow; subflowId: string; instanceId: string } | { ok: false; reason: string };

/**
 * Turns the nodes `nodeIds` of `flow` into a subflow: its definition (the nodes, the edges between
 * them; an input port per inner input port fed from outside, an output port per inner output port
 * feeding outside) and one instance in their place, wired as they were.
 */
export function makeSubflow(flow: Flow, nodeIds: readonly string[], name?: string): MadeSubflow {
  const selected = new Set(nodeIds);
  const inner = flow.nodes.filter((n) => selected.has(n.id));
  if (inner.length === 0) return { ok: false, reason: 'select the nodes to put into the subflow first' };
  const taken = new Set((flow.subflows ?? []).map((s) => s.id));
  const subflowId = freshId('subflow', taken);
  const nodeIdsTaken = new Set(flow.nodes.filter((n) => !selected.has(n.id)).map((n) => n.id));
  const instanceId = freshId(subflowId, nodeIdsTaken);
  const edges = flow.edges.map(normalizeEdge);

  const inputs = new Map<string, { port: string; node: string; innerPort: string }>();
  const outputs = new Map<string, { port: string; node: string; innerPort: string }>();
  const outer: FlowEdge[] = [];
  const innerEdges: FlowEdge[] = [];
  const seen = new Set<string>();
  const addOuter = (edge: FlowEdge) => {
    const key = `${edge.source}:${edge.sourcePort}->${edge.target}:${edge.targetPort}`;
    if (seen.has(key)) return;
    seen.add(key);
    outer.push(edge);
  };
  for (const e of edges) {
    const from = selected.has(e.source);
    const to = selected.has(e.target);
    if (from && to) innerEdges.push(stripDefaults(e));
    else if (to) {
      const key = `${e.target}:${e.targetPort}`;
      if (!inputs.has(key))
        inputs.set(key, { port: portName(DEFAULT_INPUT_PORT, inputs.size), node: e.target, innerPort: e.targetPort });
      const port = inputs.get(key)?.port as string;
      addOuter({ source: e.source, sourcePort: e.sourcePort, target: instanceId, targetPort: port });
    } else if (from) {
      const key = `${e.source}:${e.sourcePort}`;
      if (!outputs.has(key))
        outputs.set(key, {
          port: portName(DEFAULT_OUTPUT_PORT, outputs.size),
          node: e.source,
          innerPort: e.sourcePort,
        });
      const port = outputs.get(key)?.port as string;
      addOuter({ source: instanceId, sourcePort: port, target: e.target, targetPort: e.targetPort });
    } else outer.push(e);
  }
  const number = subflowId.replace(/^subflow-?/, '');
  const def: SubflowDef = {
    id: subflowId,
    name: name ?? `Subflow ${number || 1}`,
    inputs: [...inputs.values()].map((i) => ({
      port: i.port,
      to: [{ node: i.node, ...(i.innerPort === DEFAULT_INPUT_PORT ? {} : { port: i.innerPort }) }],
    })),
    outputs: [...outputs.values()].map((o) => ({
      port: o.port,
      from: [{ node: o.node, ...(o.innerPort === DEFAULT_OUTPUT_PORT ? {} : { port: o.innerPort }) }],
    })),
    params: { type: 'object', properties: {} },
    nodes: structuredClone(inner),
    edges: innerEdges,
  };
  // The node feeding the first output is most likely the one whose status tells how it goes.
  const firstOut = [...outputs.values()][0];
  if (firstOut) def.status = firstOut.node;
  const instance: FlowNode = {
    id: instanceId,
    type: `${SUBFLOW_TYPE_PREFIX}${subflowId}`,
    typeVersion: 1,
    ui: centre(inner),
  };
  const nodes: FlowNode[] = [];
  let placed = false;
  for (const n of flow.nodes) {
    if (!selected.has(n.id)) nodes.push(n);
    else if (!placed) {
      nodes.push(instance);
      placed = true;
    }
  }
  return {
    ok: true,
    flow: withGroupsOf(
      { ...flow, nodes, edges: outer.map(stripDefaults), subflows: [...(flow.subflows ?? []), def] },
      nodes,
    ),
    subflowId,
    instanceId,
  };
}

/**
 * A subflow as a flow of its own, to edit on the canvas: its nodes, edges and resources, and the
 * parent's subflows (an instance inside it draws its ports). `closeSubflow` puts it back.
 */
export function openSubflow(parent: Flow, subflowId: string): Flow | undefined {
  const def = parent.subflows?.find((s) => s.id === subflowId);
  if (!def) return undefined;
  const view: Flow = {
    schemaVersion: 1,
    id: def.id,
    name: def.name,
    nodes: structuredClone(def.nodes),
    edges: structuredClone(def.edges),
  };
  if (def.description !== undefined) view.description = def.description;
  if (def.resources && def.resources.length > 0) view.resources = structuredClone(def.resources);
  // Only the subflows it places (an instance inside it draws its ports and is checked).
  const used = usedSubflows(def, parent.subflows ?? []);
  if (used.length > 0) view.subflows = structuredClone(used);
  return view;
}

/**
 * `parent` with subflow `subflowId` as edited in `edited` (from `openSubflow`): its nodes, edges,
 * resources, name and description; ports and status naming a node that is gone are dropped.
 * Subflows made while editing it (nested ones) join the parent's.
 */
export function closeSubflow(parent: Flow, subflowId: string, edited: Flow): Flow {
  const ids = new Set(edited.nodes.map((n) => n.id));
  // The parent's subflows, with those edited or made inside the open one (by id) put in.
  const list = [...(parent.subflows ?? [])];
  for (const def of edited.subflows ?? []) {
    if (def.id === subflowId) continue;
    const at = list.findIndex((d) => d.id === def.id);
    if (at >= 0) list[at] = def;
    else list.push(def);
  }
  const subflows = list.map((def): SubflowDef => {
    if (def.id !== subflowId) return def;
    const next: SubflowDef = {
      ...def,
      name: edited.name ?? def.name,
      nodes: edited.nodes,
      edges: edited.edges,
      inputs: def.inputs.map((p) => ({ ...p, to: p.to.filter((t) => ids.has(t.node)) })),
      outputs: def.outputs.map((p) => ({ ...p, from: p.from.filter((f) => ids.has(f.node)) })),
    };
    if (edited.description !== undefined) next.description = edited.description;
    if (edited.resources && edited.resources.length > 0) next.resources = edited.resources;
    else delete next.resources;
    if (next.status !== undefined && !ids.has(next.status)) delete next.status;
    return next;
  });
  return { ...parent, subflows };
}

/** The subflow an instance node places, if `type` is a flow's own subflow type. */
export function subflowIdOf(type: string): string | undefined {
  return type.startsWith(SUBFLOW_TYPE_PREFIX) ? type.slice(SUBFLOW_TYPE_PREFIX.length) : undefined;
}

/** The subflows `def` places, directly or through others, each once, `def` itself left out. */
function usedSubflows(def: SubflowDef, all: readonly SubflowDef[]): SubflowDef[] {
  const byId = new Map(all.map((d) => [d.id, d]));
  const found = new Map<string, SubflowDef>();
  const visit = (d: SubflowDef) => {
    for (const node of d.nodes) {
      const inner = byId.get(subflowIdOf(node.type) ?? '');
      if (!inner || inner.id === def.id || found.has(inner.id)) continue;
      found.set(inner.id, inner);
      visit(inner);
    }
  };
  visit(def);
  return [...found.values()];
}

function portName(base: string, index: number): string {
  return index === 0 ? base : `${base}${index + 1}`;
}

function freshId(base: string, taken: ReadonlySet<string>): string {
  for (let n = 1; ; n += 1) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

function stripDefaults(edge: FlowEdge): FlowEdge {
  const out: FlowEdge = { source: edge.source, target: edge.target };
  if (edge.sourcePort && edge.sourcePort !== DEFAULT_OUTPUT_PORT) out.sourcePort = edge.sourcePort;
  if (edge.targetPort && edge.targetPort !== DEFAULT_INPUT_PORT) out.targetPort = edge.targetPort;
  return out;
}

function centre(nodes: readonly FlowNode[]): { x: number; y: number } {
  const xs = nodes.map((n) => (typeof n.ui?.x === 'number' ? n.ui.x : 0));
  const ys = nodes.map((n) => (typeof n.ui?.y === 'number' ? n.ui.y : 0));
  return {
    x: Math.round(xs.reduce((a, b) => a + b, 0) / xs.length),
    y: Math.round(ys.reduce((a, b) => a + b, 0) / ys.length),
  };
}

/** The flow with its groups keeping only `nodes` (nodes moved into a subflow leave their group). */
function withGroupsOf(flow: Flow, nodes: readonly FlowNode[]): Flow {
  if (!flow.groups) return flow;
  const groups = pruneGroups(flow.groups, new Set(nodes.map((n) => n.id)));
  const { groups: _old, ...rest } = flow;
  return groups.length > 0 ? { ...rest, groups } : rest;
}
