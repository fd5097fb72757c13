import type { FlowEdge, FlowNode, FlowResource } from '@tagflow/flow-model';
import type { NodeConversion, PortRef } from './conversion';
import type { NodeRedObject, NodeRedPort } from './nodered-export';
import { isRecord, numberOf, textOf } from './nodered-export';
import type { SubflowDef } from './subflow-def';
import { subflowOutputPorts } from './subflow-def';

/** What a converted Node-RED subflow holds. */
export interface SubflowParts {
  /** The Node-RED subflow definition (`type: "subflow"`). */
  object: NodeRedObject;
  id: string;
  label: string;
  /** Conversions of its nodes, by Node-RED id. */
  conversions: ReadonlyMap<string, NodeConversion>;
  resources: FlowResource[];
  nodes: FlowNode[];
  edges: FlowEdge[];
  /** Groups and comments inside the subflow (the subflow format has no place for them). */
  layout?: Record<string, unknown>;
}

/**
 * The subflow in the contract's shape (section B): inputs and outputs from the subflow's in/out
 * wires, status from its status wire, env properties as params. `notes` say what was dropped.
 */
export function buildSubflowDef(input: SubflowParts): { def: SubflowDef; notes: string[] } {
  const object = input.object;
  const notes: string[] = [];
  const ins = (Array.isArray(object.in) ? object.in : []) as NodeRedPort[];
  const outs = (Array.isArray(object.out) ? object.out : []) as NodeRedPort[];
  const inputOf = (id: string) => input.conversions.get(id)?.input;
  const outputOf = (id: string, port = 0) => input.conversions.get(id)?.outputs[port];
  const params: SubflowDef['params'] = { type: 'object', properties: {} };
  for (const item of Array.isArray(object.env)
    ? (object.env as Array<{
        name?: unknown;
        value?: unknown;
        type?: unknown;
        ui?: { label?: Record<string, string> };
      }>)
    : []) {
    if (typeof item.name !== 'string') continue;
    const type = item.type === 'num' ? 'number' : item.type === 'bool' ? 'boolean' : 'string';
    params.properties[item.name] = {
      type,
      title: item.ui?.label?.['en-US'] ?? item.name,
      ...(item.type === 'cred' ? {} : { default: paramValue(item.value, item.type) }),
      description: `Node-RED subflow property ${item.name}; inner nodes read it as \${${item.name}}.`,
    };
  }
  const statusWire =
    isRecord(object.status) && Array.isArray(object.status.wires)
      ? (object.status.wires[0] as { id?: string } | undefined)
      : undefined;
  const def: SubflowDef = {
    id: input.id,
    name: input.label,
    ...(textOf(object.info) ? { description: object.info as string } : {}),
    ...(textOf(object.category) ? { category: object.category as string } : {}),
    inputs: ins.slice(0, 1).map((port) => ({
      port: 'in',
      to: (port.wires ?? [])
        .map((w) => inputOf(w.id))
        .filter((p): p is PortRef => p !== undefined)
        .map(({ node, port: p }) => ({ node, port: p })),
    })),
    outputs: subflowOutputPorts(outs.length).map((port, i) => ({
      port,
      from: (outs[i]?.wires ?? [])
        .map((w) => (w.id === object.id ? undefined : outputOf(w.id, w.port ?? 0)))
        .filter((p): p is PortRef => p !== undefined)
        .map(({ node, port: p }) => ({ node, port: p })),
    })),
    params,
    ...(statusWire?.id ? { status: statusWire.id } : {}),
    ...(input.resources.length > 0 ? { resources: input.resources } : {}),
    nodes: input.nodes,
    edges: input.edges,
  };
  // A subflow input wired straight to an output passes messages through: no inner node carries it.
  if (outs.some((o) => (o.wires ?? []).some((w) => w.id === object.id)))
    notes.push(`subflow "${input.label}": a wire from its input straight to an output is dropped`);
  if (input.layout) notes.push(`subflow "${input.label}": its groups and comments are not kept (positions are)`);
  return { def, notes };
}

/** An env property's value as Node-RED stores it (text), typed. */
export function paramValue(value: unknown, type: unknown): unknown {
  if (type === 'num') return numberOf(value) ?? value;
  if (type === 'bool') return value === true || value === 'true';
  if (type === 'json' && typeof value === 'string') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value ?? '';
}
