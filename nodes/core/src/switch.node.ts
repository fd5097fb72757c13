import { defineNode, NodeError, problemsFrom } from '@tagflow/node-sdk';
import type { Message, NodeContext } from '@tagflow/node-sdk';
import { coreErrors } from './error-codes';
import { compileExpression } from './lib/jsonata-expression';
import type { MessageExpression } from './lib/jsonata-expression';
import { getPath, parsePath, PathError } from './lib/message-path';
import type { PathSegment } from './lib/message-path';
import { locate, readAt } from './lib/value-source';
import type { Location } from './lib/value-source';

/** Ports are fixed in a definition, so the switch has six; each rule names the one it sends to. */
const PORTS = ['out1', 'out2', 'out3', 'out4', 'out5', 'out6'] as const;
type Port = (typeof PORTS)[number];

const OPS = [
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'between',
  'contains',
  'regex',
  'true',
  'false',
  'null',
  'notnull',
  'isType',
  'hask',
  'empty',
  'nempty',
  'jsonata',
  'else',
] as const;
type Op = (typeof OPS)[number];

const TYPES = ['string', 'number', 'boolean', 'array', 'object', 'null', 'json', 'buffer', 'undefined'] as const;

/** Where a rule's value comes from: as written, another message property, a context, a variable. */
const VALUE_TYPES = ['literal', 'property', 'node', 'flow', 'global', 'variable', 'previous'] as const;
type ValueType = (typeof VALUE_TYPES)[number];
// Ops whose value shapes the test itself, so it must be known at deploy.
const LITERAL_ONLY: ReadonlySet<Op> = new Set(['regex', 'isType', 'jsonata']);

const NEEDS_VALUE: ReadonlySet<Op> = new Set([
  'eq',
  'neq',
  'lt',
  'lte',
  'gt',
  'gte',
  'between',
  'contains',
  'regex',
  'isType',
  'hask',
  'jsonata',
]);
const ORDERED: ReadonlySet<Op> = new Set(['lt', 'lte', 'gt', 'gte', 'between']);

/** A rule as written in the config. */
interface RuleConfig {
  op: Op;
  value?: unknown;
  value2?: unknown;
  valueType?: ValueType;
  value2Type?: ValueType;
  port?: Port;
  ignoreCase?: boolean;
}

/** A rule ready to run: `test` answers for the routed value, or for the whole message (jsonata). */
interface Rule {
  port: Port;
  test(value: unknown, msg: Message, matchedBefore: boolean): boolean | Promise<boolean>;
}

