/** A schema object (a `true` schema becomes `{}`; `false` never reaches a form). */
export type SchemaObject = { readonly [keyword: string]: unknown };

/** The `x-ui` hints a node schema may carry. */
export interface UiHints {
  label?: string;
  // `string & {}` keeps the known widgets in autocompletion while any other name is accepted.
  widget?: 'resource' | 'json' | 'code' | 'key-value' | 'file' | 'table' | 'node-picker' | (string & {});
  resourceType?: string;
  /** With `widget: 'opcua-node'` or `'modbus-register'`: the config field naming the resource the picker talks to. */
  resourceField?: string;
  /** With `widget: 'node-picker'`: only nodes of this type are offered (e.g. `link-in`). */
  nodeType?: string;
  enumLabels?: Record<string, string>;
  placeholder?: string;
  unit?: string;
  advanced?: boolean;
  discriminator?: string;
  language?: string;
}

export function obj(schema: unknown): SchemaObject {
  return schema && typeof schema === 'object' && !Array.isArray(schema) ? (schema as SchemaObject) : {};
}

export function ui(schema: SchemaObject): UiHints {
  return obj(schema['x-ui']);
}

export function properties(schema: SchemaObject): Record<string, SchemaObject> {
  return obj(schema.properties) as Record<string, SchemaObject>;
}

export function required(schema: SchemaObject): string[] {
  return Array.isArray(schema.required) ? (schema.required as string[]) : [];
}

/** The alternatives of a `oneOf`/`anyOf`, or none. */
export function variants(schema: SchemaObject): SchemaObject[] {
  const list = schema.oneOf ?? schema.anyOf;
  return Array.isArray(list) ? list.map(obj) : [];
}

export function types(schema: SchemaObject): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t as string[];
  return [];
}

/** True when every alternative is an object schema (a "pick one shape" field like `window`). */
export function isObjectUnion(schema: SchemaObject): boolean {
  const vs = variants(schema);
  return vs.length > 0 && vs.every((v) => types(v).includes('object') || v.properties !== undefined);
}

/** True when every alternative is a scalar type (`string | number | boolean | null`). */
export function isScalarUnion(schema: SchemaObject): boolean {
  const vs = variants(schema);
  return vs.length > 0 && vs.every((v) => ['string', 'number', 'integer', 'boolean', 'null'].includes(String(v.type)));
}

/** The property whose `const` tells the alternatives apart (`kind`, `action`, `type`), if any. */
export function discriminatorOf(schema: SchemaObject): string | undefined {
  const hinted = ui(schema).discriminator;
  if (hinted) return hinted;
  const vs = variants(schema);
  if (vs.length === 0) return undefined;
  const first = properties(vs[0]);
  return Object.keys(first).find((key) => vs.every((v) => properties(v)[key]?.const !== undefined));
}

/** The index of the alternative `value` matches: by discriminator, else by the keys it has. */
export function matchVariant(schema: SchemaObject, value: unknown): number {
  const vs = variants(schema);
  if (!value || typeof value !== 'object') return -1;
  const record = value as Record<string, unknown>;
  const disc = discriminatorOf(schema);
  if (disc) return vs.findIndex((v) => properties(v)[disc]?.const === record[disc]);
  const keys = Object.keys(record);
  const exact = vs.findIndex((v) => required(v).every((k) => k in record) && keys.every((k) => k in properties(v)));
  if (exact >= 0) return exact;
  return vs.findIndex((v) => keys.some((k) => k in properties(v)));
}

/** A readable name for alternative `i`. */
export function variantTitle(schema: SchemaObject, i: number): string {
  const v = variants(schema)[i];
  const disc = discriminatorOf(schema);
  if (typeof v.title === 'string') return v.title;
  if (disc) return String(properties(v)[disc]?.const);
  return `option ${i + 1}`;
}

/** The starting value of alternative `i`: its discriminator and its required fields' defaults. */
export function variantSeed(schema: SchemaObject, i: number): Record<string, unknown> {
  const v = variants(schema)[i];
  const out: Record<string, unknown> = {};
  const disc = discriminatorOf(schema);
  for (const [key, prop] of Object.entries(properties(v))) {
    if (key === disc || prop.const !== undefined) out[key] = prop.const;
    else if (required(v).includes(key)) out[key] = seedValue(prop);
  }
  return out;
}

/** A value a new field or row starts with: its default, else an empty value of its type. */
export function seedValue(schema: SchemaObject): unknown {
  if (schema.default !== undefined) return structuredClone(schema.default);
  if (schema.const !== undefined) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if (isObjectUnion(schema)) return variantSeed(schema, 0);
  const t = types(schema)[0];
  if (t === 'object' || schema.properties) {
    const out: Record<string, unknown> = {};
    for (const key of required(schema)) out[key] = seedValue(properties(schema)[key] ?? {});
    return out;
  }
  if (t === 'array') return [];
  if (t === 'boolean') return false;
  if (t === 'number' || t === 'integer') return 0;
  return '';
}

/** A field's label: its `x-ui` label, its title, else its key in words. */
export function labelOf(schema: SchemaObject, key: string): string {
  const hinted = ui(schema).label ?? (typeof schema.title === 'string' ? schema.title : undefined);
  if (hinted) return hinted;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Sets (or, with `undefined`, removes) the value at `path` in a copy of `root`. */
export function setIn(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (typeof head === 'number') {
    const list: unknown[] = Array.isArray(root) ? [...(root as unknown[])] : [];
    list[head] = setIn(list[head], rest, value);
    return list;
  }
  const record: Record<string, unknown> =
    root && typeof root === 'object' && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  const next = setIn(record[head], rest, value);
  if (next === undefined) delete record[head];
  else record[head] = next;
  return record;
}

export function getIn(root: unknown, path: readonly (string | number)[]): unknown {
  let cur = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

/** The dotted path used in test ids and error maps: `window.count`, `rules.0.op`. */
export function dotted(path: readonly (string | number)[]): string {
  return path.join('.');
}

/** Short text for a default, for placeholders. */
export function defaultText(schema: SchemaObject): string | undefined {
  const d = schema.default;
  if (d === undefined) return undefined;
  return typeof d === 'string' ? d : JSON.stringify(d);
}
