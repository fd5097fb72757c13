import Ajv2020 from 'ajv/dist/2020';
import type { Options } from 'ajv';
import addFormats from 'ajv-formats';
import draft07 from 'ajv/dist/refs/json-schema-draft-07.json';

/**
 * An ajv set up the way every tagflow schema expects: all errors at once (a user fixes a file in
 * one go), defaults filled in, `x-ui` and other annotations allowed (strict off), the offending
 * value kept on each error so messages can quote it.
 */
export function createAjv(options: Options = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: false,
    verbose: true,
    // Node types are compiled side by side; two schemas sharing an `$id` must not collide.
    addUsedSchema: false,
    // ajv's optimizer pass lengthens compiling, at start-up; the validators it would tidy run once
    // per deploy, never per message.
    code: { optimize: false },
    ...options,
  });
  addFormats(ajv);
  ajv.addKeyword({ keyword: 'x-ui' });
  // Schemas that still declare draft-07 compile too (2020-12 semantics otherwise apply).
  ajv.addMetaSchema(draft07);
  return ajv;
}
