import { flowErrors } from './error-codes';
import { nodeSubject } from './issues';
import type { IssueList } from './issue-list';
import { isPlainObject } from './object-guards';

/**
 * The type of the node an import leaves where a Node-RED node had no tagflow equivalent
 * (`tagflow import-nodered`). No package provides it: it keeps the node's place, wires and
 * original config in the flow, and validation (so every deploy) refuses it until it is replaced.
 * Its config: `{ nodeRedType, reason, useInstead, original }`.
 */
export const PLACEHOLDER_TYPE = 'nodered-placeholder';

/**
 * Refuses a placeholder node in plain words, naming the original Node-RED type, why it was not
 * converted and what to use instead.
 */
export function checkPlaceholder(node: Record<string, unknown>, index: number, issues: IssueList): void {
  const path = `/nodes/${index}`;
  const config = isPlainObject(node.config) ? node.config : {};
  const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);
  const original = text(config.nodeRedType) ?? 'unknown';
  const reason = text(config.reason);
  const instead = text(config.useInstead);
  const id = typeof node.id === 'string' ? node.id : undefined;
  issues.error({
    code: flowErrors.code.NODERED_PLACEHOLDER,
    path: `${path}/type`,
    nodeId: id,
    message:
      `${nodeSubject(id, PLACEHOLDER_TYPE, index)}: ${path} is a Node-RED "${original}" node that was not converted` +
      `${reason ? ` (${reason})` : ''}: ${instead ? `use ${instead} instead` : 'replace it with a tagflow node'}, then deploy again`,
  });
}
