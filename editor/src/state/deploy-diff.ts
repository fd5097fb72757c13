import { edgeKey } from '@tagflow/flow-model';
import type { Flow, FlowNode, FlowResource, NodeCatalog } from '@tagflow/flow-model';
import { findNodeType } from './api-catalog';
import { deepEqual } from './deep-equal';

/** What a deploy would change, by id; each node id is in exactly one of added, changed, moved, unchanged (or removed). */
export interface DeployDiff {
  /** Nodes new in the edited flow. */
  added: string[];
  /** Nodes gone from the edited flow. */
  removed: string[];
  /**
   * Nodes whose type, version, config, queue, disabled flag or label differ, or that use a changed
   * resource. The runtime restarts all of these except those whose only change is the label.
   */
  changed: string[];
  /** Of `changed`, the nodes whose only change is the label (not restarted by the runtime). */
  relabeled: string[];
  /** Nodes otherwise unchanged whose position moved (nothing to deploy). */
  moved: string[];
  unchanged: string[];
  resourcesAdded: string[];
  resourcesRemoved: string[];
  /** Resources present on both sides whose type, config or name differ. */
  resourcesChanged: string[];
  /** Wires new in the edited flow, by edge key `source:port->target:port`. */
  edgesAdded: string[];
  /** Wires gone from the edited flow, by edge key. */
  edgesRemoved: string[];
}

/**
 * Compares the running flow (undefined when none runs) with the edited one, with the runtime's
 * rules (see runtime/src/engine/flow-diff.ts) plus what the user wants to review: labels, moves, wires.
 * Pass the catalog to find resource fields by the node types' declarations; without it, any config
 * string naming a resource counts as using it.
 */
export function deployDiff(running: Flow | undefined, edited: Flow, catalog?: NodeCatalog): DeployDiff {
  const oldResources = new Map<string, FlowResource>((running?.resources ?? []).map((r) => [r.id, r]));
  const resourcesAdded: string[] = [];
  const resourcesChanged: string[] = [];
  const restartsUsers = new Set<string>();
  for (const r of edited.resources ?? []) {
    const old = oldResources.get(r.id);
    oldResources.delete(r.id);
    if (!old) {
      resourcesAdded.push(r.id);
      restartsUsers.add(r.id);
      continue;
    }
    const configChanged = old.type !== r.type || !deepEqual(old.config ?? {}, r.config ?? {});
    if (configChanged) restartsUsers.add(r.id);
    if (configChanged || old.name !== r.name) resourcesChanged.push(r.id);
  }

  const oldNodes = new Map<string, FlowNode>((running?.nodes ?? []).map((n) => [n.id, n]));
  const diff: DeployDiff = {
    added: [],
    removed: [],
    changed: [],
    relabeled: [],
    moved: [],
    unchanged: [],
    resourcesAdded,
    resourcesRemoved: [],
    resourcesChanged,
    edgesAdded: [],
    edgesRemoved: [],
  };
  for (const node of edited.nodes) {
    const old = oldNodes.get(node.id);
    oldNodes.delete(node.id);
    if (!old) diff.added.push(node.id);
    else if (!sameForRuntime(old, node) || usedResources(node, catalog).some((id) => restartsUsers.has(id)))
      diff.changed.push(node.id);
    else if (old.name !== node.name) {
      diff.changed.push(node.id);
      diff.relabeled.push(node.id);
    } else if (old.ui?.x !== node.ui?.x || old.ui?.y !== node.ui?.y) diff.moved.push(node.id);
    else diff.unchanged.push(node.id);
  }
  diff.removed = [...oldNodes.keys()];
  diff.resourcesRemoved = [...oldResources.keys()];
  const oldEdges = new Set((running?.edges ?? []).map(edgeKey));
  const newEdges = new Set(edited.edges.map(edgeKey));
  diff.edgesAdded = [...newEdges].filter((k) => !oldEdges.has(k));
  diff.edgesRemoved = [...oldEdges].filter((k) => !newEdges.has(k));
  return diff;
}

/** True when the runtime would keep the node running as is (its own rule). */
function sameForRuntime(a: FlowNode, b: FlowNode): boolean {
  return (
    a.type === b.type &&
    a.typeVersion === b.typeVersion &&
    Boolean(a.disabled) === Boolean(b.disabled) &&
    deepEqual(a.config ?? {}, b.config ?? {}) &&
    deepEqual(a.queue ?? {}, b.queue ?? {})
  );
}

function usedResources(node: FlowNode, catalog: NodeCatalog | undefined): string[] {
  const config = node.config ?? {};
  const declared = catalog ? findNodeType(catalog, node.type)?.resources : undefined;
  if (declared)
    return Object.keys(declared).flatMap((field) => (typeof config[field] === 'string' ? [config[field]] : []));
  return Object.values(config).filter((v): v is string => typeof v === 'string');
}
