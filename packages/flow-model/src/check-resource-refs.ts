import type { NodeTypeInfo } from './catalog';
import type { CheckedResources } from './check-resources';
import { configFieldPath } from './check-resources';
import { flowErrors } from './error-codes';
import type { FlowIssueCode } from './error-codes';
import { describeValue, nodeSubject, quoteList } from './issues';
import type { IssueList } from './issue-list';

/** The node whose resource fields are checked, its config already defaulted. */
export interface ResourceUser {
  id: string | undefined;
  type: string;
  index: number;
  config: Record<string, unknown>;
  info: NodeTypeInfo;
}

/**
 * Each config field the node type declares in `resources` (`{ broker: 'mqtt-broker' }`) must name
 * a resource of this flow, of that type.
 */
export function checkResourceRefs(node: ResourceUser, resources: CheckedResources, issues: IssueList): void {
  const subject = nodeSubject(node.id, node.type, node.index);
  for (const [field, wanted] of Object.entries(node.info.resources ?? {})) {
    const path = configFieldPath(`/nodes/${node.index}`, field);
    // The config schema may already have said the field is missing or malformed.
    if (issues.hasErrorAt(path)) continue;
    const value = node.config[field];
    const candidates = [...resources.byId].filter(([, r]) => r.type === wanted).map(([id]) => id);
    const hint =
      candidates.length > 0
        ? `resources of that type here: ${quoteList(candidates)}`
        : `this flow has no "${wanted}" resource: add one under "resources"`;
    const report = (code: FlowIssueCode, text: string, resourceId?: string) =>
      issues.error({ code, path, nodeId: node.id, resourceId, message: `${subject}: ${path} ${text}; ${hint}` });
    if (value === undefined || value === '') {
      report(flowErrors.code.RESOURCE_NOT_SET, `is required: it must be the id of a "${wanted}" resource`);
      continue;
    }
    if (typeof value !== 'string') {
      report(
        flowErrors.code.RESOURCE_NOT_FOUND,
        `must be the id of a "${wanted}" resource (got ${describeValue(value)})`,
      );
      continue;
    }
    const resource = resources.byId.get(value);
    if (!resource) {
      report(
        flowErrors.code.RESOURCE_NOT_FOUND,
        `names resource ${JSON.stringify(value)}, but this flow has no resource with that id`,
        value,
      );
    } else if (resource.type !== wanted) {
      report(
        flowErrors.code.RESOURCE_TYPE_MISMATCH,
        `names resource ${JSON.stringify(value)} of type ${describeValue(resource.type)}, but this node needs a "${wanted}" resource`,
        value,
      );
    }
  }
}
