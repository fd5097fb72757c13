import { flowErrors } from './error-codes';
import { DEFAULT_MAX_HOPS } from './flow';
import type { FlowEdge, FlowNode } from './flow';
import type { IssueList } from './issue-list';
import { nodeSubject } from './issues';

/**
 * Warns about each loop of edges that has no node that delays or limits (`breaksCycles`): a message
 * sent into it goes round at full speed until the hop limit drops it. Loops stay legal (people
 * build retry loops that a switch ends), so this is a warning, one per group of nodes that loop
 * into each other, naming the shortest loop in it. Disabled nodes pass nothing on: they break loops.
 */
export function checkCycles(
  flow: { nodes: readonly FlowNode[]; edges: readonly FlowEdge[]; settings?: { maxHops?: number } },
  breaksCycles: (node: FlowNode) => boolean,
  issues: IssueList,
): void {
  const index = new Map<string, number>();
  flow.nodes.forEach((node, i) => {
    if (!node.disabled && !breaksCycles(node)) index.set(node.id, i);
  });
  const next = new Map<string, string[]>();
  for (const edge of flow.edges) {
    if (!index.has(edge.source) || !index.has(edge.target)) continue;
    const list = next.get(edge.source) ?? [];
    if (!list.includes(edge.target)) list.push(edge.target);
    next.set(edge.source, list);
  }
  const successors = (id: string) => next.get(id) ?? [];
  const maxHops = flow.settings?.maxHops ?? DEFAULT_MAX_HOPS;
  for (const group of loopingGroups([...index.keys()], successors)) {
    // Start from the node that comes first in the file, so the warning reads the same every time.
    const first = group.reduce((a, b) => ((index.get(a) as number) <= (index.get(b) as number) ? a : b));
    const cycle = shortestCycle(first, successors) as string[];
    const at = index.get(first) as number;
    const others = group.length > cycle.length - 1 ? ` (${group.length} nodes loop into each other there)` : '';
    const named = (id: string) => {
      const name = flow.nodes[index.get(id) as number]?.name;
      return typeof name === 'string' && name.trim() !== '' ? name.trim() : id;
    };
    const loop =
      `on a loop with no node that delays or limits: ${cycle.map(named).join(' → ')}${others}. ` +
      `A message sent into it goes round at full speed until it has passed ${maxHops} nodes, then it is ` +
      'dropped; add a node that delays or limits it (such as delay or rate-limit), or make sure a switch ends the loop.';
    issues.warn({
      code: flowErrors.code.UNBROKEN_CYCLE,
      path: `/nodes/${at}`,
      nodeId: first,
      text: `On ${loop.slice(3)}`,
      message: `${nodeSubject(first, flow.nodes[at].type, at, flow.nodes[at].name)} is ${loop}`,
    });
  }
}

/**
 * The shortest loop from `start` back to itself, as node ids with `start` at both ends
 * (`[a, b, a]`), or undefined when no path leads back. Breadth-first, so it names the loop a
 * message most likely took.
 */
export function shortestCycle(start: string, successors: (id: string) => Iterable<string>): string[] | undefined {
  const previous = new Map<string, string>();
  const queue: string[] = [start];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const nextId of successors(id)) {
      if (nextId === start) {
        const path = [start];
        for (let at: string | undefined = id; at !== start && at !== undefined; at = previous.get(at)) path.push(at);
        path.push(start);
        return path.reverse();
      }
      if (previous.has(nextId)) continue;
      previous.set(nextId, id);
      queue.push(nextId);
    }
  }
  return undefined;
}

/**
 * Groups of nodes on a loop (strongly connected components with an edge inside them), in the
 * order found. Tarjan's algorithm without recursion: a flow of thousands of nodes in a line must not
 * overflow the stack.
 */
export function loopingGroups(ids: readonly string[], successors: (id: string) => readonly string[]): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const groups: string[][] = [];
  let counter = 0;
  for (const root of ids) {
    if (order.has(root)) continue;
    const work: Array<{ id: string; next: number }> = [{ id: root, next: 0 }];
    order.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const out = successors(frame.id);
      if (frame.next < out.length) {
        const w = out[frame.next++];
        if (!order.has(w)) {
          order.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ id: w, next: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.id, Math.min(low.get(frame.id) as number, order.get(w) as number));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].id;
        low.set(parent, Math.min(low.get(parent) as number, low.get(frame.id) as number));
      }
      if (low.get(frame.id) !== order.get(frame.id)) continue;
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        group.push(member);
      } while (member !== frame.id);
      if (group.length > 1 || successors(frame.id).includes(frame.id)) groups.push(group.reverse());
    }
  }
  return groups;
}
