import type { HandledOutcome } from '@tagflow/node-sdk';

/** A failed outcome (`HandledOutcome` with `handled: false`). */
export type HandledFailure = Extract<HandledOutcome, { handled: false }>;

/**
 * Follows one message sent with `onHandled` through the flow (see `SendOptions` in the SDK). It
 * counts the deliveries not finished yet: the send itself holds one until its loop has delivered
 * to every target, each delivery holds one until the node's `onMessage` settled, and what a node
 * sends while handling a tracked delivery joins the same tracker (a nested `onHandled` makes a
 * child that holds its parent). The count reaching zero means handled; any failure ends it at once.
 * Only tracked messages create one: an untracked message costs the engine nothing more.
 */
export class HandledTracker {
  private pending = 1;
  private finished = false;

  constructor(
    private readonly report: (outcome: HandledOutcome) => void,
    private readonly parent: HandledTracker | undefined,
  ) {
    if (parent !== undefined) parent.pending++;
  }

  /** One more delivery to wait for. */
  hold(): void {
    this.pending++;
  }

  /** A delivery (or the send itself) finished without error. */
  release(): void {
    if (--this.pending === 0 && !this.finished) this.finish({ handled: true });
  }

  /** A delivery failed: reports it now; what is still running no longer matters. */
  fail(outcome: HandledFailure): void {
    if (!this.finished) this.finish(outcome);
  }

  private finish(outcome: HandledOutcome): void {
    this.finished = true;
    this.report(outcome);
    const parent = this.parent;
    if (parent === undefined) return;
    if (outcome.handled) parent.release();
    else parent.fail(outcome);
  }
}
