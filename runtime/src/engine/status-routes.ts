import { STATUS_PORT } from '@tagflow/node-sdk';
import type { Message, NodeStatus } from '@tagflow/node-sdk';
import type { NodeRunner } from './node-runner';

/** Node-RED's status colours and shapes, for flows that test `msg.status.fill`. */
const LOOK: Readonly<Record<NodeStatus['state'], { fill: string; shape: 'dot' | 'ring' }>> = {
  ok: { fill: 'green', shape: 'dot' },
  idle: { fill: 'grey', shape: 'ring' },
  connecting: { fill: 'yellow', shape: 'ring' },
  reconnecting: { fill: 'yellow', shape: 'ring' },
  disconnected: { fill: 'red', shape: 'ring' },
  error: { fill: 'red', shape: 'dot' },
};

/**
 * Gives every runner the status watchers (nodes whose definition has `watchesStatus`) whose scope
 * includes it. Never the watcher itself: one reporting what it received would feed itself forever.
 */
export function addStatusWatchers(runners: ReadonlyMap<string, NodeRunner>): void {
  const watchers: Array<{ runner: NodeRunner; scope: readonly string[] | 'all' }> = [];
  for (const runner of runners.values()) {
    const scope = runner.definition.watchesStatus?.(runner.node.config);
    if (scope !== undefined) watchers.push({ runner, scope });
  }
  for (const runner of runners.values())
    runner.statusWatchers = watchers
      .filter((w) => w.runner !== runner && (w.scope === 'all' || w.scope.includes(runner.id)))
      .map((w) => w.runner);
}

/**
 * Hands a status change of `runner` to its watchers, as one message they share. `hops` counts
 * like a message the node sent, so a loop (a watcher feeding a node whose status changes with
 * every message) is cut by the flow's maxHops instead of spinning.
 */
export function routeStatus(runner: NodeRunner, status: NodeStatus, time: number, hops: number): void {
  if (runner.statusWatchers.length === 0) return;
  const text = status.text ?? '';
  const msg: Message = {
    payload: text,
    timestamp: time,
    quality: 'good',
    status: {
      ...status,
      text,
      ...LOOK[status.state],
      source: { id: runner.id, type: runner.type, ...(runner.node.name ? { name: runner.node.name } : {}) },
    },
  };
  for (const watcher of runner.statusWatchers) watcher.receive(msg, STATUS_PORT, hops);
}
