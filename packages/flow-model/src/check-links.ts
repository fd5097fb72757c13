import type { NodeEntry } from './check-nodes';
import { flowErrors } from './error-codes';
import type { FlowNode } from './flow';
import { describeValue, nodeSubject, quoteList } from './issues';
import type { IssueList } from './issue-list';
import { linkReferences } from './links';
import { isPlainObject } from './object-guards';
import { closest } from './suggest';

/**
 * Each node a link-out or link-call names must be a link-in of this flow: an SDK `check` sees one
 * node only, so this flow-level check is where validate and deploy refuse a wire to nowhere, with
 * the same words. Links across flows (issue 17) would be resolved here first.
 */
export function checkLinks(rawNodes: unknown, byId: Map<string, NodeEntry>, issues: IssueList): void {
  if (!Array.isArray(rawNodes)) return;
  const linkIns = [...byId].filter(([, n]) => n.info?.link === 'in').map(([id]) => id);
  const hint =
    linkIns.length > 0 ? `link-in nodes here: ${quoteList(linkIns)}` : 'this flow has no link-in node: add one';
  rawNodes.forEach((raw: unknown, index) => {
    if (!isPlainObject(raw) || typeof raw.id !== 'string') return;
    const node = raw as unknown as FlowNode;
    const entry = byId.get(node.id);
    // A node already in error (an unknown type, a config its schema refuses) says enough.
    if (entry === undefined || entry.index !== index || issues.hasErrorAt(`/nodes/${index}`)) return;
    for (const { target, path: inside } of linkReferences(node, entry.info?.link)) {
      const path = `/nodes/${index}${inside}`;
      const subject = nodeSubject(node.id, node.type, index);
      const targetEntry = typeof target === 'string' ? byId.get(target) : undefined;
      if (targetEntry === undefined) {
        const guess = typeof target === 'string' ? closest(target, linkIns) : undefined;
        issues.error({
          code: flowErrors.code.LINK_TARGET_NOT_FOUND,
          path,
          nodeId: node.id,
          message:
            `${subject}: ${path} names ${describeValue(target)}, but this flow has no node with that id` +
            `${guess === undefined ? '' : ` (did you mean "${guess}"?)`}; ${hint}`,
        });
      } else if (targetEntry.info?.link !== 'in') {
        issues.error({
          code: flowErrors.code.LINK_TARGET_NOT_LINK_IN,
          path,
          nodeId: node.id,
          message: `${subject}: ${path} names ${nodeSubject(target, targetEntry.type)}, which is not a link-in: virtual wires end at link-in nodes; ${hint}`,
        });
      }
    }
  });
}
