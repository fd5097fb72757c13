import { isPlainObject } from './object-guards';
import type { JSONSchema } from './json-schema';

/** One property of a config schema, at any depth, in words: a row of a node's config table. */
export interface ConfigField {
  /** Where the value goes in the config: `window.count`, `rules[].property`, `userProperties.<name>`. */
  path: string;
  /** JSON Pointer of the property's schema within the config schema, e.g. `/properties/window/oneOf/0/properties/count`. */
  schemaPath: string;
  /** The `oneOf`/`anyOf` alternatives the field belongs to, outermost first, e.g. `['Last N values']`. */
  branches: string[];
  /** The `x-ui` label the editor's form shows. */
  label?: string;
  /** The value's type in words, with its limits: `integer, 1 to 65535`, `one of "json", "string"`. */
  type: string;
  /** True when the schema gives a default (which may itself be `undefined`-free JSON). */
  hasDefault: boolean;
  default?: unknown;
  /** True when the enclosing object lists the property in `required`. */
  required: boolean;
  /** The `x-ui` unit, e.g. `s` or `values`. */
  unit?: string;
  description?: string;
}

type SchemaObject = { readonly [keyword: string]: unknown };

/**
 * Every property of a config schema, depth first in the schema's order: nested objects, array
 * items (`list[].field`), maps (`map.<name>.field`) and the object alternatives of a `oneOf`/`anyOf`
 * (named by title, by their discriminating `const`, else by position).
 *
 * @example configFields({ type: 'object', properties: { n: { type: 'integer', minimum: 1 } } })[0].type // 'integer, ≥ 1'
 */
export function configFields(schema: JSONSchema): ConfigField[] {
  const fields: ConfigField[] = [];
  walkChildren(asObject(schema), '', '', [], fields);
  return fields;
}

/** The type of a schema in words, with its limits, as the config table shows it. */
export function describeSchemaType(schema: JSONSchema): string {
  const s = asObject(schema);
  const base = baseType(s);
  const limits = limitsOf(s);
  return limits.length > 0 ? `${base}, ${limits.join(', ')}` : base;
}

/** Names the alternatives of a `oneOf`/`anyOf` for people: `Last N values`, `type: "literal"`, `option 2`. */
export function branchNames(schema: JSONSchema): string[] {
  const s = asObject(schema);
  const discriminator = uiOf(s).discriminator;
  return alternatives(s).map((alt, i) => {
    if (typeof alt.title === 'string' && alt.title !== '') return alt.title;
    const props = asObject(alt.properties);
    const keys = typeof discriminator === 'string' ? [discriminator] : Object.keys(props);
    for (const key of keys) {
      const c = asObject(props[key]).const;
      if (c !== undefined) return `${key}: ${JSON.stringify(c)}`;
    }
    return `option ${i + 1}`;
  });
}

function walkChildren(s: SchemaObject, path: string, pointer: string, branches: string[], out: ConfigField[]): void {
  const props = asObject(s.properties);
  const required = Array.isArray(s.required) ? (s.required as unknown[]) : [];
  for (const [name, value] of Object.entries(props)) {
    const sub = asObject(value);
    const subPath = path === '' ? name : `${path}.${name}`;
    const subPointer = `${pointer}/properties/${escapePointer(name)}`;
    out.push(fieldOf(sub, subPath, subPointer, branches, required.includes(name)));
    walkChildren(sub, subPath, subPointer, branches, out);
  }
  const items = s.items;
  if (isPlainObject(items)) walkChildren(items, `${path}[]`, `${pointer}/items`, branches, out);
  const map = s.additionalProperties;
  if (isPlainObject(map)) walkChildren(map, `${path}.<name>`, `${pointer}/additionalProperties`, branches, out);
  const keyword = Array.isArray(s.oneOf) ? 'oneOf' : Array.isArray(s.anyOf) ? 'anyOf' : undefined;
  if (keyword === undefined) return;
  const names = branchNames(s);
  alternatives(s).forEach((alt, i) => {
    walkChildren(alt, path, `${pointer}/${keyword}/${i}`, [...branches, names[i]], out);
  });
}

