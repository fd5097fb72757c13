import type { JSONSchema } from './json-schema';
import { isRecord } from './object-guards';

/** At most this many narrowed variants of one schema are listed (each is compiled ahead of time). */
export const MAX_SCHEMA_BRANCHES = 32;

/**
 * A copy of `schema` where the oneOf/anyOf at `segments` (a path through `properties` and `items`,
 * as in a config pointer) is replaced by its single branch whose properties cover every key in
 * `keys`; undefined when no single branch fits. The editor re-checks a value against it to name
 * the field at fault (`window.count`) where the full schema only says "matches none of the forms".
 */
export function narrowBranch(
  schema: JSONSchema,
  segments: readonly string[],
  keys: readonly string[],
): JSONSchema | undefined {
  if (!isRecord(schema)) return undefined;
  const s = schema as Record<string, unknown>;
  if (segments.length === 0) {
    const combinator = combinatorOf(s);
    if (!combinator) return undefined;
    const fitting = (s[combinator] as unknown[]).filter(
      (b) => hasProperties(b) && keys.every((k) => Object.prototype.hasOwnProperty.call(b.properties, k)),
    );
    if (fitting.length !== 1) return undefined;
    return withBranch(s, combinator, fitting[0] as Record<string, unknown>);
  }
  const [head, ...tail] = segments;
  if (isRecord(s.properties) && isRecord(s.properties[head])) {
    const inner = narrowBranch(s.properties[head], tail, keys);
    return inner && { ...s, properties: { ...s.properties, [head]: inner } };
  }
  if (isRecord(s.items) && /^\d+$/.test(head)) {
    const inner = narrowBranch(s.items, tail, keys);
    return inner && { ...s, items: inner };
  }
  return undefined;
}

/**
 * Every schema `narrowBranch` can make of `schema`, whatever the value (at most
 * `MAX_SCHEMA_BRANCHES`): so that the runtime compiles them ahead of time for the editor, which
 * may not compile code itself. Each is built as `narrowBranch` builds it, so their JSON is the same.
 */
export function schemaBranches(schema: JSONSchema): JSONSchema[] {
  const out: JSONSchema[] = [];
  visit(schema, (inner) => inner, out);
  return out;
}

function visit(schema: unknown, rebuild: (inner: JSONSchema) => JSONSchema, out: JSONSchema[]): void {
  if (!isRecord(schema) || out.length >= MAX_SCHEMA_BRANCHES) return;
  const s = schema;
  const combinator = combinatorOf(s);
  if (combinator) {
    for (const branch of s[combinator] as unknown[]) {
      if (out.length >= MAX_SCHEMA_BRANCHES) return;
      if (hasProperties(branch)) out.push(rebuild(withBranch(s, combinator, branch)));
    }
  }
  const properties = s.properties;
  if (isRecord(properties)) {
    for (const [name, inner] of Object.entries(properties)) {
      visit(inner, (narrowed) => rebuild({ ...s, properties: { ...properties, [name]: narrowed } }), out);
    }
  }
  if (isRecord(s.items)) visit(s.items, (narrowed) => rebuild({ ...s, items: narrowed }), out);
}

function combinatorOf(s: Record<string, unknown>): 'oneOf' | 'anyOf' | undefined {
  return Array.isArray(s.oneOf) ? 'oneOf' : Array.isArray(s.anyOf) ? 'anyOf' : undefined;
}

function hasProperties(branch: unknown): branch is Record<string, unknown> & { properties: Record<string, unknown> } {
  return isRecord(branch) && isRecord(branch.properties);
}

function withBranch(s: Record<string, unknown>, combinator: string, branch: Record<string, unknown>): JSONSchema {
  const { [combinator]: _dropped, ...rest } = s;
  return { ...rest, ...branch };
}
