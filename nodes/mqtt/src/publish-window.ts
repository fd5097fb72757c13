import type { Outbox } from '@tagflow/node-sdk';

/** What a window needs from the outbox it delivers. */
export type WindowOutbox<T> = Pick<Outbox<T>, 'peek' | 'ack' | 'dropped'>;

export interface PublishWindowOptions<T> {
  outbox: WindowOutbox<T>;
  /**
   * Publishes one item; calls `done` once the broker confirmed it (QoS 1/2) or the socket took it
   * (QoS 0), with the error if it failed (undefined or null if not).
   */
  send(item: T, done: (err?: Error | null) => void): void;
  /** Most publishes under way at once while the window replays what the outbox held (a backlog). */
  maxInFlight: number;
  /**
   * Most publishes under way at once after the window has sent everything the outbox held (so from
   * the start when it starts empty): live traffic, paced by the flow. Defaults to `maxInFlight`.
   */
  liveMaxInFlight?: number;
  /**
   * Most publishes a second while the window replays a backlog (unset: as fast as `maxInFlight`
   * lets it). A broker confirms a publish on receipt, so only a pace in time keeps a replay within
   * what its subscribers take.
   */
  replayPerSecond?: number;
  /** The outbox is acknowledged once this many publishes in a row were confirmed, or all were. */
  ackEvery: number;
  now(): number;
  /** Runs `fn` in `ms` (the node's clock): a replay held back by its pace goes on then. */
  setTimeout(fn: () => void, ms: number): void;
}

/**
 * Delivers an outbox in order over one connection with up to `maxInFlight` publishes under way:
 * each confirmation makes room for the next publish at once (a pipeline, no waiting for a whole
 * batch), and the outbox's head is acknowledged in order, only up to the oldest publish not yet
 * confirmed. Call `fill` when items were pushed; `fail` when the connection is lost (what is not
 * acknowledged goes again on the next connection: at least once). A backlog (what the outbox held
 * when the window started) goes with `maxInFlight` under way; once the window has caught up with the
 * outbox, `liveMaxInFlight`.
 */
export class PublishWindow<T> {
  /** Settles when the window ends: rejects with the loss (`fail`, a failed publish), resolves on `stop`. */
  readonly ended: Promise<void>;
  /** Confirmation flags of the publishes in the window, oldest first, from sequence number `base`. */
  private confirmed: boolean[] = [];
  private base = 0;
  /** Leading publishes already confirmed, not yet acknowledged in the outbox. */
  private ready = 0;
  /**
   * Leading publishes of the window whose items a full outbox (drop-oldest) dropped: the outbox's
   * head moved past them, so acknowledging them would remove items never sent.
   */
  private gone = 0;
  private seenDropped: number;
  /** Most publishes under way now: `maxInFlight` until the window has caught up with the outbox. */
  private limit: number;
  private replaying = true;
  /** The replay's pace: publishes it may send now (a token bucket of `maxInFlight`), as of `tokensAt`. */
  private tokens: number;
  private tokensAt: number;
  private paceTimer = false;
  private filling = false;
  private kicked = false;
  private refill = false;
  private finished = false;
  /** When the window last had news: a publish sent into an empty window, or a confirmation. */
  private progressAt = 0;
  /**
   * Confirmations so far, and as many as `waitingFor` had seen: a confirmation moves `progressAt` when
   * `waitingFor` next looks (every status update), not when it comes, for a clock read per
   * publish cost 2% of a QoS 0 publisher's CPU, and the wait is only shown, and only after seconds.
   */
  private confirmations = 0;
  private seenConfirmations = 0;
  private resolveEnded!: () => void;
  private rejectEnded!: (err: Error) => void;

  constructor(private readonly o: PublishWindowOptions<T>) {
    this.seenDropped = o.outbox.dropped;
    this.limit = o.maxInFlight;
    this.tokens = o.maxInFlight;
    this.tokensAt = o.now();
    this.ended = new Promise<void>((resolve, reject) => {
      this.resolveEnded = resolve;
      this.rejectEnded = reject;
    });
  }

  /** Publishes under way: sent, and not confirmed (or confirmed after an earlier one that is not). */
  get inFlight(): number {
    return this.confirmed.length - this.ready;
  }

  /**
   * Milliseconds the oldest unconfirmed publish has waited without any confirmation since, or 0;
   * a confirmation counts from the previous call on (at most the interval between calls too short).
   */
  waitingFor(): number {
    if (this.confirmations !== this.seenConfirmations) {
      this.seenConfirmations = this.confirmations;
      this.progressAt = this.o.now();
    }
    return this.ready < this.confirmed.length ? this.o.now() - this.progressAt : 0;
  }

