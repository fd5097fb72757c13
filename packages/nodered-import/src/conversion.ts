import type { FlowEdge, FlowNode, FlowResource } from '@tagflow/flow-model';
import type { NodeRedObject } from './nodered-export';

/** A port of a converted node, where a Node-RED wire starts or ends. */
export interface PortRef {
  node: string;
  port: string;
}

/** What a Node-RED flow node became. */
export interface NodeConversion {
  /** The tagflow nodes, the main one first (its id is the Node-RED id). */
  nodes: FlowNode[];
  /** Edges between those nodes. */
  edges?: FlowEdge[];
  /** Where wires into the Node-RED node now end; undefined when the tagflow node takes no input. */
  input?: PortRef;
  /** Node-RED output i -> the tagflow port sending its messages; undefined: wires from it are dropped. */
  outputs: Array<PortRef | undefined>;
  /** What behaves differently from Node-RED, in plain words; empty when exact. */
  differences: string[];
}

/** A Node-RED node that has no tagflow equivalent: it becomes a placeholder. */
export interface NotConverted {
  notConverted: string;
  useInstead: string;
}

export type ConverterResult = NodeConversion | NotConverted;

export function isNotConverted<T extends object>(result: T | NotConverted): result is NotConverted {
  return (result as NotConverted).notConverted !== undefined;
}

/** What a converter may ask of the import as a whole. */
export interface ConvertContext {
  /** Everything in the export, by Node-RED id. */
  byId: ReadonlyMap<string, NodeRedObject>;
  /** The Node-RED nodes whose wires end at `id` (its direct predecessors). */
  predecessors(id: string): NodeRedObject[];
  /** The id of the resource a config node became in this flow (added to it), or why there is none. */
  resource(configId: unknown, expected: readonly string[], variant?: string): { id: string } | { problem: string };
  /** A value of a Node-RED typed input `env` here: `${NAME}` inside a subflow, a variable elsewhere. */
  inSubflow: boolean;
  /** Environment values of the tab, which Node-RED's `env` typed inputs read first. */
  tabEnv: ReadonlyMap<string, unknown>;
  /** Inside a subflow: the names of its env properties (the instance's parameters). */
  subflowEnv: readonly string[];
}

/** Converts one kind of Node-RED flow node. */
export type NodeConverter = (node: NodeRedObject, ctx: ConvertContext) => ConverterResult;

/** What a config node (broker, PLC connection) became: a resource and its notes. */
export interface ResourceConversion {
  resource: FlowResource;
  differences: string[];
  /** Secret names the resource refers to instead of the credentials in the export. */
  secrets: Array<{ name: string; for: string }>;
}

export type ResourceConverter = (
  config: NodeRedObject,
  id: string,
  variant?: string,
) => ResourceConversion | NotConverted;

/**
 * The config version each converter writes, where it is not 1 (the converters write the current
 * config format of the tagflow release they come with).
 */
const TYPE_VERSIONS: Readonly<Record<string, number>> = { scale: 2 };

/** A node with the common fields filled in. */
export function tagflowNode(
  id: string,
  type: string,
  config: Record<string, unknown>,
  from: NodeRedObject,
  extra: Partial<FlowNode> = {},
): FlowNode {
  const node: FlowNode = { id, type, typeVersion: TYPE_VERSIONS[type] ?? 1 };
  if (typeof from.name === 'string' && from.name !== '' && extra.name === undefined) node.name = from.name;
  node.config = config;
  if (from.d === true) node.disabled = true;
  const ui: FlowNode['ui'] = {};
  if (typeof from.x === 'number') ui.x = from.x;
  if (typeof from.y === 'number') ui.y = from.y;
  if (Object.keys(ui).length > 0) node.ui = ui;
  return { ...node, ...extra };
}

/** A single node with one input `in` and its one output `out` (or none). */
export function simple(node: FlowNode, differences: string[] = [], hasOutput = true, hasInput = true): NodeConversion {
  return {
    nodes: [node],
    input: hasInput ? { node: node.id, port: 'in' } : undefined,
    outputs: hasOutput ? [{ node: node.id, port: 'out' }] : [],
    differences,
  };
}

/** Leaves out undefined fields, so configs hold only what was set. */
export function defined(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
}
