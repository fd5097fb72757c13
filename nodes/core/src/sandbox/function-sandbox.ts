import { performance } from 'node:perf_hooks';
import ivm from 'isolated-vm';
import { isNodeError } from '@tagflow/node-sdk';
import type { ContextStore, FlowState, Message, NodeStatus } from '@tagflow/node-sdk';
import { BODY_CHECK_SOURCE, BOOTSTRAP_SOURCE, FAILURE, USER_CODE_FILE, wrapUserCode } from './isolate-source';
import type { IsolateLimits } from './isolate-source';
import { heldTooMuchMemory, notAFunctionBody, refusedResult, runError, syntaxError, userThrew } from './sandbox-errors';
import { toLogLevel, toNodeStatus } from './sandbox-bridge';
import type { SandboxLogLevel } from './sandbox-bridge';

/** What a sandbox needs: the user's code, its limits, and where its logs and status go. */
export interface SandboxOptions {
  /** The body of `function (msg, node, context) { ... }`. */
  code: string;
  /** Heap limit of the isolate, in MB (isolated-vm's minimum is 8). */
  memoryLimitMb: number;
  /** Longest a single message may run, in ms; at most MAX_TIMEOUT_MS. */
  timeoutMs: number;
  /** Budget of what one message returns (see IsolateLimits); DEFAULT_MAX_MESSAGE_BYTES if left out. */
  maxMessageBytes?: number;
  /** Shown to user code as `node.id` and `node.name`. */
  nodeId: string;
  nodeName?: string;
  /** Receives `node.log/warn/error` and `console.*` calls, already formatted as text. */
  onLog(level: SandboxLogLevel, text: string): void;
  /** Receives `node.status(...)` calls, validated. */
  onStatus(status: NodeStatus): void;
  /** Called if V8 reports it lost control of the isolate (the process should then be restarted). */
  onCatastrophicError?(message: string): void;
  /**
   * The scopes behind `context.get/set/keys`, `flow` and `global` (the node's `ctx.context`);
   * left out, they are held in this sandbox's memory (tests).
   */
  context?: FlowState;
}

/** Log lines one message may write; a loop logging until its timeout would otherwise flood the log. */
export const MAX_LOG_LINES_PER_MESSAGE = 100;

import { DEFAULT_MAX_MESSAGE_BYTES, MAX_TIMEOUT_MS } from './sandbox-limits';

export { DEFAULT_MAX_MESSAGE_BYTES, MAX_TIMEOUT_MS };

/** Nesting depth past which a returned value is refused (it also stops cycles). */
export const MAX_RESULT_DEPTH = 200;

// A call this slow, or this long since the last look, and the heap is measured after it: one large
// string can pass V8's heap limit in a single allocation, which isolated-vm notices only at the next
// full collection. Measuring costs about a third of a call, so it is not done every time.
const SLOW_CALL_MS = 5;
const HEAP_CHECK_EVERY_MS = 250;

/** One live isolate with the user's function compiled in it. */
interface Live {
  isolate: ivm.Isolate;
  context: ivm.Context;
  run: ivm.Reference<(msg: unknown) => unknown>;
  /** The heap size V8 was given at start; isolated-vm raises it temporarily near the limit. */
  heapLimitBytes: number;
}

/**
 * Runs user JavaScript in a V8 isolate of its own (isolated-vm): no process, require, file system,
 * network, timers or WebAssembly inside, a heap limit, and a time limit per message. The code is
 * compiled once; each message is copied in, and what comes out (the return value, a thrown value,
 * log lines, statuses) is copied into plain data inside the isolate, under the time limit, so user
 * code never runs on the host and the host never holds an object of the isolate. When the memory
 * limit kills the isolate, the next `run` builds a new one.
 *
 * Calls are synchronous: measured 5-8 times faster than the asynchronous form (see
 * docs/function.md), at the price of blocking the event loop for up to `timeoutMs`, which is why
 * that is capped at MAX_TIMEOUT_MS.
 */
