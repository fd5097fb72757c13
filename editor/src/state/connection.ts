import { findNodeType, outputPorts, selfLoopReason } from '@tagflow/flow-model';
import type { NodeCatalog } from '@tagflow/flow-model';
import type { CanvasDoc } from './canvas';

/** What the user dragged: from an output port of one node to an input port of another. */
export interface Connection {
  source: string;
  sourcePort: string;
  target: string;
  targetPort: string;
}

/**
 * Why this connection cannot be made, in plain words, or undefined when it can. Same rules as the
 * flow model's edge check: both nodes exist, the source port is an output and the target port an
 * input of their types, the two ports are not already joined, and a node is not wired into itself
 * (in the flow model's words: `SELF_LOOP`). Cheap enough for React Flow's `isValidConnection` on every hover.
 */
export function checkConnection(
  doc: Pick<CanvasDoc, 'nodes' | 'edges'>,
  conn: Connection,
  catalog: NodeCatalog,
): string | undefined {
  for (const end of ['source', 'target'] as const) {
    const id = conn[end];
    const node = doc.nodes.find((n) => n.id === id);
    if (!node) return `there is no node ${JSON.stringify(id)} in this flow`;
    const info = findNodeType(catalog, node.type);
    const subject = `node ${JSON.stringify(node.id)} (${node.type})`;
    if (!info) return `${subject} is of a type that is not installed, so its ports are unknown`;
    const port = end === 'source' ? conn.sourcePort : conn.targetPort;
    const kind = end === 'source' ? 'output' : 'input';
    // Outputs may follow the config (a switch's `outputs`): the handles drawn are these.
    const outputs = outputPorts(info, node.config);
    const ports = end === 'source' ? outputs : info.inputs;
    if (ports.includes(port)) continue;
    const other = end === 'source' ? info.inputs : outputs;
    const otherKind = end === 'source' ? 'input' : 'output';
    if (ports.length === 0) {
      const role = end === 'source' ? 'start' : 'end';
      return `${subject} has no ${kind} ports, so a connection cannot ${role} there`;
    }
    const available =
      ports.length === 1 ? `its only ${kind} port is ${quote(ports)}` : `its ${kind} ports are ${quote(ports)}`;
    if (other.includes(port)) {
      const direction = end === 'source' ? 'from' : 'to';
      return `${JSON.stringify(port)} is an ${otherKind} port of ${subject}; connect ${direction} an ${kind} port instead (${available})`;
    }
    return `${JSON.stringify(port)} is not an ${kind} port of ${subject}; ${available}`;
  }
  if (conn.source === conn.target) {
    const node = doc.nodes.find((n) => n.id === conn.source);
    return `this wire ${selfLoopReason(conn.source, node?.type)}`;
  }
  const duplicate = doc.edges.some(
    (e) =>
      e.source === conn.source &&
      e.sourcePort === conn.sourcePort &&
      e.target === conn.target &&
      e.targetPort === conn.targetPort,
  );
  if (duplicate) {
    return `port ${JSON.stringify(conn.sourcePort)} of node ${JSON.stringify(conn.source)} is already connected to port ${JSON.stringify(conn.targetPort)} of node ${JSON.stringify(conn.target)}`;
  }
  return undefined;
}

function quote(items: readonly string[]): string {
  const quoted = items.map((i) => JSON.stringify(i));
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`;
}
