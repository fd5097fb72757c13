import type { Flow, FlowNode, FlowResource } from '@tagflow/flow-model';

/** What a redeploy changes, by node and resource id. */
export interface FlowDiff {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  resourcesAdded: string[];
  resourcesChanged: string[];
  resourcesRemoved: string[];
  resourcesUnchanged: string[];
}

/**
 * Compares two validated flows. A node is unchanged when its type, version, config, queue settings
 * and disabled flag are equal (a new label alone does not restart it) and every resource it uses is unchanged; wiring and `ui` do not count,
 * since rewiring does not need a restart (so a moving-average window survives it).
 */
export function diffFlows(
  previous: Flow | undefined,
  next: Flow,
  usesResource: (node: FlowNode) => string[],
): FlowDiff {
  const oldResources = new Map<string, FlowResource>((previous?.resources ?? []).map((r) => [r.id, r]));
  const resourcesAdded: string[] = [];
  const resourcesChanged: string[] = [];
  const resourcesUnchanged: string[] = [];
  const changedResources = new Set<string>();
  for (const resource of next.resources ?? []) {
    const old = oldResources.get(resource.id);
    if (!old) {
      resourcesAdded.push(resource.id);
      changedResources.add(resource.id);
    } else if (old.type !== resource.type || !deepEqual(old.config ?? {}, resource.config ?? {})) {
      resourcesChanged.push(resource.id);
      changedResources.add(resource.id);
    } else {
      resourcesUnchanged.push(resource.id);
    }
    oldResources.delete(resource.id);
  }

  const oldNodes = new Map<string, FlowNode>((previous?.nodes ?? []).map((n) => [n.id, n]));
  const added: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const node of next.nodes) {
    const old = oldNodes.get(node.id);
    if (!old) added.push(node.id);
    else if (!sameNode(old, node) || usesResource(node).some((id) => changedResources.has(id))) changed.push(node.id);
    else unchanged.push(node.id);
    oldNodes.delete(node.id);
  }
  return {
    added,
    changed,
    removed: [...oldNodes.keys()],
    unchanged,
    resourcesAdded,
    resourcesChanged,
    resourcesRemoved: [...oldResources.keys()],
    resourcesUnchanged,
  };
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

/** Structural equality of JSON values. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (const key of aKeys) {
    if (!Object.prototype.hasOwnProperty.call(b, key)) return false;
    if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  return true;
}
