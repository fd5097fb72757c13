import ivm from 'isolated-vm';
import type { Message, NodeStatus } from '@tagflow/node-sdk';
import { BODY_CHECK_SOURCE, BOOTSTRAP_SOURCE, USER_CODE_FILE, wrapUserCode } from './isolate-source';
import { notAFunctionBody, runError, syntaxError } from './sandbox-errors';
import { toLogLevel, toNodeStatus } from './sandbox-bridge';
import type { SandboxLogLevel } from './sandbox-bridge';

/** What a sandbox needs: the user's code, its limits, and where its logs and status go. */
export interface SandboxOptions {
  /** The body of `function (msg, node, context) { ... }`. */
  code: string;
  /** Heap limit of the isolate, in MB (isolated-vm's minimum is 8). */
  memoryLimitMb: number;
  /** Longest a single message may run, in ms. */
  timeoutMs: number;
  /** Shown to user code as `node.id` and `node.name`. */
  nodeId: string;
  nodeName?: string;
  /** Receives `node.log/warn/error` and `console.*` calls, already formatted as text. */
  onLog(level: SandboxLogLevel, text: string): void;
  /** Receives `node.status(...)` calls, validated. */
  onStatus(status: NodeStatus): void;
  /** Called if V8 reports it lost control of the isolate (the process should then be restarted). */
  onCatastrophicError?(message: string): void;
}

/** Log lines one message may write; a loop logging until its timeout would otherwise flood the log. */
export const MAX_LOG_LINES_PER_MESSAGE = 100;

/** One live isolate with the user's function compiled in it. */
interface Live {
  isolate: ivm.Isolate;
  context: ivm.Context;
  run: ivm.Reference<(msg: unknown) => unknown>;
}

/**
 * Runs user JavaScript in a V8 isolate of its own (isolated-vm): no process, require, file system,
 * network or host timers inside, a heap limit, and a time limit per message. The code is compiled
 * once; each message is copied in and the result copied out (structured clone), so user code never
 * touches host objects. When the memory limit kills the isolate, the next `run` builds a new one.
 *
 * Calls are synchronous: measured faster than the asynchronous form here (see docs/function.md),
 * at the price of blocking the event loop for up to `timeoutMs` when user code runs away.
 */
export class FunctionSandbox {
  private live: Live | undefined;
  private disposed = false;
  private isolatesCreated = 0;
  private logLines = 0;

  /** Compiles `options.code`; throws a NodeError `FUNCTION_SYNTAX` naming the line if it does not parse. */
  constructor(private readonly options: SandboxOptions) {
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
    try {
      return live.run.applySync(undefined, [msg], {
        arguments: { copy: true },
        result: { copy: true },
        timeout: this.options.timeoutMs,
      });
    } catch (err) {
      const lostIsolate = live.isolate.isDisposed;
      if (lostIsolate) this.live = undefined;
      throw runError(err, lostIsolate, this.options);
    }
  }

  /** Frees the isolate. Idempotent. */
  dispose(): void {
    this.disposed = true;
    const live = this.live;
    this.live = undefined;
    if (live && !live.isolate.isDisposed) live.isolate.dispose();
  }

  private build(): Live {
    const { code, memoryLimitMb, timeoutMs, onCatastrophicError } = this.options;
    const isolate = new ivm.Isolate({
      memoryLimit: memoryLimitMb,
      ...(onCatastrophicError ? { onCatastrophicError } : {}),
    });
    this.isolatesCreated += 1;
    try {
      const script = this.compile(isolate, code);
      const context = isolate.createContextSync();
      try {
        context.evalClosureSync(BODY_CHECK_SOURCE, [code], { timeout: timeoutMs });
      } catch (err) {
        throw notAFunctionBody(err);
      }
      const userFn = script.runSync(context, { reference: true, timeout: timeoutMs, release: true });
      const bind = context.evalClosureSync(
        BOOTSTRAP_SOURCE,
        [this.logCallback(), this.statusCallback(), this.options.nodeId, this.options.nodeName],
        { result: { reference: true }, timeout: timeoutMs },
      ) as ivm.Reference<(fn: unknown) => unknown>;
      const run = bind.applySync(undefined, [userFn.derefInto({ release: true })], {
        result: { reference: true },
        timeout: timeoutMs,
      }) as ivm.Reference<(msg: unknown) => unknown>;
      bind.release();
      return { isolate, context, run };
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

  private statusCallback(): ivm.Callback {
    return new ivm.Callback((status: unknown) => {
      this.options.onStatus(toNodeStatus(status));
    });
  }
}
