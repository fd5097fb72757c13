import type { ErrorObject } from 'ajv';
import { ID_PATTERN } from './flow-schema';
import { describeValue, pointerSegment, quoteList } from './issues';
import { isRecord } from './object-guards';
import { closest } from './suggest';
import { fieldLabel, keyInWords } from './field-labels';
import { atLeastOneSentence, sentenceFor, youTyped } from './schema-sentences';

/** One schema violation in plain words, located from the flow's root. */
export interface SchemaProblem {
  /** Full JSON pointer of the offending (or missing) value. */
  path: string;
  /** What is wrong, written to follow the path: `must be >= 1 (got 0)`. */
  text: string;
  /** `missing` (a required field), `unknown` (a field the schema does not allow), `invalid` (the rest). */
  kind: 'missing' | 'unknown' | 'invalid';
  /**
   * The same in a sentence for people, starting with the field's label and without any path:
   * `High limit must be a number, e.g. 42.5 (you typed "abc")`. Labels come from the schema given
   * to `describeSchemaErrors` (its `x-ui` labels and titles), else from the field's key.
   */
  sentence: string;
  /** The label of the field concerned (`High limit`, `Window › Count`); absent for the whole value. */
  field?: string;
}

/** Finds a field's label from its pointer relative to the validated value. */
type Labeller = (pointer: string) => string | undefined;

/**
 * Turns ajv errors (collected with `allErrors` and `verbose`) into plain-words problems, one per
 * real mistake: the noise of `oneOf`/`anyOf` branches the user did not mean is folded away.
 * `basePath` is the pointer of the validated value inside the flow, e.g. `/nodes/3/config`.
 */
