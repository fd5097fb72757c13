import { isRecord } from '@tagflow/flow-model';
import type { FlowEdge, FlowNode, FlowResource } from '@tagflow/flow-model';
import { toFlowEdge, toFlowNode } from './canvas';
import type { CanvasDoc } from './canvas';

/** The marker (and format version) of tagflow clipboard text. */
export const CLIPBOARD_MARKER = 'tagflow-clipboard';

/** What `copy` writes: flow-file nodes, the edges between them and the resources they use. */
export interface ClipboardContent {
  [CLIPBOARD_MARKER]: 1;
  nodes: FlowNode[];
  edges: FlowEdge[];
  resources: FlowResource[];
}

/** The clipboard text for `nodeIds` (unknown ids are skipped). */
export function copyNodes(doc: CanvasDoc, nodeIds: readonly string[]): string {
  const wanted = new Set(nodeIds);
  const nodes = doc.nodes.filter((n) => wanted.has(n.id));
  const edges = doc.edges.filter((e) => wanted.has(e.source) && wanted.has(e.target));
  const mentioned = new Set<string>();
  for (const n of nodes) collectStrings(n.config, mentioned);
  const content: ClipboardContent = {
    [CLIPBOARD_MARKER]: 1,
    nodes: nodes.map(toFlowNode),
    edges: edges.map(toFlowEdge),
    // Resource fields are plain config strings; any config string naming a resource counts (a spare one is harmless).
    resources: doc.resources.filter((r) => mentioned.has(r.id)).map((r) => structuredClone(r)),
  };
  return JSON.stringify(content, null, 2);
}

/** Clipboard text read back, or why it is not tagflow nodes. */
export function parseClipboard(text: string): ClipboardContent | { ok: false; reason: string } {
  const refuse = (why: string) => ({ ok: false as const, reason: `the clipboard does not hold tagflow nodes: ${why}` });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return refuse('it is not JSON');
  }
  if (!isRecord(data) || data[CLIPBOARD_MARKER] !== 1) return refuse(`it has no "${CLIPBOARD_MARKER}": 1 marker`);
  if (!Array.isArray(data.nodes) || data.nodes.length === 0) return refuse('it holds no nodes');
  for (const [i, n] of data.nodes.entries()) {
    if (!isRecord(n) || typeof n.id !== 'string' || typeof n.type !== 'string' || typeof n.typeVersion !== 'number') {
      return refuse(`node #${i + 1} lacks an id, a type or a typeVersion`);
    }
    if (n.config !== undefined && !isRecord(n.config))
      return refuse(`the config of node ${JSON.stringify(n.id)} is not an object`);
  }
  const edges = Array.isArray(data.edges) ? data.edges : [];
  for (const [i, e] of edges.entries()) {
    if (!isRecord(e) || typeof e.source !== 'string' || typeof e.target !== 'string')
      return refuse(`edge #${i + 1} lacks a source or a target`);
  }
  const resources = Array.isArray(data.resources) ? data.resources : [];
  for (const [i, r] of resources.entries()) {
    if (!isRecord(r) || typeof r.id !== 'string' || typeof r.type !== 'string')
      return refuse(`resource #${i + 1} lacks an id or a type`);
  }
  return {
    [CLIPBOARD_MARKER]: 1,
    nodes: data.nodes as FlowNode[],
    edges: edges as FlowEdge[],
    resources: resources as FlowResource[],
  };
}

function collectStrings(value: unknown, into: Set<string>): void {
  if (typeof value === 'string') into.add(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, into);
  else if (isRecord(value)) for (const v of Object.values(value)) collectStrings(v, into);
}
