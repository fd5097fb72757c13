import fc from 'fast-check';
import type { JSONSchema } from '@tagflow/flow-model';
import { jsonLike } from './odd-values';

type Schema = Record<string, unknown>;

/** Deeper than this, an object or array schema gives its default or nothing, so generation stays small. */
const MAX_DEPTH = 6;

/**
 * Values that a node type's config schema mostly accepts, drawn from the schema itself (types,
 * bounds, enums, `oneOf`/`anyOf` branches, required and optional fields, defaults left out). Not
 * a full JSON Schema generator: `if`/`then`, `not` and cross-field rules are ignored, so some
 * values are refused, which the properties treat like any other refused flow.
 */
export function fromSchema(schema: JSONSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  const s = (schema ?? {}) as Schema;
  if ('const' in s) return fc.constant(s.const);
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const branches = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (Array.isArray(branches) && branches.length > 0) {
    const { oneOf: _o, anyOf: _a, ...base } = s;
    return fc.oneof(...branches.map((branch) => fromSchema(merge(base, branch), depth)));
  }
  if (Array.isArray(s.allOf)) {
    const { allOf, ...base } = s;
    return fromSchema((allOf as Schema[]).reduce(merge, base), depth);
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : inferTypes(s);
  if (types.length === 0) return jsonLike;
  return fc.oneof(...types.map((type) => forType(type, s, depth)));
}

function inferTypes(s: Schema): string[] {
  if (s.properties !== undefined || s.required !== undefined) return ['object'];
  if (s.items !== undefined) return ['array'];
  return [];
}

function merge(base: Schema, branch: Schema): Schema {
  const out: Schema = { ...base, ...branch };
  if (base.properties || branch.properties)
    out.properties = { ...(base.properties as Schema), ...(branch.properties as Schema) };
  if (Array.isArray(base.required) || Array.isArray(branch.required))
    out.required = [...((base.required as string[]) ?? []), ...((branch.required as string[]) ?? [])];
  return out;
}

function forType(type: string, s: Schema, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return integerIn(s);
    case 'number':
      return numberIn(s);
    case 'string':
      return stringFor(s);
    case 'array':
      return arrayFor(s, depth);
    case 'object':
      return objectFor(s, depth);
    default:
      return jsonLike;
  }
}

function bound(s: Schema, key: string): number | undefined {
  const value = s[key];
  return typeof value === 'number' ? value : undefined;
}

function integerIn(s: Schema): fc.Arbitrary<number> {
  const min = bound(s, 'minimum') ?? (bound(s, 'exclusiveMinimum') ?? -1001) + 1;
  const max = bound(s, 'maximum') ?? (bound(s, 'exclusiveMaximum') ?? Math.max(min, 0) + 1001) - 1;
  const lo = Math.ceil(Math.max(min, -1e9));
  const hi = Math.floor(Math.min(max, 1e9));
  // Small values most of the time: sizes, counts and addresses of 1e9 make slow flows, not odd ones.
  return fc.oneof(
    fc.integer({ min: lo, max: Math.max(lo, Math.min(hi, lo + 100)) }),
    fc.integer({ min: lo, max: Math.max(lo, hi) }),
  );
}

function numberIn(s: Schema): fc.Arbitrary<number> {
  const exclusiveMin = bound(s, 'exclusiveMinimum');
  const exclusiveMax = bound(s, 'exclusiveMaximum');
  const min = bound(s, 'minimum') ?? (exclusiveMin !== undefined ? exclusiveMin + 1e-6 : -1e6);
  const max = bound(s, 'maximum') ?? (exclusiveMax !== undefined ? exclusiveMax - 1e-6 : Math.max(min, 0) + 1e6);
  return fc.oneof(
    fc.double({ min, max: Math.max(min, max), noNaN: true, noDefaultInfinity: true }),
    fc.integer({ min: Math.ceil(min), max: Math.max(Math.ceil(min), Math.floor(Math.min(max, min + 100))) }),
  );
}

function stringFor(s: Schema): fc.Arbitrary<string> {
  const minLength = bound(s, 'minLength') ?? 0;
  const maxLength = Math.max(minLength, Math.min(bound(s, 'maxLength') ?? 24, 64));
  if (typeof s.pattern === 'string') {
    return fc.stringMatching(new RegExp(s.pattern)).filter((x) => x.length >= minLength && x.length <= maxLength);
  }
  return fc.string({ minLength, maxLength });
}

function arrayFor(s: Schema, depth: number): fc.Arbitrary<unknown[]> {
  if (depth >= MAX_DEPTH) return fc.constant(Array.isArray(s.default) ? (s.default as unknown[]) : []);
  const minLength = bound(s, 'minItems') ?? 0;
  const maxLength = Math.max(minLength, Math.min(bound(s, 'maxItems') ?? 4, 4));
  const items = fromSchema(s.items as JSONSchema | undefined, depth + 1);
  if (s.uniqueItems === true) {
    return fc.uniqueArray(items, { minLength, maxLength, selector: (v) => JSON.stringify(v) });
  }
  return fc.array(items, { minLength, maxLength });
}

function objectFor(s: Schema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth >= MAX_DEPTH) return fc.constant({});
  const properties = (s.properties ?? {}) as Record<string, JSONSchema>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [key, sub] of Object.entries(properties)) fields[key] = fromSchema(sub, depth + 1);
  for (const key of required) fields[key] ??= jsonLike;
  const requiredKeys = [...required].filter((k) => k in fields);
  // Flow files come from JSON.parse, which never makes null-prototype objects.
  return fc.record(fields, { requiredKeys, noNullPrototype: true });
}
