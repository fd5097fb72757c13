import type { FlowEdge, FlowNode, FlowResource } from '@tagflow/flow-model';

/**
 * A subflow as issue 17's contract (section B) writes it in a flow file's top-level `subflows`.
 * Declared here until flow-model carries the type.
 */
export interface SubflowDef {
  id: string;
  name: string;
  description?: string;
  category?: string;
  icon?: string;
  inputs: Array<{ port: string; to: Array<{ node: string; port?: string }> }>;
  outputs: Array<{ port: string; from: Array<{ node: string; port?: string }> }>;
  /** JSON Schema object: one property per Node-RED env property, with title and default. */
  params: { type: 'object'; properties: Record<string, Record<string, unknown>> };
  status?: string;
  resources?: FlowResource[];
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** The port names of a subflow's outputs: `out` for one, `out1` … `outN` for several. */
export function subflowOutputPorts(count: number): string[] {
  return count === 1 ? ['out'] : Array.from({ length: count }, (_, i) => `out${i + 1}`);
}
