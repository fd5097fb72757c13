/**
 * Shape checks for what a node package exports. A package is plain JavaScript to the runtime: these
 * checks catch a wrong export (a forgotten `default`, a config schema given as a string) at
 * discovery, with a message naming the field, instead of as a crash at the first deploy.
 */
import { isRecord, numberedPortsProblems } from '@tagflow/flow-model';

/**
 * What is wrong with a value meant to be a NodeDefinition, one plain sentence per problem; empty
 * when it has the shape the engine relies on.
 */
export function nodeDefinitionProblems(value: unknown): string[] {
  if (!isRecord(value)) return [`the export is ${describe(value)}, not a node definition object`];
  const problems = commonProblems(value);
  for (const field of ['inputs', 'outputs'] as const) {
    const ports = value[field];
    if (!Array.isArray(ports) || ports.some((p) => typeof p !== 'string' || p === '')) {
      problems.push(`\`${field}\` must be an array of port names (got ${describe(ports)})`);
    }
  }
  if (Array.isArray(value.outputs))
    problems.push(...numberedPortsProblems(value.numberedOutputs, value.configSchema, value.outputs as string[]));
  optionalString(value, 'category', problems);
  if (value.catches !== undefined && typeof value.catches !== 'function') {
    problems.push(`\`catches\` must be a function when present (got ${describe(value.catches)})`);
  }
  if (value.watchesStatus !== undefined && typeof value.watchesStatus !== 'function') {
    problems.push(`\`watchesStatus\` must be a function when present (got ${describe(value.watchesStatus)})`);
  }
  if (value.link !== undefined && value.link !== 'in' && value.link !== 'out' && value.link !== 'call') {
    problems.push(`\`link\` must be "in", "out" or "call" when present (got ${describe(value.link)})`);
  }
  if (value.resources !== undefined) {
    const ok = isRecord(value.resources) && Object.values(value.resources).every((t) => typeof t === 'string');
    if (!ok)
      problems.push(`\`resources\` must map config fields to resource type names (got ${describe(value.resources)})`);
  }
  if (value.subflow !== undefined) {
    const t = value.subflow;
    const ok =
      isRecord(t) &&
      Array.isArray(t.nodes) &&
      Array.isArray(t.edges) &&
      Array.isArray(t.inputs) &&
      Array.isArray(t.outputs);
    if (!ok)
      problems.push(
        `\`subflow\` must be a subflow template with nodes, edges, inputs and outputs (got ${describe(t)})`,
      );
  }
  if (value.migrations !== undefined) {
    const ok = isRecord(value.migrations) && Object.values(value.migrations).every((m) => typeof m === 'function');
    if (!ok) problems.push(`\`migrations\` must map versions to functions (got ${describe(value.migrations)})`);
  }
  return problems;
}

/** What is wrong with a value meant to be a ResourceDefinition; empty when it is fine. */
export function resourceDefinitionProblems(value: unknown): string[] {
  if (!isRecord(value)) return [`the export is ${describe(value)}, not a resource definition object`];
  return commonProblems(value);
}

function commonProblems(value: Record<string, unknown>): string[] {
  const problems: string[] = [];
  if (typeof value.type !== 'string' || !/^\S+$/.test(value.type)) {
    problems.push(`\`type\` must be a non-empty name without spaces (got ${describe(value.type)})`);
  }
  if (!Number.isInteger(value.version) || (value.version as number) < 1) {
    problems.push(`\`version\` must be an integer of 1 or more (got ${describe(value.version)})`);
  }
  if (!isRecord(value.configSchema)) {
    problems.push(`\`configSchema\` must be a JSON Schema object (got ${describe(value.configSchema)})`);
  }
  if (typeof value.create !== 'function') {
    problems.push(`\`create\` must be a function (got ${describe(value.create)})`);
  }
  if (value.check !== undefined && typeof value.check !== 'function') {
    problems.push(`\`check\` must be a function when present (got ${describe(value.check)})`);
  }
  if (value.secretDestinations !== undefined && typeof value.secretDestinations !== 'function') {
    problems.push(`\`secretDestinations\` must be a function when present (got ${describe(value.secretDestinations)})`);
  }
  optionalString(value, 'description', problems);
  optionalString(value, 'docs', problems);
  if (value.errors !== undefined) {
    const ok = isRecord(value.errors) && Object.values(value.errors).every((m) => typeof m === 'string');
    if (!ok) problems.push(`\`errors\` must map error codes to their meanings (got ${describe(value.errors)})`);
  }
  return problems;
}

function optionalString(value: Record<string, unknown>, field: string, problems: string[]): void {
  if (value[field] !== undefined && typeof value[field] !== 'string') {
    problems.push(`\`${field}\` must be a string when present (got ${describe(value[field])})`);
  }
}

/** A short, safe rendering of a value for a message: its JSON for primitives, its kind otherwise. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'object') return 'an object';
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 37)}...` : json;
}