export default defineNode({
  type: 'switch',
  version: 1,
  category: 'processor',
  description: 'Routes each message to the outputs whose rule it matches.',
  docs: [
    'Routes each message to one or more outputs by testing one of its properties against an ordered',
    "list of rules, like Node-RED's switch node. The message is sent unchanged.",
    '',
    'A rule is `{ "op": ..., "value": ..., "value2": ..., "port": ..., "ignoreCase": ... }`:',
    '',
    '| `op`                        | matches when the property …                                                      | uses                     |',
    '| --------------------------- | -------------------------------------------------------------------------------- | ------------------------ |',
    '| `eq` / `neq`                | equals / does not equal `value`                                                  | `value`                  |',
    '| `lt` / `lte` / `gt` / `gte` | is less than / at most / greater than / at least `value`                         | `value` (number or text) |',
    '| `between`                   | lies from `value` to `value2`, both included (either order)                      | `value`, `value2`        |',
    '| `contains`                  | is a text containing `value`, or a list with an item equal to `value`            | `value`                  |',
    '| `regex`                     | is a text (or number) matching the regular expression `value`                    | `value`, `ignoreCase`    |',
    '| `true` / `false`            | is exactly `true` / `false`                                                      |                          |',
    '| `null` / `notnull`          | is missing or `null` / is present                                                |                          |',
    '| `isType`                    | is of the type `value` (below)                                                   | `value`                  |',
    '| `hask`                      | is an object with the key `value` (a text)                                       | `value`                  |',
    '| `empty` / `nempty`          | is an empty / a non-empty text, list, object or Buffer                           |                          |',
    '| `jsonata`                   | makes the JSONata expression `value`, run on the **whole message**, give `true`  | `value`                  |',
    '| `else`                      | — no rule before it matched                                                      |                          |',
    '',
    '`isType` names one of `string`, `number` (NaN is not one; Infinity is), `boolean`, `array`,',
    '`object` (not a list, not a Buffer), `null`, `undefined` (missing), `json` (a text that parses',
    'as JSON), `buffer`. `empty` and `nempty` are both false for anything else (`null`, missing, `0`).',
    '',
    '## Values from elsewhere',
    '',
    '`valueType` (and `value2Type` for `between`) says where `value` comes from: `literal` (as',
    'written, the default), `property` (a message property: `"value": "payload.limit"`), `node`,',
    '`flow` or `global` (a context key, or a path into it: `"value": "limits.high"`; a change node',
    'can set them), `variable` (a runtime variable set with `tagflow var set`, a text), `previous`',
    '(the value of `property` in the message before this one: `{ "op": "gt", "valueType":',
    '"previous" }` routes rising values; no `value` needed). It is read for each message; a',
    'missing one matches nothing (so the first message matches no comparison with `previous`).',
    '`regex`, `isType` and `jsonata` need their value written in the rule. JSONata rules can read',
    '`$flowContext("key")`, `$globalContext("key")` and `$env("NAME")`, and `$now()`/`$millis()`',
    "give the node's clock.",
    '',
    '## What it sends: ports',
    '',
    'Ports are fixed in a node definition, so the switch always has six outputs, `out1` to `out6`.',
    'Rule 1 sends on `out1`, rule 2 on `out2`, and so on; a rule can name another port with',
    '`"port": "out4"`. Several rules may share a port: a message is sent to a port once, however',
    'many of its rules match. With more than six rules, every rule from the seventh on must name its',
    'port (the flow is refused otherwise). Ports no rule sends to stay silent.',
    '',
    '## Comparisons',
    '',
    '- A number and its text are equal (`42` and `"42"`), and compare as numbers (`"9" < 10`):',
    '  values often arrive from devices and brokers as text. Two texts that are not numbers compare',
    '  alphabetically. Anything else (a missing property, `null`, an object) matches no order test.',
    '- `eq` compares lists and objects by content.',
    '- `regex` never uses the `g` flag, so a rule gives the same answer for the same value every time.',
    '- `jsonata` rules see the whole message (`payload`, `topic`, …), not only `property`, and match',
    '  only on exactly `true`. A JSONata rule that fails on a message (e.g. `payload * 2` on a text)',
    '  reports `SWITCH_EXPRESSION_FAILED` for that message and sends it nowhere. Expressions are',
    '  compiled once at deploy and stopped after 1 s of evaluation (or 500 nested calls).',
    '',
    '## Differences from Node-RED',
    '',
    "Node-RED's own switch tests pass here, except these, on purpose:",
    '',
    '- At most six outputs: ports are fixed in a node definition (the editor draws them from it).',
    '  Rules from the seventh on name a port; route further with a second switch.',
    '- The first message has no previous value: it matches no comparison with `previous` (Node-RED',
    '  compares it with `null`, so `1 > null` matches there).',
    '- No message-sequence rules (`head`, `tail`, `index`, `$I`, `$N`) and no sequence repair:',
    '  tagflow messages carry no `parts`; aggregate groups messages instead.',
    '- `contains` tests texts and lists (Node-RED: texts only).',
    '- An invalid rule (bad regular expression, unknown type) refuses the deploy instead of',
    '  matching nothing at run time.',
    '',
    '## When it fails',
    '',
    'Found at deploy (the flow is refused, naming the rule): an invalid regular expression or JSONata',
    'expression, a missing `value` or `value2`, an unknown type name, a property path that cannot be',
    'parsed (`SWITCH_RULE_INVALID`, `SWITCH_PROPERTY_INVALID`). The only error on a message is a',
    'failing JSONata rule (`SWITCH_EXPRESSION_FAILED`).',
    '',
    '## Example',
    '',
    'Route tank levels: alarms high and low, the rest to `out3`.',
    '',
    '```json',
    '{',
    '  "id": "route-level",',
    '  "type": "switch",',
    '  "typeVersion": 1,',
    '  "config": {',
    '    "property": "payload",',
    '    "checkAll": false,',
    '    "rules": [{ "op": "gt", "value": 90 }, { "op": "lt", "value": 10 }, { "op": "else" }]',
    '  }',
    '}',
    '```',
    '',
    '`{ "payload": 95 }` goes to `out1`, `{ "payload": "4.5" }` to `out2`, `{ "payload": 50 }` to `out3`.',
  ].join('\n'),
  inputs: ['in'],
  outputs: PORTS,
  errors: coreErrors.pick('SWITCH_PROPERTY_INVALID', 'SWITCH_RULE_INVALID', 'SWITCH_EXPRESSION_FAILED'),
  configSchema: {
    type: 'object',
    properties: {
      property: {
        type: 'string',
        description:
          'The message property the rules test, as a path: payload, payload.temperature, payload.items[0], topic.',
        default: 'payload',
        'x-ui': { label: 'Property' },
      },
      rules: {
        type: 'array',
        description: 'Tested in order. Rule 1 sends on out1, rule 2 on out2 and so on, unless a rule names its port.',
        default: [],
        maxItems: 32,
        items: {
          type: 'object',
          properties: {
            op: {
              description:
                'eq/neq: equal or not; lt/lte/gt/gte: less or greater (or equal); between: from value to value2, both included; contains: text or list contains value; regex: text matches the regular expression in value; true/false: is exactly true or false; null/notnull: missing or present; isType: value names the type; hask: an object with the key in value; empty/nempty: an empty / a non-empty text, list, object or buffer; jsonata: the JSONata expression in value, run on the whole message, gives true; else: no rule before matched.',
              enum: [...OPS],
              'x-ui': { label: 'Test' },
            },
            value: {
              description:
                'What to compare with (the pattern for regex, the type name for isType, the expression for jsonata).',
              'x-ui': { label: 'Value' },
            },
            value2: { description: 'Upper bound, for between.', 'x-ui': { label: 'and' } },
            valueType: {
              description:
                'Where value comes from: literal (as written), property (a message property, e.g. payload.limit), node/flow/global (a context key, e.g. limits.high), variable (a runtime variable by name), previous (the value of property in the message before; value is not used).',
              enum: [...VALUE_TYPES],
              'x-ui': { label: 'Value from' },
            },
            value2Type: {
              description: 'Where value2 comes from, as for valueType.',
              enum: [...VALUE_TYPES],
              'x-ui': { label: 'and from' },
            },
            port: {
              description: 'Output to send matching messages on; defaults to the rule number (out1 for rule 1).',
              enum: [...PORTS],
              'x-ui': { label: 'Send to' },
            },
            ignoreCase: {
              type: 'boolean',
              description: 'For regex: ignore upper and lower case.',
              'x-ui': { label: 'Ignore case' },
            },
          },
          required: ['op'],
          additionalProperties: false,
        },
        'x-ui': { label: 'Rules' },
      },
      checkAll: {
        type: 'boolean',
        description: "On: send to every matching rule's port. Off: stop at the first matching rule.",
        default: true,
        'x-ui': { label: 'Check all rules' },
      },
    },
    additionalProperties: false,
  },
  check: (config) => [
    ...problemsFrom('/property', () => propertyPath(config.property)),
    ...(config.rules as RuleConfig[]).flatMap((rule, index) =>
      problemsFrom(`/rules/${index}`, () => compileRule(rule, index)),
    ),
  ],
  create(ctx) {
    const path = propertyPath(ctx.config.property);
    const memory: Memory = { previous: undefined };
    const rules = (ctx.config.rules as RuleConfig[]).map((rule, index) => compileRule(rule, index, ctx, memory));
    const checkAll = ctx.config.checkAll;

    const sendAll = (msg: Message, ports: readonly Port[]) => {
      for (const port of ports) ctx.send(msg, port);
    };
    return {
      onMessage(msg) {
        const value = getPath(msg, path);
        const routed = route(rules, value, msg, checkAll);
        if (routed instanceof Promise)
          return routed.then(
            (ports) => {
              memory.previous = value;
              sendAll(msg, ports);
            },
            (err: unknown) => {
              memory.previous = value;
              throw err;
            },
          );
        memory.previous = value;
        sendAll(msg, routed);
      },
    };
  },
});

