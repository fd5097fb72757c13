import { NodeError, sdkErrors } from '@tagflow/node-sdk';
import type { ContextStore, FlowState } from '@tagflow/node-sdk';

/** Size limits of the context scopes, in bytes of their JSON. */
export interface ContextLimits {
  /** One node's own scope. */
  nodeBytes: number;
  /** The flow's shared scope. */
  flowBytes: number;
  /** The runtime's global scope. */
  globalBytes: number;
}

export const DEFAULT_CONTEXT_LIMITS: ContextLimits = {
  nodeBytes: 1024 * 1024,
  flowBytes: 4 * 1024 * 1024,
  globalBytes: 4 * 1024 * 1024,
};

/**
 * One scope held in memory: values kept as their JSON text, so that what is stored is a copy, its
 * size is known, and a later write to disk has nothing left to serialize.
 */
export class MemoryContextStore implements ContextStore {
  private readonly entries = new Map<string, string>();
  private bytes = 0;

  constructor(
    /** Names the scope in errors: `node "avg"`, `flow "pump-monitor"`, `global`. */
    private readonly label: string,
    private readonly limitBytes: number,
  ) {}

  get(key: string): unknown {
    const text = this.entries.get(key);
    return text === undefined ? undefined : JSON.parse(text);
  }

  set(key: string, value: unknown): void {
    const previous = this.entries.get(key);
    if (value === undefined) {
      if (previous === undefined) return;
      this.entries.delete(key);
      this.bytes -= key.length + previous.length;
      return;
    }
    const text = jsonText(value, `${this.label}: context key "${key}"`);
    const bytes = this.bytes - (previous === undefined ? 0 : key.length + previous.length) + key.length + text.length;
    if (bytes > this.limitBytes)
      throw new NodeError(
        sdkErrors.code.CONTEXT_FULL,
        `${this.label}: storing context key "${key}" would take the context to ${bytes} bytes, past its limit of ${this.limitBytes}`,
      );
    this.entries.set(key, text);
    this.bytes = bytes;
  }

  keys(): string[] {
    return [...this.entries.keys()];
  }
}

/** The JSON text of `value`, or a CONTEXT_VALUE error saying what is not JSON data in it. */
function jsonText(value: unknown, where: string): string {
  const problem = notJsonData(value, '', new Set());
  if (problem !== undefined) throw new NodeError(sdkErrors.code.CONTEXT_VALUE, `${where}: ${problem}`);
  return JSON.stringify(value);
}

function notJsonData(value: unknown, path: string, seen: Set<object>): string | undefined {
  const at = path === '' ? 'the value' : `"${path}"`;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${at} is ${String(value)}, which JSON cannot hold`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${at} refers back to itself`;
      const proto = Object.getPrototypeOf(value) as unknown;
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null)
        return `${at} is a ${value.constructor?.name ?? 'class instance'}, not plain JSON data`;
      seen.add(value);
      for (const [key, item] of Object.entries(value)) {
        const problem = notJsonData(item, path === '' ? key : `${path}.${key}`, seen);
        if (problem !== undefined) return problem;
      }
      seen.delete(value);
      return undefined;
    }
    default:
      return `${at} is ${typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`}, which JSON cannot hold`;
  }
}

/** The context scopes of one engine: one per node, one for the flow, one global. */
export class FlowStateStores {
  private readonly nodes = new Map<string, MemoryContextStore>();
  private flowStore: MemoryContextStore;
  private readonly globalStore: MemoryContextStore;

  constructor(
    private flowId: string,
    private readonly limits: ContextLimits = DEFAULT_CONTEXT_LIMITS,
  ) {
    this.flowStore = new MemoryContextStore(`flow "${flowId}"`, limits.flowBytes);
    this.globalStore = new MemoryContextStore('global', limits.globalBytes);
  }

  /** The scopes a node sees. */
  forNode(nodeId: string, flowId: string): FlowState {
    if (flowId !== this.flowId) {
      this.flowId = flowId;
      this.flowStore = new MemoryContextStore(`flow "${flowId}"`, this.limits.flowBytes);
    }
    let node = this.nodes.get(nodeId);
    if (node === undefined) {
      node = new MemoryContextStore(`node "${nodeId}"`, this.limits.nodeBytes);
      this.nodes.set(nodeId, node);
    }
    return { node, flow: this.flowStore, global: this.globalStore };
  }

  /** Forgets the state of nodes a redeploy removed. */
  retainNodes(nodeIds: ReadonlySet<string>): void {
    for (const id of this.nodes.keys()) if (!nodeIds.has(id)) this.nodes.delete(id);
  }
}
