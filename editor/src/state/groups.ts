import { ID_PATTERN } from '@tagflow/flow-model';
import type { FlowGroup } from '@tagflow/flow-model';
import type { Position } from './canvas';

/** Box colours offered for groups, in the order new groups take them (soft enough to read text on). */
export const GROUP_COLOURS = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ef4444', '#0ea5e9', '#64748b'] as const;

/** Space between a group's box and its nodes, in flow coordinates (the top one holds the name). */
export const GROUP_PADDING = { side: 16, top: 30, bottom: 16 } as const;

/** A rectangle in flow coordinates. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The group holding `nodeId`, if any. */
export function groupOf(groups: readonly FlowGroup[] | undefined, nodeId: string): FlowGroup | undefined {
  return groups?.find((g) => g.nodes.includes(nodeId));
}

/**
 * Groups with `nodeIds` put into a new group (taken out of the groups they were in; groups left
 * empty go), or why not. A group's id is made from its name, unique among the groups.
 */
export function addGroup(
  groups: readonly FlowGroup[] | undefined,
  nodeIds: readonly string[],
  name: string,
): { ok: true; groups: FlowGroup[]; id: string } | { ok: false; reason: string } {
  const members = [...new Set(nodeIds)];
  if (members.length === 0) return { ok: false, reason: 'select the nodes to group first' };
  const list = groups ?? [];
  const taken = new Set(list.map((g) => g.id));
  const id = uniqueGroupId(name, taken);
  const colour = GROUP_COLOURS[list.length % GROUP_COLOURS.length];
  const group: FlowGroup = { id, name, nodes: members, color: colour };
  const rest = removeFromGroups(list, new Set(members));
  return { ok: true, groups: [...rest, group], id };
}

/** Groups without the given ones (their nodes stay where they are). */
export function removeGroups(groups: readonly FlowGroup[] | undefined, groupIds: readonly string[]): FlowGroup[] {
  const gone = new Set(groupIds);
  return (groups ?? []).filter((g) => !gone.has(g.id));
}

/** Groups keeping only nodes of `existing`; groups left empty go (a deleted node leaves its group). */
export function pruneGroups(groups: readonly FlowGroup[] | undefined, existing: ReadonlySet<string>): FlowGroup[] {
  const out: FlowGroup[] = [];
  for (const g of groups ?? []) {
    const nodes = g.nodes.filter((id) => existing.has(id));
    if (nodes.length === 0) continue;
    out.push(nodes.length === g.nodes.length ? g : { ...g, nodes });
  }
  return out;
}

/** Each group's nodes without `nodeIds`; groups left empty go. */
function removeFromGroups(groups: readonly FlowGroup[], nodeIds: ReadonlySet<string>): FlowGroup[] {
  const out: FlowGroup[] = [];
  for (const g of groups) {
    const nodes = g.nodes.filter((id) => !nodeIds.has(id));
    if (nodes.length > 0) out.push(nodes.length === g.nodes.length ? g : { ...g, nodes });
  }
  return out;
}

/** `pump-3` for "Pump 3", `group-2` when the name gives nothing usable; never one of `taken`. */
export function uniqueGroupId(name: string, taken: ReadonlySet<string>): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '')
    .slice(0, 60);
  const base = slug && new RegExp(ID_PATTERN).test(slug) ? slug : 'group';
  if (!taken.has(base) && base !== 'group') return base;
  for (let n = 1; ; n += 1) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/**
 * The box drawn for a group: around its nodes' boxes with `GROUP_PADDING`, or undefined when none
 * of its nodes is known. `sizeOf` gives a node's drawn size (a default before it is measured).
 */
export function groupBounds(
  group: FlowGroup,
  positionOf: (id: string) => Position | undefined,
  sizeOf: (id: string) => { width: number; height: number },
): Rect | undefined {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const id of group.nodes) {
    const p = positionOf(id);
    if (!p) continue;
    const s = sizeOf(id);
    left = Math.min(left, p.x);
    top = Math.min(top, p.y);
    right = Math.max(right, p.x + s.width);
    bottom = Math.max(bottom, p.y + s.height);
  }
  if (left === Infinity) return undefined;
  return {
    x: left - GROUP_PADDING.side,
    y: top - GROUP_PADDING.top,
    width: right - left + 2 * GROUP_PADDING.side,
    height: bottom - top + GROUP_PADDING.top + GROUP_PADDING.bottom,
  };
}

/** New positions of a group's nodes when its box is dragged from `from` to `to` (its top-left corners). */
export function groupMove(
  group: FlowGroup,
  positionOf: (id: string) => Position | undefined,
  from: Position,
  to: Position,
): Record<string, Position> {
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const moved: Record<string, Position> = {};
  for (const id of group.nodes) {
    const p = positionOf(id);
    if (p) moved[id] = { x: p.x + dx, y: p.y + dy };
  }
  return moved;
}
