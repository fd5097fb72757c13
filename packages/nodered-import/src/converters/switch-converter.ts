import type { ConverterResult, ConvertContext } from '../conversion';
import { tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, textOf } from '../nodered-export';
import { contextKey, envValue } from '../typed-value';

interface SwitchRule {
  t: string;
  v?: unknown;
  vt?: string;
  v2?: unknown;
  v2t?: string;
  case?: boolean;
}

/** Node-RED switch rule types -> tagflow switch ops (same meaning). */
const OPS: Record<string, string> = {
  eq: 'eq',
  neq: 'neq',
  lt: 'lt',
  lte: 'lte',
  gt: 'gt',
  gte: 'gte',
  btwn: 'between',
  cont: 'contains',
  regex: 'regex',
  true: 'true',
  false: 'false',
  null: 'null',
  nnull: 'notnull',
  istype: 'isType',
  hask: 'hask',
  empty: 'empty',
  nempty: 'nempty',
  jsonata_exp: 'jsonata',
  else: 'else',
};

const MAX_OUTPUTS = 32;

/** switch -> `switch`: rule i sends on `out<i+1>`, as Node-RED's output i. */
export function convertSwitch(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const differences: string[] = [];
  const propertyType = textOf(node.propertyType) ?? 'msg';
  if (propertyType !== 'msg')
    return {
      notConverted: `it tests a ${propertyType} value; tagflow's switch tests message properties`,
      useInstead: 'a change node copying the value into the message, then a switch',
    };
  const rawRules = Array.isArray(node.rules) ? (node.rules as SwitchRule[]) : [];
  if (rawRules.length > MAX_OUTPUTS)
    return { notConverted: `it has ${rawRules.length} rules, more than 32`, useInstead: 'two switch nodes in a row' };
  const rules: Array<Record<string, unknown>> = [];
  for (const [index, rule] of rawRules.entries()) {
    const op = OPS[rule.t];
    if (op === undefined) {
      return {
        notConverted: `rule ${index + 1} ("${rule.t}") tests message sequences, which tagflow messages do not have`,
        useInstead: 'an aggregate node to group messages, then a switch',
      };
    }
    const converted: Record<string, unknown> = { op };
    const first = ruleValue(rule.v, rule.vt, op, ctx);
    if ('problem' in first)
      return { notConverted: `rule ${index + 1}: ${first.problem}`, useInstead: 'a switch rule with a value' };
    Object.assign(converted, first.fields);
    if (first.difference) differences.push(`rule ${index + 1}: ${first.difference}`);
    if (op === 'between') {
      const second = ruleValue(rule.v2, rule.v2t, op, ctx);
      if ('problem' in second)
        return { notConverted: `rule ${index + 1}: ${second.problem}`, useInstead: 'a switch rule with a value' };
      if (second.fields.value !== undefined) converted.value2 = second.fields.value;
      if (second.fields.valueType !== undefined) converted.value2Type = second.fields.valueType;
    }
    if (op === 'regex' && rule.case === true) converted.ignoreCase = true;
    if (op === 'regex' || op === 'isType' || op === 'jsonata') {
      if (converted.valueType !== undefined && converted.valueType !== 'literal')
        return {
          notConverted: `rule ${index + 1} takes its ${op} from elsewhere`,
          useInstead: 'a switch rule with the value written in it',
        };
      delete converted.valueType;
    }
    rules.push(converted);
  }
  if (booleanOf(node.repair) === true)
    differences.push('"recreate message sequences" is not kept: tagflow messages carry no parts');
  const outputs = Math.max(1, rules.length);
  const config = {
    property: textOf(node.property) ?? 'payload',
    rules,
    outputs,
    checkAll: booleanOf(node.checkall) !== false,
  };
  const converted = tagflowNode(node.id, 'switch', config, node);
  return {
    nodes: [converted],
    input: { node: node.id, port: 'in' },
    outputs: rawRules.map((_, i) => ({ node: node.id, port: `out${i + 1}` })),
    differences,
  };
}

type RuleValue = { fields: Record<string, unknown>; difference?: string } | { problem: string };

const NO_VALUE = new Set(['true', 'false', 'null', 'notnull', 'empty', 'nempty', 'else']);

function ruleValue(value: unknown, type: string | undefined, op: string, ctx: ConvertContext): RuleValue {
  if (NO_VALUE.has(op)) return { fields: {} };
  const text = typeof value === 'string' ? value : value === undefined ? '' : String(value);
  switch (type ?? 'str') {
    case 'str':
    case 're':
      return { fields: { value: text } };
    case 'num': {
      const n = Number(text);
      return Number.isFinite(n) && text.trim() !== '' ? { fields: { value: n } } : { fields: { value: text } };
    }
    case 'bool':
      return { fields: { value: text === 'true' } };
    case 'json':
      try {
        return { fields: { value: JSON.parse(text) as unknown } };
      } catch {
        return { problem: `its JSON value ${JSON.stringify(text)} does not parse` };
      }
    case 'msg':
      return { fields: { value: text, valueType: 'property' } };
    case 'flow':
    case 'global': {
      const { key, difference } = contextKey(text);
      return { fields: { value: key, valueType: type }, difference };
    }
    case 'prev':
      return {
        fields: { valueType: 'previous' },
        difference: 'the first message matches no comparison with the previous value (Node-RED compares it with null)',
      };
    case 'env': {
      const env = envValue(text, ctx);
      if ('problem' in env) return env;
      return env.spec.type === 'variable'
        ? { fields: { value: env.spec.value, valueType: 'variable' }, difference: env.difference }
        : { fields: { value: env.spec.value } };
    }
    default:
      return { problem: `values of type "${type}" are not supported by tagflow's switch` };
  }
}
