import { flowErrors, resolveFlowVariables, validateFlow } from '@tagflow/flow-model';
import type { Flow, FlowIssue, NodeCatalog } from '@tagflow/flow-model';
import { refineBranchIssue } from './branch-refine';
import { canvasToFlow } from './canvas';
import type { CanvasDoc } from './canvas';

/** A finding, with whether it blocks a deploy (`error`) or only deserves a look (`warning`). */
export interface ValidationIssue extends FlowIssue {
  severity: 'error' | 'warning';
}

/** What the editor shows of a validation: everything, and the same issues indexed for the canvas and forms. */
export interface ValidationResult {
  /** True when nothing blocks a deploy (warnings may remain). */
  ok: boolean;
  /** Errors first, then warnings, in the flow model's order. */
  issues: ValidationIssue[];
  errors: FlowIssue[];
  warnings: FlowIssue[];
  /** Issues concerning each node (to badge it on the canvas). */
  byNode: Map<string, ValidationIssue[]>;
  /** Issues concerning each edge, by canvas edge id. */
  byEdge: Map<string, ValidationIssue[]>;
  /** Issues concerning each resource. */
  byResource: Map<string, ValidationIssue[]>;
  /**
   * A node's config problems by dotted path (`window.count`, `rules.0.value`; `''` for the config as
   * a whole) -> short message (`must be >= 1 (got 0)`). Where the validator could only say a value
   * matches none of its allowed forms, the form the value evidently follows is checked to name the field.
   */
  byField: (nodeId: string) => Map<string, string>;
  /** The same for a resource's config. */
  byResourceField: (resourceId: string) => Map<string, string>;
}

/**
 * Checks the edited flow with the runtime's own validator, e.g. `validate(doc, catalog).byField('avg')`.
 * Accepts a `FlowDocument`, any canvas doc, or a flow file. `${NAME}` is resolved first with the
 * runtime's `variables`, as a deploy does (a field `${PORT}` is then the number it stands for);
 * without them (not known yet) a variable is not reported as unset, and the fields using one are
 * left to the runtime's check.
 */
export function validate(
  input: CanvasDoc | Flow,
  catalog: NodeCatalog,
  variables?: Readonly<Record<string, string>>,
): ValidationResult {
  const flow = 'meta' in input ? canvasToFlow(input) : input;
  const resolved = resolveFlowVariables(flow, catalog, variables ?? {});
  const skipped = new Set(resolved.errors.map((e) => e.path));
  const variableErrors = variables
    ? resolved.errors
    : resolved.errors.filter((e) => e.code !== flowErrors.code.VARIABLE_UNRESOLVED);
  const result = validateFlow(resolved.flow, catalog);
  const errors = result.ok ? [] : result.errors.filter((e) => !skipped.has(e.path));
  return indexIssues(flow, catalog, [...variableErrors, ...errors], result.warnings);
}

/**
 * The editor's view of a flow's errors and warnings, indexed for the canvas and the forms: what
 * `validate` found here, or that merged with the runtime's answer (`withServerIssues`).
 */
export function indexIssues(
  flow: Flow,
  catalog: NodeCatalog,
  errors: FlowIssue[],
  warnings: FlowIssue[],
): ValidationResult {
  const issues: ValidationIssue[] = [
    ...errors.map((i) => ({ ...i, severity: 'error' as const })),
    ...warnings.map((i) => ({ ...i, severity: 'warning' as const })),
  ];
  const byNode = new Map<string, ValidationIssue[]>();
  const byEdge = new Map<string, ValidationIssue[]>();
  const byResource = new Map<string, ValidationIssue[]>();
  const nodeFields = new Map<string, Map<string, string>>();
  const resourceFields = new Map<string, Map<string, string>>();
  for (const issue of issues) {
    if (issue.nodeId !== undefined) push(byNode, issue.nodeId, issue);
    if (issue.edgeId !== undefined) push(byEdge, issue.edgeId, issue);
    if (issue.resourceId !== undefined) push(byResource, issue.resourceId, issue);
    const node = /^\/nodes\/\d+\/config(\/.*)?$/.exec(issue.path);
    if (node && issue.nodeId !== undefined) {
      const flowNode =
        issue.code === flowErrors.code.CONFIG_INVALID ? flow.nodes.find((n) => n.id === issue.nodeId) : undefined;
      const refined =
        flowNode && UNGUESSED_BRANCH.test(issue.text ?? issue.message)
          ? refineBranchIssue(flowNode, node[1] ?? '', catalog)
          : undefined;
      if (refined) for (const r of refined) addField(nodeFields, issue.nodeId, r.path, r);
      else addField(nodeFields, issue.nodeId, node[1], issue);
    }
    const resource = /^\/resources\/\d+\/config(\/.*)?$/.exec(issue.path);
    if (resource && issue.resourceId !== undefined) addField(resourceFields, issue.resourceId, resource[1], issue);
  }
  return {
    ok: errors.length === 0,
    issues,
    errors,
    warnings,
    byNode,
    byEdge,
    byResource,
    byField: (nodeId) => new Map(nodeFields.get(nodeId)),
    byResourceField: (resourceId) => new Map(resourceFields.get(resourceId)),
  };
}

/**
 * The words flow-model uses when it could not tell which of a `oneOf`/`anyOf`'s forms the value
 * follows (its sentence, or the message of an older runtime): then the editor guesses the form.
 */
const UNGUESSED_BRANCH = /allowed forms|filled in one of these ways|not filled in a way this node accepts/;

/** `/window/count` -> `window.count` (JSON pointer segments unescaped). */
export function pointerToFieldPath(pointer: string | undefined): string {
  if (!pointer) return '';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

/**
 * The words shown beside the field: the issue's `text` (`Count must be at least 1 (you typed 0)`),
 * else the message without its subject and path (issues from an older runtime spell the path).
 */
export function fieldMessage(issue: FlowIssue): string {
  if (issue.text !== undefined) return issue.text;
  for (const after of [': ', ' ']) {
    const at = issue.message.indexOf(`${issue.path}${after}`);
    if (at !== -1) return issue.message.slice(at + issue.path.length + after.length);
  }
  return issue.message;
}

function addField(
  index: Map<string, Map<string, string>>,
  owner: string,
  pointer: string | undefined,
  issue: FlowIssue,
): void {
  const fields = index.get(owner) ?? new Map<string, string>();
  const path = pointerToFieldPath(pointer);
  const text = fieldMessage(issue);
  const before = fields.get(path);
  fields.set(path, before === undefined ? text : `${before}; ${text}`);
  index.set(owner, fields);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