function fieldOf(
  s: SchemaObject,
  path: string,
  schemaPath: string,
  branches: string[],
  required: boolean,
): ConfigField {
  const field: ConfigField = {
    path,
    schemaPath,
    branches,
    type: describeSchemaType(s),
    hasDefault: 'default' in s,
    required,
  };
  const ui = uiOf(s);
  if (typeof ui.label === 'string') field.label = ui.label;
  if (typeof ui.unit === 'string') field.unit = ui.unit;
  if (field.hasDefault) field.default = s.default;
  if (typeof s.description === 'string') field.description = s.description;
  return field;
}

function baseType(s: SchemaObject): string {
  if (s.const !== undefined) return `always ${JSON.stringify(s.const)}`;
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => JSON.stringify(v)).join(', ')}`;
  const alts = alternatives(s);
  if (alts.length > 0) {
    if (alts.every(hasShape)) return `object, one of: ${branchNames(s).join('; ')}`;
    return alts.map((alt) => describeSchemaType(alt)).join(' or ');
  }
  const types = typeof s.type === 'string' ? [s.type] : Array.isArray(s.type) ? (s.type as string[]) : [];
  if (types.length === 0) return s.properties !== undefined ? 'object' : 'any JSON value';
  return types.map((t) => namedType(t, s)).join(' or ');
}

function namedType(type: string, s: SchemaObject): string {
  if (type === 'array') {
    const items = s.items;
    if (!isPlainObject(items)) return 'array';
    return hasShape(items) && alternatives(items).length === 0
      ? 'array of objects'
      : `array of (${describeSchemaType(items)})`;
  }
  if (type === 'object' && isPlainObject(s.additionalProperties) && s.properties === undefined) {
    return `object: name → ${describeSchemaType(s.additionalProperties)}`;
  }
  return type;
}

function limitsOf(s: SchemaObject): string[] {
  const limits: string[] = [];
  const num = (k: string) => (typeof s[k] === 'number' ? s[k] : undefined);
  const [min, max, xmin, xmax] = [num('minimum'), num('maximum'), num('exclusiveMinimum'), num('exclusiveMaximum')];
  if (min !== undefined && max !== undefined) limits.push(`${min} to ${max}`);
  else if (min !== undefined) limits.push(`≥ ${min}`);
  else if (max !== undefined) limits.push(`≤ ${max}`);
  if (xmin !== undefined) limits.push(`> ${xmin}`);
  if (xmax !== undefined) limits.push(`< ${xmax}`);
  const [minLength, maxLength] = [num('minLength'), num('maxLength')];
  if (minLength === 1 && maxLength === undefined) limits.push('not empty');
  else if (minLength !== undefined && maxLength !== undefined) limits.push(`${minLength} to ${maxLength} characters`);
  else if (minLength !== undefined) limits.push(`at least ${minLength} characters`);
  else if (maxLength !== undefined) limits.push(`at most ${maxLength} characters`);
  const [minItems, maxItems] = [num('minItems'), num('maxItems')];
  if (minItems !== undefined) limits.push(`at least ${minItems} item${minItems === 1 ? '' : 's'}`);
  if (maxItems !== undefined) limits.push(`at most ${maxItems} item${maxItems === 1 ? '' : 's'}`);
  if (typeof s.pattern === 'string') limits.push(`matching ${s.pattern}`);
  if (typeof s.format === 'string') limits.push(`format ${s.format}`);
  return limits;
}

/** True for an object schema that declares properties of its own. */
function hasShape(s: SchemaObject): boolean {
  return s.properties !== undefined;
}

function alternatives(s: SchemaObject): SchemaObject[] {
  const list = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : [];
  return (list as unknown[]).map(asObject);
}

function uiOf(s: SchemaObject): SchemaObject {
  return asObject(s['x-ui']);
}

function asObject(value: unknown): SchemaObject {
  return isPlainObject(value) ? value : {};
}

/** RFC 6901: `~` and `/` in a key. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