/**
 * The ports a message goes to. Stays synchronous until a rule answers with a Promise (a JSONata
 * rule), so switches without JSONata cost no extra turn per message.
 */
function route(
  rules: readonly Rule[],
  value: unknown,
  msg: Message,
  checkAll: boolean,
  from = 0,
  ports: Port[] = [],
): Port[] | Promise<Port[]> {
  for (let i = from; i < rules.length; i++) {
    const rule = rules[i];
    const answer = rule.test(value, msg, ports.length > 0);
    if (answer instanceof Promise) {
      return answer.then((matched) =>
        record(ports, rule, matched) && !checkAll ? ports : route(rules, value, msg, checkAll, i + 1, ports),
      );
    }
    if (record(ports, rule, answer) && !checkAll) return ports;
  }
  return ports;
}

/** Adds the rule's port when it matched (once per port); returns whether it matched. */
function record(ports: Port[], rule: Rule, matched: boolean): boolean {
  if (matched && !ports.includes(rule.port)) ports.push(rule.port);
  return matched;
}

function propertyPath(property: string): PathSegment[] {
  try {
    return parsePath(property);
  } catch (err) {
    if (err instanceof PathError)
      throw new NodeError(coreErrors.code.SWITCH_PROPERTY_INVALID, `Property: ${err.message}`, { property });
    throw err;
  }
}

