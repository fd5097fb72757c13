import { isPlainObject, pointerSegment, validateFlow } from '@tagflow/flow-model';
import type { Flow, FlowIssue, JSONSchema } from '@tagflow/flow-model';
import type { SecretDestination } from '@tagflow/node-sdk';
import { deployErrors } from '../error-codes';
import type { NodeRegistry } from '../registry/node-registry';
import { destinationAllowed, formatDestination, parseDestination } from '../store/secret-destinations';
import type { AllowedDestination } from '../store/secret-destinations';
import type { SecretStoreApi } from '../store/types';

/** The bound secrets of a store, by name: what `secretBindingProblems` checks a flow against. */
export type BoundSecrets = ReadonlyMap<string, readonly AllowedDestination[]>;

/** The secrets of `store` that have an allow list (unbound ones may go anywhere and are left out). */
export function boundSecrets(store: Pick<SecretStoreApi, 'list'>): BoundSecrets {
  const bound = new Map<string, AllowedDestination[]>();
  for (const { name, allow } of store.list()) {
    if (allow)
      bound.set(
        name,
        allow.map((entry) => parseDestination(entry) as AllowedDestination),
      );
  }
  return bound;
}

/**
 * Where a validated flow would send a bound secret that may not go there: one issue per secret,
 * node or resource and destination (code SECRET_NOT_ALLOWED). A config names a secret in a field
 * its schema marks `x-secret` (`passwordEnvProperty`); for resources, which read secrets by name
 * (`ctx.secret`), any string of the config equal to a bound secret's name counts too, as the
 * runtime cannot tell which fields their code reads. The type's `secretDestinations` says where
 * the config's secrets go; a type without it cannot use a bound secret. The admin API's validate
 * route, every deploy and rollback, and `tagflow validate --data-dir` run this same check.
 */
export function secretBindingProblems(flow: Flow, registry: NodeRegistry, bound: BoundSecrets): FlowIssue[] {
  if (bound.size === 0) return [];
  const issues: FlowIssue[] = [];
  (flow.resources ?? []).forEach((resource, index) => {
    const definition = registry.resource(resource.type)?.definition;
    if (!definition) return;
    const subject = { kind: 'resource', id: resource.id, type: resource.type, root: `/resources/${index}/config` };
    const names = secretNamesIn(resource.config, definition.configSchema, bound, true);
    issues.push(...configProblems(subject, resource.config, names, definition, bound));
  });
  flow.nodes.forEach((node, index) => {
    const definition = registry.node(node.type)?.definition;
    if (!definition) return;
    const subject = { kind: 'node', id: node.id, type: node.type, root: `/nodes/${index}/config` };
    const names = secretNamesIn(node.config, definition.configSchema, bound, false);
    issues.push(...configProblems(subject, node.config, names, definition, bound));
  });
  return issues;
}

/**
 * Validates `flow` as a deploy does and checks the secret bindings of the result; `[]` when the
 * flow is invalid (the engine's validation then refuses it, with its own words) or breaks none.
 */
export function flowSecretProblems(flow: unknown, registry: NodeRegistry, bound: BoundSecrets): FlowIssue[] {
  if (bound.size === 0) return [];
  const result = validateFlow(flow, registry.catalog(), { migrations: registry.migrations });
  return result.ok ? secretBindingProblems(result.flow, registry, bound) : [];
}

interface Subject {
  kind: string;
  id: string;
  type: string;
  /** JSON pointer of the config from the flow's root. */
  root: string;
}

/** A bound secret a config names, and where (pointer inside the config). */
interface NamedSecret {
  name: string;
  path: string;
}

