import { isIPv4, isIPv6 } from 'node:net';

export interface LoginLimitOptions {
  /** Failures allowed per address (an IPv6 /64) within the window; more are refused (default 10). */
  maxFailures?: number;
  /** Failures allowed from all addresses together within the window; more are refused (default 100). */
  maxGlobalFailures?: number;
  /** Sliding window, milliseconds (default 60 s). */
  windowMs?: number;
  /** Addresses tracked at most; past it the one that failed least recently is forgotten (default 10,000). */
  maxAddresses?: number;
  now?: () => number;
}

/** What the limiter decided about one failed sign-in. */
export interface FailureVerdict {
  /** The address group it counted against: the IPv4 address, or the IPv6 /64 (`2001:db8:0:1::/64`). */
  key: string;
  /** 0 when the failure was within the limits; else whole seconds until one more would be. */
  retryAfter: number;
  /** Why it was refused, when it was: this address's budget, or everyone's. */
  refusedBy?: 'address' | 'global';
  /** True for the failure that used up this address's budget (log it once, not per failure). */
  reachedLimit: boolean;
}

/**
 * Counts failed sign-ins per address and overall, over a sliding window. It only ever sees
 * failures: a token that verifies is never asked about, so no one can lock a valid token out.
 * Refused failures are not counted, so an address or the whole runtime is free again one window
 * after its last counted failure, however hard someone keeps hammering.
 *
 * Memory is bounded: at most `maxFailures` times per tracked address, `maxAddresses` addresses,
 * and `maxGlobalFailures` times overall. Forgetting an address at the cap lets it fail again
 * sooner, but never past the global budget.
 */
export class FailedLoginLimiter {
  /** Times of counted failures per address group, oldest first; Map order = least recently failed first. */
  private readonly failures = new Map<string, number[]>();
  /** Times of counted failures from everyone, oldest first. */
  private global: number[] = [];
  private readonly maxFailures: number;
  private readonly maxGlobalFailures: number;
  private readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;

  constructor(options: LoginLimitOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.maxGlobalFailures = options.maxGlobalFailures ?? 100;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Counts one failed sign-in from `address`, or refuses it when a budget is used up. */
  fail(address: string): FailureVerdict {
    const key = addressGroup(address);
    const now = this.now();
    const since = now - this.windowMs;
    const recent = (this.failures.get(key) ?? []).filter((t) => t > since);
    this.global = this.global.filter((t) => t > since);
    const addressFull = recent.length >= this.maxFailures;
    const globalFull = this.global.length >= this.maxGlobalFailures;
    if (addressFull || globalFull) {
      const waits = [
        addressFull ? recent[recent.length - this.maxFailures] + this.windowMs - now : 0,
        globalFull ? this.global[this.global.length - this.maxGlobalFailures] + this.windowMs - now : 0,
      ];
      this.remember(key, recent);
      return {
        key,
        retryAfter: Math.max(1, Math.ceil(Math.max(...waits) / 1000)),
        refusedBy: addressFull ? 'address' : 'global',
        reachedLimit: false,
      };
    }
    recent.push(now);
    this.global.push(now);
    this.remember(key, recent);
    return { key, retryAfter: 0, reachedLimit: recent.length === this.maxFailures };
  }

  /** Addresses tracked now (for tests of the memory bound). */
  get trackedAddresses(): number {
    return this.failures.size;
  }

  private remember(key: string, recent: number[]): void {
    this.failures.delete(key); // re-insert: Map order then tells which address is stalest
    if (recent.length === 0) return;
    this.failures.set(key, recent);
    if (this.failures.size > this.maxAddresses) {
      const stalest = this.failures.keys().next().value;
      if (stalest !== undefined) this.failures.delete(stalest);
    }
  }
}

/**
 * The group an address is limited as: an IPv4 address alone (also when IPv4-mapped), an IPv6
 * address by its /64, since one host or customer usually gets a whole /64 to pick from.
 */
export function addressGroup(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  const bare = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) names the interface, not the host
  if (!isIPv6(bare)) return address;
  const hextets = expandIPv6(bare);
  return `${hextets.slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of a valid IPv6 address, without leading zeros. */
function expandIPv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((h) => parseInt(h, 16).toString(16));
}
