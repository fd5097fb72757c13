import type { NextFunction, Request, Response } from 'express';
import type { EngineLogger } from '../engine/types';
import type { AuditLogApi, Role, TokenInfo, TokenStoreApi } from '../store/types';
import { sendError } from './http-error';

const RANK: Record<Role, number> = { viewer: 1, deployer: 2, admin: 3 };

/** Roles from least to most rights. */
export const ROLES: readonly Role[] = ['viewer', 'deployer', 'admin'];

/** True when a caller with role `have` may use a route that needs `need`. */
export function roleAllows(have: Role, need: Role): boolean {
  return RANK[have] >= RANK[need];
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerFromHeader(header: string | undefined): string | undefined {
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match ? match[1] : undefined;
}

export interface LoginLimitOptions {
  /** Failures allowed per remote address within the window before it is refused (default 10). */
  maxFailures?: number;
  /** Sliding window, milliseconds (default 60 s). */
  windowMs?: number;
  now?: () => number;
}

/**
 * Counts failed authentications per remote address over a sliding window. Once an address has
 * failed `maxFailures` times in the window it is refused outright, right token or not, so
 * guessing tokens costs a minute per ten tries.
 */
export class FailedLoginLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxFailures: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  /** Bounds the memory an attacker rotating addresses can make us hold. */
  private readonly maxAddresses = 10_000;

  constructor(options: LoginLimitOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Whole seconds until `address` may try again; 0 when it may now. */
  retryAfterSeconds(address: string): number {
    const recent = this.recent(address);
    if (recent.length < this.maxFailures) return 0;
    const freeAt = recent[recent.length - this.maxFailures] + this.windowMs;
    return Math.max(1, Math.ceil((freeAt - this.now()) / 1000));
  }

  /** Records one failure; returns true when this failure reached the limit. */
  record(address: string): boolean {
    const recent = this.recent(address);
    recent.push(this.now());
    this.failures.delete(address); // re-insert: Map order then tells which address is stalest
    this.failures.set(address, recent);
    if (this.failures.size > this.maxAddresses) {
      const stalest = this.failures.keys().next().value;
      if (stalest !== undefined) this.failures.delete(stalest);
    }
    return recent.length === this.maxFailures;
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(address);
    else this.failures.set(address, kept);
    return kept;
  }
}

/** The outcome of checking a request's credentials. */
export type AuthOutcome =
  | { ok: true; caller: TokenInfo }
  | { ok: false; status: 401 | 403 | 429; message: string; headers: Record<string, string> };

/**
 * Checks bearer tokens and roles, for HTTP routes and the WebSocket upgrade alike, and reports
 * every failed authentication (log + audit) without ever writing the presented token anywhere.
 */
export class Authenticator {
  /** Audit writes of failed logins still in flight (they do not hold up the 401). */
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly deps: { tokens: TokenStoreApi; audit: AuditLogApi; logger: EngineLogger },
    private readonly limiter: FailedLoginLimiter,
  ) {}

  /** `what` names the request in logs, e.g. `GET /api/flow`. */
  check(presented: string | undefined, address: string, need: Role, what: string): AuthOutcome {
    const retryAfter = this.limiter.retryAfterSeconds(address);
    if (retryAfter > 0) {
      return {
        ok: false,
        status: 429,
        message: `too many failed logins from this address; try again in ${retryAfter} s`,
        headers: { 'Retry-After': String(retryAfter) },
      };
    }
    const caller = presented === undefined ? undefined : this.deps.tokens.verify(presented);
    if (!caller) {
      const reason = presented === undefined ? 'no bearer token' : 'unknown or revoked token';
      this.fail(address, reason, what);
      return {
        ok: false,
        status: 401,
        message: `authentication required: ${reason}`,
        headers: { 'WWW-Authenticate': 'Bearer realm="tagflow"' },
      };
    }
    if (!roleAllows(caller.role, need)) {
      return {
        ok: false,
        status: 403,
        message: `this needs the ${need} role; token "${caller.name}" has ${caller.role}`,
        headers: {},
      };
    }
    return { ok: true, caller };
  }

  /** Express middleware for a route that needs `need`; the caller lands in `res.locals.caller`. */
  require(need: Role) {
    return (req: Request, res: Response, next: NextFunction): void => {
      const outcome = this.check(
        bearerFromHeader(req.headers.authorization),
        remoteAddress(req),
        need,
        `${req.method} ${req.path}`,
      );
      if (!outcome.ok) return sendError(res, outcome.status, outcome.message, outcome.headers);
      res.locals.caller = outcome.caller;
      next();
    };
  }

  private fail(address: string, reason: string, what: string): void {
    const reachedLimit = this.limiter.record(address);
    this.deps.logger.warn({ remoteAddress: address, request: what, reason }, 'failed authentication on the admin API');
    if (reachedLimit)
      this.deps.logger.warn({ remoteAddress: address }, 'too many failed logins: refusing this address for a while');
    const write = this.deps.audit
      .append({ type: 'login-failed', actor: address, detail: `${reason} on ${what}` })
      .catch((err: unknown) => {
        this.deps.logger.error({ err, remoteAddress: address }, 'could not record a failed login in the audit log');
      })
      .finally(() => this.pending.delete(write));
    this.pending.add(write);
  }

  /** Resolves once every failed-login audit write started so far has finished. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** The peer's address (proxies are not trusted: X-Forwarded-For would let anyone dodge the limit). */
export function remoteAddress(req: { socket: { remoteAddress?: string } }): string {
  return req.socket.remoteAddress ?? 'unknown';
}
