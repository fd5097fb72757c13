import type { NodeCatalog } from './catalog';
import { expandSubflows } from './expand-subflows';
import { isPlainObject } from './object-guards';

/**
 * For a flow as written (with subflow instances): instance id -> the running node whose status
 * the instance shows (its subflow's `status` node, expanded). `{}` when there is none. What the
 * admin API's status and the editor use to show an instance's status.
 */
export function subflowStatusNodes(flow: unknown, catalog: NodeCatalog): Record<string, string> {
  if (!isPlainObject(flow)) return {};
  return expandSubflows(flow, catalog).statusNodes;
}
