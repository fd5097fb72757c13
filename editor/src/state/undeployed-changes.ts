import { deepEqual } from '@tagflow/flow-model';
import type { Flow, NodeCatalog } from '@tagflow/flow-model';
import { deployDiff } from './deploy-diff';

/** How a node differs from the deployed flow: new in the edit, or changed (settings, label, type...). */
export type NodeChange = 'added' | 'changed';

/** What the editor holds that the runtime does not: counted for the Deploy button, per node for markers. */
export interface UndeployedChanges {
  /** Nodes, wires and resources added, removed or changed, moved nodes, and 1 for the flow's own fields. */
  count: number;
  /** Nodes added or changed since the deployed version (moved ones are not marked). */
  nodes: ReadonlyMap<string, NodeChange>;
}

/** Nothing to deploy. */
export const NO_CHANGES: UndeployedChanges = { count: 0, nodes: new Map() };

/**
 * Compares the edited flow with the deployed one (`deployed` undefined: the runtime does not hold
 * it, so everything in it is added) by the same diff as the deploy dialog.
 */
export function undeployedChanges(deployed: Flow | undefined, edited: Flow, catalog?: NodeCatalog): UndeployedChanges {
  const diff = deployDiff(deployed, edited, catalog);
  const nodes = new Map<string, NodeChange>();
  for (const id of diff.added) nodes.set(id, 'added');
  for (const id of diff.changed) nodes.set(id, 'changed');
  let count =
    diff.added.length +
    diff.removed.length +
    diff.changed.length +
    diff.moved.length +
    diff.edgesAdded.length +
    diff.edgesRemoved.length +
    diff.resourcesAdded.length +
    diff.resourcesRemoved.length +
    diff.resourcesChanged.length;
  // The name, subflows, settings: whatever is not a node, wire or resource counts once.
  const rest = (f: Flow | undefined) => f && { ...f, nodes: [], edges: [], resources: [] };
  if (deployed && !deepEqual(rest(deployed), rest({ ...edited, id: deployed.id }))) count += 1;
  return { count, nodes };
}

/** The Deploy button's text: `Deploy`, `Deploy (1 change)`, `Deploy (3 changes)`. */
export function deployButtonText(count: number): string {
  if (count === 0) return 'Deploy';
  return `Deploy (${count} change${count === 1 ? '' : 's'})`;
}

/** The Deploy button's accessible name, which says whether anything is waiting to be deployed. */
export function deployButtonName(count: number): string {
  if (count === 0) return 'Deploy: no undeployed changes';
  return `Deploy: ${count} undeployed change${count === 1 ? '' : 's'}`;
}
