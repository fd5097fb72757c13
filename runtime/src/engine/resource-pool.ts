import type { FlowResource } from '@tagflow/flow-model';
import type { AnyResourceDefinition, NodeStatus } from '@tagflow/node-sdk';
import { canonicalJson } from '../store/flow-store';
import { ResourceRunner } from './resource-runner';
import type { ResourceHost } from './resource-runner';
import { runResourceTool } from './resource-tools';

/** One flow's hold on a shared connection. */
export interface ResourceLease {
  readonly runner: ResourceRunner;
  /** Gives the hold back; the connection closes when the last flow holding it gives it back. */
  release(): Promise<void>;
}

interface PoolEntry {
  runner: ResourceRunner;
  holders: number;
  listeners: Set<(status: NodeStatus) => void>;
}

/**
 * The connections of every flow of an engine process, shared: two flows that define the same
 * resource (same type, same config once variables are resolved) use one connection, whatever id
 * each flow gives it. A PLC that accepts one client, or a broker that kicks a second client with
 * the same client id, would otherwise refuse the second flow. Reference-counted: the connection
 * closes when no flow holds it any more.
 */
export class ResourcePool {
  private readonly entries = new Map<string, PoolEntry>();

  constructor(private readonly host: Omit<ResourceHost, 'status'>) {}

  /**
   * A hold on the connection for `resource`, started in the background when no flow held it yet.
   * `onStatus` hears its connection states (and the current one at once, when it has one).
   */
  acquire(
    resource: FlowResource,
    definition: AnyResourceDefinition,
    onStatus: (status: NodeStatus) => void,
  ): ResourceLease {
    const key = resourceKey(resource);
    let entry = this.entries.get(key);
    if (!entry) {
      const listeners = new Set<(status: NodeStatus) => void>();
      const runner = new ResourceRunner(resource, definition, {
        ...this.host,
        status: (_runner, status) => {
          for (const listener of listeners) listener(status);
        },
      });
      entry = { runner, holders: 0, listeners };
      this.entries.set(key, entry);
      runner.start();
    }
    const held = entry;
    held.holders++;
    held.listeners.add(onStatus);
    let released = false;
    return {
      runner: held.runner,
      release: async () => {
        if (released) return;
        released = true;
        held.listeners.delete(onStatus);
        held.holders--;
        if (held.holders > 0) return;
        if (this.entries.get(key) === held) this.entries.delete(key);
        await held.runner.close();
      },
    };
  }

  /** Connections open now (or being opened), for tests and the admin API. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Runs tool `name` of the resource type on the connection `resource` would use: the live one when
   * a flow holds it connected (a PLC that takes one client keeps serving the flow), else one opened
   * for the call and closed after it. See `runResourceTool`.
   */
  runTool(
    resource: FlowResource,
    definition: AnyResourceDefinition,
    name: string,
    input: unknown,
    timeoutMs?: number,
  ): Promise<unknown> {
    const live = this.entries.get(resourceKey(resource))?.runner.current;
    return runResourceTool(resource, definition, name, input, { host: this.host, live, timeoutMs });
  }

  /** How many flows hold the connection `resource` would use (0 when none). */
  holders(resource: FlowResource): number {
    return this.entries.get(resourceKey(resource))?.holders ?? 0;
  }
}

/** Two resources with the same key are the same connection: type and config, not the id a flow gives it. */
export function resourceKey(resource: FlowResource): string {
  return `${resource.type}\n${canonicalJson(resource.config ?? {})}`;
}
