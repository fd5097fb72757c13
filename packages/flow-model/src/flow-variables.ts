import { findNodeType, findResourceType } from './catalog-lookup';
import { checkFlowLimits } from './check-limits';
import type { NodeCatalog } from './catalog';
import { flowErrors } from './error-codes';
import type { FlowIssue } from './issues';
import { pointerSegment } from './issues';
import { isPlainObject } from './object-guards';

/** A variable's name: what `${NAME}` may hold (`tagflow var set NAME VALUE`). */
export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const MAX_VARIABLE_NAME = 128;

/** A `${NAME}` in a node or resource config, and where. */
export interface VariableRef {
  name: string;
  /** JSON pointer from the flow's root, e.g. `/resources/0/config/host`. */
  path: string;
  nodeId?: string;
  resourceId?: string;
  /** True when the whole field is `${NAME}`: then a number or boolean field gets the value converted. */
  whole: boolean;
}

/** What `resolveFlowVariables` made of a flow. */
export interface VariableResolution {
  /** The flow with every `${NAME}` replaced (and `$${` unescaped); the input itself when it holds none. */
  flow: unknown;
  /** One issue per unresolved, malformed or misplaced reference, every one of them (not just the first). */
  errors: FlowIssue[];
  /** The value of each variable the flow uses, by name: what a redeploy compares to tell a change. */
  used: Record<string, string>;
}

type Schema = Record<string, unknown>;
type Subject = { root: string; ids: { nodeId?: string; resourceId?: string }; who: string };
type Visit = (value: string, schema: Schema, path: string) => unknown;

/**
 * The `${NAME}` references of every node and resource config of `flow`, in the flow's order; no
 * schema needed (the editor shows each one's value). `$${` is a literal `${` and no reference.
 * Fields the type marks as code (`x-ui.widget: 'code'`) are skipped when `catalog` is given.
 */
export function findVariableRefs(flow: unknown, catalog?: NodeCatalog): VariableRef[] {
  const refs: VariableRef[] = [];
  if (checkFlowLimits(flow).length > 0) return refs;
  eachConfig(flow, catalog, (subject, config, schema) => {
    walk(config, schema, '', (text, _schema, path) => {
      const parts = parseTemplate(text);
      if (!parts) return text;
      const whole = parts.length === 1 && typeof parts[0] !== 'string';
      for (const part of parts)
        if (typeof part !== 'string' && part.name !== undefined)
          refs.push({ name: part.name, path: `${subject.root}${path}`, ...subject.ids, whole });
      return text;
    });
  });
  return refs;
}

/**
 * Replaces `${NAME}` in node and resource config strings with `values[NAME]`, before schema
 * validation: what a deploy, a rollback, a restart and every validate do with the runtime's
 * variables. A field that is exactly `${NAME}` and whose schema wants a number, an integer or a
 * boolean gets the value converted. `$${` stays a literal `${`. Fields marked as code are left
 * alone (a script's own template strings); a reference in a field naming a secret (`x-secret`) is
 * refused, so that a variable cannot redirect which secret is sent. Every problem is listed.
 */
export function resolveFlowVariables(
  flow: unknown,
  catalog: NodeCatalog,
  values: Readonly<Record<string, string>>,
): VariableResolution {
  const errors: FlowIssue[] = [];
  const used: Record<string, string> = {};
  let changed = false;
  // A flow over the limits (64 levels deep...) is left to validation, which says so; walking it
  // here could overflow the stack.
  if (!isPlainObject(flow) || checkFlowLimits(flow).length > 0) return { flow, errors, used };
  const out: Record<string, unknown> = { ...flow };
  const resolveConfigs = (key: 'nodes' | 'resources') => {
    const list = flow[key];
    if (!Array.isArray(list)) return;
    out[key] = list.map((item: unknown, index) => {
      if (!isPlainObject(item) || !isPlainObject(item.config)) return item;
      const subject = subjectOf(key, item, index);
      const schema = schemaOf(key, item, catalog, Array.isArray(flow.subflows) ? flow.subflows : undefined);
      const config = walk(item.config, schema, '', (text, fieldSchema, path) => {
        const parts = parseTemplate(text);
        if (!parts) return text;
        changed = true;
        return substitute(parts, fieldSchema, `${subject.root}${path}`, subject, values, used, errors);
      });
      return config === item.config ? item : { ...item, config };
    });
  };
  resolveConfigs('resources');
  resolveConfigs('nodes');
  // Inside a subflow, `${param}` is the instance's parameter: kept for the expansion (which runs
  // in validateFlow, after this); every other `${NAME}` is this runtime's variable, as outside.
  if (Array.isArray(flow.subflows)) {
    out.subflows = flow.subflows.map((def: unknown, s) => {
      if (!isPlainObject(def)) return def;
      const params = isPlainObject(def.params) && isPlainObject(def.params.properties) ? def.params.properties : {};
      const next: Record<string, unknown> = { ...def };
      for (const key of ['resources', 'nodes'] as const) {
        const list = def[key];
        if (!Array.isArray(list)) continue;
        next[key] = list.map((item: unknown, index) => {
          if (!isPlainObject(item) || !isPlainObject(item.config)) return item;
          const subject = subjectOf(key, item, index, `/subflows/${s}`);
          const schema = schemaOf(key, item, catalog);
          const config = walk(item.config, schema, '', (text, fieldSchema, path) => {
            const parts = parseTemplate(text);
            if (!parts) return text;
            changed = true;
            const isParam = (p: Part) => typeof p !== 'string' && p.name !== undefined && Object.hasOwn(params, p.name);
            const at = `${subject.root}${path}`;
            if (parts.length === 1 && !isParam(parts[0]))
              return escapeText(substitute(parts, fieldSchema, at, subject, values, used, errors));
            return parts
              .map((part) =>
                typeof part === 'string'
                  ? escapeText(part)
                  : isParam(part)
                    ? part.raw
                    : escapeText(String(substitute([part], {}, at, subject, values, used, errors))),
              )
              .join('');
          });
          return config === item.config ? item : { ...item, config };
        });
      }
      return next;
    });
  }
  return { flow: changed ? out : flow, errors, used };
}

