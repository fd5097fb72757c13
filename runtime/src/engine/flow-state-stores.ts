import { isNodeError } from '@tagflow/node-sdk';
import type { FlowState } from '@tagflow/node-sdk';
import { ContextFiles, scopeKey, scopeLabel } from './context-files';
import type { ContextScopeRef } from './context-files';
import { MemoryContextStore } from './context-store';
import type { EngineLogger } from './types';

export { MemoryContextStore } from './context-store';
export type { ContextScopeRef } from './context-files';

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

/** At most one write per scope this often: a process killed loses at most this much of its changes. */
export const CONTEXT_WRITE_INTERVAL_MS = 1000;

/** One scope's figures, as the admin API shows them. */
export interface ContextScopeInfo {
  scope: ContextScopeRef['scope'];
  flowId?: string;
  nodeId?: string;
  keys: number;
  bytes: number;
  limitBytes: number;
  /** Writes refused since the engine started (not JSON data, or past the limit). */
  refusedWrites: number;
  lastRefusal?: string;
}

/** One scope with its values. */
export interface ContextScopeView extends ContextScopeInfo {
  entries: Array<{ key: string; value: unknown }>;
}

/** Every scope the engine holds or has a file of, and what went wrong keeping them. */
export interface ContextSummary {
  /** False when the engine keeps context in memory only (no data dir was given). */
  persisted: boolean;
  limits: ContextLimits;
  scopes: ContextScopeInfo[];
  /** Failed writes since the engine started; each is retried a second later. */
  failedWrites: number;
  /** Plain-words problems: a damaged file moved aside, the last failed write. */
  problems: string[];
}

/** The outcome of a write through the admin API. */
export type ContextWriteResult = { ok: true } | { ok: false; code: string; message: string };

export interface FlowStateStoresOptions {
  limits?: ContextLimits;
  /** Keep the scopes in this folder (`<data dir>/context`); in memory only when left out. */
  dir?: string;
  logger?: EngineLogger;
  /** Least time between two writes of a scope (default CONTEXT_WRITE_INTERVAL_MS). */
  writeIntervalMs?: number;
}

/**
 * The context scopes of one engine: a global one, one per flow, one per node of a flow. With a
 * folder, each scope is read from its file the first time it is used and written back after a
 * change, coalesced: a scope is written at most once per `writeIntervalMs`, whole, atomically.
 * `flush` writes what is pending (the engine calls it when it stops).
 */
export class FlowStateStores {
  private readonly scopes = new Map<string, MemoryContextStore>();
  private readonly refs = new Map<string, ContextScopeRef>();
  readonly limits: ContextLimits;
  private readonly files: ContextFiles | undefined;
  private readonly logger: EngineLogger | undefined;
  private readonly writeIntervalMs: number;
  /** Scopes changed since their last write, by scope key (a deleted scope's file is removed). */
  private readonly dirty = new Map<string, ContextScopeRef>();
  private timer: NodeJS.Timeout | undefined;
  private lastWriteAt = 0;
  private writing: Promise<void> = Promise.resolve();
  private failedWrites = 0;
  private readonly problems: string[] = [];

  constructor(options: FlowStateStoresOptions = {}) {
    this.limits = options.limits ?? DEFAULT_CONTEXT_LIMITS;
    this.files = options.dir === undefined ? undefined : new ContextFiles(options.dir);
    this.logger = options.logger;
    this.writeIntervalMs = options.writeIntervalMs ?? CONTEXT_WRITE_INTERVAL_MS;
  }

  /** The scopes a node sees. */
  forNode(nodeId: string, flowId: string): FlowState {
    return {
      node: this.scope({ scope: 'node', flowId, nodeId }),
      flow: this.scope({ scope: 'flow', flowId }),
      global: this.scope({ scope: 'global' }),
    };
  }

  /** The scope `ref` names, read from its file the first time. */
  scope(ref: ContextScopeRef): MemoryContextStore {
    const key = scopeKey(ref);
    let store = this.scopes.get(key);
    if (store !== undefined) return store;
    store = new MemoryContextStore(scopeLabel(ref), this.limitOf(ref), () => this.changed(key, ref));
    try {
      const stored = this.files?.read(ref);
      if (stored !== undefined) store.load(stored);
    } catch (err) {
      this.problem((err as Error).message);
    }
    this.scopes.set(key, store);
    this.refs.set(key, ref);
    return store;
  }

