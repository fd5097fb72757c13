import type { NodeEntry } from './check-nodes';
import { isPlainObject } from './object-guards';
import { edgeKey, normalizeEdge } from './edges';
import type { NormalizedEdge } from './edges';
import { flowErrors } from './error-codes';
import type { FlowIssueCode } from './error-codes';
import { edgeSubject, nodeSubject, quoteList } from './issues';
import type { IssueList } from './issue-list';
import { numberedOutputCount, numberedPortIndex, outputPorts } from './numbered-ports';
import { closest } from './suggest';

type Fail = (code: FlowIssueCode, at: string, text: string, nodeId?: string) => void;

/**
 * Checks that edges join existing nodes through existing ports, once each; returns them normalized.
 * `nodes` is undefined when the flow's node list itself is broken: ends are not checked then.
 */
export function checkEdges(
  raw: unknown,
  nodes: Map<string, NodeEntry> | undefined,
  issues: IssueList,
): NormalizedEdge[] {
  const normalized: NormalizedEdge[] = [];
  if (!Array.isArray(raw)) return normalized;
  const byKey = new Map<string, number>();
  const byId = new Map<string, number>();
  raw.forEach((edge: unknown, index) => {
    // Shape mistakes were reported by the structure check; only well-formed edges are checked further.
    if (!isPlainObject(edge) || typeof edge.source !== 'string' || typeof edge.target !== 'string') return;
    if (!optionalString(edge.id) || !optionalString(edge.sourcePort) || !optionalString(edge.targetPort)) return;
    const path = `/edges/${index}`;
    const full = normalizeEdge({
      id: edge.id,
      source: edge.source,
      sourcePort: edge.sourcePort,
      target: edge.target,
      targetPort: edge.targetPort,
    });
    normalized.push(full);
    const subject = edgeSubject(full.id, index);
    const fail: Fail = (code, at, text, nodeId) =>
      issues.error({ code, path: at, edgeId: full.id, nodeId, message: `${subject}: ${at} ${text}` });
    if (nodes) {
      checkEnd(full, 'source', edge.sourcePort === undefined, nodes, path, fail);
      checkEnd(full, 'target', edge.targetPort === undefined, nodes, path, fail);
    }
    if (full.source === full.target) {
      const node = nodes?.get(full.source);
      fail(flowErrors.code.SELF_LOOP, path, selfLoopReason(full.source, node?.type), full.source);
    }
    const key = edgeKey(full);
    const sameKey = byKey.get(key);
    if (sameKey !== undefined) {
      fail(
        flowErrors.code.DUPLICATE_EDGE,
        path,
        `connects the same ports as the edge at /edges/${sameKey}; remove one of them`,
      );
    } else {
      byKey.set(key, index);
      const sameId = byId.get(full.id);
      if (sameId !== undefined) {
        fail(
          flowErrors.code.DUPLICATE_EDGE_ID,
          `${path}/id`,
          `${JSON.stringify(full.id)} is already the id of the edge at /edges/${sameId}; edge ids must be unique`,
        );
      }
    }
    if (!byId.has(full.id)) byId.set(full.id, index);
  });
  return normalized;
}

/**
 * Why a wire from a node back into itself is refused, the same words in the editor (when it is
 * drawn) and in `tagflow validate`. Such a wire hides behind its node on the canvas, and a message
 * on it would go round that one node until the hop limit drops it.
 */
export function selfLoopReason(nodeId: string, type?: string): string {
  const subject = type === undefined ? `node ${JSON.stringify(nodeId)}` : nodeSubject(nodeId, type);
  return (
    `connects ${subject} to itself: a node's output cannot be wired back into its own input. ` +
    'To send a message round again, pass it through another node (such as a delay or a switch that ends the loop)'
  );
}

/** One end of an edge must be a node of the flow, and the port one that node's type has. */
function checkEnd(
  edge: NormalizedEdge,
  end: 'source' | 'target',
  portDefaulted: boolean,
  nodes: Map<string, NodeEntry>,
  path: string,
  fail: Fail,
): void {
  const nodeId = edge[end];
  const node = nodes.get(nodeId);
  if (!node) {
    const guess = closest(nodeId, nodes.keys());
    const hint = guess ? `; did you mean ${JSON.stringify(guess)}?` : '';
    fail(
      flowErrors.code.DANGLING_EDGE,
      `${path}/${end}`,
      `${JSON.stringify(nodeId)} is not the id of a node in this flow${hint}`,
    );
    return;
  }
  if (!node.info) return; // unknown type: already reported, and its ports are unknown
  const portField = end === 'source' ? 'sourcePort' : 'targetPort';
  const port = edge[portField];
  const info = node.info;
  const numbered = end === 'source' ? numberedPortIndex(info, port) : undefined;
  // A config that failed its schema has an unknown port count: its own problem is reported.
  if (numbered !== undefined && node.config === undefined) return;
  const ports = end === 'source' ? outputPorts(info, node.config) : info.inputs;
  if (ports.includes(port)) return;
  const kind = end === 'source' ? 'output' : 'input';
  const defaulted = portDefaulted ? ` (${portField} defaults to ${JSON.stringify(port)} when left out)` : '';
  const available =
    ports.length === 0
      ? `it has no ${kind} ports`
      : ports.length === 1
        ? `its only ${kind} port is ${quoteList(ports)}`
        : `its ${kind} ports are ${end === 'source' ? outputList(info, ports, node.config) : quoteList(ports, 'and')}`;
  const countField = info.numberedOutputs?.countField;
  const raise =
    numbered !== undefined && countField !== undefined
      ? `; set config field "${countField}" to ${numbered} or more to add it`
      : '';
  fail(
    flowErrors.code.UNKNOWN_PORT,
    `${path}/${portField}`,
    `${JSON.stringify(port)}${defaulted} is not an ${kind} port of ${nodeSubject(nodeId, node.type)}; ${available}${raise}`,
    nodeId,
  );
}

/** `"error", "out1" to "out16" (config field "outputs" is 16)`: numbered ports as a range, not a long list. */
function outputList(info: NonNullable<NodeEntry['info']>, ports: readonly string[], config: unknown): string {
  const numbered = info.numberedOutputs;
  const count = numberedOutputCount(info, config);
  if (!numbered || count < 3) return quoteList(ports, 'and');
  const range = `${JSON.stringify(`${numbered.prefix}1`)} to ${JSON.stringify(`${numbered.prefix}${count}`)} (config field "${numbered.countField}" is ${count})`;
  return [...info.outputs.map((p) => JSON.stringify(p)), range].join(', ');
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}
