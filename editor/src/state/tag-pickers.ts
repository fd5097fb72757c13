import type { FlowResource } from '@tagflow/flow-model';

// Pure logic of the tag pickers (the OPC UA browser and the Modbus test read): which resource a
// picker talks to, how values read, and what a pick writes into the node's config.

/** The resource a picker uses (the node's `server` or `device`), or a sentence saying what is missing. */
export function pickerResource(
  resources: readonly FlowResource[],
  config: Readonly<Record<string, unknown>> | undefined,
  resourceField: string,
  resourceType: string,
): { resource: FlowResource } | { missing: string } {
  const id = config?.[resourceField];
  const label = resourceType === 'opcua-server' ? 'OPC UA server' : 'Modbus device';
  if (typeof id !== 'string' || id === '') return { missing: `Choose the ${label} first (field above).` };
  const resource = resources.find((r) => r.id === id && r.type === resourceType);
  if (!resource) return { missing: `The ${label} “${id}” is not in this flow: choose or create one above.` };
  return { resource };
}

/** A value as a cell shows it: numbers to 7 significant digits, text quoted, objects as JSON. */
export function valueText(value: unknown): string {
  if (value === undefined) return '';
  if (value === null) return '—';
  if (typeof value === 'number') {
    // Whole numbers as they are, up to where doubles stop being exact (huge floats are "whole" too).
    if (Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER) return String(value);
    return String(Number(value.toPrecision(7)));
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

// ---------------------------------------------------------------------------------------------
// OPC UA

/** A child node as the `browse` tool of opcua-server answers it. */
export interface BrowsedTag {
  nodeId: string;
  browseName: string;
  displayName: string;
  nodeClass: string;
  dataType?: string;
  expandable: boolean;
  value?: unknown;
  status?: string;
  unit?: string;
}

/** One folder of the browse tree: not loaded yet, loading, loaded or failed. */
export interface BrowseFolder {
  open: boolean;
  loading: boolean;
  children?: BrowsedTag[];
  error?: string;
}

/** The browse tree: folders by node id (the root is `''`, the server's Objects folder). */
export type BrowseTree = Readonly<Record<string, BrowseFolder>>;

/** The tree with `nodeId` opened (or closed); `needsLoad` when its children must be asked for. */
export function toggleFolder(tree: BrowseTree, nodeId: string): { tree: BrowseTree; needsLoad: boolean } {
  const folder = tree[nodeId];
  if (folder?.open) return { tree: { ...tree, [nodeId]: { ...folder, open: false } }, needsLoad: false };
  const needsLoad = !folder || (!folder.children && !folder.loading);
  return {
    tree: { ...tree, [nodeId]: { ...(folder ?? {}), open: true, loading: needsLoad || Boolean(folder?.loading) } },
    needsLoad,
  };
}

/** The tree once the children of `nodeId` came (or failed with `error`). */
export function folderLoaded(
  tree: BrowseTree,
  nodeId: string,
  children: BrowsedTag[] | undefined,
  error?: string,
): BrowseTree {
  return {
    ...tree,
    [nodeId]: { open: true, loading: false, ...(children ? { children } : {}), ...(error ? { error } : {}) },
  };
}

/** Children sorted for people: folders first, then by name. */
export function sortedChildren(children: readonly BrowsedTag[]): BrowsedTag[] {
  return [...children].sort(
    (a, b) => Number(b.expandable) - Number(a.expandable) || a.displayName.localeCompare(b.displayName),
  );
}

/** Only variables can be picked (their value is what the node reads, writes or subscribes to). */
export function isPickable(tag: BrowsedTag): boolean {
  return tag.nodeClass === 'Variable';
}

// ---------------------------------------------------------------------------------------------
// Modbus

/** The numeric types a test read shows, as the `test-read` tool of modbus-device decodes them. */
export const TEST_READ_TYPES = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as const;
export type TestReadType = (typeof TEST_READ_TYPES)[number];
export const WORD_ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
export type WordOrder = (typeof WORD_ORDERS)[number];
export const MODBUS_TABLES = ['holding-register', 'input-register', 'coil', 'discrete-input'] as const;

/** One address of a test read, as the tool answers it. */
export interface TestReadRow {
  address: number;
  word?: number;
  bit?: boolean;
  values?: Partial<Record<TestReadType, Record<WordOrder, number | string>>>;
}

/** What the `test-read` tool answers. */
export interface TestReadAnswer {
  function: string;
  address: number;
  count: number;
  rows: TestReadRow[];
}

/**
 * A 16-bit value has no word order: CDAB reads like ABCD and DCBA like BADC. Those cells repeat
 * a value, so the table leaves them empty rather than offering two picks that mean the same.
 */
export function orderApplies(type: TestReadType, order: WordOrder): boolean {
  return !((type === 'int16' || type === 'uint16') && (order === 'CDAB' || order === 'DCBA'));
}

/** What picking a cell (or a bit) writes into the tag: its table, address, type and order. */
export interface ModbusPick {
  function: string;
  address: number;
  type: TestReadType | 'bool';
  order?: WordOrder;
}

/**
 * The tag (or modbus-write config) with a pick applied: table, address, type and order set; a
 * string `length` dropped (a number needs none); name, scale, unit and the rest kept.
 */
export function applyModbusPick(
  current: Readonly<Record<string, unknown>> | undefined,
  pick: ModbusPick,
): Record<string, unknown> {
  const next: Record<string, unknown> = { ...(current ?? {}) };
  delete next.length;
  next.function = pick.function;
  next.address = pick.address;
  next.type = pick.type;
  if (pick.order) next.order = pick.order;
  else delete next.order;
  return next;
}