/** What the rules of one switch remember between messages: the property's previous value. */
interface Memory {
  previous: unknown;
}

function compileRule(
  rule: RuleConfig,
  index: number,
  env?: NodeContext,
  memory: Memory = { previous: undefined },
): Rule {
  const where = `Rule ${index + 1} (${rule.op})`;
  const invalid = (problem: string) =>
    new NodeError(coreErrors.code.SWITCH_RULE_INVALID, `${where}: ${problem}`, { rule: index + 1 });
  const port = rule.port ?? PORTS[index];
  if (port === undefined)
    throw invalid(
      `there are only ${PORTS.length} outputs; say which one this rule sends to ("port": "out1" ... "out6")`,
    );
  const valueType = rule.valueType ?? 'literal';
  const value2Type = rule.value2Type ?? 'literal';
  if (NEEDS_VALUE.has(rule.op) && rule.value === undefined && valueType !== 'previous')
    throw invalid('needs a value to compare with');
  if (LITERAL_ONLY.has(rule.op) && valueType !== 'literal')
    throw invalid(`its value must be written in the rule (valueType "literal"), not read from ${valueType}`);
  if (ORDERED.has(rule.op) && valueType === 'literal' && !isComparable(rule.value))
    throw invalid(`compares by order, so its value must be a number or a text, not ${JSON.stringify(rule.value)}`);
  if (
    rule.op === 'between' &&
    (value2Type === 'literal' ? !isComparable(rule.value2) : rule.value2 === undefined && value2Type !== 'previous')
  )
    throw invalid('needs value2, the upper bound, as a number or a text');
  const value = operand(valueType, rule.value, 'value', invalid, env, memory);
  const value2 = operand(value2Type, rule.value2, 'value2', invalid, env, memory);
  const test = makeTest(rule, value, value2, where, invalid, env);
  return { port, test };
}

/** A rule's value for one message: the literal, or read from the message, a context, a variable. */
type Operand = (msg: Message) => unknown;

function operand(
  type: ValueType,
  value: unknown,
  field: string,
  invalid: (problem: string) => NodeError,
  env: NodeContext | undefined,
  memory: Memory,
): Operand {
  if (type === 'literal') return () => value;
  if (type === 'previous') return () => memory.previous;
  if (typeof value !== 'string') throw invalid(`with ${field}Type "${type}", ${field} must name it as text`);
  if (type === 'variable') return () => env?.variable(value);
  let at: Location;
  try {
    at = locate(type === 'property' ? 'message' : type, value);
  } catch (err) {
    if (err instanceof PathError) throw invalid(`${field}: ${err.message}`);
    throw err;
  }
  return (msg) => readAt(at, msg, env);
}