  /** The scope with its values; one nobody used and with no file is shown empty, and not kept. */
  view(ref: ContextScopeRef): ContextScopeView {
    const held = this.scopes.has(scopeKey(ref)) || (this.files?.has(ref) ?? false);
    const store = held ? this.scope(ref) : new MemoryContextStore(scopeLabel(ref), this.limitOf(ref));
    return {
      ...this.info(ref, store),
      entries: store.keys().map((key) => ({ key, value: store.get(key) })),
    };
  }

  /** Sets (or, with undefined, deletes) a key, as the admin API asks. */
  write(ref: ContextScopeRef, key: string, value: unknown): ContextWriteResult {
    try {
      this.scope(ref).set(key, value);
      return { ok: true };
    } catch (err) {
      if (isNodeError(err)) return { ok: false, code: err.code, message: err.message };
      throw err;
    }
  }

  /** Every scope held in memory or kept in a file. */
  summary(): ContextSummary {
    const seen = new Map<string, ContextScopeRef>(this.refs);
    for (const ref of this.files?.list() ?? []) seen.set(scopeKey(ref), ref);
    const scopes = [...seen.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, ref]) => this.info(ref, this.scope(ref)));
    return {
      persisted: this.files !== undefined,
      limits: this.limits,
      scopes,
      failedWrites: this.failedWrites,
      problems: [...this.problems],
    };
  }

  /**
   * Deletes the scopes of `flowId`'s nodes that are not in `nodeIds`, and their files, as Node-RED
   * does on a redeploy: a node added again later starts empty. A node whose config changed keeps
   * its scope.
   */
  retainNodes(flowId: string, nodeIds: ReadonlySet<string>): void {
    const held = [...this.refs.values(), ...(this.files?.list() ?? [])];
    for (const ref of held) {
      if (ref.scope !== 'node' || ref.flowId !== flowId || nodeIds.has(ref.nodeId)) continue;
      const key = scopeKey(ref);
      if (!this.scopes.has(key) && this.dirty.has(key)) continue;
      this.scopes.delete(key);
      this.refs.delete(key);
      if (this.files) this.changed(key, ref);
    }
  }

  /** Writes every pending change now; resolves once they are on disk. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.writing.then(() => this.writeDirty());
    this.writing = run;
    return run;
  }

  private changed(key: string, ref: ContextScopeRef): void {
    if (!this.files) return;
    this.dirty.set(key, ref);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.dirty.size === 0) return;
    const wait = Math.max(0, this.lastWriteAt + this.writeIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.writeDirty());
    }, wait);
    // A process ending on its own should not wait for it; stopping the engine flushes.
    this.timer.unref();
  }

  private async writeDirty(): Promise<void> {
    if (!this.files || this.dirty.size === 0) return;
    this.lastWriteAt = Date.now();
    const pending = [...this.dirty];
    this.dirty.clear();
    // In parallel: each scope is its own file, and a busy engine makes each step of a write wait.
    await Promise.all(pending.map(([key, ref]) => this.writeScope(key, ref)));
    this.schedule();
  }

  private limitOf(ref: ContextScopeRef): number {
    if (ref.scope === 'global') return this.limits.globalBytes;
    return ref.scope === 'flow' ? this.limits.flowBytes : this.limits.nodeBytes;
  }

  private async writeScope(key: string, ref: ContextScopeRef): Promise<void> {
    const files = this.files as ContextFiles;
    const store = this.scopes.get(key);
    try {
      if (store === undefined) await files.remove(ref);
      else await files.write(ref, store.jsonText());
    } catch (err) {
      this.failedWrites++;
      // Kept dirty unless changed again meanwhile: retried at the next write.
      if (!this.dirty.has(key)) this.dirty.set(key, ref);
      this.problem(`cannot save the context of ${scopeLabel(ref)} (retried in a second): ${(err as Error).message}`);
    }
  }

  private info(ref: ContextScopeRef, store: MemoryContextStore): ContextScopeInfo {
    return {
      ...ref,
      keys: store.size,
      bytes: store.bytes,
      limitBytes: store.limitBytes,
      refusedWrites: store.refusedWrites,
      ...(store.lastRefusal === undefined ? {} : { lastRefusal: store.lastRefusal }),
    };
  }

  private problem(message: string): void {
    this.logger?.error({}, message);
    // The last few, so a disk that stays full does not grow this list without end.
    this.problems.push(message);
    if (this.problems.length > 10) this.problems.shift();
  }
}
