/**
 * The size limits of a flow. Each is far above what a real flow needs and low enough that a flow
 * at the limit validates, deploys and diffs in well under a second on an edge box; a flow over one
 * is refused whole with an issue naming the limit and its value. Documented in this package's
 * README and in runtime/README-admin.md ("Limits"): change them there too.
 */

/**
 * Largest flow file or admin API request body, in bytes (5 MiB). The reference flow is about 5 KB;
 * a flow of 10,000 nodes with their configs is about 2 MB.
 */
export const MAX_FLOW_BYTES = 5 * 1024 * 1024;

/**
 * Deepest nesting of objects and lists anywhere in a flow, the flow object itself counting as 1
 * (so a node's `config` may hold 60 levels). Validation, copies and comparisons are recursive:
 * this bound keeps them far from the stack's end.
 */
export const MAX_JSON_DEPTH = 64;

/** Most nodes in one flow. 100,000 nodes took the runtime from 81 to 732 MB and stalled it for seconds. */
export const MAX_NODES = 10_000;

/** Most edges in one flow (two per node on average at `MAX_NODES`). */
export const MAX_EDGES = 20_000;

/** Most resources (broker, PLC and database connections) in one flow. */
export const MAX_RESOURCES = 1_000;

/**
 * Longest id or name the flow format uses to point at something: the flow's, nodes', resources'
 * and edges' `id`, an edge's `source`, `target` and ports, a node's or resource's `type`.
 */
export const MAX_ID_LENGTH = 128;

/**
 * Longest text (and field name) anywhere in a flow, in characters. A function node's code may
 * rightly be hundreds of KB; a million characters is more than any hand-written one.
 */
export const MAX_STRING_LENGTH = 1_000_000;

/** The limits above as one object, for documentation generators and the editor. */
export const FLOW_LIMITS = {
  maxFlowBytes: MAX_FLOW_BYTES,
  maxJsonDepth: MAX_JSON_DEPTH,
  maxNodes: MAX_NODES,
  maxEdges: MAX_EDGES,
  maxResources: MAX_RESOURCES,
  maxIdLength: MAX_ID_LENGTH,
  maxStringLength: MAX_STRING_LENGTH,
} as const;

/** `5 MB (5,242,880 bytes)`: a byte count as people read it, with the exact figure. */
export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  const short = mb >= 1 ? `${Number(mb.toFixed(1))} MB` : `${Number((bytes / 1024).toFixed(1))} KB`;
  return `${short} (${bytes.toLocaleString('en-US')} bytes)`;
}
