import type { ConverterResult, ConvertContext } from '../conversion';
import { defined, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, numberOf, textOf } from '../nodered-export';
import { typedValue } from '../typed-value';

interface InjectProp {
  p: string;
  v?: unknown;
  vt?: string;
}

/**
 * inject -> `timer` (repeat -> intervalMs, "inject once" -> onStart). Properties the timer cannot
 * send as written (a flow value, a JSONata result, more than payload and topic) are set by a
 * `change` node after it.
 */
export function convertInject(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const differences: string[] = [];
  if (textOf(node.crontab)) {
    return {
      notConverted: `it runs on a schedule ("${String(node.crontab)}"), and tagflow's timer has no schedule yet`,
      useInstead: 'a timer node with a repeat interval',
    };
  }
  const repeat = numberOf(node.repeat);
  const once = booleanOf(node.once) === true;
  const config: Record<string, unknown> = defined({
    intervalMs: repeat !== undefined && repeat > 0 ? repeat * 1000 : undefined,
    onStart: once || undefined,
  });
  if (once && (numberOf(node.onceDelay) ?? 0.1) > 0.1)
    differences.push(`the first message is sent at start, not after ${String(node.onceDelay)} s`);
  if (config.intervalMs === undefined && !once)
    differences.push('tagflow has no inject button yet: this timer sends nothing (set a repeat or "send at start")');

  const rules: Array<Record<string, unknown>> = [];
  for (const prop of injectProps(node)) {
    const literal = literalOf(prop, ctx);
    if (prop.p === 'payload' && (prop.vt ?? 'date') === 'date') continue; // the timer sends the time
    if (prop.p === 'payload' && literal !== undefined) {
      config.payload = literal;
      continue;
    }
    if (prop.p === 'topic' && typeof literal === 'string') {
      if (literal !== '') config.topic = literal;
      continue;
    }
    const value = typedValue(prop.v, prop.vt ?? 'str', ctx);
    if ('problem' in value) return { notConverted: `its ${prop.p}: ${value.problem}`, useInstead: 'a timer node' };
    if (value.difference) differences.push(value.difference);
    rules.push({ action: 'set', property: prop.p, value: value.spec });
  }
  const timer = tagflowNode(node.id, 'timer', config, node);
  if (rules.length === 0) return { nodes: [timer], outputs: [{ node: timer.id, port: 'out' }], differences };
  const setId = `${node.id}-set`;
  const change = tagflowNode(setId, 'change', { rules }, node, {
    name: `${node.name || 'inject'}: set properties`,
    ui: timer.ui && { x: (timer.ui.x ?? 0) + 120, y: timer.ui.y },
  });
  return {
    nodes: [timer, change],
    edges: [{ source: timer.id, sourcePort: 'out', target: setId, targetPort: 'in' }],
    outputs: [{ node: setId, port: 'out' }],
    differences,
  };
}

/** Node-RED 1.1+ keeps `props`; older exports keep payload/payloadType/topic at the top. */
function injectProps(node: NodeRedObject): InjectProp[] {
  if (Array.isArray(node.props)) {
    return (node.props as InjectProp[]).map((p) => {
      if (p.p === 'payload' && p.v === undefined)
        return { p: 'payload', v: node.payload, vt: textOf(node.payloadType) };
      if (p.p === 'topic' && p.v === undefined) return { p: 'topic', v: node.topic, vt: 'str' };
      return p;
    });
  }
  return [
    { p: 'payload', v: node.payload, vt: textOf(node.payloadType) ?? 'date' },
    { p: 'topic', v: node.topic ?? '', vt: 'str' },
  ];
}

/** The value when it is written in the node (str, num, bool, json), else undefined. */
function literalOf(prop: InjectProp, ctx: ConvertContext): unknown {
  if (!['str', 'num', 'bool', 'json'].includes(prop.vt ?? 'str')) return undefined;
  const value = typedValue(prop.v, prop.vt ?? 'str', ctx);
  return 'spec' in value ? value.spec.value : undefined;
}
