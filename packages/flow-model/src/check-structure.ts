import { isPlainObject } from './object-guards';
import { rawEdgeId } from './edges';
import { flowErrors } from './error-codes';
import type { FlowIssueCode } from './error-codes';
import { CURRENT_SCHEMA_VERSION } from './flow';
import { describeValue, edgeSubject, groupSubject, nodeSubject, resourceSubject } from './issues';
import type { FlowIssue, FlowModelIssue } from './issues';
import type { IssueList } from './issue-list';
import { describeSchemaErrors } from './schema-errors';
import type { SchemaProblem } from './schema-errors';

import { validateFlowSchema } from './flow-validator.generated';

/**
 * Checks the flow's shape against `flowSchema`; each mistake becomes one issue naming its node, edge or resource.
 * The validator was compiled when this package was built (`flow-validator.generated.ts`): nothing is
 * compiled at run time, so the editor runs it without `eval` and the runtime starts faster.
 */
export function checkStructure(flow: Record<string, unknown>, issues: IssueList): void {
  const validate = validateFlowSchema;
  if (validate(flow)) return;
  for (const problem of describeSchemaErrors(validate.errors)) issues.error(structureIssue(flow, problem));
}

const CODES: Record<SchemaProblem['kind'], FlowIssueCode> = {
  missing: flowErrors.code.MISSING_FIELD,
  unknown: flowErrors.code.UNKNOWN_FIELD,
  invalid: flowErrors.code.INVALID_FIELD,
};

function structureIssue(flow: Record<string, unknown>, problem: SchemaProblem): FlowModelIssue {
  const owner = ownerOf(flow, problem.path);
  if (problem.path === '/schemaVersion' && problem.kind === 'invalid') {
    const version = flow.schemaVersion;
    const newer = typeof version === 'number' && version > CURRENT_SCHEMA_VERSION;
    const text = newer
      ? `is ${version}: the file was saved by a newer tagflow; this one reads format ${CURRENT_SCHEMA_VERSION}, so upgrade tagflow`
      : `must be ${CURRENT_SCHEMA_VERSION} (got ${describeValue(version)})`;
    return {
      code: flowErrors.code.UNSUPPORTED_SCHEMA_VERSION,
      path: problem.path,
      message: `${owner.subject}: ${problem.path} ${text}`,
    };
  }
  return {
    code: CODES[problem.kind],
    path: problem.path,
    message: `${owner.subject}: ${problem.path} ${problem.text}`,
    ...owner.ids,
  };
}

interface Owner {
  subject: string;
  ids: Pick<FlowIssue, 'nodeId' | 'edgeId' | 'resourceId'>;
}

/** The node, edge or resource a path lies in, so the message and the editor can name it. */
function ownerOf(flow: Record<string, unknown>, path: string): Owner {
  const match = /^\/(nodes|edges|resources)\/(\d+)(?:\/|$)/.exec(path);
  const item = match && Array.isArray(flow[match[1]]) ? (flow[match[1]] as unknown[])[Number(match[2])] : undefined;
  if (match && isPlainObject(item)) {
    const index = Number(match[2]);
    const id = typeof item.id === 'string' ? item.id : undefined;
    if (match[1] === 'nodes') return { subject: nodeSubject(id, item.type, index), ids: { nodeId: id } };
    if (match[1] === 'resources') return { subject: resourceSubject(id, item.type, index), ids: { resourceId: id } };
    const edgeId = rawEdgeId(item);
    return { subject: edgeSubject(edgeId, index), ids: { edgeId } };
  }
  const sub = /^\/subflows\/(\d+)(?:\/|$)/.exec(path);
  const def = sub && Array.isArray(flow.subflows) ? (flow.subflows as unknown[])[Number(sub[1])] : undefined;
  if (isPlainObject(def))
    return { subject: typeof def.id === 'string' ? `subflow ${JSON.stringify(def.id)}` : 'subflow', ids: {} };
  const grp = /^\/groups\/(\d+)(?:\/|$)/.exec(path);
  const group = grp && Array.isArray(flow.groups) ? (flow.groups as unknown[])[Number(grp[1])] : undefined;
  if (isPlainObject(group)) return { subject: groupSubject(group.id, group.name), ids: {} };
  return { subject: typeof flow.id === 'string' ? `flow ${JSON.stringify(flow.id)}` : 'flow', ids: {} };
}