export class FunctionSandbox {
  private live: Live | undefined;
  private disposed = false;
  private isolatesCreated = 0;
  private logLines = 0;
  private lastHeapCheck = 0;
  /** What the isolate reported through the failure callback during the current call. */
  private failure: [number, unknown] | undefined;
  private readonly limits: IsolateLimits;
  /** The context scopes, kept across isolates (a memory-limit rebuild does not lose them). */
  private scopes: FlowState | undefined;

  /** Compiles `options.code`; throws a NodeError `FUNCTION_SYNTAX` naming the line if it does not parse. */
  constructor(private readonly options: SandboxOptions) {
    if (!(options.timeoutMs >= 1 && options.timeoutMs <= MAX_TIMEOUT_MS)) {
      throw new RangeError(`timeoutMs must be between 1 and ${MAX_TIMEOUT_MS}; got ${options.timeoutMs}`);
    }
    this.limits = {
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      maxDepth: MAX_RESULT_DEPTH,
      // An array of this many items holds at least 8 bytes each: more could not fit the heap.
      maxArrayLength: Math.floor((options.memoryLimitMb * 1024 * 1024) / 8),
    };
    this.live = this.build();
  }

  /** How many isolates this sandbox has created (1, plus one per recovery from the memory limit). */
  get generation(): number {
    return this.isolatesCreated;
  }

  /**
   * Runs the user's function on a copy of `msg` and returns a copy of what it returned. Throws a
   * NodeError (`FUNCTION_ERROR`, `FUNCTION_TIMEOUT`, `FUNCTION_MEMORY`, `FUNCTION_RESULT`); the
   * sandbox stays usable after any of them.
   */
  run(msg: Message): unknown {
    if (this.disposed) throw new Error('The function sandbox was disposed');
    const live = (this.live ??= this.build());
    this.logLines = 0;
    this.failure = undefined;
    const started = performance.now();
    let result: unknown;
    try {
      result = live.run.applySync(undefined, [msg], {
        arguments: { copy: true },
        result: { copy: true },
        timeout: this.options.timeoutMs,
      });
    } catch (err) {
      const lostIsolate = live.isolate.isDisposed;
      if (lostIsolate) this.live = undefined;
      // A call stopped by its time limit may have left a large string behind (V8 builds one without
      // looking at the clock): look now rather than on the next, innocent message.
      else this.checkHeap(live, -Infinity);
      throw runError(err, lostIsolate, this.options);
    }
    this.checkHeap(live, started);
    // Set by the failure callback during the call, which TypeScript cannot see.
    const failure = this.failure as [number, unknown] | undefined;
    if (failure === undefined) return result;
    this.failure = undefined;
    const [kind, data] = failure;
    if (kind === FAILURE.REFUSED) throw refusedResult(String(data), this.limits);
    throw userThrew(data as [string | null, string, string?]);
  }

  /** Frees the isolate. Idempotent. */
  dispose(): void {
    this.disposed = true;
    const live = this.live;
    this.live = undefined;
    if (live && !live.isolate.isDisposed) live.isolate.dispose();
  }

  private checkHeap(live: Live, started: number): void {
    const now = performance.now();
    if (now - started < SLOW_CALL_MS && now - this.lastHeapCheck < HEAP_CHECK_EVERY_MS) return;
    this.lastHeapCheck = now;
    const heap = live.isolate.getHeapStatisticsSync();
    const used = heap.used_heap_size + heap.externally_allocated_size;
    if (used <= live.heapLimitBytes) return;
    this.live = undefined;
    live.isolate.dispose();
    throw heldTooMuchMemory(used, this.options);
  }

