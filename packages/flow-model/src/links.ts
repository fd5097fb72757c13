import type { FlowNode } from './flow';

/**
 * How a node type takes part in virtual wires ("link" nodes, as Node-RED users know them): wires
 * the engine makes from config, without edges, so that a large flow can be split into tidy parts.
 * - `in`: a target; receives on port `LINK_PORT` what `out` and `call` nodes send it.
 * - `out`: in `config.mode` `link` (the default), what it sends on `LINK_PORT` goes to the `in`
 *   nodes `config.links` names; in mode `return`, what it sends on `RETURN_PORT` goes back to the
 *   `call` node that made the innermost call the message is part of (the top of `LINK_CALLS`).
 * - `call`: what it sends on `LINK_PORT` goes to the `in` node `config.link` names; the answer
 *   comes back on its input port `RETURN_PORT`.
 */
export type LinkRole = 'in' | 'out' | 'call';

/** The hidden port virtual wires start from (out, call) and end at (in). */
export const LINK_PORT = '$link';
/** The hidden port a link-out in return mode sends on, and a link-call receives its answer on. */
export const RETURN_PORT = '$return';
/** The message field holding the calls a message is part of, innermost last. */
export const LINK_CALLS = '_linkCalls';

/**
 * One call a message is part of: who made it and which of its calls it is. `flow` names the flow of
 * the calling node, so that an answer can find its way back across flows (issue 17).
 */
export interface LinkCall {
  flow: string;
  node: string;
  id: string;
}

/** A link node naming another node in its config: the virtual wire it asks for. */
export interface LinkReference {
  /** The node id named (not checked: it may be missing or of the wrong kind). */
  target: unknown;
  /** JSON pointer of the config field naming it, inside the node (`/config/links/0`). */
  path: string;
}

/** The nodes `node` sends to over virtual wires, as its config names them (none for `in` nodes). */
export function linkReferences(node: Pick<FlowNode, 'config'>, role: LinkRole | undefined): LinkReference[] {
  const config = node.config ?? {};
  if (role === 'call') return config.link === undefined ? [] : [{ target: config.link, path: '/config/link' }];
  if (role !== 'out' || (config.mode ?? 'link') !== 'link' || !Array.isArray(config.links)) return [];
  return (config.links as unknown[]).map((target, i) => ({ target, path: `/config/links/${i}` }));
}

/**
 * The virtual wires of a flow whose link references were checked, as `{ source, target }` pairs:
 * each link-out (mode link) to the link-in nodes it names, each link-call to the one it calls.
 * References to nodes missing from `nodes` are left out.
 */
export function linkWires<N extends Pick<FlowNode, 'id' | 'config'>>(
  nodes: readonly N[],
  roleOf: (node: N) => LinkRole | undefined,
): Array<{ source: string; target: string }> {
  const ids = new Set(nodes.map((n) => n.id));
  const wires: Array<{ source: string; target: string }> = [];
  for (const node of nodes) {
    for (const { target } of linkReferences(node, roleOf(node))) {
      if (typeof target === 'string' && ids.has(target)) wires.push({ source: node.id, target });
    }
  }
  return wires;
}

/** The call stack a message carries (`[]` when it is part of no call, or carries something else). */
export function linkCallsOf(msg: Readonly<Record<string, unknown>>): readonly LinkCall[] {
  const calls = msg[LINK_CALLS];
  return Array.isArray(calls) ? (calls as LinkCall[]) : [];
}
