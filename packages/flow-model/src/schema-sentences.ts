import type { ErrorObject } from 'ajv';
import { describeValue, quoteList } from './issues';
import { isPlainObject } from './object-guards';

/**
 * Sentences a process engineer understands, for one config schema problem: they start with the
 * field's label (`High limit must be a number, e.g. 42.5 (you typed "abc")`) and never show a
 * JSON path or a schema keyword. The path stays on the issue, as a detail.
 */

/** What a sentence needs of a problem: which value, what was found and the label of its field. */
export interface SentenceInput {
  /** The field's label, `undefined` for the config as a whole. */
  label: string | undefined;
  /** The ajv error the problem came from (absent for a folded `oneOf`/`anyOf`). */
  error: ErrorObject;
  /** The label of a sibling field, by its key (for "required when X is set"). */
  siblingLabel(key: string): string;
}

/** The sentence for one ajv error, or undefined to fall back on `${label} ${text}`. */
export function sentenceFor({ label, error, siblingLabel }: SentenceInput): string | undefined {
  const subject = label ?? 'The settings';
  const params = error.params as Record<string, unknown>;
  const typed = youTyped(error.data);
  switch (error.keyword) {
    case 'required':
      return `${siblingLabel(String(params.missingProperty))} is required: fill it in`;
    case 'dependentRequired':
    case 'dependencies':
      return `${siblingLabel(String(params.missingProperty))} is required when ${siblingLabel(String(params.property))} is set`;
    case 'type': {
      const names = typeNames(params.type);
      // Versions saved before non-finite numbers were refused hold null where 1e400 was written.
      if (error.data === null && names.some((t) => t === 'number' || t === 'integer'))
        return `${subject} must be ${typeSentence(names, undefined, false)} (got null; a number too large for JSON, such as 1e400, was saved as null by older versions of tagflow)`;
      return `${subject} must be ${typeSentence(names, error.parentSchema)} ${typed}`;
    }
    case 'minimum':
      return `${subject} must be at least ${String(params.limit)} ${typed}`;
    case 'exclusiveMinimum':
      return `${subject} must be more than ${String(params.limit)} ${typed}`;
    case 'maximum':
      return `${subject} must be at most ${String(params.limit)} ${typed}`;
    case 'exclusiveMaximum':
      return `${subject} must be less than ${String(params.limit)} ${typed}`;
    case 'minLength':
      return params.limit === 1
        ? `${subject} must not be empty: fill it in`
        : `${subject} must be at least ${String(params.limit)} characters long ${typed}`;
    case 'enum': {
      const allowed = params.allowedValues as unknown[];
      return `${subject} must be ${allowed.length === 1 ? JSON.stringify(allowed[0]) : `one of ${quoteList(allowed)}`} ${typed}`;
    }
    default:
      return undefined;
  }
}

/** `(you typed "abc")` for what a person types, `(it is now a list of 3)` for the rest. */
export function youTyped(value: unknown): string {
  if (value === undefined) return '(it is empty)';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return `(you typed ${describeValue(value)})`;
  return `(it is now ${describeValue(value)})`;
}

/**
 * "Set at least one limit: High limit or Low limit": for an `anyOf`/`oneOf` whose alternatives
 * each only require a field (one of several fields must be set). The shared last word of the
 * labels (`limit`) names what to set, when they have one.
 */
export function atLeastOneSentence(labels: readonly string[], exactlyOne: boolean): string {
  const last = labels.map((l) => l.split(' ').pop()?.toLowerCase() ?? '');
  const common = last.every((w) => w !== '' && w === last[0]) ? ` ${last[0]}` : ' of these';
  const list =
    labels.length <= 1 ? labels.join('') : `${labels.slice(0, -1).join(', ')} or ${labels[labels.length - 1]}`;
  return exactlyOne ? `Set exactly one${common}: ${list}` : `Set at least one${common}: ${list}`;
}

const TYPE_SENTENCES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'on or off (true or false)',
  object: 'a group of settings',
  array: 'a list',
  null: 'empty',
};

function typeSentence(types: readonly string[], schema: unknown, withExample = true): string {
  const words = [...new Set(types.map((t) => TYPE_SENTENCES[t] ?? t))];
  const text = words.length <= 1 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
  const example = withExample ? exampleOf(types, schema) : undefined;
  return example === undefined ? text : `${text}, e.g. ${example}`;
}

/** An example value for a number field: its default, else one inside its limits. */
function exampleOf(types: readonly string[], schema: unknown): string | undefined {
  const numeric = types.includes('number') || types.includes('integer');
  if (!numeric || types.includes('string')) return undefined;
  const s = isPlainObject(schema) ? schema : {};
  if (typeof s.default === 'number') return String(s.default);
  const min =
    typeof s.minimum === 'number'
      ? s.minimum
      : typeof s.exclusiveMinimum === 'number'
        ? s.exclusiveMinimum + 1
        : undefined;
  if (min !== undefined) return String(types.includes('number') ? min : Math.ceil(min));
  return types.includes('number') ? '42.5' : '10';
}

function typeNames(type: unknown): string[] {
  if (Array.isArray(type)) return type.map(String);
  return String(type).split(',');
}
