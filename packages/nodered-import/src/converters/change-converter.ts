import type { ConverterResult, ConvertContext } from '../conversion';
import { simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { textOf } from '../nodered-export';
import { contextKey, typedValue } from '../typed-value';

interface ChangeRule {
  t: string;
  p: string;
  pt?: string;
  to?: unknown;
  tot?: string;
  from?: unknown;
  fromt?: string;
}

const SCOPES: Record<string, string> = { msg: 'message', flow: 'flow', global: 'global' };

/** change -> `change`: set, change (search and replace), delete and move, in order. */
export function convertChange(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const differences: string[] = [];
  const rules: Array<Record<string, unknown>> = [];
  for (const [index, rule] of changeRules(node).entries()) {
    const where = `rule ${index + 1} (${rule.t} ${rule.p})`;
    const scope = SCOPES[rule.pt ?? 'msg'];
    if (scope === undefined)
      return {
        notConverted: `${where} changes a ${rule.pt} value`,
        useInstead: 'a change node on message, flow or global properties',
      };
    const property = placeKey(rule.p, scope, differences, where);
    const base: Record<string, unknown> = { action: rule.t, property };
    if (scope !== 'message') base.scope = scope;
    switch (rule.t) {
      case 'set': {
        const value = typedValue(rule.to, rule.tot ?? 'str', ctx);
        if ('problem' in value)
          return { notConverted: `${where}: ${value.problem}`, useInstead: 'a change rule with a value' };
        if (value.difference) differences.push(`${where}: ${value.difference}`);
        rules.push({ ...base, value: value.spec });
        break;
      }
      case 'delete':
        rules.push(base);
        break;
      case 'move': {
        const toScope = SCOPES[rule.tot ?? 'msg'];
        if (toScope === undefined)
          return { notConverted: `${where} moves to a ${rule.tot} value`, useInstead: 'a change node' };
        const to = placeKey(String(rule.to ?? ''), toScope, differences, where);
        rules.push({ ...base, to, ...(toScope === 'message' ? {} : { toScope }) });
        break;
      }
      case 'change': {
        const search = searchAndReplace(rule, ctx);
        if ('problem' in search) return { notConverted: `${where}: ${search.problem}`, useInstead: 'a change rule' };
        if (search.difference) differences.push(`${where}: ${search.difference}`);
        rules.push({ ...base, ...search.fields });
        break;
      }
      default:
        return { notConverted: `${where}: the action "${rule.t}" is unknown`, useInstead: 'a change node' };
    }
  }
  return simple(tagflowNode(node.id, 'change', { rules }, node), differences);
}

/** Node-RED before 0.12 kept one rule in action/property/from/to/reg. */
function changeRules(node: NodeRedObject): ChangeRule[] {
  if (Array.isArray(node.rules)) return node.rules as ChangeRule[];
  const action = textOf(node.action);
  if (action === undefined) return [];
  const rule: ChangeRule = { t: action === 'replace' ? 'set' : action, p: textOf(node.property) ?? 'payload' };
  if (rule.t === 'set') Object.assign(rule, { to: node.to, tot: 'str' });
  if (rule.t === 'change')
    Object.assign(rule, { from: node.from, fromt: node.reg === true ? 're' : 'str', to: node.to, tot: 'str' });
  return [rule];
}

function placeKey(key: string, scope: string, differences: string[], where: string): string {
  if (scope === 'message') return key;
  const { key: plain, difference } = contextKey(key);
  if (difference) differences.push(`${where}: ${difference}`);
  return plain;
}

const FROM_SOURCES: Record<string, string> = {
  str: 'literal',
  num: 'literal',
  bool: 'literal',
  re: 'literal',
  msg: 'property',
  flow: 'flow',
  global: 'global',
  env: 'variable',
};

type SearchFields = { fields: Record<string, unknown>; difference?: string } | { problem: string };

function searchAndReplace(rule: ChangeRule, ctx: ConvertContext): SearchFields {
  const fromType = rule.fromt ?? 'str';
  const searchFrom = FROM_SOURCES[fromType];
  if (searchFrom === undefined) return { problem: `searching for a ${fromType} value is not supported` };
  let search: unknown = typeof rule.from === 'string' ? rule.from : String(rule.from ?? '');
  if (fromType === 'num') search = Number(search);
  if (fromType === 'bool') search = search === 'true';
  const replaced = typedValue(rule.to, rule.tot ?? 'str', ctx);
  if ('problem' in replaced) return replaced;
  const replaceSource =
    replaced.spec.type === 'jsonata' ? undefined : replaced.spec.type === 'property' ? 'property' : replaced.spec.type;
  if (replaceSource === undefined)
    return { problem: 'a replacement computed by JSONata is not supported in search and replace' };
  const fields: Record<string, unknown> = { search, replace: replaced.spec.value };
  if (fromType === 're') fields.regex = true;
  if (searchFrom !== 'literal') fields.searchFrom = searchFrom;
  if (replaceSource !== 'literal') fields.replaceFrom = replaceSource;
  return { fields, difference: replaced.difference };
}
