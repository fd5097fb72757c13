import { defineNode, NodeError, problemsFrom } from '@tagflow/node-sdk';
import type { Message, NodeContext } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { compileExpression } from './lib/jsonata-expression';
import { deletePath, PathError } from './lib/message-path';
import type { PathSegment } from './lib/message-path';
import { describeValue } from './lib/numeric-payload';
import { settleQualities } from './lib/settle-qualities';
import { locate, PLACES, readAt, writeAt } from './lib/value-source';
import type { Location, Place } from './lib/value-source';

/** Where a set rule takes its value: the literal itself, a JSONata expression on the message, or another property. */
type ValueSpec =
  | { type: 'literal'; value?: unknown }
  | { type: 'jsonata'; value: string }
  | { type: 'property' | 'node' | 'flow' | 'global' | 'variable'; value: string };

/** Where a change rule's search or replace comes from. */
const SOURCES = ['literal', 'property', 'node', 'flow', 'global', 'variable'] as const;
type Source = (typeof SOURCES)[number];

/** A rule as written in the config; `scope` says where `property` is (default: the message). */
type RuleConfig =
  | { action: 'set'; property: string; scope?: Place; value: ValueSpec }
  | { action: 'delete'; property: string; scope?: Place }
  | { action: 'move'; property: string; scope?: Place; to: string; toScope?: Place }
  | {
      action: 'change';
      scope?: Place;
      property: string;
      search: string | number | boolean;
      regex?: boolean;
      ignoreCase?: boolean;
      replace: string | number | boolean | null;
      searchFrom?: Source;
      replaceFrom?: Source;
    };

/** One compiled rule: the message before it in, the message after it out. */
type Step = (msg: Message) => Message | Promise<Message>;

const QUALITIES: ReadonlySet<unknown> = new Set(['good', 'uncertain', 'bad']);
// Every message must keep these; removing them would hand the next node a broken message.
const REQUIRED = new Set(['timestamp', 'quality']);

/** A value source reading a context scope; one per scope, so the editor tells them apart by `type`. */
function contextSource<S extends 'node' | 'flow' | 'global'>(scope: S, description: string) {
  return {
    type: 'object',
    properties: {
      type: { description, const: scope, 'x-ui': { label: 'Source' } },
      value: {
        type: 'string',
        description: 'The context key, or a path into it, e.g. limits.high.',
        'x-ui': { label: 'Key' },
      },
    },
    required: ['type', 'value'],
    additionalProperties: false,
  } as const;
}

const valueSpecSchema = {
  oneOf: [
    {
      type: 'object',
      properties: {
        type: { description: 'The value is given as written.', const: 'literal', 'x-ui': { label: 'Source' } },
        value: {
          description: 'Any JSON value: a number, a text, true/false, a list, an object.',
          'x-ui': { label: 'Value' },
        },
      },
      required: ['type'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        type: {
          description: 'The value is computed by a JSONata expression.',
          const: 'jsonata',
          'x-ui': { label: 'Source' },
        },
        value: {
          type: 'string',
          description: 'A JSONata expression on the message, e.g. payload * 1.8 + 32.',
          'x-ui': { label: 'Expression' },
        },
      },
      required: ['type', 'value'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        type: {
          description: 'The value is copied from another property.',
          const: 'property',
          'x-ui': { label: 'Source' },
        },
        value: {
          type: 'string',
          description: 'Another property of the message, e.g. payload.raw.',
          'x-ui': { label: 'Property' },
        },
      },
      required: ['type', 'value'],
      additionalProperties: false,
    },
    contextSource('node', "The value is read from this node's context."),
    contextSource('flow', "The value is read from the flow's context."),
    contextSource('global', "The value is read from the runtime's global context."),
    {
      type: 'object',
      properties: {
        type: {
          description: 'The value is a runtime variable (tagflow var set NAME VALUE), as text.',
          const: 'variable',
          'x-ui': { label: 'Source' },
        },
        value: { type: 'string', description: 'The variable name, e.g. SITE.', 'x-ui': { label: 'Variable' } },
      },
      required: ['type', 'value'],
      additionalProperties: false,
    },
  ],
  description:
    'The new value: { "type": "literal", "value": 42 }, { "type": "jsonata", "value": "payload * 2" }, { "type": "property", "value": "topic" }, { "type": "flow", "value": "limits.high" } (also node, global) or { "type": "variable", "value": "SITE" }.',
  'x-ui': { label: 'to' },
} as const;

