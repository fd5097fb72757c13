import { splitDocsExample } from '@tagflow/flow-model';

/**
 * The conventions every node and resource definition of the repo follows, so that its generated
 * docs page and the editor's help are complete and every definition reads the same way:
 *
 * 1. `description` is one sentence ending with a period; `docs` is Markdown with a `## What it
 *    sends` section (nodes) and a `## Example` section holding a code block.
 * 2. The definition's keys come in the canonical order (`NODE_KEY_ORDER`, `RESOURCE_KEY_ORDER`),
 *    and no other keys.
 * 3. Every property of `configSchema`, at any depth (nested objects, array items, maps, the
 *    alternatives of a `oneOf`/`anyOf`), has a `description` ending with a period and an
 *    `x-ui.label`. Conditional parts (`allOf`, `if`/`then`/`else`, `not`) only constrain values
 *    declared elsewhere and are not walked.
 * 4. Within every schema the keys come in this order (`schemaKeyRank`): what the value is
 *    (`type`, or `oneOf`/`anyOf` for a choice), `title`, `description`, `default`, then everything
 *    that constrains or shapes it (`enum`, `const`, limits, `pattern`, `items`, `properties`,
 *    `required`, `additionalProperties`, `allOf`...) in any order, and `x-ui` last. A reader learns
 *    what a field is and means before how it is checked; the editor's hints come last.
 * 5. With `requireErrors`, `errors` lists the codes the type may raise (`{}` when none), each
 *    meaning a sentence ending with a period.
 */
export interface ConventionOptions {
  /** Require the `errors` field (see rule 5). */
  requireErrors: boolean;
}

/** One broken convention: where (a JSON path into the definition, `$.configSchema.properties.qos`) and what. */
export interface ConventionProblem {
  path: string;
  message: string;
}

/** The canonical key order of a node definition. */
export const NODE_KEY_ORDER = [
  'type',
  'version',
  'category',
  'description',
  'docs',
  'inputs',
  'outputs',
  'numberedOutputs',
  'resources',
  'requiresResourcesAtDeploy',
  'breaksCycles',
  'manualTrigger',
  'link',
  'errors',
  'configSchema',
  'migrations',
  'catches',
  'watchesStatus',
  'check',
  'secretDestinations',
  'create',
] as const;

/** The canonical key order of a resource definition. */
export const RESOURCE_KEY_ORDER = [
  'type',
  'version',
  'description',
  'docs',
  'errors',
  'configSchema',
  'check',
  'secretDestinations',
  'create',
  'tools',
] as const;

/** The groups of rule 4, in order; a key not named here is a constraint (group 4). */
const SCHEMA_KEY_GROUPS: ReadonlyArray<readonly string[]> = [
  ['type', 'oneOf', 'anyOf'],
  ['title'],
  ['description'],
  ['default'],
];
const CONSTRAINT_RANK = SCHEMA_KEY_GROUPS.length;
const UI_RANK = CONSTRAINT_RANK + 1;
const RANK_NAMES = ['type/oneOf/anyOf', 'title', 'description', 'default', 'constraints', 'x-ui'];

/** The place of a schema keyword in rule 4's order: 0 for `type`, 5 for `x-ui`. */
export function schemaKeyRank(key: string): number {
  if (key === 'x-ui') return UI_RANK;
  const group = SCHEMA_KEY_GROUPS.findIndex((keys) => keys.includes(key));
  return group < 0 ? CONSTRAINT_RANK : group;
}

/** Where a node definition breaks the conventions; empty when it follows them all. */
export function nodeConventionProblems(definition: object, options: ConventionOptions): ConventionProblem[] {
  const problems = commonProblems(definition as Record<string, unknown>, NODE_KEY_ORDER, options);
  const docs = (definition as Record<string, unknown>).docs;
  if (typeof docs === 'string' && !/^## What it sends\b/m.test(docs)) {
    problems.push({ path: '$.docs', message: 'has no `## What it sends` section' });
  }
  return problems;
}

