import type { ConverterResult, ConvertContext } from '../conversion';
import { tagflowNode } from '../conversion';
import type { FlowEdge, FlowNode } from '@tagflow/flow-model';
import { ENV_FIELD, OUTPUT_FIELD, scanFunctionCode, wrapFunctionCode } from '../function-code';
import type { NodeRedObject } from '../nodered-export';
import { numberOf, textOf } from '../nodered-export';

/**
 * function -> `function` with the code kept (wrapped, see function-code.ts); with several outputs
 * a `switch` after it routes each message to the output the code chose. Inside a subflow, code
 * calling env.get gets a `change` before it putting the instance's properties on the message
 * (`${NAME}` parameters: code fields are not substituted, so the code cannot hold them).
 */
export function convertFunction(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const code = textOf(node.func) ?? 'return msg;';
  const outputs = Math.max(0, Math.round(numberOf(node.outputs) ?? 1));
  // On a tab, env.get reads the tab's env values, known now; in a subflow they vary per instance.
  const env = ctx.inSubflow || ctx.tabEnv.size === 0 ? undefined : Object.fromEntries(ctx.tabEnv);
  const fromInstance = ctx.inSubflow && ctx.subflowEnv.length > 0 && /\benv\.get\s*\(/.test(code);
  const notes = scanFunctionCode(code, env !== undefined ? 'tab' : fromInstance ? 'subflow' : undefined);
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
    code: wrapFunctionCode(code, Math.max(outputs, 1), /\bmsg\._msgid\b/.test(code), fromInstance ? 'message' : env),
  };
  if (timeout !== undefined && timeout > 0) config.timeoutMs = Math.min(2000, Math.round(timeout * 1000));
  const fn = tagflowNode(node.id, 'function', config, node);
  // Before the function: the change giving it the instance's properties, or nothing.
  const before: FlowNode[] = [];
  const edges: FlowEdge[] = [];
  if (fromInstance) {
    const values = Object.fromEntries(ctx.subflowEnv.map((name) => [name, `\${${name}}`]));
    const envId = `${node.id}-env`;
    before.push(
      tagflowNode(
        envId,
        'change',
        { rules: [{ action: 'set', property: ENV_FIELD, value: { type: 'literal', value: values } }] },
        node,
        {
          name: `${node.name || 'function'}: subflow properties`,
          ui: fn.ui && { x: (fn.ui.x ?? 0) - 140, y: fn.ui.y },
        },
      ),
    );
    edges.push({ source: envId, sourcePort: 'out', target: fn.id, targetPort: 'in' });
  }
  const input = { node: before[0]?.id ?? node.id, port: 'in' };
  if (outputs === 0) return { nodes: [...before, fn], edges, input, outputs: [], differences };
  if (outputs === 1)
    return { nodes: [...before, fn], edges, input, outputs: [{ node: node.id, port: 'out' }], differences };
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
    nodes: [...before, fn, route],
    edges: [...edges, { source: fn.id, sourcePort: 'out', target: routeId, targetPort: 'in' }],
    input,
    outputs: rules.map((_, i) => ({ node: routeId, port: `out${i + 1}` })),
    differences,
  };
}