/** Text that the subflow expansion reads back as itself: `${` written as `$${`. */
function escapeText<T>(value: T): T | string {
  return typeof value === 'string' ? value.replace(/\$\{/g, '$$${') : value;
}

/** A part of a template string: literal text, or a reference (`name` undefined when malformed). */
export type TemplatePart = string | { name?: string; raw: string };
type Part = TemplatePart;

/** The parts of `text`, or undefined when it holds no `${` at all (nothing to do). `$${` is literal `${`. */
export function parseTemplate(text: string): Part[] | undefined {
  if (!text.includes('${')) return undefined;
  const parts: Part[] = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      const inner = end < 0 ? undefined : text.slice(i + 2, end);
      const raw = end < 0 ? text.slice(i) : text.slice(i, end + 1);
      if (literal) parts.push(literal);
      literal = '';
      const valid = inner !== undefined && VARIABLE_NAME.test(inner) && inner.length <= MAX_VARIABLE_NAME;
      parts.push(valid ? { name: inner, raw } : { raw });
      i += raw.length;
      continue;
    }
    literal += text[i];
    i += 1;
  }
  if (literal) parts.push(literal);
  return parts;
}

function substitute(
  parts: Part[],
  schema: Schema,
  path: string,
  subject: Subject,
  values: Readonly<Record<string, string>>,
  used: Record<string, string>,
  errors: FlowIssue[],
): unknown {
  const issue = (code: string, message: string) =>
    errors.push({ code, path, ...subject.ids, message: `${subject.who}: ${path}: ${message}` });
  const refs = parts.filter((p): p is Exclude<Part, string> => typeof p !== 'string');
  if (schema['x-secret'] === true) {
    issue(
      flowErrors.code.VARIABLE_IN_SECRET_FIELD,
      `this field names a secret, and a variable may not choose which secret is sent (${refs.map((r) => r.raw).join(', ')}); write the secret's name here`,
    );
    return '';
  }
  let text = '';
  let failed = false;
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    if (part.name === undefined) {
      failed = true;
      issue(
        flowErrors.code.VARIABLE_SYNTAX,
        `${part.raw} is not a variable reference: write \${NAME} with letters, digits and _ (starting with a letter or _), or $\${ for a literal \${`,
      );
      continue;
    }
    const value = Object.hasOwn(values, part.name) ? values[part.name] : undefined;
    if (value === undefined) {
      failed = true;
      issue(
        flowErrors.code.VARIABLE_UNRESOLVED,
        `variable ${part.name} is not set on this runtime (set it with: tagflow var set ${part.name} VALUE)`,
      );
      continue;
    }
    used[part.name] = value;
    text += value;
  }
  if (failed) return '';
  const only = parts.length === 1 ? parts[0] : undefined;
  if (typeof only !== 'object') return text;
  const types = wantedTypes(schema);
  if (types.size === 0 || types.has('string')) return text;
  const converted = convert(text, types);
  if (converted === undefined) {
    issue(
      flowErrors.code.VARIABLE_TYPE,
      `variable ${only.name} is ${JSON.stringify(text)}, which is not ${[...types].map(article).join(' or ')} as this field needs`,
    );
    return text;
  }
  return converted;
}

function article(type: string): string {
  return type === 'integer' ? 'an integer' : `a ${type}`;
}

function convert(text: string, types: Set<string>): number | boolean | undefined {
  const trimmed = text.trim();
  if ((types.has('number') || types.has('integer')) && trimmed !== '') {
    const n = Number(trimmed);
    if (Number.isFinite(n) && (types.has('number') || Number.isInteger(n))) return n;
  }
  if (types.has('boolean') && (trimmed === 'true' || trimmed === 'false')) return trimmed === 'true';
  return undefined;
}