const propertySchema = {
  type: 'string',
  description: 'A path into the message: payload, payload.temperature, payload.items[0], topic.',
  'x-ui': { label: 'Property' },
} as const;

const scopeSchema = {
  description:
    "Where property is: the message, or the node's, the flow's or the runtime's context (its first step is the key).",
  enum: [...PLACES],
  'x-ui': { label: 'in' },
} as const;

const toScopeSchema = { ...scopeSchema, description: 'Where to is, as for scope.', 'x-ui': { label: 'to, in' } };

const scalarSchema = { oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }] } as const;

export default defineNode({
  type: 'change',
  version: 1,
  category: 'processor',
  description: 'Sets, changes, moves or deletes properties of each message.',
  docs: [
    'Sets, changes, moves or deletes properties of each message, by an ordered list of rules, like',
    "Node-RED's change node. Values can be literals, other properties of the message, or JSONata",
    'expressions.',
    '',
    '## Rules',
    '',
    'Every rule names a `property`, a path into the message: `payload`, `payload.temperature`,',
    '`payload.items[0]`, `payload["tag.with.dots"]`, `topic`, `unit`. Paths cannot use `__proto__`,',
    '`prototype` or `constructor`.',
    '',
    '| `action` | fields                                                 | does                                                                                         |',
    '| -------- | ------------------------------------------------------ | -------------------------------------------------------------------------------------------- |',
    '| `set`    | `property`, `value`                                    | gives the property a value, creating missing levels (an object, or a list for an `[n]` step) |',
    '| `change` | `property`, `search`, `replace`, `regex`, `ignoreCase` | search and replace in the property (below)                                                   |',
    '| `move`   | `property`, `to`                                       | moves the value to the path `to` and removes it from `property`                              |',
    '| `delete` | `property`                                             | removes the property (an item of a list is removed, closing the gap)                         |',
    '',
    'The `value` of a `set` rule says where the value comes from:',
    '',
    '| `value`                                                | gives                                                                   |',
    '| ------------------------------------------------------ | ----------------------------------------------------------------------- |',
    '| `{ "type": "literal", "value": 42 }`                   | the value as written: a number, text, `true`/`false`, a list, an object |',
    '| `{ "type": "jsonata", "value": "payload * 1.8 + 32" }` | the JSONata expression, run on the whole message                        |',
    '| `{ "type": "property", "value": "payload.raw" }`       | another property of the message                                         |',
    '| `{ "type": "flow", "value": "limits.high" }`           | a context key (or a path into it); also `node` and `global`             |',
    '| `{ "type": "variable", "value": "SITE" }`              | a runtime variable (`tagflow var set`), as text                         |',
    '',
    'A value read from a missing property, context key or variable removes the target instead (as',
    'in Node-RED: setting `foo.bar` from a missing property does not create `foo`).',
    '',
    '## Context',
    '',
    'Every rule can work on a context key instead of the message: `"scope": "flow"` (or `node`,',
    '`global`) makes `property` a context key, or a path into one (`pump.speed`); a `move` rule has',
    "`toScope` for its `to`. `node` context is this node's own; `flow` is shared by the flow's",
    'nodes (a switch can compare with it); `global` by every flow. Context holds JSON data only',
    '(`CONTEXT_VALUE`) and has a size limit (`CONTEXT_FULL`). The message goes on unchanged by a',
    'rule on context.',
    '',
    '`change`: when the property is a text, every occurrence of `search` in it is replaced by',
    '`replace` (with `regex: true`, `search` is a regular expression and `replace` may use `$1`, `$2`',
    'for its groups). When the whole text equals `search`, the value becomes `replace` with its own',
    'type: `"ON"` can become `true`. With `regex: true` and a `replace` that is not a text (`true`,',
    '`42`, `null`), a regular expression matching the whole text gives `replace` with its type. When',
    'the property is a number or a boolean equal to `search`, it becomes `replace`. Anything else is',
    'left as it is. Moving a property onto itself leaves it where it is.',
    '',
    '`searchFrom` and `replaceFrom` (default `literal`) read `search` or `replace` for each message',
    'from where they name: `property` (`"search": "topic"` searches for the text of `msg.topic`),',
    '`node`, `flow`, `global` (a context key) or `variable`. A search read from a missing place finds',
    'nothing. A regular expression is always written in the rule.',
    '',
    '## What it sends',
    '',
    'For every message received, one message on `out`: the message as the rules left it, each rule',
    'seeing the message as the rules before it left it. With the rules of the example below, a reading',
    'in °C leaves in °F:',
    '',
    '```json',
    '{ "payload": 100.4, "topic": "oven/temp", "unit": "degF", "timestamp": 1767225612000, "quality": "good" }',
    '```',
    '',
    'A message with a quality per tag (`qualities`, as modbus-read sends in object mode) keeps it',
    "while its payload stays an object. When the rules replace the payload with one tag's value",
    "(move `payload.flow` to `payload`), the message takes that tag's own quality and `qualities` is",
    "dropped; any other new payload keeps the message's quality (the worst of the tags), and a",
    'quality the rules set themselves is kept.',
    '',
    '## Messages are not modified',
    '',
    'The input message is never changed: each rule returns a new message. Only the objects on the',
    'path of a changed property are copied; everything else is shared with the input (messages are',
    'immutable by convention, so sharing is safe and cheap).',
    '',
    '`timestamp` and `quality` are required on every message: they cannot be deleted or moved away,',
    'and a message whose rules set them to something invalid (a quality other than `good`,',
    '`uncertain`, `bad`; a timestamp that is not a number) is not sent (`CHANGE_INVALID_MESSAGE`).',
    'Deleting or moving `payload` leaves `payload` undefined.',
    '',
    '## JSONata',
    '',
    'Expressions are compiled once, at deploy; evaluation is asynchronous, so a change node with',
    'JSONata rules costs a little more per message than one without (a node with no JSONata rule',
    'runs synchronously). An expression is stopped after 1 s of evaluation or 500 nested calls. A',
    'result that is a JSONata sequence is sent as a plain list. `$now()` and `$millis()` give the',
    'node\'s clock at evaluation (so fake-time tests of a flow agree with it); `$flowContext("key")`,',
    '`$globalContext("key")` and `$env("NAME")` read context and runtime variables.',
    '',
    '## Differences from Node-RED',
    '',
    "Node-RED's own change tests pass here, except these, on purpose:",
    '',
    '- No "deep copy" switch: it is always on. Messages are immutable (a rule returns a changed',
    '  copy) and context stores copies, so no two places ever share a value that can change.',
    '- No Buffer, date or environment-variable literal types: a literal is JSON; use',
    '  `{ "type": "variable" }` for runtime variables and `$millis()` for the time.',
    '- Persistable context stores are chosen by the runtime, not per rule (no `#:(file)::` prefix).',
    '- The old single-rule format (`action: "replace"`, `from`, `to` on the node) is not read.',
    '- `timestamp` and `quality` cannot be deleted or moved: every message carries them.',
    '',
    '## When it fails',
    '',
    "At deploy (the flow is refused, with the rule's number, action and property, e.g.",
    '`Rule 2 (set payload): the JSONata expression "payload +" is invalid: Unexpected end of',
    'expression (near character 9)`): an invalid JSONata expression or regular expression, a path',
    'that cannot be parsed, an empty search text, deleting or moving `timestamp` or `quality`',
    '(`CHANGE_RULE_INVALID`).',
    '',
    'On a message (the message is not sent; the next one is processed normally):',
    '`CHANGE_EXPRESSION_FAILED` (a JSONata expression failed, e.g. `payload * 2` on a text),',
    '`CHANGE_PATH_CONFLICT` (setting `payload.unit` when `payload` is a number),',
    '`CHANGE_INVALID_MESSAGE` (see above).',
    '',
    '## Example',
    '',
    'Convert a Celsius reading, keep the raw value, and tag the unit:',
    '',
    '```json',
    '{',
    '  "id": "to-fahrenheit",',
    '  "type": "change",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "rules": [',
    '      { "action": "set", "property": "raw", "value": { "type": "property", "value": "payload" } },',
    '      { "action": "set", "property": "payload", "value": { "type": "jsonata", "value": "payload * 1.8 + 32" } },',
    '      { "action": "set", "property": "unit", "value": { "type": "literal", "value": "°F" } },',
    '      { "action": "change", "property": "topic", "search": "/celsius$", "regex": true, "replace": "/fahrenheit" }',
    '    ]',
    '  }',
    '}',
    '```',
    '',
    '`{ "payload": 25, "topic": "tank/celsius" }` becomes',
    '`{ "payload": 77, "raw": 25, "unit": "°F", "topic": "tank/fahrenheit" }` (timestamp and quality kept).',
  ].join('\n'),
  inputs: ['in'],
  outputs: ['out'],
  errors: coreErrors.pick(
    'CHANGE_RULE_INVALID',
    'CHANGE_EXPRESSION_FAILED',
    'CHANGE_PATH_CONFLICT',
    'CHANGE_INVALID_MESSAGE',
    'CONTEXT_VALUE',
    'CONTEXT_FULL',
  ),
  configSchema: {
    type: 'object',
    properties: {
      rules: {
        type: 'array',
        description: 'Applied in order to each message.',
        default: [],
        items: {
          oneOf: [
            {
              type: 'object',
              properties: {
                action: { description: 'Gives the property a value.', const: 'set', 'x-ui': { label: 'Action' } },
                property: propertySchema,
                scope: scopeSchema,
                value: valueSpecSchema,
              },
              required: ['action', 'property', 'value'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: {
                action: { description: 'Removes the property.', const: 'delete', 'x-ui': { label: 'Action' } },
                property: propertySchema,
                scope: scopeSchema,
              },
              required: ['action', 'property'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: {
                action: { description: 'Moves the value to another path.', const: 'move', 'x-ui': { label: 'Action' } },
                property: propertySchema,
                scope: scopeSchema,
                to: { type: 'string', description: 'The path to move the value to.', 'x-ui': { label: 'to' } },
                toScope: toScopeSchema,
              },
              required: ['action', 'property', 'to'],
              additionalProperties: false,
            },
            {
              type: 'object',
              properties: {
                action: {
                  description: 'Searches and replaces in the property.',
                  const: 'change',
                  'x-ui': { label: 'Action' },
                },
                property: propertySchema,
                scope: scopeSchema,
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
                searchFrom: {
                  description:
                    'Where search comes from: literal (as written), property (a message property it names), node/flow/global (a context key), variable (a runtime variable).',
                  enum: [...SOURCES],
                  'x-ui': { label: 'Search from' },
                },
                replaceFrom: {
                  description: 'Where replace comes from, as for searchFrom.',
                  enum: [...SOURCES],
                  'x-ui': { label: 'Replace from' },
                },
              },
              required: ['action', 'property', 'search', 'replace'],
              additionalProperties: false,
            },
          ],
        },
        'x-ui': { label: 'Rules' },
      },
    },
    additionalProperties: false,
  },
  check: (config) =>
    (config.rules as RuleConfig[]).flatMap((rule, index) =>
      problemsFrom(`/rules/${index}`, () => compileRule(rule, index)),
    ),
  create(ctx) {
    const steps = (ctx.config.rules as RuleConfig[]).map((rule, index) => compileRule(rule, index, ctx));
    return {
      onMessage(msg) {
        const changed = applyFrom(steps, 0, msg);
        if (changed instanceof Promise) {
          return changed.then((out) => {
            ctx.send(checked(settleQualities(msg, out)));
          });
        }
        ctx.send(checked(settleQualities(msg, changed)));
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
      `The rules left timestamp ${shown(msg.timestamp)}; it must be milliseconds since 1970 (a number)`,
    );
  }
  if (!QUALITIES.has(msg.quality)) {
    throw new NodeError(
      coreErrors.code.CHANGE_INVALID_MESSAGE,
      `The rules left quality ${shown(msg.quality)}; it must be "good", "uncertain" or "bad"`,
    );
  }
  return msg;
}

/** `missing`, or `as` and the value in short plain words (`as the text "now"`, `as NaN (not a finite number)`). */
function shown(value: unknown): string {
  return value === undefined ? 'missing' : `as ${describeValue(value)}`;
}

function compileRule(rule: RuleConfig, index: number, env?: NodeContext): Step {
  const scope = rule.scope ?? 'message';
  const where = `Rule ${index + 1} (${rule.action} ${scope === 'message' ? '' : `${scope}.`}${rule.property})`;
  const invalid = (problem: string) =>
    new NodeError(coreErrors.code.CHANGE_RULE_INVALID, `${where}: ${problem}`, { rule: index + 1 });
  const at = place(scope, rule.property, invalid);
  const setAt = (msg: Message, target: Location, value: unknown): Message => {
    try {
      // A value from a missing property removes the target instead of creating `foo: {}` for `foo.bar`.
      if (value === undefined)
        return target.place === 'message' ? remove(msg, target.path) : writeAt(target, msg, env, undefined);
      return writeAt(target, msg, env, value);
    } catch (err) {
      if (err instanceof PathError)
        throw new NodeError(coreErrors.code.CHANGE_PATH_CONFLICT, `${where}: ${err.message}`, { rule: index + 1 });
      throw err;
    }
  };
  const set = (msg: Message, value: unknown) => setAt(msg, at, value);
  const get = (msg: Message) => readAt(at, msg, env);
  switch (rule.action) {
    case 'set':
      return setStep(rule.value, where, invalid, set, env);
    case 'delete':
      refuseRemoving(at, invalid);
      return (msg) => (at.place === 'message' ? remove(msg, at.path) : writeAt(at, msg, env, undefined));
    case 'move': {
      refuseRemoving(at, invalid);
      const target = place(rule.toScope ?? 'message', rule.to, invalid);
      // Moving a property onto itself leaves it where it is, as in Node-RED.
      if (target.label === at.label) return (msg) => msg;
      return (msg) => {
        const value = get(msg);
        if (value === undefined) return msg;
        // Removing first lets a value move deeper into its old place: payload -> payload.raw.
        const without = at.place === 'message' ? remove(msg, at.path) : writeAt(at, msg, env, undefined);
        return setAt(without, target, value);
      };
    }
    case 'change':
      return changeStep(rule, get, invalid, set, env);
  }
}

function place(scope: Place, path: string, invalid: (problem: string) => NodeError): Location {
  try {
    return locate(scope, path);
  } catch (err) {
    if (err instanceof PathError) throw invalid(err.message);
    throw err;
  }
}

function setStep(
  spec: ValueSpec,
  where: string,
  invalid: (problem: string) => NodeError,
  set: (msg: Message, value: unknown) => Message,
  env: NodeContext | undefined,
): Step {
  switch (spec.type) {
    case 'literal': {
      const value = spec.value;
      return (msg) => set(msg, value);
    }
    case 'variable': {
      const name = spec.value;
      return (msg) => set(msg, env?.variable(name));
    }
    case 'property':
    case 'node':
    case 'flow':
    case 'global': {
      const source = place(spec.type === 'property' ? 'message' : spec.type, spec.value, invalid);
      return (msg) => set(msg, readAt(source, msg, env));
    }
    case 'jsonata': {
      const expression = compileExpression(spec.value, {
        where,
        invalidCode: coreErrors.code.CHANGE_RULE_INVALID,
        failedCode: coreErrors.code.CHANGE_EXPRESSION_FAILED,
      });
      return (msg) => expression.evaluate(msg, env).then((value) => set(msg, value));
    }
  }
}

/** Reads `value` as written (literal) or from the place it names, for each message. */
function sourced(
  type: Source,
  value: unknown,
  field: string,
  invalid: (problem: string) => NodeError,
  env: NodeContext | undefined,
): (msg: Message) => unknown {
  if (type === 'literal') return () => value;
  if (typeof value !== 'string') throw invalid(`with ${field}From "${type}", ${field} must name it as text`);
  if (type === 'variable') return () => env?.variable(value);
  const at = place(type === 'property' ? 'message' : type, value, invalid);
  return (msg) => readAt(at, msg, env);
}

function changeStep(
  rule: Extract<RuleConfig, { action: 'change' }>,
  get: (msg: Message) => unknown,
  invalid: (problem: string) => NodeError,
  set: (msg: Message, value: unknown) => Message,
  env: NodeContext | undefined,
): Step {
  const { search } = rule;
  const replaceOf = sourced(rule.replaceFrom ?? 'literal', rule.replace, 'replace', invalid, env);
  if (rule.regex) {
    if ((rule.searchFrom ?? 'literal') !== 'literal')
      throw invalid('with regex on, the regular expression must be written in the rule (searchFrom "literal")');
    if (typeof search !== 'string') throw invalid('with regex on, search must be the regular expression as text');
    let pattern: RegExp;
    try {
      pattern = new RegExp(search, rule.ignoreCase ? 'gi' : 'g');
    } catch (err) {
      throw invalid(`the regular expression ${JSON.stringify(search)} is invalid: ${(err as Error).message}`);
    }
    const whole = new RegExp(`^(?:${search})$`, rule.ignoreCase ? 'i' : '');
    return (msg) => {
      const current = get(msg);
      if (typeof current !== 'string') return msg;
      const replace = replaceOf(msg);
      // A replacement that is not a text (true, 42, null) replaces a whole-text match with its own type.
      if (typeof replace !== 'string' && whole.test(current)) return set(msg, replace);
      const next = current.replace(pattern, String(replace));
      return next === current ? msg : set(msg, next);
    };
  }
  const searchFrom = rule.searchFrom ?? 'literal';
  if (searchFrom === 'literal' && search === '') throw invalid('search is empty');
  const searchOf = sourced(searchFrom, search, 'search', invalid, env);
  return (msg) => {
    const found = searchOf(msg);
    // A search read from a missing place (or an empty text) finds nothing.
    if (found === undefined || found === null || found === '' || typeof found === 'object') return msg;
    const searchText = String(found);
    const replace = replaceOf(msg);
    const current = get(msg);
    if (typeof current === 'string') {
      const whole = rule.ignoreCase ? current.toLowerCase() === searchText.toLowerCase() : current === searchText;
      // A whole-value match keeps the replacement's type: "ON" can become true.
      if (whole) return set(msg, replace);
      const next = rule.ignoreCase
        ? replaceAllIgnoringCase(current, searchText, String(replace))
        : current.split(searchText).join(String(replace));
      return next === current ? msg : set(msg, next);
    }
    if (current !== undefined && (current === found || (typeof current === 'number' && String(current) === searchText)))
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

function refuseRemoving(at: Location, invalid: (problem: string) => NodeError): void {
  if (at.place === 'message' && at.path.length === 1 && REQUIRED.has(String(at.path[0])))
    throw invalid(`${String(at.path[0])} is required on every message and cannot be removed; set it instead`);
}
