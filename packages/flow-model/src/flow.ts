/**
 * The tagflow flow file: what the editor saves, what `tagflow run` executes, what a fleet deploys.
 * Platform-neutral (no Node.js APIs): the editor and the runtime share it.
 */

/** The flow file format version this package reads and writes. */
export const CURRENT_SCHEMA_VERSION = 1;

/** A whole flow: resources (shared connections), nodes, and the edges wiring their ports. */
export interface Flow {
  /** Version of the flow file format, not of the flow's content. */
  schemaVersion: 1;
  /** Stable identifier, e.g. `pump-monitor`; letters, digits, `-`, `_`, `.`. */
  id: string;
  /** Human name shown in the editor. */
  name?: string;
  description?: string;
  /** Shared connections (a broker, a PLC, a database) used by several nodes. */
  resources?: FlowResource[];
  nodes: FlowNode[];
  edges: FlowEdge[];
  /**
   * Reusable groups of nodes placed like a node (`type: "subflow:<id>"`); see `SubflowDef`. Each
   * instance is expanded into its own namespaced copy of the inner nodes at validation.
   */
  subflows?: SubflowDef[];
  /** Named, coloured boxes around nodes on the canvas (like Node-RED's groups); the runtime ignores them. */
  groups?: FlowGroup[];
  /** How the runtime runs this flow; every field has a default. */
  settings?: FlowSettings;
  /** Free-form data the runtime ignores (editor viewport, author notes). */
  ui?: Record<string, unknown>;
}

/**
 * A group: a named, coloured box the editor draws behind its nodes, which move with it. Editor-only
 * (the runtime ignores it), but checked: every node id must be a node of the flow, once.
 */
export interface FlowGroup {
  /** Unique among the flow's groups, same pattern as node ids. */
  id: string;
  /** Shown on the box, e.g. `Pump 3`. */
  name?: string;
  /** Ids of the nodes in the group; a node is in at most one group. */
  nodes: string[];
  /** Colour of the box as `#rrggbb`; the editor picks one when absent. */
  color?: string;
}

/** Per-flow runtime settings. */
export interface FlowSettings {
  /**
   * Hops (node to node) a message may make before the runtime drops it as caught in a loop, with an
   * error naming the loop (default `DEFAULT_MAX_HOPS`, 1,000; at most 1,000,000).
   */
  maxHops?: number;
}

/** `FlowSettings.maxHops` when a flow does not set it. */
export const DEFAULT_MAX_HOPS = 1000;

/** One processing step: a source, a processor or a publisher. */
export interface FlowNode {
  /** Unique within the flow; edges refer to it. */
  id: string;
  /** Node type name, e.g. `moving-average`; must be installed on the runtime. */
  type: string;
  /** Version of the node type's config format this node was saved with (migrated on load). */
  typeVersion: number;
  /** Human label; rendered as text, never HTML. */
  name?: string;
  /** Type-specific settings, checked against the node type's JSON Schema. */
  config?: Record<string, unknown>;
  /** A disabled node is not started and passes nothing on. */
  disabled?: boolean;
  /** Input queue settings for nodes that await I/O; defaults suit most flows. */
  queue?: QueueSettings;
  /** Editor-only data (position, colour); ignored by the runtime and by redeploy diffs. */
  ui?: { x?: number; y?: number; [key: string]: unknown };
}

/** How a node's input queue behaves when messages arrive faster than the node completes them. */
export interface QueueSettings {
  /** Messages held while the node is busy (default 1000). */
  size?: number;
  /**
   * What happens when the queue is full:
   * `block` (default) pauses the sources feeding it until it drains (nothing lost);
   * `drop-oldest` / `drop-newest` discard a message and count it in the node's `dropped` counter.
   */
  overflow?: OverflowPolicy;
}

export type OverflowPolicy = 'block' | 'drop-oldest' | 'drop-newest';

/** A connection shared by nodes: `mqtt-broker`, `modbus-device`, `opcua-server`, ... */
export interface FlowResource {
  id: string;
  type: string;
  name?: string;
  config?: Record<string, unknown>;
}

/** Wires an output port of one node to an input port of another (1:1 with React Flow handles). */
export interface FlowEdge {
  /** Optional; generated as `source:sourcePort->target:targetPort` when absent. */
  id?: string;
  source: string;
  /** Defaults to `out`. */
  sourcePort?: string;
  target: string;
  /** Defaults to `in`. */
  targetPort?: string;
}

/** Default port names, so simple flows need not spell them. */
export const DEFAULT_OUTPUT_PORT = 'out';
export const DEFAULT_INPUT_PORT = 'in';

/**
 * A subflow: nodes, edges and resources with declared input and output ports and parameters. An
 * instance is a node `{ id, type: "subflow:<id>", typeVersion: 1, config: {<param values>} }`; a
 * packed subflow is a node package whose node type carries the same definition (`subflow`).
 */
export interface SubflowDef {
  /** Unique among the flow's subflows; instances name it in their type (`subflow:<id>`). */
  id: string;
  /** Shown in the palette and on instances. */
  name: string;
  description?: string;
  /** Semver of the subflow's content, e.g. `1.2.0`: the version of its node package when packed. */
  version?: string;
  /** Palette group of the instances (default `subflow`). */
  category?: string;
  icon?: string;
  /** Input ports of an instance, each wired to inner nodes' input ports. */
  inputs: SubflowInput[];
  /** Output ports of an instance, each fed by inner nodes' output ports. */
  outputs: SubflowOutput[];
  /**
   * JSON Schema (an object with `properties`, each with `title`, `default`, `description`) of an
   * instance's `config`: its parameters. `${name}` in inner configs takes the instance's value.
   */
  params?: Record<string, unknown>;
  /** Inner node whose status is shown as the instance's status. */
  status?: string;
  /** Resources of the subflow: each instance gets its own copy (namespaced like the nodes). */
  resources?: FlowResource[];
  nodes: FlowNode[];
  edges: FlowEdge[];
}

/** An input port of a subflow and the inner input ports it feeds. */
export interface SubflowInput {
  /** Port name on the instance, e.g. `in`. */
  port: string;
  to: Array<{ node: string; port?: string }>;
}

/** An output port of a subflow and the inner output ports that feed it. */
export interface SubflowOutput {
  /** Port name on the instance, e.g. `out`. */
  port: string;
  from: Array<{ node: string; port?: string }>;
}
