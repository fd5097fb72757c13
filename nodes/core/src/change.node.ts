import { defineNode, NodeError } from '@tagflow/node-sdk';
import type { Message } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { compileExpression } from './lib/jsonata-expression';
import { deletePath, formatPath, getPath, parsePath, PathError, setPath } from './lib/message-path';
import type { PathSegment } from './lib/message-path';

/** Where a set rule takes its value: the literal itself, a JSONata expression on the message, or another property. */
type ValueSpec =
  { type: 'literal'; value?: unknown } | { type: 'jsonata'; value: string } | { type: 'property'; value: string };

/** A rule as written in the config. */
type RuleConfig =
  | { action: 'set'; property: string; value: ValueSpec }
  | { action: 'delete'; property: string }
  | { action: 'move'; property: string; to: string }
  | {
      action: 'change';
      property: string;
      search: string | number | boolean;
      regex?: boolean;
      ignoreCase?: boolean;
      replace: string | number | boolean | null;
    };

/** One compiled rule: the message before it in, the message after it out. */
type Step = (msg: Message) => Message | Promise<Message>;

const QUALITIES: ReadonlySet<unknown> = new Set(['good', 'uncertain', 'bad']);
// Every message must keep these; removing them would hand the next node a broken message.
const REQUIRED = new Set(['timestamp', 'quality']);

const valueSpecSchema = {
  oneOf: [
    {
      type: 'object',
      properties: {
        type: { const: 'literal' },
        value: { description: 'Any JSON value: a number, a text, true/false, a list, an object.' },
      },
      required: ['type'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        type: { const: 'jsonata' },
        value: { type: 'string', description: 'A JSONata expression on the message, e.g. payload * 1.8 + 32.' },
      },
      required: ['type', 'value'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        type: { const: 'property' },
        value: { type: 'string', description: 'Another property of the message, e.g. payload.raw.' },
      },
      required: ['type', 'value'],
      additionalProperties: false,
    },
  ],
  description:
    'The new value: { "type": "literal", "value": 42 }, { "type": "jsonata", "value": "payload * 2" } or { "type": "property", "value": "topic" }.',
  'x-ui': { label: 'to' },
} as const;

const propertySchema = {
  type: 'string',
  description: 'A path into the message: payload, payload.temperature, payload.items[0], topic.',
  'x-ui': { label: 'Property' },
} as const;

const scalarSchema = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } as const;