function makeTest(
  rule: RuleConfig,
  value: Operand,
  value2: Operand,
  where: string,
  invalid: (problem: string) => NodeError,
  env: NodeContext | undefined,
): Rule['test'] {
  const literal = rule.value;
  switch (rule.op) {
    case 'eq':
      return (x, msg) => equals(x, value(msg));
    case 'neq':
      return (x, msg) => !equals(x, value(msg));
    case 'lt':
      return (x, msg) => compare(x, value(msg)) < 0;
    case 'lte':
      return (x, msg) => compare(x, value(msg)) <= 0;
    case 'gt':
      return (x, msg) => compare(x, value(msg)) > 0;
    case 'gte':
      return (x, msg) => compare(x, value(msg)) >= 0;
    case 'between':
      return (x, msg) => {
        const [a, b] = [value(msg), value2(msg)];
        // Bounds given the wrong way round still mean the range between them.
        const [low, high] = compare(a, b) > 0 ? [b, a] : [a, b];
        return compare(x, low) >= 0 && compare(x, high) <= 0;
      };
    case 'contains':
      return (x, msg) => {
        const v = value(msg);
        return typeof x === 'string'
          ? v !== undefined && x.includes(String(v))
          : Array.isArray(x) && x.some((item) => equals(item, v));
      };
    case 'hask':
      // An own key of an object (not of a list or text), as Node-RED's "has key".
      return (x, msg) => {
        const key = value(msg);
        return isObjectLike(x) && typeof key === 'string' && Object.hasOwn(x, key);
      };
    case 'empty':
      return (x) => sizeOf(x) === 0;
    case 'nempty':
      return (x) => {
        const size = sizeOf(x);
        return size !== undefined && size > 0;
      };
    case 'regex': {
      if (typeof literal !== 'string') throw invalid('needs the regular expression as text');
      let pattern: RegExp;
      try {
        pattern = new RegExp(literal, rule.ignoreCase ? 'i' : '');
      } catch (err) {
        throw invalid(`the regular expression ${JSON.stringify(literal)} is invalid: ${(err as Error).message}`);
      }
      return (x) => (typeof x === 'string' || typeof x === 'number') && pattern.test(String(x));
    }
    case 'true':
      return (x) => x === true;
    case 'false':
      return (x) => x === false;
    case 'null':
      return (x) => x === null || x === undefined;
    case 'notnull':
      return (x) => x !== null && x !== undefined;
    case 'isType': {
      if (!(TYPES as readonly unknown[]).includes(literal))
        throw invalid(`the type must be one of ${TYPES.join(', ')}, not ${JSON.stringify(literal)}`);
      return (x) => isOfType(x, literal as (typeof TYPES)[number]);
    }
    case 'jsonata': {
      if (typeof literal !== 'string') throw invalid('needs the JSONata expression as text');
      const expression: MessageExpression = compileExpression(literal, {
        where,
        invalidCode: coreErrors.code.SWITCH_RULE_INVALID,
        failedCode: coreErrors.code.SWITCH_EXPRESSION_FAILED,
      });
      return (_x, msg) => expression.evaluate(msg, env).then((result) => result === true);
    }
    case 'else':
      return (_x, _msg, matchedBefore) => !matchedBefore;
  }
}

function isOfType(x: unknown, type: (typeof TYPES)[number]): boolean {
  switch (type) {
    case 'null':
      return x === null;
    case 'undefined':
      return x === undefined;
    case 'array':
      return Array.isArray(x);
    case 'buffer':
      return Buffer.isBuffer(x);
    case 'object':
      return isObjectLike(x) && !Buffer.isBuffer(x);
    // NaN is of type number in JavaScript, but it is no number a numeric node can use (Node-RED agrees).
    case 'number':
      return typeof x === 'number' && !Number.isNaN(x);
    case 'json':
      return typeof x === 'string' && isJsonText(x);
    default:
      return typeof x === type;
  }
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch (err) {
    // Not JSON is the answer the rule asks for, not an error.
    if (err instanceof SyntaxError) return false;
    throw err;
  }
}

function isObjectLike(x: unknown): x is object {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

/** The length of a text, list or Buffer, the key count of an object; undefined for anything else. */
function sizeOf(x: unknown): number | undefined {
  if (typeof x === 'string' || Array.isArray(x) || Buffer.isBuffer(x)) return x.length;
  if (isObjectLike(x)) return Object.keys(x).length;
  return undefined;
}

function isComparable(x: unknown): boolean {
  return (typeof x === 'number' && !Number.isNaN(x)) || typeof x === 'string';
}

/** A number, or a text that is one ("42", " 4.5 "), as a number; otherwise undefined. */
function asNumber(x: unknown): number | undefined {
  if (typeof x === 'number') return Number.isNaN(x) ? undefined : x;
  if (typeof x === 'string' && x.trim() !== '') {
    const n = Number(x);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

/**
 * Orders two values: numerically when both are numbers or numeric texts, else as texts when both
 * are texts. NaN when they cannot be ordered, so every comparison with it is false.
 */
function compare(a: unknown, b: unknown): number {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  return Number.NaN;
}

/** Equality for rule values: same type and value (deep for lists and objects), or a number and its text. */
function equals(a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b) {
    const na = typeof a === 'number' || typeof b === 'number' ? asNumber(a) : undefined;
    return na !== undefined && na === asNumber(b);
  }
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b as object);
  return (
    keysA.length === keysB.length &&
    keysA.every((k) => equals((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  );
}
