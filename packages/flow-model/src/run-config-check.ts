import type { ConfigCheck, ConfigProblem, NodeCatalog } from './catalog';
import { checkConfig } from './config-validators';
import type { JSONSchema } from './json-schema';
import { flowErrors } from './error-codes';
import type { FlowIssueCode } from './error-codes';
import { isPlainObject } from './object-guards';
import type { IssueList } from './issue-list';
import { fieldLabel } from './field-labels';

/** Whose config is checked, for the issues: the node or resource, its pointer and how to name it. */
export interface CheckedOwner {
  /** Pointer of the node or resource in the flow, e.g. `/nodes/3`. */
  path: string;
  /** `node "plc" (modbus-read)`, as the other issues name it. */
  subject: string;
  /** `node type "modbus-read" (from @tagflow/nodes-modbus@0.1.0)`, for a check that misbehaves. */
  typeWords: string;
  nodeId?: string;
  resourceId?: string;
  /** The config schema, for the labels of the fields a problem names. */
  schema?: unknown;
}

/** What a node or resource type brings to check a config with. */
export interface ConfigRules {
  configSchema: JSONSchema;
  check?: ConfigCheck;
}

/**
 * Checks a node's or resource's config against its type's schema, then (when the schema found
 * nothing) the type's own `check`, reporting every problem; `problemCode` is the code of a schema
 * problem (nodes and resources have their own). Answers the config with its defaults filled in and
 * whether its schema found it valid, or undefined when the type's schema itself is broken (reported:
 * the package's author must fix it).
 */
export function checkOwnerConfig(
  catalog: NodeCatalog,
  rules: ConfigRules,
  config: unknown,
  owner: CheckedOwner,
  problemCode: FlowIssueCode,
  issues: IssueList,
): { config: Record<string, unknown>; valid: boolean } | undefined {
  const ids = { nodeId: owner.nodeId, resourceId: owner.resourceId };
  const checked = checkConfig(catalog, rules.configSchema, config, `${owner.path}/config`);
  if (!checked.ok) {
    issues.error({
      code: flowErrors.code.CONFIG_SCHEMA_INVALID,
      path: `${owner.path}/config`,
      ...ids,
      message: `${owner.subject}: ${owner.path}/config cannot be checked: the config schema of ${owner.typeWords} is invalid (${checked.schemaError}); report this to the package's author`,
    });
    return undefined;
  }
  // The path is a detail (on the issue), not part of the words: people know fields by label.
  for (const problem of checked.problems) {
    issues.error({
      code: problemCode,
      path: problem.path,
      ...ids,
      field: problem.field,
      text: problem.sentence,
      message: `${owner.subject}: ${problem.sentence}`,
    });
  }
  if (rules.check && checked.problems.length === 0) runConfigCheck(rules.check, checked.config, owner, issues);
  return { config: checked.config, valid: checked.problems.length === 0 };
}

/**
 * Runs a type's own `check` on a config that passed its schema and reports each problem as an
 * error at its full pointer (`/nodes/3/config/tags/2/type`), with the check's code and words. A
 * check that throws or answers nonsense is reported as a problem of that node, never a crash.
 */
export function runConfigCheck(
  check: ConfigCheck,
  config: Record<string, unknown>,
  owner: CheckedOwner,
  issues: IssueList,
): void {
  const configPath = `${owner.path}/config`;
  const ids = { nodeId: owner.nodeId, resourceId: owner.resourceId };
  const broken = (what: string) =>
    issues.error({
      code: flowErrors.code.CONFIG_CHECK_FAILED,
      path: configPath,
      ...ids,
      message: `${owner.subject}: ${configPath} cannot be checked: the config check of ${owner.typeWords} ${what}; report this to the package's author`,
    });
  let answer: unknown;
  try {
    answer = check(config);
  } catch (err) {
    broken(`failed (${err instanceof Error ? `${err.name}: ${err.message}` : String(err)})`);
    return;
  }
  if (!Array.isArray(answer)) {
    broken('did not answer a list of problems');
    return;
  }
  for (const problem of answer as unknown[]) {
    if (!isProblem(problem)) {
      broken('answered a problem without a text path, message and code');
      continue;
    }
    const path = configPath + problem.path;
    const field = fieldLabel(owner.schema, problem.path);
    issues.checkError({
      code: problem.code,
      path,
      ...ids,
      ...(field === undefined ? {} : { field }),
      text: problem.message,
      message: `${owner.subject}: ${field === undefined ? '' : `${field}: `}${problem.message}`,
    });
  }
}

function isProblem(value: unknown): value is ConfigProblem {
  return (
    isPlainObject(value) &&
    typeof value.path === 'string' &&
    (value.path === '' || value.path.startsWith('/')) &&
    typeof value.message === 'string' &&
    typeof value.code === 'string' &&
    value.code !== ''
  );
}
