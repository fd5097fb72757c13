import type { ExpandedOrigin, SubflowExpansion } from './expand-subflows';
import { SUBFLOW_ID_SEPARATOR } from './expand-subflows';
import type { FlowIssue } from './issues';

type List = 'nodes' | 'edges' | 'resources';

/**
 * An issue found in the expanded flow, said about the flow the user wrote: paths of items written
 * in the flow get their own index back; an item made by expanding an instance is reported at the
 * instance (its path and node id), the message naming the inner node and where it is defined.
 */
export function mapExpandedIssue(issue: FlowIssue, expansion: SubflowExpansion): FlowIssue {
  if (!expansion.expanded) return issue;
  const at = locate(issue.path, expansion);
  const message = rewriteText(issue.message, expansion, at?.origin.kind === 'instance');
  if (!at || at.origin.kind === 'flow') {
    const path = at && at.origin.kind === 'flow' ? `/${at.list}/${at.origin.index}${at.rest}` : issue.path;
    return { ...issue, path, message };
  }
  const o = at.origin;
  const path = `/nodes/${o.instanceIndex}`;
  // `text` and `field` describe the inner node's field, which the instance's form does not have.
  const { edgeId: _e, resourceId: _r, text: _t, field: _f, ...rest } = issue;
  // The path inside the subflow is the only pointer to the inner field: kept as a trailing detail.
  const inner = issue.message.includes(issue.path) ? '' : ` (at ${rewriteText(issue.path, expansion, true)})`;
  return {
    ...rest,
    path,
    nodeId: o.instanceId,
    message: `subflow instance ${JSON.stringify(o.instanceId)} (${o.instanceType}) at ${path}: ${message}${inner}`,
  };
}

function locate(
  path: string,
  expansion: SubflowExpansion,
): { list: List; origin: ExpandedOrigin; rest: string } | undefined {
  const match = /^\/(nodes|edges|resources)\/(\d+)(.*)$/.exec(path);
  if (!match) return undefined;
  const list = match[1] as List;
  const origin = expansion.origins[list][Number(match[2])];
  return origin && { list, origin, rest: match[3] };
}

/**
 * Every `/nodes/N…` of the expanded flow in `text` as the user's file has it; expanded ids as the
 * inner id (`"avg"`, when the message is prefixed with its instance) or `"avg" of instance "pump1"`.
 */
function rewriteText(text: string, expansion: SubflowExpansion, inInstance: boolean): string {
  const paths = text.replace(/\/(nodes|edges|resources)\/(\d+)(?![0-9])/g, (whole, list: List, index: string) => {
    const origin = expansion.origins[list][Number(index)];
    if (!origin) return whole;
    if (origin.kind === 'flow') return `/${list}/${origin.index}`;
    return origin.packedType ? `${origin.innerPath} (in the packed subflow "${origin.packedType}")` : origin.innerPath;
  });
  const expanded = new RegExp(`"([A-Za-z0-9][A-Za-z0-9._-]*)${SUBFLOW_ID_SEPARATOR}([^"]+)"`, 'g');
  return paths.replace(expanded, (_whole, instance: string, inner: string) =>
    inInstance ? `"${inner}"` : `"${inner}" of instance "${instance}"`,
  );
}
