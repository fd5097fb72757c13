import { flowErrors } from '@tagflow/flow-model';
import type { FlowIssue } from '@tagflow/flow-model';
import type { CanvasDoc } from './canvas';
import type { RefusalIssue } from './deploy-refusals';
import type { ValidationResult } from './validate';

/** One line of the flow's problem list (flow panel, deploy dialog), in the words a user reads. */
export interface ProblemEntry {
  /** Stable React key. */
  key: string;
  /** An error blocks a deploy; a warning does not. */
  severity: 'error' | 'warning';
  /** True for what the runtime said when it refused the last deploy (and the user has not changed yet). */
  refused: boolean;
  /** The node to select and centre when the entry is clicked. */
  nodeId?: string;
  /** Who it is about, as the canvas names it: the node's label (else its id), a connection's name, or "Flow". */
  owner: string;
  /** What is wrong, without the owner: `High limit must be a number, e.g. 42.5 (you typed "abc")`. */
  text: string;
  /** Where in the flow file (`/nodes/2/config/above`): a detail, for those who edit the JSON. */
  path?: string;
  code?: string;
}

/**
 * Every problem of the edited flow, named for people, errors first (the refusals of the last
 * deploy first among them), then warnings: what the flow panel and the deploy dialog list.
 * Unset `${NAME}` variables are left out (the flow panel lists them on their own).
 */
export function problemEntries(
  validation: ValidationResult,
  refusals: ReadonlyMap<string, readonly RefusalIssue[]>,
  doc: Pick<CanvasDoc, 'nodes' | 'resources'>,
): ProblemEntry[] {
  const owner = (issue: { nodeId?: string; resourceId?: string }): string => {
    if (issue.nodeId !== undefined) {
      const node = doc.nodes.find((n) => n.id === issue.nodeId);
      return node?.label?.trim() || issue.nodeId;
    }
    if (issue.resourceId !== undefined) {
      const resource = doc.resources.find((r) => r.id === issue.resourceId);
      return `Connection “${resource?.name ?? issue.resourceId}”`;
    }
    return 'Flow';
  };
  const entry = (issue: FlowIssue, severity: ProblemEntry['severity'], refused: boolean, i: number): ProblemEntry => ({
    key: `${severity}${refused ? '-refused' : ''}-${i}-${issue.code}-${issue.path}`,
    severity,
    refused,
    ...(issue.nodeId === undefined ? {} : { nodeId: issue.nodeId }),
    owner: owner(issue),
    text: issueText(issue),
    ...(issue.path ? { path: issue.path } : {}),
    code: issue.code,
  });
  const listed = (i: FlowIssue) => i.code !== flowErrors.code.VARIABLE_UNRESOLVED;
  const known = new Set(validation.errors.map((e) => `${e.code}\u0000${e.path}`));
  const refused = [...refusals.values()]
    .flat()
    .filter((e) => !known.has(`${e.code ?? ''}\u0000${e.path ?? ''}`))
    .map((e, i) => entry({ ...e, code: e.code ?? '', path: e.path ?? '' }, 'error', true, i));
  return [
    ...refused,
    ...validation.errors.filter(listed).map((e, i) => entry(e, 'error', false, i)),
    ...validation.warnings.filter(listed).map((w, i) => entry(w, 'warning', false, i)),
  ];
}

/**
 * An issue's words without its owner: its `text`, else the message with the leading
 * `node "x" (type): ` and any JSON path taken out (messages of older runtimes spell them).
 */
export function issueText(issue: { message: string; path?: string; text?: string }): string {
  if (issue.text !== undefined) return issue.text;
  let text = issue.message.replace(
    /^(?:node|resource|edge|subflow instance)(?: #\d+(?: \(no id\))?| "(?:[^"\\]|\\.)*")?(?: \([^)]*\))?(?: at \/[^:]*)?(?:: | (?=[a-z]))/,
    '',
  );
  if (issue.path) text = text.replace(`${issue.path}: `, '').replace(`${issue.path} `, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