export function describeSchemaErrors(
  errors: readonly ErrorObject[] | null | undefined,
  basePath = '',
  schema?: unknown,
): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  const label: Labeller = (pointer) => fieldLabel(schema, pointer);
  for (const item of foldCombinators(errors ?? [], label)) {
    // `if` only says "must match then"; the errors of `then` say what is wrong.
    if (item.error.keyword === 'if') continue;
    const problem = item.problem ?? withSentence(describeError(item.error), item.error, label);
    const field = problem.field ?? label(problem.path);
    const full = { ...problem, path: basePath + problem.path, ...(field === undefined ? {} : { field }) };
    const key = `${full.path}\u0000${full.text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(full);
  }
  return problems;
}

/** Adds the plain sentence to a problem made from one ajv error. */
function withSentence(problem: Omit<SchemaProblem, 'sentence'>, error: ErrorObject, label: Labeller): SchemaProblem {
  const own = label(problem.path);
  const siblingLabel = (key: string) => label(`${error.instancePath}/${pointerSegment(key)}`) ?? keyInWords(key);
  if (problem.kind === 'unknown') {
    const key = problem.path
      .slice(problem.path.lastIndexOf('/') + 1)
      .replace(/~1/g, '/')
      .replace(/~0/g, '~');
    return { ...problem, sentence: `The setting ${JSON.stringify(key)} ${problem.text}`, field: key };
  }
  const typed = ['string', 'number', 'boolean'].includes(typeof error.data);
  const text = typed ? problem.text.replace(/\(got /, '(you typed ') : problem.text;
  const sentence = sentenceFor({ label: own, error, siblingLabel }) ?? `${own ?? 'The settings'} ${text}`;
  return { ...problem, sentence };
}

interface FoldedError {
  error: ErrorObject;
  /** Set when the fold replaced a combinator error by a better sentence. */
  problem?: SchemaProblem;
}

/**
 * A failed `oneOf` reports every branch's errors, most of them about branches the user did not
 * mean. When exactly one branch fits the value's type and discriminating constants, keep only its
 * errors; otherwise replace the lot by one sentence listing what is allowed.
 */
function foldCombinators(errors: readonly ErrorObject[], label: Labeller): FoldedError[] {
  const removed = new Set<ErrorObject>();
  const replaced = new Map<ErrorObject, SchemaProblem>();
  const combinators = errors
    .filter((e) => (e.keyword === 'oneOf' || e.keyword === 'anyOf') && Array.isArray(e.schema))
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const combinator of combinators) {
    if (removed.has(combinator)) continue;
    const branchSchemas = combinator.schema as unknown[];
    const branches = branchErrors(errors, combinator, removed);
    const meant = meantBranch(combinator, branchSchemas, branches);
    const chosen = meant === undefined ? undefined : branches.get(meant);
    for (const [index, list] of branches) if (!chosen || index !== meant) for (const e of list) removed.add(e);
    if (chosen) removed.add(combinator);
    else replaced.set(combinator, describeCombinator(combinator, branchSchemas, branches, label));
  }
  return errors.filter((e) => !removed.has(e)).map((error) => ({ error, problem: replaced.get(error) }));
}

function branchErrors(
  errors: readonly ErrorObject[],
  combinator: ErrorObject,
  removed: Set<ErrorObject>,
): Map<number, ErrorObject[]> {
  const prefix = `${combinator.schemaPath}/`;
  const branches = new Map<number, ErrorObject[]>();
  for (const e of errors) {
    if (e === combinator || removed.has(e) || !e.schemaPath.startsWith(prefix)) continue;
    if (!isWithin(e.instancePath, combinator.instancePath)) continue;
    const index = Number(e.schemaPath.slice(prefix.length).split('/')[0]);
    if (!Number.isInteger(index)) continue;
    const list = branches.get(index) ?? [];
    list.push(e);
    branches.set(index, list);
  }
  return branches;
}

/**
 * The branch the user evidently meant: the one whose discriminating constant (`kind: 'sine'`) the
 * value carries, else the only branch not ruled out by a wrong type or constant.
 */
function meantBranch(
  combinator: ErrorObject,
  branchSchemas: unknown[],
  branches: Map<number, ErrorObject[]>,
): number | undefined {
  const discriminator = findDiscriminator(branchSchemas);
  const data = combinator.data;
  if (discriminator && isRecord(data) && data[discriminator.property] !== undefined) {
    const index = discriminator.values.findIndex((v) => v === data[discriminator.property]);
    return index >= 0 ? index : undefined;
  }
  const viable = branchSchemas
    .map((_, i) => i)
    .filter((i) => !(branches.get(i) ?? []).some((e) => isMismatch(e, combinator)));
  return viable.length === 1 ? viable[0] : undefined;
}

/** An error showing the branch is not the one meant: wrong type, or a pinned constant differs. */
function isMismatch(e: ErrorObject, combinator: ErrorObject): boolean {
  const here = combinator.instancePath;
  if (e.keyword === 'type' || e.keyword === 'false schema') return e.instancePath === here;
  if (e.keyword === 'const') return e.instancePath === here || parentOf(e.instancePath) === here;
  if (e.keyword === 'enum') return e.instancePath === here;
  return false;
}

function describeCombinator(
  combinator: ErrorObject,
  branchSchemas: unknown[],
  branches: Map<number, ErrorObject[]>,
  label: Labeller,
): SchemaProblem {
  const path = combinator.instancePath;
  const data = combinator.data;
  const subject = label(path) ?? 'The settings';
  if (combinator.params && (combinator.params as { passingSchemas?: unknown }).passingSchemas) {
    return {
      path,
      kind: 'invalid',
      text: `matches more than one of the allowed forms; it must match exactly one (got ${describeValue(data)})`,
      sentence: `${subject} fits more than one of the ways it can be filled in; it must fit exactly one`,
    };
  }
  const missing = onlyMissingFields(branchSchemas.length, branches, path);
  if (missing) {
    const labels = missing.map((key) => label(`${path}/${pointerSegment(key)}`) ?? keyInWords(key));
    return {
      path,
      kind: 'missing',
      text: `needs ${combinator.keyword === 'oneOf' ? 'exactly' : 'at least'} one of ${quoteList(missing)}`,
      sentence: atLeastOneSentence(labels, combinator.keyword === 'oneOf'),
    };
  }
  const discriminator = findDiscriminator(branchSchemas);
  if (discriminator && isRecord(data) && !discriminator.values.includes(data[discriminator.property])) {
    const value = data[discriminator.property];
    const at = `${path}/${pointerSegment(discriminator.property)}`;
    const which = label(at) ?? keyInWords(discriminator.property);
    return {
      path: at,
      kind: value === undefined ? 'missing' : 'invalid',
      text:
        value === undefined
          ? `is required but missing: it must be one of ${quoteList(discriminator.values)}`
          : `must be one of ${quoteList(discriminator.values)} (got ${describeValue(value)})`,
      sentence:
        value === undefined
          ? `${which} is required: choose ${quoteList(discriminator.values)}`
          : `${which} must be one of ${quoteList(discriminator.values)} ${youTyped(value)}`,
    };
  }
  const types = onlyTypeErrors(branchSchemas.length, branches);
  if (types)
    return {
      path,
      kind: 'invalid',
      text: `must be ${typeWords(types)} (got ${describeValue(data)})`,
      sentence: `${subject} must be ${typeWords(types)} ${youTyped(data)}`,
    };
  const titles = branchSchemas.map((s) => (isRecord(s) && typeof s.title === 'string' ? s.title : undefined));
  const forms = titles.every((t) => t !== undefined) ? `: ${titles.join('; ')}` : '';
  return {
    path,
    kind: 'invalid',
    text: `does not match any of the ${branchSchemas.length} allowed forms${forms} (got ${describeValue(data)})`,
    sentence: forms
      ? `${subject} must be filled in one of these ways${forms}`
      : `${subject} is not filled in a way this node accepts`,
  };
}

/**
 * When every alternative failed only for a missing field right here (`anyOf: [{required: [above]},
 * {required: [below]}]`), the fields of which one must be set.
 */
function onlyMissingFields(count: number, branches: Map<number, ErrorObject[]>, here: string): string[] | undefined {
  if (branches.size !== count || count < 2) return undefined;
  const fields: string[] = [];
  for (const list of branches.values()) {
    if (list.length === 0 || list.some((e) => e.keyword !== 'required' || e.instancePath !== here)) return undefined;
    for (const e of list) fields.push(String((e.params as { missingProperty?: unknown }).missingProperty));
  }
  return [...new Set(fields)];
}

/** A property every branch pins with `const` (like `kind`), and the values it may take. */
function findDiscriminator(branchSchemas: unknown[]): { property: string; values: unknown[] } | undefined {
  const first = branchSchemas[0];
  if (!isRecord(first) || !isRecord(first.properties)) return undefined;
  for (const property of Object.keys(first.properties)) {
    const values: unknown[] = [];
    for (const branch of branchSchemas) {
      const schema = isRecord(branch) && isRecord(branch.properties) ? branch.properties[property] : undefined;
      if (!isRecord(schema) || !('const' in schema)) break;
      values.push(schema.const);
    }
    if (values.length === branchSchemas.length) return { property, values };
  }
  return undefined;
}

/** When every branch failed only on `type` (e.g. number or text), the types allowed. */
function onlyTypeErrors(count: number, branches: Map<number, ErrorObject[]>): string[] | undefined {
  if (branches.size !== count) return undefined;
  const types: string[] = [];
  for (const list of branches.values()) {
    if (list.length !== 1 || list[0].keyword !== 'type') return undefined;
    types.push(...typeNames(list[0].params.type));
  }
  return types;
}

function describeError(e: ErrorObject): Omit<SchemaProblem, 'sentence'> {
  const here = e.instancePath;
  const params = e.params as Record<string, unknown>;
  const got = `(got ${describeValue(e.data)})`;
  const invalid = (text: string): Omit<SchemaProblem, 'sentence'> => ({ path: here, kind: 'invalid', text });
  switch (e.keyword) {
    case 'required':
      return {
        path: `${here}/${pointerSegment(String(params.missingProperty))}`,
        kind: 'missing',
        text: 'is required but missing',
      };
    case 'dependentRequired':
    case 'dependencies':
      return {
        path: `${here}/${pointerSegment(String(params.missingProperty))}`,
        kind: 'missing',
        text: `is required when ${JSON.stringify(params.property)} is set`,
      };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(params.additionalProperty ?? params.unevaluatedProperty);
      return {
        path: `${here}/${pointerSegment(field)}`,
        kind: 'unknown',
        text: unknownFieldText(field, e.parentSchema),
      };
    }
    case 'type':
      return invalid(
        `must be ${typeWords(typeNames(params.type))} ${nullNumberHint(typeNames(params.type), e.data) ?? got}`,
      );
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return invalid(`must be ${String(params.comparison)} ${String(params.limit)} ${got}`);
    case 'multipleOf':
      return invalid(`must be a multiple of ${String(params.multipleOf)} ${got}`);
    case 'minLength':
      return invalid(
        params.limit === 1
          ? `must not be empty ${got}`
          : `must be at least ${String(params.limit)} characters long ${got}`,
      );
    case 'maxLength':
      return invalid(`must be at most ${String(params.limit)} characters long ${got}`);
    case 'minItems':
      return invalid(`must have at least ${plural(params.limit, 'item')} ${got}`);
    case 'maxItems':
      return invalid(`must have at most ${plural(params.limit, 'item')} ${got}`);
    case 'minProperties':
      return invalid(`must have at least ${plural(params.limit, 'field')} ${got}`);
    case 'maxProperties':
      return invalid(`must have at most ${plural(params.limit, 'field')} ${got}`);
    case 'uniqueItems':
      return invalid(`must not repeat items (items ${String(params.j)} and ${String(params.i)} are equal)`);
    case 'pattern':
      return invalid(
        params.pattern === ID_PATTERN
          ? `must start with a letter or digit and use only letters, digits, ".", "_" or "-" ${got}`
          : `must match the pattern ${String(params.pattern)} ${got}`,
      );
    case 'format':
      return invalid(`must be ${formatWords(String(params.format))} ${got}`);
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      return invalid(
        allowed.length === 1
          ? `must be ${JSON.stringify(allowed[0])} ${got}`
          : `must be one of ${quoteList(allowed)} ${got}`,
      );
    }
    case 'const':
      return invalid(`must be ${JSON.stringify(params.allowedValue)} ${got}`);
    case 'false schema':
      return { path: here, kind: 'unknown', text: 'is not allowed here' };
    case 'not':
      return invalid(`is not allowed to have this form ${got}`);
    case 'contains':
      return invalid(`must contain at least ${plural(params.minContains ?? 1, 'matching item')}`);
    case 'additionalItems':
    case 'items':
    case 'unevaluatedItems':
      return invalid(
        params.limit === undefined
          ? `has items that are not allowed`
          : `must have at most ${plural(params.limit, 'item')}`,
      );
    case 'propertyNames':
      return invalid(`has a field named ${JSON.stringify(params.propertyName)} that is not allowed`);
    default:
      return invalid(`${e.message ?? `fails the "${e.keyword}" rule`} ${got}`);
  }
}

function unknownFieldText(field: string, parentSchema: unknown): string {
  const properties =
    isRecord(parentSchema) && isRecord(parentSchema.properties) ? Object.keys(parentSchema.properties) : [];
  if (properties.length === 0) return 'is not a known field';
  const guess = closest(field, properties);
  const hint = guess ? `; did you mean ${JSON.stringify(guess)}?` : '';
  return `is not a known field${hint} (known fields: ${properties.join(', ')})`;
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

function typeNames(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return String(type).split(',');
}

/**
 * Versions saved before non-finite numbers were refused hold `null` where `1e400` was written
 * (JSON.stringify writes Infinity as null): say so when such a version is rolled back to.
 */
function nullNumberHint(types: readonly string[], data: unknown): string | undefined {
  if (data !== null || !types.some((t) => t === 'number' || t === 'integer')) return undefined;
  return '(got null; a number too large for JSON, such as 1e400, was saved as null by older versions of tagflow)';
}

function typeWords(types: readonly string[]): string {
  const words = [...new Set(types.map((t) => TYPE_WORDS[t] ?? t))];
  return words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

const FORMAT_WORDS: Record<string, string> = {
  'date-time': 'a date and time like 2024-05-01T12:00:00Z',
  date: 'a date like 2024-05-01',
  time: 'a time like 12:00:00Z',
  duration: 'an ISO 8601 duration like PT5M',
  uri: 'a full URL like mqtt://host:1883',
  'uri-reference': 'a URL or relative path',
  url: 'a full URL',
  email: 'an email address',
  hostname: 'a host name',
  ipv4: 'an IPv4 address like 192.168.0.10',
  ipv6: 'an IPv6 address',
  regex: 'a valid regular expression',
  uuid: 'a UUID',
};

function formatWords(format: string): string {
  return FORMAT_WORDS[format] ?? `a valid ${format}`;
}

function plural(count: unknown, noun: string): string {
  return `${String(count)} ${noun}${count === 1 ? '' : 's'}`;
}

function parentOf(pointer: string): string {
  return pointer.slice(0, Math.max(0, pointer.lastIndexOf('/')));
}

function isWithin(pointer: string, ancestor: string): boolean {
  return pointer === ancestor || pointer.startsWith(`${ancestor}/`);
}
