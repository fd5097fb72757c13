import type Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv';
import type { NodeCatalog } from './catalog';
import { cloneJson } from './clone-json';
import { createAjv } from './create-ajv';
import type { JSONSchema } from './json-schema';
import { isPlainObject } from './object-guards';
import { describeSchemaErrors } from './schema-errors';
import { schemaKey } from './schema-key';
import type { SchemaProblem } from './schema-errors';

/** Result of checking one config: a copy with defaults filled in, and what is wrong with it. */
export type SchemaCheck =
  | {
      ok: true;
      config: Record<string, unknown>;
      problems: SchemaProblem[];
      /** Not checked: the catalog's precompiled validators have none for this schema (see `NodeCatalog.validators`). */
      unchecked?: true;
    }
  /** The type's own schema does not compile: the package is at fault, not the flow. */
  | { ok: false; schemaError: string };

type Compiled = { validate: ValidateFunction } | { schemaError: string };

interface CatalogValidators {
  ajv: Ajv2020;
  bySchema: WeakMap<object, Compiled>;
  byBoolean: Map<boolean, Compiled>;
}

// One ajv per catalog: ajv keeps every schema it compiled, so a shared instance would hold on to
// the schemas of every catalog an editor session ever fetched.
const perCatalog = new WeakMap<NodeCatalog, CatalogValidators>();

/**
 * Checks `config` against a node or resource type's config schema, on a copy (defaults are filled
 * in there, never in the caller's object). Each schema is compiled once per catalog; problems are
 * located under `basePath` (e.g. `/nodes/3/config`).
 */
export function checkConfig(catalog: NodeCatalog, schema: JSONSchema, config: unknown, basePath: string): SchemaCheck {
  if (catalog.validators) {
    const validate = catalog.validators.get(schemaKey(schema));
    if (!validate) return { ok: true, config: withTopDefaults(schema, config), problems: [], unchecked: true };
    return run(validate, config, basePath, schema);
  }
  const compiled = compiledFor(catalog, schema);
  if ('schemaError' in compiled) return { ok: false, schemaError: compiled.schemaError };
  return run(compiled.validate, config, basePath, schema);
}

function run(validate: ValidateFunction, config: unknown, basePath: string, schema: JSONSchema): SchemaCheck {
  const copy = cloneJson(config) as Record<string, unknown>;
  const valid = validate(copy);
  if (typeof valid !== 'boolean')
    return { ok: false, schemaError: 'asynchronous schemas ($async) are not supported for configs' };
  return { ok: true, config: copy, problems: valid ? [] : describeSchemaErrors(validate.errors, basePath, schema) };
}

/**
 * A copy of `config` with the defaults of the schema's top-level properties filled in, for a schema
 * with no precompiled validator (a subflow's own parameters, edited in the editor): so that
 * `${param}` placeholders still take their default while the runtime's check does the rest.
 */
function withTopDefaults(schema: JSONSchema, config: unknown): Record<string, unknown> {
  const copy = isPlainObject(config) ? cloneJson(config) : {};
  const properties = isPlainObject(schema) ? schema.properties : undefined;
  if (!isPlainObject(properties)) return copy;
  for (const [name, property] of Object.entries(properties)) {
    if (!Object.hasOwn(copy, name) && isPlainObject(property) && property.default !== undefined)
      copy[name] = cloneJson(property.default);
  }
  return copy;
}

function compiledFor(catalog: NodeCatalog, schema: JSONSchema): Compiled {
  let validators = perCatalog.get(catalog);
  if (!validators) {
    // Not checked against the JSON Schema meta-schema: compiling that slows every runtime's
    // start, and ajv's own keyword checks still refuse a malformed schema (`type: "nubmer"`,
    // `minimum: "5"`, `required: "x"`) when it compiles, which is reported as the package's fault.
    validators = {
      ajv: createAjv({ useDefaults: true, validateSchema: false }),
      bySchema: new WeakMap(),
      byBoolean: new Map(),
    };
    perCatalog.set(catalog, validators);
  }
  const cached = typeof schema === 'boolean' ? validators.byBoolean.get(schema) : validators.bySchema.get(schema);
  if (cached) return cached;
  const compiled = compile(validators.ajv, schema);
  if (typeof schema === 'boolean') validators.byBoolean.set(schema, compiled);
  else validators.bySchema.set(schema, compiled);
  return compiled;
}

function compile(ajv: Ajv2020, schema: JSONSchema): Compiled {
  try {
    return { validate: ajv.compile(schema as object | boolean) };
  } catch (err) {
    return { schemaError: err instanceof Error ? err.message : String(err) };
  }
}