/** Where a resource definition breaks the conventions; empty when it follows them all. */
export function resourceConventionProblems(definition: object, options: ConventionOptions): ConventionProblem[] {
  return commonProblems(definition as Record<string, unknown>, RESOURCE_KEY_ORDER, options);
}

function commonProblems(
  definition: Record<string, unknown>,
  order: readonly string[],
  options: ConventionOptions,
): ConventionProblem[] {
  const problems: ConventionProblem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });
  checkKeyOrder(Object.keys(definition), order, '$', report);
  checkSentence(definition.description, '$.description', report);
  const docs = definition.docs;
  if (typeof docs !== 'string' || docs.trim() === '') report('$.docs', 'is missing');
  else if (!splitDocsExample(docs).example?.includes('```')) {
    report('$.docs', 'has no `## Example` section with a code block (a flow snippet or a message)');
  }
  if (options.requireErrors) checkErrors(definition.errors, report);
  checkSchema(definition.configSchema, '$.configSchema', false, report);
  return problems;
}

type Report = (path: string, message: string) => void;

function checkKeyOrder(keys: string[], order: readonly string[], path: string, report: Report): void {
  let last = -1;
  for (const key of keys) {
    const at = order.indexOf(key);
    if (at < 0) report(`${path}.${key}`, `is not a key of a definition (keys, in order: ${order.join(', ')})`);
    else if (at < last) report(`${path}.${key}`, `comes after \`${order[last]}\` (order: ${order.join(', ')})`);
    else last = at;
  }
}

function checkSentence(text: unknown, path: string, report: Report): void {
  if (typeof text !== 'string' || text.trim() === '') report(path, 'is missing');
  else if (!text.trimEnd().endsWith('.')) report(path, 'does not end with a period');
}

function checkErrors(errors: unknown, report: Report): void {
  if (!isObject(errors)) {
    report('$.errors', 'is missing: list the codes the type may raise (`catalogue.pick(...)`, `{}` when none)');
    return;
  }
  for (const [code, meaning] of Object.entries(errors)) checkSentence(meaning, `$.errors.${code}`, report);
}

function checkSchema(schema: unknown, path: string, isProperty: boolean, report: Report): void {
  if (!isObject(schema)) {
    if (isProperty) report(path, 'is not a schema object, so it has no description or label');
    return;
  }
  let highest = -1;
  for (const key of Object.keys(schema)) {
    const rank = schemaKeyRank(key);
    if (rank < highest) {
      report(`${path}.${key}`, `comes after a ${RANK_NAMES[highest]} key (order: ${RANK_NAMES.join(', ')})`);
    }
    highest = Math.max(highest, rank);
  }
  if (isProperty || schema.description !== undefined) checkSentence(schema.description, `${path}.description`, report);
  if (isProperty) {
    const label = isObject(schema['x-ui']) ? schema['x-ui'].label : undefined;
    if (typeof label !== 'string' || label.trim() === '') report(`${path}.x-ui.label`, 'is missing');
  }
  if (isObject(schema.properties)) {
    for (const [key, sub] of Object.entries(schema.properties))
      checkSchema(sub, member(path, 'properties', key), true, report);
  }
  if (isObject(schema.items)) checkSchema(schema.items, `${path}.items`, false, report);
  if (isObject(schema.additionalProperties)) {
    checkSchema(schema.additionalProperties, `${path}.additionalProperties`, false, report);
  }
  for (const keyword of ['oneOf', 'anyOf'] as const) {
    const alternatives = schema[keyword];
    if (Array.isArray(alternatives))
      alternatives.forEach((alt, i) => checkSchema(alt, `${path}.${keyword}[${i}]`, false, report));
  }
}

/** `$.a.properties.name`, or `$.a.properties["odd-name"]` when the key is not an identifier. */
function member(path: string, keyword: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${keyword}.${key}` : `${path}.${keyword}[${JSON.stringify(key)}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
