import type { EngineLogger } from '../engine/types';
import type { AuditLogApi } from '../store/types';

export interface FailedLoginAuditOptions {
  /** Failures of one address are summed over this long, milliseconds (default 60 s). */
  windowMs?: number;
  /** Addresses summed at once at most; failures from more go into one "many addresses" sum (default 1000). */
  maxOpen?: number;
}

/** One failed sign-in, as the authenticator saw it. */
export interface FailedLogin {
  /** The remote address. */
  address: string;
  /** The group the limiter counts it in (the address, or its IPv6 /64). */
  key: string;
  /** Plain words: `no bearer token`, `unknown or revoked token`. */
  reason: string;
  /** The request, e.g. `GET /api/flow`. */
  what: string;
  /** Refused with 429: by this address's budget, or everyone's. */
  refusedBy?: 'address' | 'global';
}

interface Sum {
  actor: string;
  key: string;
  firstAt: number;
  lastAt: number;
  count: number;
  refused: number;
  last: string;
}

/** The actor of the sum of failures from addresses beyond `maxOpen`, or refused by the global budget. */
export const MANY_ADDRESSES = 'many addresses';

/**
 * Writes failed sign-ins to the audit log (and the log) without letting a flood of them fill the
 * disk: per address group, the first failure of a window is written at once, the rest are summed
 * into one `login-failed` event with a `count`, written when the window ends or at `flush()`.
 * Failures refused by the global budget from an address with no open sum go into a single
 * "many addresses" sum, so rotating addresses cannot buy one fsynced line per request.
 */
export class FailedLoginAudit {
  private readonly sums = new Map<string, Sum>();
  private many: Sum | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly pending = new Set<Promise<void>>();
  private readonly windowMs: number;
  private readonly maxOpen: number;

  constructor(
    private readonly deps: { audit: AuditLogApi; logger: EngineLogger },
    options: FailedLoginAuditOptions = {},
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxOpen = options.maxOpen ?? 1000;
  }

  /** Counts one failure; writes it at once when it is the first of its address's window and was not refused. */
  record(failure: FailedLogin): void {
    const now = Date.now();
    const last = `${failure.reason} on ${failure.what}`;
    const open = this.sums.get(failure.key);
    if (open) return add(open, failure, now, last);
    if (failure.refusedBy === 'global' || this.sums.size >= this.maxOpen) {
      if (!this.many) {
        this.deps.logger.warn({}, 'too many failed logins from many addresses: refusing failed logins for a while');
        this.many = { actor: MANY_ADDRESSES, key: '*', firstAt: now, lastAt: now, count: 0, refused: 0, last };
      }
      add(this.many, failure, now, last);
      return this.schedule();
    }
    const sum: Sum = {
      actor: failure.address,
      key: failure.key,
      firstAt: now,
      lastAt: now,
      count: 0,
      refused: 0,
      last,
    };
    this.sums.set(failure.key, sum);
    this.schedule();
    if (failure.refusedBy) return add(sum, failure, now, last);
    this.deps.logger.warn(
      { remoteAddress: failure.address, request: failure.what, reason: failure.reason },
      'failed authentication on the admin API',
    );
    this.write({ type: 'login-failed', actor: failure.address, detail: last, count: 1 });
  }

  /** Writes every open sum now (at a graceful stop: nothing counted is lost). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (const sum of this.sums.values()) this.close(sum);
    this.sums.clear();
    if (this.many) this.close(this.many);
    this.many = undefined;
  }

  /** Flushes, then resolves once every audit write started so far has finished. */
  async settled(): Promise<void> {
    this.flush();
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  /** Sums are opened in time order, so the first one is always the next to end. */
  private schedule(): void {
    if (this.timer) return;
    const first = this.sums.values().next().value;
    const due = Math.min(first?.firstAt ?? Infinity, this.many?.firstAt ?? Infinity) + this.windowMs;
    if (due === Infinity) return;
    this.timer = setTimeout(() => this.closeDue(), Math.max(0, due - Date.now()));
    this.timer.unref();
  }

  private closeDue(): void {
    this.timer = undefined;
    const cutoff = Date.now() - this.windowMs;
    for (const [key, sum] of this.sums) {
      if (sum.firstAt > cutoff) break;
      this.close(sum);
      this.sums.delete(key);
    }
    if (this.many && this.many.firstAt <= cutoff) {
      this.close(this.many);
      this.many = undefined;
    }
    this.schedule();
  }

  private close(sum: Sum): void {
    if (sum.count === 0) return;
    const refused = sum.refused > 0 ? `, ${sum.refused} of them refused (429)` : '';
    const detail = `${sum.count} more failed logins from ${new Date(sum.firstAt).toISOString()} to ${new Date(sum.lastAt).toISOString()}${refused}; the last: ${sum.last}`;
    this.deps.logger.warn(
      { remoteAddress: sum.actor, count: sum.count, refused: sum.refused },
      `${sum.count} more failed logins on the admin API`,
    );
    this.write({
      type: 'login-failed',
      actor: sum.actor,
      detail,
      count: sum.count,
      data: { from: new Date(sum.firstAt).toISOString(), to: new Date(sum.lastAt).toISOString(), refused: sum.refused },
    });
  }

  private write(event: Parameters<AuditLogApi['append']>[0]): void {
    const write = this.deps.audit
      .append(event)
      .catch((err: unknown) => {
        this.deps.logger.error({ err, remoteAddress: event.actor }, 'could not record failed logins in the audit log');
      })
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }
}

function add(sum: Sum, failure: FailedLogin, now: number, last: string): void {
  sum.count++;
  if (failure.refusedBy) sum.refused++;
  sum.lastAt = now;
  sum.last = last;
  // One actor per sum: the address while only one sent failures, else its group.
  if (sum.actor !== failure.address && sum.key !== '*') sum.actor = sum.key;
}