/** The JSON types a field's schema admits, its `oneOf`/`anyOf` alternatives included; empty: any. */
function wantedTypes(schema: Schema): Set<string> {
  const types = new Set<string>();
  for (const part of [schema, ...alternatives(schema)]) {
    const t = part.type;
    for (const name of Array.isArray(t) ? t : [t]) if (typeof name === 'string') types.add(name);
    if (typeof part.const === 'string' || (Array.isArray(part.enum) && part.enum.some((e) => typeof e === 'string')))
      types.add('string');
  }
  return types;
}

function alternatives(schema: Schema): Schema[] {
  return ['oneOf', 'anyOf', 'allOf']
    .flatMap((k): unknown[] => (Array.isArray(schema[k]) ? (schema[k] as unknown[]) : []))
    .filter(isPlainObject);
}

/** The schema of `key` inside an object schema (its alternatives searched too), or `{}`. */
function propertySchema(schema: Schema, key: string): Schema {
  for (const part of [schema, ...alternatives(schema)]) {
    const props = part.properties;
    if (isPlainObject(props) && Object.hasOwn(props, key) && isPlainObject(props[key])) return props[key];
  }
  for (const part of [schema, ...alternatives(schema)])
    if (isPlainObject(part.additionalProperties)) return part.additionalProperties;
  return {};
}

function itemSchema(schema: Schema, index: number): Schema {
  for (const part of [schema, ...alternatives(schema)]) {
    const prefix = part.prefixItems;
    if (Array.isArray(prefix) && isPlainObject(prefix[index])) return prefix[index];
    const items = part.items;
    if (Array.isArray(items) && isPlainObject(items[index])) return items[index];
    if (isPlainObject(items)) return items;
  }
  return {};
}

function isCode(schema: Schema): boolean {
  const ui = schema['x-ui'];
  return isPlainObject(ui) && ui.widget === 'code';
}

/**
 * Rebuilds `value` with `visit` applied to each string (fields marked as code skipped); unchanged
 * subtrees keep their identity.
 */
export function walk(value: unknown, schema: Schema, path: string, visit: Visit): unknown {
  if (typeof value === 'string') return isCode(schema) ? value : visit(value, schema, path);
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v, i) => {
      const next = walk(v, itemSchema(schema, i), `${path}/${i}`, visit);
      changed ||= next !== v;
      return next;
    });
    return changed ? out : value;
  }
  if (isPlainObject(value)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) {
      const next = walk(v, propertySchema(schema, key), `${path}/${pointerSegment(key)}`, visit);
      changed ||= next !== v;
      out[key] = next;
    }
    return changed ? out : value;
  }
  return value;
}

function subjectOf(key: 'nodes' | 'resources', item: Record<string, unknown>, index: number, base = ''): Subject {
  const id = typeof item.id === 'string' ? item.id : `#${index}`;
  const type = typeof item.type === 'string' ? item.type : '?';
  const kind = key === 'nodes' ? 'node' : 'resource';
  return {
    root: `${base}/${key}/${index}/config`,
    ids: typeof item.id === 'string' ? (key === 'nodes' ? { nodeId: id } : { resourceId: id }) : {},
    who: base ? `${kind} "${id}" (${type}) of the subflow at ${base}` : `${kind} "${id}" (${type})`,
  };
}

export function schemaOf(
  key: 'nodes' | 'resources',
  item: Record<string, unknown>,
  catalog: NodeCatalog | undefined,
  flowSubflows?: unknown[],
): Schema {
  if (!catalog || typeof item.type !== 'string') return {};
  // An instance of the flow's own subflow: its config is checked against the subflow's params.
  if (key === 'nodes' && item.type.startsWith('subflow:') && flowSubflows) {
    const id = item.type.slice('subflow:'.length);
    const def = flowSubflows.find((d) => isPlainObject(d) && d.id === id);
    return isPlainObject(def) && isPlainObject(def.params) ? def.params : {};
  }
  const info = key === 'nodes' ? findNodeType(catalog, item.type) : findResourceType(catalog, item.type);
  return isPlainObject(info?.configSchema) ? info.configSchema : {};
}

function eachConfig(
  flow: unknown,
  catalog: NodeCatalog | undefined,
  visit: (subject: Subject, config: Record<string, unknown>, schema: Schema) => void,
): void {
  if (!isPlainObject(flow)) return;
  for (const key of ['resources', 'nodes'] as const) {
    const list = flow[key];
    if (!Array.isArray(list)) continue;
    list.forEach((item: unknown, index) => {
      if (isPlainObject(item) && isPlainObject(item.config))
        visit(subjectOf(key, item, index), item.config, schemaOf(key, item, catalog));
    });
  }
}
