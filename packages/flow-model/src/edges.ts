import { DEFAULT_INPUT_PORT, DEFAULT_OUTPUT_PORT } from './flow';
import type { FlowEdge } from './flow';

/** An edge with its defaults filled in, as `validateFlow` returns it. */
export type NormalizedEdge = Required<FlowEdge>;

/** Key of an edge, also its id when it has none: `source:sourcePort->target:targetPort` (ports defaulted). */
export function edgeKey(edge: Pick<FlowEdge, 'source' | 'sourcePort' | 'target' | 'targetPort'>): string {
  return `${edge.source}:${edge.sourcePort ?? DEFAULT_OUTPUT_PORT}->${edge.target}:${edge.targetPort ?? DEFAULT_INPUT_PORT}`;
}

/** The edge with `sourcePort`, `targetPort` and `id` filled in; a new object. */
export function normalizeEdge(edge: FlowEdge): NormalizedEdge {
  const sourcePort = edge.sourcePort ?? DEFAULT_OUTPUT_PORT;
  const targetPort = edge.targetPort ?? DEFAULT_INPUT_PORT;
  return {
    id: edge.id ?? edgeKey({ source: edge.source, sourcePort, target: edge.target, targetPort }),
    source: edge.source,
    sourcePort,
    target: edge.target,
    targetPort,
  };
}

/** The id an edge goes by in messages, from raw (unchecked) data: its `id`, else its key, else none. */
export function rawEdgeId(edge: Record<string, unknown>): string | undefined {
  if (typeof edge.id === 'string') return edge.id;
  if (typeof edge.source !== 'string' || typeof edge.target !== 'string') return undefined;
  const port = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return edgeKey({
    source: edge.source,
    sourcePort: port(edge.sourcePort),
    target: edge.target,
    targetPort: port(edge.targetPort),
  });
}
