/** A JSON Schema object (draft 2020-12 subset ajv understands), with tagflow's `x-ui` hints allowed. */
export type JSONSchema = boolean | { readonly [keyword: string]: unknown };
