import type { NodeRedObject } from './nodered-export';
import { isRecord, textOf } from './nodered-export';

/**
 * Groups (name, colour, members, box) and comments of a tab or subflow, kept as layout data under
 * the flow's `ui` (the runtime ignores it); undefined when there are none.
 */
export function layoutOf(
  objects: readonly NodeRedObject[],
  containerId: string,
  nodes: readonly NodeRedObject[],
): Record<string, unknown> | undefined {
  const groups = objects
    .filter((o) => o.type === 'group' && o.z === containerId)
    .map((g) => {
      const style = isRecord(g.style) ? g.style : {};
      return {
        id: g.id,
        ...(textOf(g.name) ? { name: g.name } : {}),
        ...(textOf(style.fill) ? { color: style.fill } : {}),
        ...(textOf(style.stroke) ? { stroke: style.stroke } : {}),
        nodes: Array.isArray(g.nodes)
          ? (g.nodes as unknown[]).filter((id): id is string => typeof id === 'string')
          : [],
        ...(typeof g.x === 'number' ? { x: g.x, y: g.y, w: g.w, h: g.h } : {}),
      };
    });
  const comments = nodes
    .filter((n) => n.type === 'comment')
    .map((n) => ({ id: n.id, text: [textOf(n.name), textOf(n.info)].filter(Boolean).join('\n\n'), x: n.x, y: n.y }));
  const ui: Record<string, unknown> = {};
  if (groups.length > 0) ui.groups = groups;
  if (comments.length > 0) ui.comments = comments;
  return Object.keys(ui).length > 0 ? ui : undefined;
}
