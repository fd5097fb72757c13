import { deepEqual } from './deep-equal';
import { edgeKey } from './edges';
import type { Flow, FlowNode, FlowResource } from './flow';

/**
 * What changed from one flow to the next, by node id, resource id and edge key, each list in the
 * order of the flow it comes from. "Changed" means what a running flow must restart for.
 */
export interface FlowDiff {
  /** Nodes only in the next flow. */
  added: string[];
  /** Nodes whose type, version, config, queue or disabled flag differ, or that use an added or changed resource. */
  changed: string[];
  /** Nodes only in the previous flow. */
  removed: string[];
  /** Nodes that can keep running as they are (their label, position or wiring may differ). */
  unchanged: string[];
  /** Resources only in the next flow. */
  resourcesAdded: string[];
  /** Resources whose type or config differ (a new name alone is no change). */
  resourcesChanged: string[];
  /** Resources only in the previous flow. */
  resourcesRemoved: string[];
  /** Resources that can stay open as they are (their name may differ). */
  resourcesUnchanged: string[];
  /** Edges only in the next flow, by `edgeKey` (`source:port->target:port`). */
  edgesAdded: string[];
  /** Edges only in the previous flow, by `edgeKey`. */
  edgesRemoved: string[];
}

/**
 * Compares two flows (`previous` undefined when none runs). A node is unchanged when its type,
 * version, config, queue settings and disabled flag are equal (by `deepEqual`) and no resource it
 * uses (`resourcesOf`, e.g. from its type's `resources` fields) was added or changed. Its label, `ui`
 * and edges do not count: relabeling or rewiring needs no restart, so a moving average keeps its window.
 */
export function diffFlows(
  previous: Flow | undefined,
  next: Flow,
  resourcesOf: (node: FlowNode) => readonly string[],
): FlowDiff {
  const oldResources = new Map<string, FlowResource>((previous?.resources ?? []).map((r) => [r.id, r]));
  const resourcesAdded: string[] = [];
  const resourcesChanged: string[] = [];
  const resourcesUnchanged: string[] = [];
  for (const resource of next.resources ?? []) {
    const old = oldResources.get(resource.id);
    oldResources.delete(resource.id);
    if (!old) resourcesAdded.push(resource.id);
    else if (!sameResource(old, resource)) resourcesChanged.push(resource.id);
    else resourcesUnchanged.push(resource.id);
  }
  const restartsUsers = new Set([...resourcesAdded, ...resourcesChanged]);

  const oldNodes = new Map<string, FlowNode>((previous?.nodes ?? []).map((n) => [n.id, n]));
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const node of next.nodes) {
    const old = oldNodes.get(node.id);
    oldNodes.delete(node.id);
    if (!old) added.push(node.id);
    else if (!sameNode(old, node) || resourcesOf(node).some((id) => restartsUsers.has(id))) changed.push(node.id);
    else unchanged.push(node.id);
  }

  const oldEdges = new Set((previous?.edges ?? []).map(edgeKey));
  const newEdges = new Set(next.edges.map(edgeKey));
  return {
    added,
    changed,
    removed: [...oldNodes.keys()],
    unchanged,
    resourcesAdded,
    resourcesChanged,
    resourcesRemoved: [...oldResources.keys()],
    resourcesUnchanged,
    edgesAdded: [...newEdges].filter((key) => !oldEdges.has(key)),
    edgesRemoved: [...oldEdges].filter((key) => !newEdges.has(key)),
  };
}

/**
 * The resource ids a node's config names in the fields its type declares as resources
 * (`{ broker: 'mqtt-broker' }` -> the value of `config.broker`); none when `fields` is undefined.
 */
export function resourceIdsOf(node: FlowNode, fields: Readonly<Record<string, string>> | undefined): string[] {
  if (!fields) return [];
  return Object.keys(fields)
    .map((field) => node.config?.[field])
    .filter((id): id is string => typeof id === 'string');
}

function sameResource(a: FlowResource, b: FlowResource): boolean {
  return a.type === b.type && deepEqual(a.config ?? {}, b.config ?? {});
}

function sameNode(a: FlowNode, b: FlowNode): boolean {
  return (
    a.type === b.type &&
    a.typeVersion === b.typeVersion &&
    Boolean(a.disabled) === Boolean(b.disabled) &&
    deepEqual(a.config ?? {}, b.config ?? {}) &&
    deepEqual(a.queue ?? {}, b.queue ?? {})
  );
}
