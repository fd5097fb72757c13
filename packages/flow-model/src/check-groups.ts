import { flowErrors } from './error-codes';
import { groupSubject } from './issues';
import type { IssueList } from './issue-list';
import { isPlainObject } from './object-guards';
import { closest } from './suggest';

/**
 * Checks the flow's groups against its nodes as written (before subflow expansion): each group id
 * once, each listed node a node of the flow, and in one group only. Groups are editor-only, so a
 * mistake here is still refused: a file the editor cannot draw faithfully is not deployed silently.
 */
export function checkGroups(flow: Record<string, unknown>, issues: IssueList): void {
  if (!Array.isArray(flow.groups)) return;
  const nodeIds = new Set<string>();
  if (Array.isArray(flow.nodes))
    for (const node of flow.nodes) if (isPlainObject(node) && typeof node.id === 'string') nodeIds.add(node.id);
  const groupIds = new Map<string, number>();
  const owner = new Map<string, string>();
  flow.groups.forEach((group: unknown, index) => {
    // Shape mistakes were reported by the structure check.
    if (!isPlainObject(group) || typeof group.id !== 'string' || !Array.isArray(group.nodes)) return;
    const groupId = group.id;
    const path = `/groups/${index}`;
    const subject = groupSubject(group.id, group.name);
    const same = groupIds.get(group.id);
    if (same !== undefined)
      issues.error({
        code: flowErrors.code.GROUP_INVALID,
        path: `${path}/id`,
        message: `${subject}: ${path}/id ${JSON.stringify(group.id)} is already the id of the group at /groups/${same}; group ids must be unique`,
      });
    else groupIds.set(group.id, index);
    group.nodes.forEach((id: unknown, at) => {
      if (typeof id !== 'string') return;
      const where = `${path}/nodes/${at}`;
      if (!nodeIds.has(id)) {
        const guess = closest(id, nodeIds);
        issues.error({
          code: flowErrors.code.GROUP_NODE_NOT_FOUND,
          path: where,
          message: `${subject}: ${where} names node ${JSON.stringify(id)}, which is not a node of this flow${guess ? `; did you mean ${JSON.stringify(guess)}?` : ''} (remove it from the group, or add the node)`,
        });
        return;
      }
      const first = owner.get(id);
      if (first !== undefined) {
        const again =
          first === groupId ? 'is listed twice in this group' : `is already in group ${JSON.stringify(first)}`;
        issues.error({
          code: flowErrors.code.GROUP_INVALID,
          path: where,
          nodeId: id,
          message: `${subject}: ${where} node ${JSON.stringify(id)} ${again}; a node can be in one group only`,
        });
        return;
      }
      owner.set(id, groupId);
    });
  });
}
