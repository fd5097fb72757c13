import type { ConverterResult, ConvertContext } from '../conversion';
import { tagflowNode } from '../conversion';
import { OUTPUT_FIELD, scanFunctionCode, wrapFunctionCode } from '../function-code';
import type { NodeRedObject } from '../nodered-export';
import { numberOf, textOf } from '../nodered-export';

/**
 * function -> `function` with the code kept (wrapped, see function-code.ts); with several outputs
 * a `switch` after it routes each message to the output the code chose.
 */
export function convertFunction(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const code = textOf(node.func) ?? 'return msg;';
  const outputs = Math.max(0, Math.round(numberOf(node.outputs) ?? 1));
  // On a tab, env.get reads the tab's env values, known now; in a subflow they vary per instance.
  const env = ctx.inSubflow || ctx.tabEnv.size === 0 ? undefined : Object.fromEntries(ctx.tabEnv);
  const notes = scanFunctionCode(code, env !== undefined);
  const differences = notes.map((n) => `line ${n.line}: ${n.note}${n.handled ? '' : ' [check this line]'}`);
  if (textOf(node.initialize)?.trim())
    differences.push('its "On Start" code is not run: tagflow functions have no start code');
  if (textOf(node.finalize)?.trim()) differences.push('its "On Stop" code is not run');
  if (Array.isArray(node.libs) && node.libs.length > 0)
    differences.push(
      `the modules it loads (${(node.libs as Array<{ module?: string }>).map((l) => l.module).join(', ')}) are not available in the sandbox`,
    );
  const timeout = numberOf(node.timeout);
  if (timeout !== undefined && timeout > 2) differences.push(`its time limit is 2 s, not ${timeout} s`);
  const config: Record<string, unknown> = {
    code: wrapFunctionCode(code, Math.max(outputs, 1), /\bmsg\._msgid\b/.test(code), env),
  };
  if (timeout !== undefined && timeout > 0) config.timeoutMs = Math.min(2000, Math.round(timeout * 1000));
  const fn = tagflowNode(node.id, 'function', config, node);
  if (outputs === 0) return { nodes: [fn], input: { node: node.id, port: 'in' }, outputs: [], differences };
  if (outputs === 1)
    return {
      nodes: [fn],
      input: { node: node.id, port: 'in' },
      outputs: [{ node: node.id, port: 'out' }],
      differences,
    };
  const routeId = `${node.id}-outputs`;
  const rules = Array.from({ length: outputs }, (_, i) => ({ op: 'eq', value: i + 1 }));
  const route = tagflowNode(routeId, 'switch', { property: OUTPUT_FIELD, rules, outputs, checkAll: false }, node, {
    name: `${node.name || 'function'}: outputs`,
    ui: fn.ui && { x: (fn.ui.x ?? 0) + 140, y: fn.ui.y },
  });
  differences.push(
    `its ${outputs} outputs are the outputs of a switch after it; each message carries ${OUTPUT_FIELD} (its output number)`,
  );
  return {
    nodes: [fn, route],
    edges: [{ source: fn.id, sourcePort: 'out', target: routeId, targetPort: 'in' }],
    input: { node: node.id, port: 'in' },
    outputs: rules.map((_, i) => ({ node: routeId, port: `out${i + 1}` })),
    differences,
  };
}