  private build(): Live {
    const { code, memoryLimitMb, timeoutMs, onCatastrophicError } = this.options;
    const isolate = new ivm.Isolate({
      memoryLimit: memoryLimitMb,
      ...(onCatastrophicError ? { onCatastrophicError } : {}),
    });
    this.isolatesCreated += 1;
    try {
      const heapLimitBytes = isolate.getHeapStatisticsSync().heap_size_limit;
      const script = this.compile(isolate, code);
      const context = isolate.createContextSync();
      try {
        context.evalClosureSync(BODY_CHECK_SOURCE, [code], { timeout: timeoutMs });
      } catch (err) {
        throw notAFunctionBody(err);
      }
      const { maxMessageBytes, maxDepth, maxArrayLength } = this.limits;
      // The bootstrap runs before any user code, so what it removes (WebAssembly) is gone for good.
      const bind = context.evalClosureSync(
        BOOTSTRAP_SOURCE,
        [
          this.logCallback(),
          this.statusCallback(),
          this.options.nodeId,
          this.options.nodeName,
          maxMessageBytes,
          maxDepth,
          maxArrayLength,
          new ivm.Callback((kind: number, data: unknown) => {
            this.failure = [kind, data];
          }),
          this.contextCallback(),
        ],
        { result: { reference: true }, timeout: timeoutMs },
      ) as ivm.Reference<(fn: unknown) => unknown>;
      const userFn = script.runSync(context, { reference: true, timeout: timeoutMs, release: true });
      const run = bind.applySync(undefined, [userFn.derefInto({ release: true })], {
        result: { reference: true },
        timeout: timeoutMs,
      }) as ivm.Reference<(msg: unknown) => unknown>;
      bind.release();
      return { isolate, context, run, heapLimitBytes };
    } catch (err) {
      isolate.dispose();
      throw err;
    }
  }

  private compile(isolate: ivm.Isolate, code: string): ivm.Script {
    try {
      return isolate.compileScriptSync(wrapUserCode(code), { filename: USER_CODE_FILE, lineOffset: -1 });
    } catch (err) {
      throw syntaxError(err);
    }
  }

  private logCallback(): ivm.Callback {
    return new ivm.Callback((level: unknown, text: unknown) => {
      this.logLines += 1;
      if (this.logLines <= MAX_LOG_LINES_PER_MESSAGE) this.options.onLog(toLogLevel(level), String(text));
      else if (this.logLines === MAX_LOG_LINES_PER_MESSAGE + 1) {
        this.options.onLog(
          'warn',
          `This message wrote more than ${MAX_LOG_LINES_PER_MESSAGE} log lines; the rest are dropped`,
        );
      }
    });
  }

  /**
   * Answers the isolate's `context`, `flow` and `global`: a get with the value's JSON text (parsed
   * inside), a set with undefined or why it was refused. What arrives is JSON text the isolate made
   * (checked there: plain data, capped), so parsing it here runs nothing of the user's.
   */
  private contextCallback(): ivm.Callback {
    const scopes = (this.scopes ??= this.options.context ?? memoryFlowState());
    const pick = (scope: unknown): ContextStore =>
      scope === 'flow' ? scopes.flow : scope === 'global' ? scopes.global : scopes.node;
    return new ivm.Callback((op: unknown, scope: unknown, key: unknown, text: unknown) => {
      const store = pick(scope);
      if (op === 'keys') return JSON.stringify(store.keys());
      if (typeof key !== 'string') return undefined;
      if (op === 'get') {
        const value = store.get(key);
        return value === undefined ? undefined : JSON.stringify(value);
      }
      try {
        store.set(key, typeof text === 'string' ? JSON.parse(text) : undefined);
        return undefined;
      } catch (err) {
        return isNodeError(err) ? `${err.message} (${err.code})` : String(err);
      }
    });
  }

  private statusCallback(): ivm.Callback {
    return new ivm.Callback((status: unknown) => {
      this.options.onStatus(toNodeStatus(status));
    });
  }
}

/** Context scopes held in memory, for a sandbox given none. */
function memoryFlowState(): FlowState {
  const scope = (): ContextStore => {
    const values = new Map<string, string>();
    return {
      get: (key) => {
        const text = values.get(key);
        return text === undefined ? undefined : (JSON.parse(text) as unknown);
      },
      set: (key, value) => {
        if (value === undefined) values.delete(key);
        else values.set(key, JSON.stringify(value));
      },
      keys: () => [...values.keys()],
    };
  };
  return { node: scope(), flow: scope(), global: scope() };
}
