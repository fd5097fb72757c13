import { diffFlows, findNodeType, resourceIdsOf } from '@tagflow/flow-model';
import type { Flow, FlowNode, NodeCatalog } from '@tagflow/flow-model';

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
  /** Nodes with nothing to review. */
  unchanged: string[];
  /** Resources new in the edited flow. */
  resourcesAdded: string[];
  /** Resources gone from the edited flow. */
  resourcesRemoved: string[];
  /** Resources present on both sides whose type, config or name differ. */
  resourcesChanged: string[];
  /** Wires new in the edited flow, by edge key `source:port->target:port`. */
  edgesAdded: string[];
  /** Wires gone from the edited flow, by edge key. */
  edgesRemoved: string[];
}

/**
 * Compares the running flow (undefined when none runs) with the edited one: the runtime's own diff
 * (`diffFlows` from @tagflow/flow-model) plus what the user wants to review, labels and moves.
 * Pass the catalog to find resource fields by the node types' declarations; without it, any config
 * string naming a resource counts as using it.
 */
export function deployDiff(running: Flow | undefined, edited: Flow, catalog?: NodeCatalog): DeployDiff {
  const flow = diffFlows(running, edited, (node) => usedResources(node, catalog));
  const oldNodes = new Map((running?.nodes ?? []).map((n) => [n.id, n]));
  const restarted = new Set(flow.changed);
  const changed: string[] = [];
  const relabeled: string[] = [];
  const moved: string[] = [];
  const unchanged: string[] = [];
  // By the edited flow's order, so a relabeled node sits among the others where the user sees it.
  for (const node of edited.nodes) {
    const old = oldNodes.get(node.id);
    if (!old) continue;
    if (restarted.has(node.id)) changed.push(node.id);
    else if (old.name !== node.name) {
      changed.push(node.id);
      relabeled.push(node.id);
    } else if (old.ui?.x !== node.ui?.x || old.ui?.y !== node.ui?.y) moved.push(node.id);
    else unchanged.push(node.id);
  }
  const oldResources = new Map((running?.resources ?? []).map((r) => [r.id, r]));
  const configChanged = new Set(flow.resourcesChanged);
  const resourcesChanged = (edited.resources ?? [])
    .filter((r) => configChanged.has(r.id) || (oldResources.has(r.id) && oldResources.get(r.id)?.name !== r.name))
    .map((r) => r.id);
  return {
    added: flow.added,
    removed: flow.removed,
    changed,
    relabeled,
    moved,
    unchanged,
    resourcesAdded: flow.resourcesAdded,
    resourcesRemoved: flow.resourcesRemoved,
    resourcesChanged,
    edgesAdded: flow.edgesAdded,
    edgesRemoved: flow.edgesRemoved,
  };
}

function usedResources(node: FlowNode, catalog: NodeCatalog | undefined): string[] {
  const declared = catalog ? findNodeType(catalog, node.type)?.resources : undefined;
  if (declared) return resourceIdsOf(node, declared);
  return Object.values(node.config ?? {}).filter((v): v is string => typeof v === 'string');
}

/**
 * How the deploy dialog names the nodes of a diff: as the canvas does, by label else id (a
 * removed node by its label in the running flow). `id` is set only when it differs from the
 * name, to show as a detail.
 */
export function diffNodeNames(running: Flow | undefined, edited: Flow): (id: string) => { name: string; id?: string } {
  const labels = new Map<string, string>();
  for (const node of [...(running?.nodes ?? []), ...edited.nodes]) {
    const label = node.name?.trim();
    if (label) labels.set(node.id, label);
    else labels.delete(node.id);
  }
  return (id) => {
    const name = labels.get(id);
    return name === undefined || name === id ? { name: id } : { name, id };
  };
}

/** A wire of the diff (`a:out->b:in`) in node names: `Simulate → Average`, ports only when not the default ones. */
export function diffEdgeWords(key: string, name: (id: string) => { name: string }): string {
  const match = /^(.*):([^:]*)->(.*):([^:]*)$/.exec(key);
  if (!match) return key;
  const [, source, sourcePort, target, targetPort] = match;
  const port = (p: string, usual: string) => (p === usual ? '' : ` (${p})`);
  return `${name(source).name}${port(sourcePort, 'out')} → ${name(target).name}${port(targetPort, 'in')}`;
}
