import type { Flow, FlowIssue, NodeCatalog } from '@tagflow/flow-model';
import { canvasToFlow } from './canvas';
import type { CanvasDoc } from './canvas';
import { indexIssues } from './validate';
import type { ValidationResult } from './validate';

/** What `POST /api/flow/validate` answers: the runtime's complete check, the one a deploy runs. */
export interface ServerValidation {
  ok: boolean;
  errors: FlowIssue[];
  warnings: FlowIssue[];
}

/**
 * The local problems with the runtime's added: the editor checks schemas itself at once, but only
 * the runtime runs each node type's own `check` (a regex that compiles, code that parses...). An
 * issue both found is listed once.
 */
export function withServerIssues(
  local: ValidationResult,
  input: CanvasDoc | Flow,
  catalog: NodeCatalog,
  server: ServerValidation,
): ValidationResult {
  const flow = 'meta' in input ? canvasToFlow(input) : input;
  return indexIssues(flow, catalog, union(local.errors, server.errors), union(local.warnings, server.warnings));
}

function union(first: readonly FlowIssue[], second: readonly FlowIssue[]): FlowIssue[] {
  const key = (i: FlowIssue) => `${i.code}\u0000${i.path}\u0000${i.message}`;
  const seen = new Set(first.map(key));
  return [...first, ...second.filter((i) => !seen.has(key(i)))];
}

/** Timer functions, injected so tests can drive time. */
export interface CheckTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * Asks the runtime to check the edited flow, at most once per pause in editing: `schedule` after
 * each edit waits `delayMs` (400) of quiet, `now` asks at once (before the deploy dialog). Only
 * the answer for the latest revision is delivered; an answer to an older one is dropped, since
 * the flow it describes is no longer the one on screen.
 */
export class ServerCheck {
  private latest = -1;
  private timer: unknown;

  constructor(
    private readonly ask: (flow: Flow) => Promise<ServerValidation>,
    private readonly onAnswer: (revision: number, answer: ServerValidation) => void,
    /** A scheduled ask that failed (the runtime unreachable, a role that may not validate). */
    private readonly onFailure: (err: unknown) => void,
    private readonly delayMs = 400,
    private readonly timers: CheckTimers = {
      setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
  ) {}

  /** Asks about `flow` (at `revision`) once editing pauses for `delayMs`. */
  schedule(revision: number, flow: Flow): void {
    this.latest = revision;
    this.cancelTimer();
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.run(revision, flow).catch(this.onFailure);
    }, this.delayMs);
  }

  /**
   * Asks about `flow` now; resolves with the answer, or undefined when a newer revision overtook
   * it; rejects when the ask fails.
   */
  now(revision: number, flow: Flow): Promise<ServerValidation | undefined> {
    this.latest = revision;
    this.cancelTimer();
    return this.run(revision, flow);
  }

  /** Stops: pending asks are dropped, late answers ignored. */
  dispose(): void {
    this.cancelTimer();
    this.latest = Number.POSITIVE_INFINITY;
  }

  private async run(revision: number, flow: Flow): Promise<ServerValidation | undefined> {
    const answer = await this.ask(flow);
    if (revision !== this.latest) return undefined;
    this.onAnswer(revision, answer);
    return answer;
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
