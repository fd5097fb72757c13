/**
 * Node-RED's flows export, as the editor's Export dialog and `GET /flows` write it: a JSON array
 * of objects, each with an `id` and a `type`. Tabs (`type: "tab"`), subflow definitions
 * (`type: "subflow"`), groups (`type: "group"`), config nodes (a broker, a PLC connection: no `z`
 * wires or position, or a `z` but no `wires`) and flow nodes (`z` names their tab or subflow,
 * `wires[i]` lists the ids output i goes to, `x`/`y` the position). The admin API's v2 form
 * `{ rev, flows: [...] }` is read too.
 */

/** One object of the export; every other field is the node type's own config. */
export interface NodeRedObject {
  id: string;
  type: string;
  /** The tab or subflow a flow node (or a group) belongs to. */
  z?: string;
  name?: string;
  /** Outputs in order; each lists the node ids that output is wired to. */
  wires?: string[][];
  x?: number;
  y?: number;
  /** The group a node belongs to. */
  g?: string;
  d?: boolean;
  [key: string]: unknown;
}

/** A subflow's input or output port as Node-RED stores it. */
export interface NodeRedPort {
  x?: number;
  y?: number;
  wires?: Array<{ id: string; port?: number }>;
}

/** What `readNodeRedExport` answers: the objects, or why this is not a Node-RED export. */
export type NodeRedExportReading = { ok: true; objects: NodeRedObject[] } | { ok: false; problem: string };

/**
 * The export's objects, or a plain-words reason it is not one (a tagflow flow, a single object,
 * objects without ids). Objects lacking an `id` or `type` are refused rather than skipped.
 */
export function readNodeRedExport(json: unknown): NodeRedExportReading {
  const list = Array.isArray(json) ? json : isRecord(json) && Array.isArray(json.flows) ? json.flows : undefined;
  if (list === undefined) {
    if (isRecord(json) && json.schemaVersion !== undefined && Array.isArray(json.nodes))
      return { ok: false, problem: 'this is already a tagflow flow file, not a Node-RED export' };
    return {
      ok: false,
      problem:
        'this is not a Node-RED export: Node-RED exports a list of nodes like [{ "id": "...", "type": "tab", ... }, ...] (Menu > Export > Download)',
    };
  }
  if (list.length === 0) return { ok: false, problem: 'the Node-RED export is empty: it holds no nodes' };
  const objects: NodeRedObject[] = [];
  for (const [index, item] of list.entries()) {
    if (!isRecord(item) || typeof item.id !== 'string' || typeof item.type !== 'string') {
      return {
        ok: false,
        problem: `this is not a Node-RED export: item ${index + 1} of the list is not a node with an "id" and a "type"`,
      };
    }
    objects.push(item as NodeRedObject);
  }
  return { ok: true, objects };
}

/** A flow node (placed on a tab or in a subflow), as opposed to a tab, subflow, group or config node. */
export function isFlowNode(object: NodeRedObject): boolean {
  if (object.type === 'tab' || object.type === 'subflow' || object.type === 'group') return false;
  return Array.isArray(object.wires) || typeof object.x === 'number';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Node-RED keeps most numbers as text in its exports (`"repeat": "5"`): the number, or undefined. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** Node-RED's booleans, sometimes kept as `"true"` / `"false"`. */
export function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return undefined;
}

export function textOf(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
