import type { NextFunction, Request, Response } from 'express';
import type { EngineLogger } from '../engine/types';
import type { AuditLogApi, Role, TokenInfo, TokenStoreApi } from '../store/types';
import { FailedLoginAudit } from './failed-login-audit';
import type { FailedLoginAuditOptions } from './failed-login-audit';
import { sendError } from './http-error';
import type { FailedLoginLimiter } from './login-limiter';

export { FailedLoginLimiter } from './login-limiter';
export type { LoginLimitOptions } from './login-limiter';

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

/** The outcome of checking a request's credentials. */
export type AuthOutcome =
  | { ok: true; caller: TokenInfo }
  | { ok: false; status: 401 | 403 | 429; message: string; headers: Record<string, string> };

/**
 * Checks bearer tokens and roles, for HTTP routes and the WebSocket upgrade alike, and reports
 * failed authentications (log + audit, summed per address) without ever writing the presented token.
 *
 * The token is verified before the limiter is asked anything: a valid token is never refused
 * because others failed, from its address or any other. Only a failure can be answered 429.
 * Verifying costs one SHA-256 of the presented token and a compare per live token (TokenStore),
 * microseconds, so hashing every failure, even refused ones, cannot stall valid requests; and
 * limiting before hashing is impossible without refusing a token that would have verified.
 */
export class Authenticator {
  private readonly failures: FailedLoginAudit;

  constructor(
    private readonly deps: { tokens: TokenStoreApi; audit: AuditLogApi; logger: EngineLogger },
    private readonly limiter: FailedLoginLimiter,
    auditOptions: FailedLoginAuditOptions = {},
  ) {
    this.failures = new FailedLoginAudit(deps, auditOptions);
  }

  /** `what` names the request in logs, e.g. `GET /api/flow`. */
  check(presented: string | undefined, address: string, need: Role, what: string): AuthOutcome {
    const caller = presented === undefined ? undefined : this.deps.tokens.verify(presented);
    if (!caller) {
      const reason = presented === undefined ? 'no bearer token' : 'unknown or revoked token';
      const verdict = this.limiter.fail(address);
      if (verdict.reachedLimit)
        this.deps.logger.warn(
          { remoteAddress: address, group: verdict.key },
          'too many failed logins: refusing failed logins from this address for a while',
        );
      this.failures.record({ address, key: verdict.key, reason, what, refusedBy: verdict.refusedBy });
      if (verdict.retryAfter > 0) {
        const whose = verdict.refusedBy === 'global' ? 'on this runtime' : 'from this address';
        return {
          ok: false,
          status: 429,
          message: `too many failed logins ${whose}; try again in ${verdict.retryAfter} s (a valid token still works)`,
          headers: { 'Retry-After': String(verdict.retryAfter) },
        };
      }
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

  /** Writes the failed logins summed so far, then resolves once every such audit write has finished. */
  settled(): Promise<void> {
    return this.failures.settled();
  }
}

/** The peer's address (proxies are not trusted: X-Forwarded-For would let anyone dodge the limit). */
export function remoteAddress(req: { socket: { remoteAddress?: string } }): string {
  return req.socket.remoteAddress ?? 'unknown';
}