export default defineNode({
  type: 'change',
  version: 1,
  category: 'processor',
  description: 'Sets, changes, moves or deletes properties of each message.',
  docs: [
    'Applies its rules in order to each message and sends the result; each rule sees the message as the rules before it left it.',
    '`set` gives a property a value (a literal, a JSONata expression on the message, or another property), creating missing levels;',
    '`change` searches and replaces in a text property (or replaces a whole value equal to `search`); `move` renames a property;',
    '`delete` removes one. The input message is never modified: only the objects along a changed path are copied.',
  ].join(' '),
  errors: coreErrors.pick(
    'CHANGE_RULE_INVALID',
    'CHANGE_EXPRESSION_FAILED',
    'CHANGE_PATH_CONFLICT',
    'CHANGE_INVALID_MESSAGE',
  ),
  configSchema: {
    type: 'object',
    properties: {
      rules: {
        type: 'array',
        default: [],
        description: 'Applied in order to each message.',
        'x-ui': { label: 'Rules' },
        items: {
          oneOf: [
            {
              type: 'object',
              properties: { action: { const: 'set' }, property: propertySchema, value: valueSpecSchema },
              required: ['action', 'property', 'value'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: { action: { const: 'delete' }, property: propertySchema },
              required: ['action', 'property'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: {
                action: { const: 'move' },
                property: propertySchema,
                to: { type: 'string', description: 'The path to move the value to.', 'x-ui': { label: 'to' } },
              },
              required: ['action', 'property', 'to'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: {
                action: { const: 'change' },
                property: propertySchema,
                search: {
                  ...scalarSchema,
                  description:
                    'Text to search for (a regular expression when regex is on), or a whole value to replace.',
                  'x-ui': { label: 'Search for' },
                },
                regex: {
                  type: 'boolean',
                  description: 'Treat search as a regular expression ($1... in replace name its groups).',
                  'x-ui': { label: 'Regular expression' },
                },
                ignoreCase: {
                  type: 'boolean',
                  description: 'Ignore upper and lower case when searching.',
                  'x-ui': { label: 'Ignore case' },
                },
                replace: {
                  oneOf: [...scalarSchema.oneOf, { type: 'null' }],
                  description: 'What to put instead.',
                  'x-ui': { label: 'Replace with' },
                },
              },
              required: ['action', 'property', 'search', 'replace'],
              additionalProperties: false,
            },
          ],
        },
      },
    },
    additionalProperties: false,
  },
  inputs: ['in'],
  outputs: ['out'],
  create(ctx) {
    const steps = (ctx.config.rules as RuleConfig[]).map((rule, index) => compileRule(rule, index));
    return {
      onMessage(msg) {
        const changed = applyFrom(steps, 0, msg);
        if (changed instanceof Promise) {
          return changed.then((out) => {
            ctx.send(checked(out));
          });
        }
        ctx.send(checked(changed));
      },
    };
  },
});

/** Runs the steps in order; stays synchronous until a step answers with a Promise (JSONata). */
function applyFrom(steps: readonly Step[], from: number, msg: Message): Message | Promise<Message> {
  let current = msg;
  for (let i = from; i < steps.length; i++) {
    const next = steps[i](current);
    if (next instanceof Promise) return next.then((m) => applyFrom(steps, i + 1, m));
    current = next;
  }
  return current;
}

/** The rules may set timestamp and quality: they must still be valid for the nodes downstream. */
function checked(msg: Message): Message {
  if (typeof msg.timestamp !== 'number' || !Number.isFinite(msg.timestamp)) {
    throw new NodeError(
      coreErrors.code.CHANGE_INVALID_MESSAGE,
      `The rules left timestamp as ${JSON.stringify(msg.timestamp)}; it must be milliseconds since 1970 (a number)`,
    );
  }
  if (!QUALITIES.has(msg.quality)) {
    throw new NodeError(
      coreErrors.code.CHANGE_INVALID_MESSAGE,
      `The rules left quality as ${JSON.stringify(msg.quality)}; it must be "good", "uncertain" or "bad"`,
    );
  }
  return msg;
}

function compileRule(rule: RuleConfig, index: number): Step {
  const where = `Rule ${index + 1} (${rule.action} ${rule.property})`;
  const invalid = (problem: string) =>
    new NodeError(coreErrors.code.CHANGE_RULE_INVALID, `${where}: ${problem}`, { rule: index + 1 });
  const path = parse(rule.property, invalid);
  const setAt = (msg: Message, at: readonly PathSegment[], value: unknown): Message => {
    try {
      return setPath(msg, at, value);
    } catch (err) {
      if (err instanceof PathError)
        throw new NodeError(coreErrors.code.CHANGE_PATH_CONFLICT, `${where}: ${err.message}`, { rule: index + 1 });
      throw err;
    }
  };
  const set = (msg: Message, value: unknown) => setAt(msg, path, value);
  switch (rule.action) {
    case 'set':
      return setStep(rule.value, where, invalid, set);
    case 'delete':
      refuseRemoving(path, invalid);
      return (msg) => remove(msg, path);
    case 'move': {
      refuseRemoving(path, invalid);
      const target = parse(rule.to, invalid);
      if (formatPath(target) === formatPath(path)) throw invalid('moves the property onto itself');
      return (msg) => {
        const value = getPath(msg, path);
        // Removing first lets a value move deeper into its old place: payload -> payload.raw.
        return value === undefined ? msg : setAt(remove(msg, path), target, value);
      };
    }
    case 'change':
      return changeStep(rule, path, invalid, set);
  }
}

function setStep(
  spec: ValueSpec,
  where: string,
  invalid: (problem: string) => NodeError,
  set: (msg: Message, value: unknown) => Message,
): Step {
  switch (spec.type) {
    case 'literal': {
      const value = spec.value;
      return (msg) => set(msg, value);
    }
    case 'property': {
      const source = parse(spec.value, invalid);
      return (msg) => set(msg, getPath(msg, source));
    }
    case 'jsonata': {
      const expression = compileExpression(spec.value, {
        where,
        invalidCode: coreErrors.code.CHANGE_RULE_INVALID,
        failedCode: coreErrors.code.CHANGE_EXPRESSION_FAILED,
      });
      return (msg) => expression.evaluate(msg).then((value) => set(msg, value));
    }
  }
}

function changeStep(
  rule: Extract<RuleConfig, { action: 'change' }>,
  path: PathSegment[],
  invalid: (problem: string) => NodeError,
  set: (msg: Message, value: unknown) => Message,
): Step {
  const { search, replace } = rule;
  if (rule.regex) {
    if (typeof search !== 'string') throw invalid('with regex on, search must be the regular expression as text');
    let pattern: RegExp;
    try {
      pattern = new RegExp(search, rule.ignoreCase ? 'gi' : 'g');
    } catch (err) {
      throw invalid(`the regular expression ${JSON.stringify(search)} is invalid: ${(err as Error).message}`);
    }
    const replacement = String(replace);
    return (msg) => {
      const current = getPath(msg, path);
      if (typeof current !== 'string') return msg;
      const next = current.replace(pattern, replacement);
      return next === current ? msg : set(msg, next);
    };
  }
  if (search === '') throw invalid('search is empty');
  const searchText = String(search);
  const lowerSearch = searchText.toLowerCase();
  return (msg) => {
    const current = getPath(msg, path);
    if (typeof current === 'string') {
      const whole = rule.ignoreCase ? current.toLowerCase() === lowerSearch : current === searchText;
      // A whole-value match keeps the replacement's type: "ON" can become true.
      if (whole) return set(msg, replace);
      const next = rule.ignoreCase
        ? replaceAllIgnoringCase(current, searchText, String(replace))
        : current.split(searchText).join(String(replace));
      return next === current ? msg : set(msg, next);
    }
    if (
      current !== undefined &&
      (current === search || (typeof current === 'number' && String(current) === searchText))
    )
      return set(msg, replace);
    return msg;
  };
}

function replaceAllIgnoringCase(text: string, search: string, replacement: string): string {
  const escaped = search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return text.replace(new RegExp(escaped, 'gi'), () => replacement);
}

function remove(msg: Message, path: readonly PathSegment[]): Message {
  // The payload field itself stays on the message (it is required), emptied.
  if (path.length === 1 && path[0] === 'payload')
    return msg.payload === undefined ? msg : { ...msg, payload: undefined };
  return deletePath(msg, path);
}

function refuseRemoving(path: readonly PathSegment[], invalid: (problem: string) => NodeError): void {
  if (path.length === 1 && REQUIRED.has(String(path[0])))
    throw invalid(`${String(path[0])} is required on every message and cannot be removed; set it instead`);
}

function parse(path: string, invalid: (problem: string) => NodeError): PathSegment[] {
  try {
    return parsePath(path);
  } catch (err) {
    if (err instanceof PathError) throw invalid(err.message);
    throw err;
  }
}