function configProblems(
  subject: Subject,
  config: unknown,
  names: NamedSecret[],
  definition: { secretDestinations?(config: unknown): readonly SecretDestination[] },
  bound: BoundSecrets,
): FlowIssue[] {
  if (names.length === 0) return [];
  const who = `${subject.kind} "${subject.id}" (${subject.type})`;
  const ids = subject.kind === 'resource' ? { resourceId: subject.id } : { nodeId: subject.id };
  const issue = (named: NamedSecret, message: string): FlowIssue => ({
    code: deployErrors.code.SECRET_NOT_ALLOWED,
    path: `${subject.root}${named.path}`,
    ...ids,
    message,
  });
  let destinations: readonly SecretDestination[];
  try {
    if (!definition.secretDestinations) {
      return names.map((named) =>
        issue(
          named,
          `${who} names secret ${named.name}, which may be sent only to ${allowText(named, bound)}; type ${subject.type} does not say where it sends secrets, so it cannot use a bound secret (unbind it with tagflow secret set ${named.name} without --allow, or use a type that declares secretDestinations)`,
        ),
      );
    }
    destinations = definition.secretDestinations(config);
  } catch (err) {
    return names.map((named) =>
      issue(
        named,
        `${who} names secret ${named.name}, and where it would send it cannot be told: its secretDestinations failed (${(err as Error).message})`,
      ),
    );
  }
  const problems: FlowIssue[] = [];
  for (const named of names) {
    const allow = bound.get(named.name) ?? [];
    const refused = destinations.filter((d) => !destinationAllowed(allow, d));
    for (const destination of refused) {
      const wanted = [...allow.map(formatDestination), formatDestination(destination)].join(',');
      problems.push(
        issue(
          named,
          `${who} would send secret ${named.name} to ${formatDestination(destination)}; it may be sent only to ${allowText(named, bound)} (to allow it, an admin runs: tagflow secret set ${named.name} --allow ${wanted})`,
        ),
      );
    }
  }
  return problems;
}

function allowText(named: NamedSecret, bound: BoundSecrets): string {
  return (bound.get(named.name) ?? []).map(formatDestination).join(', ');
}

/**
 * The bound secrets `config` names: values of `x-secret` fields (nested objects and the
 * alternatives of oneOf/anyOf/allOf included) and, with `anyString`, any string equal to a bound
 * secret's name. Each secret once, at its first place.
 */
function secretNamesIn(config: unknown, schema: JSONSchema, bound: BoundSecrets, anyString: boolean): NamedSecret[] {
  const found = new Map<string, string>();
  const add = (name: unknown, path: string) => {
    if (typeof name === 'string' && bound.has(name) && !found.has(name)) found.set(name, path);
  };
  walkMarked(config, schema, '', add);
  if (anyString) walkStrings(config, '', add);
  return [...found].map(([name, path]) => ({ name, path }));
}

function walkMarked(value: unknown, schema: unknown, path: string, add: (name: unknown, path: string) => void): void {
  if (!isPlainObject(value) || !isPlainObject(schema)) return;
  for (const part of [schema, ...alternatives(schema)]) {
    const properties = part.properties;
    if (!isPlainObject(properties)) continue;
    for (const [key, sub] of Object.entries(properties)) {
      if (!Object.hasOwn(value, key)) continue;
      const at = `${path}/${pointerSegment(key)}`;
      if (isPlainObject(sub) && sub['x-secret'] === true) add(value[key], at);
      else walkMarked(value[key], sub, at, add);
    }
  }
}

function alternatives(schema: Record<string, unknown>): Record<string, unknown>[] {
  return ['oneOf', 'anyOf', 'allOf']
    .flatMap((k): unknown[] => (Array.isArray(schema[k]) ? (schema[k] as unknown[]) : []))
    .filter(isPlainObject);
}

function walkStrings(value: unknown, path: string, add: (name: unknown, path: string) => void): void {
  if (typeof value === 'string') add(value, path);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${path}/${i}`, add));
  else if (isPlainObject(value))
    for (const [key, v] of Object.entries(value)) walkStrings(v, `${path}/${pointerSegment(key)}`, add);
}