  /** Sends what the window has room for from the outbox. Safe to call at any time, even re-entrantly. */
  fill(): void {
    if (this.finished) return;
    if (this.filling) {
      this.refill = true;
      return;
    }
    this.filling = true;
    try {
      do {
        this.refill = false;
        // Confirmations that came while sending (QoS 0: the socket took them at once) are
        // acknowledged here, together, rather than one by one.
        if (this.ready > 0 && (this.ready >= this.o.ackEvery || this.ready === this.confirmed.length))
          this.acknowledge();
        this.countDrops();
        // Room is made by each confirmation, not by the (batched) acknowledgement.
        let room = this.limit - this.inFlight;
        if (room <= 0) continue;
        const unsent = this.confirmed.length - this.gone;
        if (this.replaying && this.o.replayPerSecond !== undefined) {
          // A replay that has caught up goes live even while its pace allows nothing more.
          if (this.o.outbox.peek(1, unsent).length === 0) this.goLive();
          else room = Math.min(room, this.replayAllowance(this.o.replayPerSecond));
          if (room <= 0) continue;
        }
        const next = this.o.outbox.peek(room, unsent);
        // Everything the outbox holds is under way: what comes next is live, paced by the flow.
        if (next.length < room) this.goLive();
        else if (this.replaying) this.tokens -= next.length;
        if (next.length === 0) continue;
        if (this.ready === this.confirmed.length) this.progressAt = this.o.now();
        for (const item of next) {
          if (this.finished) return;
          const seq = this.base + this.confirmed.length;
          this.confirmed.push(false);
          this.o.send(item, (err) => this.onDone(seq, err));
        }
        this.refill = true;
      } while (this.refill && !this.finished);
    } finally {
      this.filling = false;
    }
  }

  private goLive(): void {
    this.limit = this.o.liveMaxInFlight ?? this.o.maxInFlight;
    this.replaying = false;
  }

  /** How many publishes the replay's pace allows now; when none, the window fills again once one is. */
  private replayAllowance(perSecond: number): number {
    const now = this.o.now();
    this.tokens = Math.min(this.o.maxInFlight, this.tokens + ((now - this.tokensAt) * perSecond) / 1000);
    this.tokensAt = now;
    const allowed = Math.floor(this.tokens);
    if (allowed === 0 && !this.paceTimer) {
      this.paceTimer = true;
      this.o.setTimeout(
        () => {
          this.paceTimer = false;
          this.fill();
        },
        Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / perSecond)),
      );
    }
    return allowed;
  }

  /** Ends the window with the connection's loss; what is in flight stays in the outbox. */
  fail(reason: Error): void {
    this.finish(reason);
  }

  /** Ends the window (the node closes); what is in flight stays in the outbox. */
  stop(): void {
    this.finish();
  }

  private onDone(seq: number, err?: Error | null): void {
    if (this.finished) return;
    if (err) return this.finish(err);
    const index = seq - this.base;
    if (index < 0 || index >= this.confirmed.length || this.confirmed[index]) return;
    this.confirmed[index] = true;
    this.confirmations++;
    if (index !== this.ready) return;
    while (this.ready < this.confirmed.length && this.confirmed[this.ready]) this.ready++;
    this.kick();
  }

  /**
   * Fills the window once the confirmations at hand are counted: a socket read brings many PUBACKs
   * at once, and the publishes they make room for then go out together.
   */
  private kick(): void {
    if (this.filling) {
      this.refill = true;
      return;
    }
    if (this.kicked) return;
    this.kicked = true;
    queueMicrotask(() => {
      this.kicked = false;
      this.fill();
    });
  }

  /** Removes the confirmed head from the outbox. */
  private acknowledge(): void {
    this.countDrops();
    const count = this.ready;
    const dropped = Math.min(count, this.gone);
    this.gone -= dropped;
    this.confirmed.splice(0, count);
    this.base += count;
    this.ready = 0;
    if (count > dropped) this.o.outbox.ack(count - dropped).catch((err: unknown) => this.finish(err as Error));
  }

  private countDrops(): void {
    const dropped = this.o.outbox.dropped;
    if (dropped === this.seenDropped) return;
    this.gone = Math.min(this.confirmed.length, this.gone + dropped - this.seenDropped);
    this.seenDropped = dropped;
  }

  private finish(err?: Error): void {
    if (this.finished) return;
    this.finished = true;
    if (err) this.rejectEnded(err);
    else this.resolveEnded();
  }
}
