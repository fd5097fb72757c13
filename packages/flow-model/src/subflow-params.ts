import type { NodeCatalog } from './catalog';
import { cloneJson } from './clone-json';
import { checkConfig } from './config-validators';
import { parseTemplate, walk } from './flow-variables';
import type { JSONSchema } from './json-schema';
import { isPlainObject } from './object-guards';
import type { SchemaProblem } from './schema-errors';

/** An instance's parameter values with defaults filled in, or what is wrong with them. */
export type ParamCheck = { ok: true; values: Record<string, unknown> } | { ok: false; problems: SchemaProblem[] };

/** A subflow without `params` takes no parameters: an empty object. */
const NO_PARAMS = { type: 'object', properties: {} } as const;

/**
 * Checks an instance's `config` against its subflow's `params` JSON Schema (as a node config is
 * checked against its type's schema), on a copy with the defaults filled in.
 */
export function checkParams(
  catalog: NodeCatalog,
  params: unknown,
  config: unknown,
  basePath: string,
): ParamCheck | { ok: false; schemaError: string } {
  const schema = (isPlainObject(params) ? params : NO_PARAMS) as JSONSchema;
  const result = checkConfig(catalog, schema, config ?? {}, basePath);
  if (!result.ok) return { ok: false, schemaError: result.schemaError };
  if (result.problems.length > 0) return { ok: false, problems: result.problems };
  return { ok: true, values: result.config };
}

/** The parameter names a subflow declares (`params.properties`). */
export function paramNames(params: unknown): Set<string> {
  const props = isPlainObject(params) && isPlainObject(params.properties) ? params.properties : {};
  return new Set(Object.keys(props));
}

/**
 * Replaces `${name}` of a declared parameter in an inner config with the instance's value: a
 * field that is exactly `${name}` takes the value as it is (a number stays a number), inside a
 * longer text the value is written as text. Other `${NAME}` are the runtime's variables: already
 * resolved when a deploy's variable pass ran, left as written otherwise. `$${` gives `${`. Fields
 * the node type marks as code are left alone (a script's own template strings).
 */
export function substituteParams(
  config: unknown,
  schema: Record<string, unknown>,
  values: Record<string, unknown>,
): unknown {
  if (!isPlainObject(config)) return config;
  return walk(config, schema, '', (text) => {
    const parts = parseTemplate(text);
    if (!parts) return text;
    const only = parts.length === 1 ? parts[0] : undefined;
    if (typeof only === 'object' && only.name !== undefined && Object.hasOwn(values, only.name))
      return cloneJson(values[only.name]);
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') out += part;
      else if (part.name !== undefined && Object.hasOwn(values, part.name)) out += asText(values[part.name]);
      else out += part.raw;
    }
    return out;
  });
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}
