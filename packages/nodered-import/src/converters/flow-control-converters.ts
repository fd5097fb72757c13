import type { ConverterResult, ConvertContext } from '../conversion';
import { defined, simple, tagflowNode } from '../conversion';
import type { NodeRedObject } from '../nodered-export';
import { booleanOf, numberOf, textOf } from '../nodered-export';

/** debug -> `debug`: the payload or the whole message, optionally in the status. */
export function convertDebug(node: NodeRedObject): ConverterResult {
  const differences: string[] = [];
  const complete = String(node.complete ?? 'false');
  let property = 'payload';
  if (complete === 'true') property = 'msg';
  else if (complete !== 'false' && complete !== 'payload') {
    differences.push(
      `it shows msg.payload, not ${textOf(node.targetType) === 'jsonata' ? 'a JSONata result' : `msg.${complete}`}`,
    );
  }
  if (booleanOf(node.tosidebar) === false && booleanOf(node.console) === true)
    differences.push('values go to the debug panel and `tagflow run` output, not only to the system console');
  const config = defined({
    property,
    active: booleanOf(node.active) === false ? false : undefined,
    toStatus: booleanOf(node.tostatus) === true || undefined,
  });
  return simple(tagflowNode(node.id, 'debug', config, node), differences, false);
}

/** catch -> `catch`: errors of the nodes in its scope (all nodes of the flow by default). */
export function convertCatch(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  return scoped(node, ctx, 'catch', 'errors');
}

/** status -> `status` (nodes/core, Node-RED semantics): status changes of the nodes in its scope. */
export function convertStatus(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  return scoped(node, ctx, 'status', 'status changes');
}

function scoped(node: NodeRedObject, ctx: ConvertContext, type: string, what: string): ConverterResult {
  const differences: string[] = [];
  if (node.scope === 'group') differences.push(`it receives ${what} of every node of the flow, not only of its group`);
  const scope = Array.isArray(node.scope)
    ? (node.scope as unknown[]).filter((id): id is string => typeof id === 'string')
    : [];
  const known = scope.filter((id) => ctx.byId.has(id));
  if (known.length < scope.length)
    differences.push(`${scope.length - known.length} node(s) of its scope are not in the export`);
  if (type === 'catch' && booleanOf(node.uncaught) === true)
    differences.push(
      '"ignore errors handled by other catch nodes" is not kept: every catch node in scope receives the error',
    );
  const converted = tagflowNode(node.id, type, { scope: known }, node);
  return { nodes: [converted], outputs: [{ node: node.id, port: 'out' }], differences };
}

/** link in -> `link-in`: the target of link-out and link-call nodes. */
export function convertLinkIn(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const converted = tagflowNode(node.id, 'link-in', {}, node);
  const differences: string[] = [];
  const links = Array.isArray(node.links)
    ? (node.links as unknown[]).filter((l): l is string => typeof l === 'string')
    : [];
  const elsewhere = links.filter((id) => ctx.byId.has(id) && ctx.byId.get(id)?.z !== node.z).length;
  if (elsewhere > 0)
    differences.push(
      `it no longer receives from ${elsewhere} link-out node(s) on other tabs: tagflow links stay within a flow`,
    );
  // Wires into a Node-RED link-in come from link-outs by their config, never by edges.
  return { nodes: [converted], outputs: [{ node: node.id, port: 'out' }], differences };
}

/** link out -> `link-out`: mode link (to the link-in nodes it names) or return. */
export function convertLinkOut(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  const differences: string[] = [];
  if (textOf(node.mode) === 'return') {
    const converted = tagflowNode(node.id, 'link-out', { mode: 'return' }, node);
    return { nodes: [converted], input: { node: node.id, port: 'in' }, outputs: [], differences };
  }
  const links = sameFlowLinks(node, ctx, differences);
  const converted = tagflowNode(node.id, 'link-out', { mode: 'link', links }, node);
  return { nodes: [converted], input: { node: node.id, port: 'in' }, outputs: [], differences };
}

/** link call -> `link-call`: calls a link-in and waits for the answer (timeout in seconds -> ms). */
export function convertLinkCall(node: NodeRedObject, ctx: ConvertContext): ConverterResult {
  if (textOf(node.linkType) === 'dynamic')
    return {
      notConverted: 'it calls the link-in named by msg.target, chosen per message',
      useInstead: 'a link-call node naming its link-in',
    };
  const differences: string[] = [];
  const links = sameFlowLinks(node, ctx, differences);
  if (links.length === 0)
    return {
      notConverted: 'the link-in it calls is not on the same tab',
      useInstead: 'a link-call to a link-in of the same flow',
    };
  const timeout = numberOf(node.timeout);
  const config = defined({
    link: links[0],
    timeoutMs: timeout !== undefined && timeout > 0 ? Math.round(timeout * 1000) : undefined,
  });
  return simple(tagflowNode(node.id, 'link-call', config, node), differences);
}

/** The link-in ids a link node names that are on its own tab (links between flows are not kept). */
function sameFlowLinks(node: NodeRedObject, ctx: ConvertContext, differences: string[]): string[] {
  const links = Array.isArray(node.links)
    ? (node.links as unknown[]).filter((l): l is string => typeof l === 'string')
    : [];
  const kept = links.filter((id) => ctx.byId.get(id)?.z === node.z);
  const lost = links.length - kept.length;
  if (lost > 0)
    differences.push(
      `${lost} link(s) to another tab are dropped: tagflow links stay within a flow (between flows, use MQTT topics)`,
    );
  return kept;
}
