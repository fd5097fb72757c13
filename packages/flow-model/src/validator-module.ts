import type { ValidateFunction } from 'ajv';
import { _ } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { createAjv } from './create-ajv';
import { flowSchema } from './flow-schema';
import type { JSONSchema } from './json-schema';
import { schemaBranches } from './schema-branches';
import { schemaKey } from './schema-key';
import { standaloneModule } from './standalone-runtime';

/**
 * Config validators compiled ahead of time, by `schemaKey` of their schema. A catalog carrying them
 * (`NodeCatalog.validators`) is validated without compiling anything, so without `eval`: what the
 * editor needs under a Content-Security-Policy without 'unsafe-eval'.
 */
export type PrecompiledValidators = ReadonlyMap<string, ValidateFunction>;

/** The signature of the default export of a validator module (`buildValidatorModule`). */
type ValidatorFactory = (runtimeModule: (id: string) => unknown) => Record<string, ValidateFunction>;

/**
 * An ajv whose compiled validators carry their source, for ajv's standalone code: the same options
 * as `createAjv` (so the errors are the same), formats taken from ajv-formats at run time.
 */
export function createStandaloneAjv(options: { useDefaults?: boolean } = {}) {
  return createAjv({
    ...options,
    validateSchema: false,
    // Written as `standaloneBody` rewrites ajv's own module loads: through `runtimeModule`.
    code: { source: true, optimize: 1, formats: _`runtimeModule("ajv-formats/dist/formats").fullFormats` },
  });
}

/**
 * The standalone code of one compiled validator as a function body: it sets `module.exports` to
 * the validator and calls `runtimeModule(id)` (`standaloneModule` here) where ajv loads a module
 * of its runtime, so that no bundler mistakes it for a dependency to pull in. Inside schema
 * constants a quote is always escaped (`\\"`), so only ajv's own calls match.
 */
export function standaloneBody(ajv: ReturnType<typeof createStandaloneAjv>, validate: ValidateFunction): string {
  return standaloneCode(ajv, validate).replace(/\brequire\("/g, 'runtimeModule("');
}

/** What `buildValidatorModule` made. */
export interface ValidatorModule {
  /** The module's text. */
  code: string;
  /** Why each schema left out does not compile (ajv's words). */
  leftOut: string[];
}

/**
 * A JavaScript module (ES) holding validators for `schemas` (config schemas, as node and resource
 * types declare them) and for every branch-narrowed variant of them (`schemaBranches`), compiled
 * as `checkConfig` compiles them (`useDefaults`, all errors, verbose). Its default export is a
 * factory taking the `runtimeModule(id)` for ajv's runtime helpers (`loadValidatorModule` passes it); each
 * validator sits in its own function scope. A schema that does not compile is left out (the
 * runtime's own check reports it, naming the package). Deterministic: the same schemas give the
 * same text, so a hash of it can name it.
 */
export function buildValidatorModule(schemas: readonly JSONSchema[]): ValidatorModule {
  const ajv = createStandaloneAjv({ useDefaults: true });
  const done = new Set<string>();
  const parts: string[] = [];
  const leftOut: string[] = [];
  for (const schema of schemas) {
    for (const variant of [schema, ...schemaBranches(schema)]) {
      const key = schemaKey(variant);
      if (done.has(key)) continue;
      done.add(key);
      let body: string;
      try {
        body = standaloneBody(ajv, ajv.compile(variant as object | boolean));
      } catch (err) {
        // Without its validator the editor leaves this config to the runtime's check, which
        // reports the package's broken schema in words.
        leftOut.push(err instanceof Error ? err.message : String(err));
        continue;
      }
      parts.push(
        `v[${JSON.stringify(key)}] = (function () { var module = { exports: {} }; ${body}\nreturn module.exports; })();`,
      );
    }
  }
  const code = [
    '// tagflow config validators, compiled ahead of time (ajv standalone code); see @tagflow/flow-model buildValidatorModule.',
    'export default function (runtimeModule) {',
    'var v = {};',
    ...parts,
    'return v;',
    '}',
    '',
  ].join('\n');
  return { code, leftOut };
}

/** The validators of a module built by `buildValidatorModule`, given its default export. */
export function loadValidatorModule(factory: unknown): PrecompiledValidators {
  if (typeof factory !== 'function') throw new Error('the validator module has no default export to call');
  const made = (factory as ValidatorFactory)(standaloneModule);
  return new Map(Object.entries(made));
}

/** Where `flowValidatorSource` is written, under the package's `src`. */
export const FLOW_VALIDATOR_FILE = 'flow-validator.generated.ts';

/**
 * The text of `flow-validator.generated.ts`: the flow file's own schema validator as ajv standalone
 * code, compiled as `checkStructure` would compile it, so that validating a flow compiles nothing
 * (no `eval`, a faster start). `pnpm --filter @tagflow/flow-model generate` writes it; a test fails
 * when it is not current.
 */
export function flowValidatorSource(): string {
  const ajv = createStandaloneAjv();
  const body = standaloneBody(ajv, ajv.compile(flowSchema as object));
  return [
    '// Generated by `pnpm --filter @tagflow/flow-model generate` from flow-schema.ts: do not edit.',
    '// @ts-nocheck',
    '// (ajv standalone code: a test checks that it gives the errors a compiled validator gives)',
    "import type { ValidateFunction } from 'ajv';",
    "import { standaloneModule } from './standalone-runtime';",
    '',
    'const built = { exports: {} as ValidateFunction };',
    '(function (module, runtimeModule) {',
    body,
    '})(built, standaloneModule);',
    '',
    '/** Validates a flow file against `flowSchema` (all errors, verbose), as `createAjv().compile(flowSchema)` would. */',
    'export const validateFlowSchema: ValidateFunction = built.exports;',
    '',
  ].join('\n');
}
